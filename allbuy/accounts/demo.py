"""A demo customer for the embedded shop (`seed_demo`, run by `make run`), so checkout can be tried at once.

Its password is public (README): `seed_demo` belongs to the demo and development setup only; production
deployments never run it.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress

from allbuy.accounts.identity import email_pseudonym
from allbuy.accounts.models import Address, User
from allbuy.accounts.services import address_create, user_create

DEMO_EMAIL = "demo@allbuy.example"
DEMO_PASSWORD = "allbuy-demo-shopper"  # noqa: S105 - a published demo credential, see the module docstring


def demo_customer_seed() -> bool:
    """Create the demo customer with a verified address and a German shipping address; False if it exists."""
    if User.objects.filter(email=email_pseudonym(DEMO_EMAIL)).exists():
        return False
    user = user_create(email=DEMO_EMAIL, password=DEMO_PASSWORD, full_name="Demo Shopper", phone="+49 30 1234567")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    if not Address.objects.filter(user=user).exists():
        address_create(
            user=user,
            recipient_name="Demo Shopper",
            line1="Friedrichstraße 100",
            line2="",
            city="Berlin",
            region="",
            postcode="10117",
            country="DE",
            phone="+49 30 1234567",
        )
    return True
