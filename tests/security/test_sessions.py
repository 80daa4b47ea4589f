"""Session cookies: a new key on login, and a stolen old cookie is worthless after
logout, a password change or account deletion."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = settings.SESSION_COOKIE_NAME


def signed_in_client(user) -> Client:
    client = Client()
    assert (
        client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    return client


def replay(cookie_value: str) -> int:
    """Open a private page with nothing but an old session cookie."""
    thief = Client()
    thief.cookies[COOKIE] = cookie_value
    return thief.get(reverse("stories:bank")).status_code


def test_session_key_changes_on_login(user):
    client = Client()
    anonymous = SessionStore()
    anonymous["visited"] = True
    anonymous.create()
    client.cookies[COOKIE] = anonymous.session_key
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.cookies[COOKIE].value != anonymous.session_key
    assert client.get(reverse("stories:bank")).status_code == 200
    assert replay(anonymous.session_key) == 302


def test_old_cookie_stops_working_after_logout(user):
    client = signed_in_client(user)
    old = client.cookies[COOKIE].value
    assert replay(old) == 200
    client.post(reverse("account_logout"))
    assert replay(old) == 302


def test_password_change_ends_other_sessions_and_rotates_its_own(user):
    laptop, phone = signed_in_client(user), signed_in_client(user)
    laptop_old, phone_old = laptop.cookies[COOKIE].value, phone.cookies[COOKIE].value
    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-brand-new-passphrase-7",
            "password2": "a-brand-new-passphrase-7",
        },
    )
    assert response.status_code == 302
    assert replay(phone_old) == 302, "the other device is signed out"
    assert replay(laptop_old) == 302, "the changer's old cookie no longer works"
    assert laptop.get(reverse("stories:bank")).status_code == 200, "the changer stays signed in"


def test_account_deletion_ends_every_session(user):
    laptop, phone = signed_in_client(user), signed_in_client(user)
    phone_old = phone.cookies[COOKIE].value
    response = laptop.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert replay(phone_old) == 302
    assert phone.get(reverse("stories:bank")).status_code == 302
