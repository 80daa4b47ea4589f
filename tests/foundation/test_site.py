"""The site's frame: home page, sections behind login, health check, errors."""

import pytest
from django.db import connection
from django.urls import reverse

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


def test_csp_header_forbids_inline_scripts(client):
    policy = client.get("/")["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


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
