"""Staff sign in through the site's login (allauth): its throttle and its two-factor stage
apply to them too; Django's own admin login form no longer checks passwords."""

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import UserFactory, activate_totp, current_code

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def staff(db):
    return UserFactory(password=PASSWORD, is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def site_login_url(next_url: str) -> str:
    return f"{reverse('account_login')}?next={quote(next_url, safe='')}"


def log_in(client, user, next_url="/admin/"):
    return client.post(
        site_login_url(next_url), {"login": user.email, "password": PASSWORD, "next": next_url}
    )


def test_admin_login_sends_to_the_site_login_keeping_next(client):
    response = client.get(ADMIN_LOGIN, {"next": "/admin/principles/question/"})
    assert response.status_code == 302
    assert response["Location"] == site_login_url("/admin/principles/question/")
    # The whole way from the admin's front door, as a browser follows it.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == site_login_url("/admin/")
    assert response.status_code == 200 and 'name="password"' in response.content.decode()


def test_a_next_to_another_site_is_dropped(client):
    response = client.get(ADMIN_LOGIN, {"next": "https://evil.example/"})
    assert response["Location"] == site_login_url("/admin/")


def test_staff_signing_in_through_the_site_login_reach_the_admin(client, staff):
    response = log_in(client, staff)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200 and "Site administration" in page.content.decode()
    # Already signed in: the admin's login URL goes straight on.
    assert client.get(ADMIN_LOGIN, {"next": "/admin/principles/"})["Location"] == (
        "/admin/principles/"
    )


def test_staff_with_two_factor_give_their_code_before_the_admin_opens(client, staff):
    secret = activate_totp(staff)
    response = log_in(client, staff)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    refused = client.get("/admin/")
    assert refused.status_code == 302 and refused["Location"].startswith(ADMIN_LOGIN)
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_posting_a_password_to_the_admin_login_signs_no_one_in(client, staff):
    statuses = [
        client.post(
            ADMIN_LOGIN, {"username": staff.username, "password": PASSWORD, "next": "/admin/"}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [405] * 3
    assert client.get("/admin/").status_code == 302
    # Positive control: the same password works through the site login.
    assert log_in(client, staff).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_staff_passwords_are_throttled_like_anyone_elses(client, staff):
    url = site_login_url("/admin/")
    statuses = [
        client.post(url, {"login": staff.email, "password": "wrong"}).status_code for _ in range(15)
    ]
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}


def test_a_signed_in_user_without_staff_rights_gets_a_message_not_a_loop(user_client):
    response = user_client.get("/admin/", follow=True)
    assert len(response.redirect_chain) == 2  # /admin/ -> /admin/login/ -> home
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.status_code == 200
    assert "Your account has no access to the admin site." in response.content.decode()
