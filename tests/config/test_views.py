"""config/views.py: the site's frame (home page, sections behind login, health check, errors)
and the login and two-factor views, which answer 429 in the site layout once throttled."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import activate_totp, current_code, wrong_code

pytestmark = pytest.mark.django_db

SECTIONS = ["stories:bank", "stories:coverage", "practice:home", "principles:index"]


def test_home_page_invites_sign_up(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "STAR" in body
    assert reverse("account_signup") in body


@pytest.mark.parametrize("name", SECTIONS)
def test_sections_need_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize("name", SECTIONS)
def test_sections_render_in_site_layout_for_signed_in_user(user_client, user, name):
    response = user_client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    # The navigation and the account menu are there: it is the site layout.
    for label in ("Story bank", "Coverage", "Practice", "Catalogue"):
        assert label in body
    assert user.email in body


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_503_when_database_is_unreachable(client):
    """A real outage: the connection points at a port where nothing listens."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="9", OPTIONS={"connect_timeout": 2})
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert client.get("/healthz").status_code == 200


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_unknown_url_gets_styled_404(user_client):
    response = user_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Story bank" in response.content.decode()


def test_500_page_renders_standalone():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html


def test_pages_load_no_inline_scripts(user_client):
    """The CSP forbids inline scripts, so every script must come from a file."""
    import re

    for name in SECTIONS:
        body = user_client.get(reverse(name)).content.decode()
        for tag in re.findall(r"<script[^>]*>", body):
            assert "src=" in tag, tag
        assert " onclick=" not in body
        assert ' style="' not in body


def test_vendored_assets_are_served_locally(client):
    body = client.get("/").content.decode()
    assert "bootstrap-5.3.9.min.css" in body
    assert "htmx" in body
    assert "https://" not in body.split("<body")[0]


@pytest.mark.parametrize(
    ("url_name", "current"),
    [
        ("stories:bank", "Story bank"),
        ("stories:new", "Story bank"),
        ("stories:coverage", "Coverage"),
        ("practice:home", "Practice"),
        ("principles:questions", "Catalogue"),
        ("stories:transfer", "Your data"),
        ("account_delete", "Your data"),
    ],
)
def test_navigation_marks_the_current_section_only(user_client, url_name, current):
    import re

    body = user_client.get(reverse(url_name)).content.decode()
    marked = re.findall(r'aria-current="page"[^>]*>([^<]+)</a>', body)
    assert marked == [current]


# --- Login: five wrong passwords for one account, then a 429 in the site's layout --


def test_failed_logins_for_one_account_are_throttled(client, user):
    cache.clear()
    url = reverse("account_login")
    statuses = [
        client.post(url, {"login": user.email, "password": "wrong"}).status_code for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    response = client.post(url, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429, "even the right password waits until the window passes"
    body = response.content.decode()
    assert "Too many attempts" in body and "navbar" in body
    cache.clear()


# --- Two-factor codes: five wrong ones, then a 429 in the site's layout ----------


def test_wrong_two_factor_codes_are_throttled_with_a_429(user):
    cache.clear()
    secret = activate_totp(user)
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    url = reverse("mfa_authenticate")
    wrong = [client.post(url, {"code": wrong_code(secret)}) for _ in range(6)]
    assert [r.status_code for r in wrong[:5]] == [200] * 5
    assert "Incorrect code" in wrong[0].content.decode()
    assert wrong[5].status_code == 429
    body = wrong[5].content.decode()
    assert "Too many attempts" in body and "navbar" in body
    assert client.post(url, {"code": current_code(secret)}).status_code == 429
    assert client.get(reverse("stories:bank")).status_code == 302, "still not signed in"
    cache.clear()


def test_the_right_two_factor_code_signs_in(user):
    cache.clear()
    secret = activate_totp(user)
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.get(reverse("stories:bank")).status_code == 302, "not before the code"
    assert client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)}).status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("stories:bank")).status_code == 200
    cache.clear()


def test_wrong_codes_when_confirming_it_is_you_are_throttled_with_a_429(user_client, user):
    cache.clear()
    secret = activate_totp(user)
    url = reverse("mfa_reauthenticate")
    assert user_client.get(url).status_code == 200
    statuses = [user_client.post(url, {"code": wrong_code(secret)}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    cache.clear()
