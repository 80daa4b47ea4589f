"""Security headers and cookies with production settings, on real responses."""

import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import PASSWORD

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
