"""config/settings.py: security headers and cookies with production settings, on real
responses; a settings error names its variable; and the cache every worker process shares."""

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DEBUG": False,
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 63072000,
}


def directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_csp_header_forbids_inline_scripts(client):
    policy = client.get("/")["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


@override_settings(**PRODUCTION)
def test_plain_http_is_redirected_to_https():
    response = Client().get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@override_settings(**PRODUCTION)
def test_headers_on_a_real_page():
    response = Client().get("/", secure=True)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert (
        "'unsafe-inline'" not in policy["script-src"]
        and "'unsafe-eval'" not in policy["script-src"]
    )
    assert policy["object-src"] == "object-src 'none'"
    assert "base-uri" in policy
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["form-action"] == "form-action 'self'"
    assert "'unsafe-inline'" not in policy["style-src"]
    hsts = response["Strict-Transport-Security"]
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    assert "includeSubDomains" in hsts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@override_settings(**PRODUCTION)
def test_cookies_are_secure_httponly_and_samesite(user):
    client = Client()
    login = client.get(reverse("account_login"), secure=True)
    csrf = login.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax" and csrf["httponly"]
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf.value},
        secure=True,
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_check_deploy_passes_with_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "STORYBANK_TESTING", "SECURE_SSL_REDIRECT"}
    }
    env |= {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "storybank.example",
    }
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "no issues" in completed.stdout


def test_missing_secret_key_with_debug_off_fails_loudly():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "STORYBANK_TESTING"}}
    # Production has no .env: point the settings at a file that does not exist.
    env |= {"DEBUG": "false", "STORYBANK_ENV_FILE": "/nonexistent/.env"}
    completed = subprocess.run(
        [sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env
    )
    assert completed.returncode != 0
    assert "SECRET_KEY must be set" in completed.stderr


def test_bad_boolean_names_the_variable():
    env = dict(os.environ) | {"DEBUG": "maybe"}
    completed = subprocess.run(
        [sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env
    )
    assert completed.returncode != 0
    assert "DEBUG must be true or false" in completed.stderr


# --- CACHES: two worker processes share one failed-login count --------------------
# The test client runs in this process, so it cannot tell a shared cache from a
# per-process one. Two real gunicorn processes on the test database can.

ROOT = Path(__file__).resolve().parents[2]
HOST = "storybank.test"


def database_url() -> str:
    """The server the suite uses (settings.DATABASE_URL), naming the test database."""
    url = urlsplit(settings.DATABASE_URL)
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


@contextmanager
def worker_process():
    """A separate gunicorn process serving the site on the test database."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "STORYBANK_TESTING": "true",
        "ALLOWED_HOSTS": HOST,
    }
    env.pop("DEBUG", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request(port, "GET", "/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(server.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def request(port: int, method: str, path: str, body: str = "", cookie: str = ""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": HOST, "Cookie": cookie}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.getheader("Set-Cookie") or "", response.read().decode()


def failed_login(port: int, email: str, password: str) -> int:
    """A fresh browser: fetch the login form, then post it (CSRF token and all)."""
    status, set_cookie, page = request(port, "GET", "/accounts/login/")
    assert status == 200, (status, page[:500])
    cookie = re.search(r"csrftoken=([^;]+)", set_cookie).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "login": email, "password": password})
    status, _, _ = request(port, "POST", "/accounts/login/", form, cookie)
    return status


def per_account_limit() -> int:
    """The "<count>/<period>/key" part of ACCOUNT_RATE_LIMITS["login_failed"]."""
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    return next(int(rate.split("/")[0]) for rate in rates if rate.endswith("/key"))


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_share_one_failed_login_count():
    limit = per_account_limit()
    user = UserFactory(password=PASSWORD)
    cache.clear()
    with worker_process() as first, worker_process() as second:
        assert first != second
        ports = [(first, second)[attempt % 2] for attempt in range(limit + 1)]
        statuses = [failed_login(port, user.email, "wrong") for port in ports]
    # Each process saw at most ceil((limit + 1) / 2) failures, fewer than the limit:
    # with a cache per process neither would refuse one. Shared, the attempt after
    # `limit` failures in total is refused, and none before it.
    assert max(ports.count(first), ports.count(second)) < limit
    assert statuses == [200] * limit + [429]
    cache.clear()
