"""Accounts through django-allauth: sign up, log in by email, errors."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client, email, password=PASSWORD, password2=None):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password2 or password},
    )


def test_sign_up_creates_account_and_signs_in(client):
    response = sign_up(client, "ada@example.com")
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="ada@example.com").exists()
    assert client.get(reverse("stories:bank")).status_code == 200


def test_duplicate_sign_up_email_is_refused_with_clear_message(client, user):
    response = sign_up(client, user.email.upper())
    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert get_user_model().objects.filter(email__iexact=user.email).count() == 1


def test_sign_up_shows_field_errors(client):
    response = sign_up(client, "not-an-email", password="short", password2="other")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert not get_user_model().objects.exists()


def test_log_in_by_email(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("stories:bank")


def test_wrong_password_is_refused(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_password_reset_sends_email(client, user):
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert user.email in mail.outbox[0].to


def test_account_pages_use_site_layout(client):
    body = client.get(reverse("account_login")).content.decode()
    assert "navbar" in body
    assert "bootstrap-5.3.9.min.css" in body


def test_log_out_ends_session(user_client):
    response = user_client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert user_client.get(reverse("stories:bank")).status_code == 302


def test_malformed_login_post_is_not_a_500(client):
    response = client.post(reverse("account_login"), {"login": ["a", "b"], "password": "\x00"})
    assert response.status_code in (200, 400)


def test_two_factor_page_available(user_client):
    assert user_client.get(reverse("mfa_index")).status_code == 200


def test_confirming_it_is_you_by_a_mailed_code(user_client, user):
    """allauth 65.22's reauthentication by code: a wrong code is refused, the mailed one
    opens the page that asked for it (here: setting up two-factor)."""
    import re

    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    protected = reverse("mfa_activate_totp")
    asked = user_client.get(protected)
    assert asked.status_code == 302 and asked["Location"].startswith(
        reverse("account_reauthenticate")
    )
    request_url = f"{reverse('account_request_reauthentication_code')}?next={protected}"
    page = user_client.get(request_url)
    assert page.status_code == 200 and "navbar" in page.content.decode()
    response = user_client.post(request_url, {"recipient": user.email, "next": protected})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_reauthentication_code"))
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.M).group(1)
    confirm_url = response["Location"]
    wrong = user_client.post(confirm_url, {"code": "AAAA-AAAA", "next": protected})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    assert user_client.get(protected).status_code == 302, "still not confirmed"
    right = user_client.post(confirm_url, {"code": code, "next": protected})
    assert right.status_code == 302 and right["Location"] == protected
    assert user_client.get(protected).status_code == 200
