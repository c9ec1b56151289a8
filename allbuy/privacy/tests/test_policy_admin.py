"""Staff publish policy versions in the admin; versions in effect are history and cannot be rewritten."""

from datetime import timedelta

import pytest
from django.test import Client

from allbuy.core import clock
from allbuy.privacy.models import PolicyVersion

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/privacy/policyversion/add/"


def publish_form(*, version: str, body: str, published_at=None, summary: str = "What changed.") -> dict[str, str]:
    when = published_at or clock.now()
    return {
        "version": version,
        "title": "AllBuy privacy policy",
        "body": body,
        "summary_of_changes": summary,
        "published_at_0": when.strftime("%Y-%m-%d"),
        "published_at_1": when.strftime("%H:%M:%S"),
    }


@pytest.fixture
def staff_client(client: Client, staff_make) -> Client:
    client.force_login(staff_make())
    return client


def test_staff_publish_a_new_version_and_it_becomes_current(staff_client: Client):
    response = staff_client.post(ADD_URL, publish_form(version="2.0", body="## Hello\n\nA new policy text."))
    assert response.status_code == 302, response.content.decode()[:2000]
    html = staff_client.get("/privacy").content.decode()
    assert "Version 2.0" in html
    assert "A new policy text." in html


def test_a_version_scheduled_for_later_waits_for_its_time(staff_client: Client, monkeypatch):
    later = clock.now() + timedelta(days=2)
    response = staff_client.post(ADD_URL, publish_form(version="3.0", body="Later text.", published_at=later))
    assert response.status_code == 302
    assert "Later text." not in staff_client.get("/privacy").content.decode()
    # when its time comes, it is current at once, though the previous answer is still cached
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() + timedelta(days=3))
    assert "Later text." in staff_client.get("/privacy").content.decode()


def test_the_list_tells_current_superseded_and_scheduled_versions_apart(staff_client: Client):
    PolicyVersion.objects.create(version="2.0", body="Now.", published_at=clock.now() - timedelta(minutes=1))
    PolicyVersion.objects.create(version="3.0", body="Later.", published_at=clock.now() + timedelta(days=1))
    html = staff_client.get("/admin/privacy/policyversion/").content.decode()
    for status in ("current", "superseded", "scheduled"):
        assert f'<td class="field-status">{status}</td>' in html


def test_a_new_version_cannot_be_backdated(staff_client: Client):
    response = staff_client.post(
        ADD_URL, publish_form(version="2.0", body="Backdated.", published_at=clock.now() - timedelta(days=30))
    )
    assert response.status_code == 200
    assert "takes effect when it is posted" in response.content.decode()
    assert not PolicyVersion.objects.filter(version="2.0").exists()


def test_the_body_of_a_version_in_effect_cannot_be_edited(staff_client: Client):
    version = PolicyVersion.objects.get(version="1.0")
    url = f"/admin/privacy/policyversion/{version.pk}/change/"
    # the change form shows the text read-only
    form_html = staff_client.get(url).content.decode()
    assert 'name="body"' not in form_html
    # and a posted change (a form opened before the version took effect) is refused with a reason
    response = staff_client.post(url, {"body": "Rewritten history.", "summary_of_changes": version.summary_of_changes})
    assert response.status_code == 200
    assert "can no longer change" in response.content.decode()
    version.refresh_from_db()
    assert "Rewritten history." not in version.body


def test_the_summary_of_a_version_in_effect_can_still_be_corrected(staff_client: Client):
    version = PolicyVersion.objects.get(version="1.0")
    url = f"/admin/privacy/policyversion/{version.pk}/change/"
    response = staff_client.post(url, {"summary_of_changes": "A clearer summary."})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.summary_of_changes == "A clearer summary."


def test_a_scheduled_version_can_be_edited_until_it_takes_effect(staff_client: Client):
    version = PolicyVersion.objects.create(version="4.0", body="Draft.", published_at=clock.now() + timedelta(days=1))
    url = f"/admin/privacy/policyversion/{version.pk}/change/"
    response = staff_client.post(url, publish_form(version="4.0", body="Better draft.", published_at=version.published_at))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.body == "Better draft."


def test_a_version_in_effect_cannot_be_deleted(staff_client: Client):
    version = PolicyVersion.objects.get(version="1.0")
    response = staff_client.post(f"/admin/privacy/policyversion/{version.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert PolicyVersion.objects.filter(pk=version.pk).exists()


def test_version_numbers_are_safe_in_addresses(staff_client: Client):
    response = staff_client.post(ADD_URL, publish_form(version="2 / beta", body="Text."))
    assert response.status_code == 200
    assert not PolicyVersion.objects.filter(version="2 / beta").exists()
