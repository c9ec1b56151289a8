"""A person's own account pages: profile, address book and sign-in email. Each parses, calls one service, renders."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from allbuy.accounts import selectors, services
from allbuy.accounts.exceptions import AddressNotFound, EmailChangeLinkInvalid
from allbuy.accounts.forms import AddressForm, EmailChangeConfirmForm, EmailChangeForm, ProfileForm
from allbuy.accounts.models import User

View = Callable[..., HttpResponse]


def account_page(view: View) -> View:
    """Signed in only, never cached (the pages hold personal data), and another person's address is a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except AddressNotFound:
            raise Http404("There is no such address in your address book.") from None

    return never_cache(login_required(wrapper))


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@account_page
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    current = selectors.profile_get(user=user)
    form = ProfileForm(_posted(request), initial={"full_name": current.full_name, "phone": current.phone})
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=user, full_name=form.cleaned_data["full_name"], phone=form.cleaned_data["phone"])
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "profile": current})


@account_page
@require_http_methods(["GET", "HEAD"])
def address_list(request: HttpRequest) -> HttpResponse:
    addresses = selectors.address_list_for_user(user=_user(request))
    return render(request, "accounts/address_list.html", {"addresses": addresses})


def _next_url(request: HttpRequest) -> str:
    """Where to go after adding an address (checkout sends `next`), if it is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if allowed else ""


def _address_form_response(request: HttpRequest, form: AddressForm, *, address_id: int | None = None) -> HttpResponse:
    context = {"form": form, "address_id": address_id, "next": _next_url(request)}
    return render(request, "accounts/address_form.html", context)


@account_page
@require_http_methods(["GET", "HEAD", "POST"])
def address_create(request: HttpRequest) -> HttpResponse:
    form = AddressForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.address_create(user=_user(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_errors_from(error)
        else:
            messages.success(request, "The address is added to your address book.")
            return redirect(_next_url(request) or "accounts:addresses")
    return _address_form_response(request, form)


@account_page
@require_http_methods(["GET", "HEAD", "POST"])
def address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    user = _user(request)
    current = selectors.address_get_for_user(user=user, address_id=address_id)
    form = AddressForm(_posted(request), initial=current.form_values(), with_default=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_update(user=user, address_id=address_id, **form.cleaned_data)
        except ValidationError as error:
            form.add_errors_from(error)
        else:
            messages.success(request, "The address is saved.")
            return redirect("accounts:addresses")
    return _address_form_response(request, form, address_id=address_id)


@account_page
@require_http_methods(["GET", "HEAD", "POST"])
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    user = _user(request)
    if request.method == "POST":
        services.address_delete(user=user, address_id=address_id)
        messages.success(request, "The address is deleted.")
        return redirect("accounts:addresses")
    address = selectors.address_get_for_user(user=user, address_id=address_id)
    return render(request, "accounts/address_confirm_delete.html", {"address": address})


@account_page
@require_POST
def address_set_default(request: HttpRequest, address_id: int) -> HttpResponse:
    services.address_set_default(user=_user(request), address_id=address_id)
    messages.success(request, "Your default delivery address is changed.")
    return redirect("accounts:addresses")


@account_page
@require_http_methods(["GET", "HEAD", "POST"])
def email_manage(request: HttpRequest) -> HttpResponse:
    """The sign-in email page (replaces allauth's, which would only know the address's blind index)."""
    user = _user(request)
    form = EmailChangeForm(_posted(request), user=user, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            services.email_change_request(
                user=user,
                new_email=form.cleaned_data["email"],
                confirm_url=lambda token: request.build_absolute_uri(reverse("accounts:email_change_confirm", args=[token])),
            )
        except ValidationError as error:
            form.add_errors_from(error, field="email")
        else:
            messages.success(
                request,
                f"We sent a link to {form.cleaned_data['email']}. Open it within 3 days to finish the change; "
                "until then, sign in with your current address.",
            )
            return redirect("accounts:email")
    profile = selectors.profile_get(user=user)
    return render(request, "accounts/email.html", {"form": form, "profile": profile})


@account_page
@require_http_methods(["GET", "HEAD", "POST"])
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    user = _user(request)
    try:
        services.email_change_token_check(user=user, token=token)
    except EmailChangeLinkInvalid as error:
        return render(request, "accounts/email_change_invalid.html", {"message": error.message}, status=400)
    form = EmailChangeConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.email_change_confirm(user=user, token=token, typed_email=form.cleaned_data["email"])
        except ValidationError as error:
            form.add_errors_from(error, field="email")
        except EmailChangeLinkInvalid as error:
            return render(request, "accounts/email_change_invalid.html", {"message": error.message}, status=400)
        else:
            messages.success(request, "Your sign-in email address is changed. Use the new address next time you sign in.")
            return redirect("accounts:email")
    return render(request, "accounts/email_change_confirm.html", {"form": form})


def account_home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("accounts:profile"))
