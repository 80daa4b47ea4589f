"""Repeated failed logins for one account are refused with a 429 page in the site layout,
and the count is shared by every worker process (the database cache)."""

import http.client
import os
import re
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
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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


# --- Two worker processes share one count ---------------------------------------
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


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_share_one_failed_login_count():
    user = UserFactory(password=PASSWORD)
    cache.clear()
    with worker_process() as first, worker_process() as second:
        ports = [first, second] * 3
        statuses = [failed_login(port, user.email, "wrong") for port in ports]
    # "5/5m/key": the sixth failure is refused although each process saw only three.
    # With a cache per process neither would have reached five.
    assert statuses == [200] * 5 + [429]
    cache.clear()


# --- Failures lock out the address that sent them, not the account's owner -------


def from_address(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def log_in(client: Client, email: str, password: str) -> int:
    return client.post(reverse("account_login"), {"login": email, "password": password}).status_code


def test_failures_from_one_address_lock_that_address_but_not_the_owner(user):
    cache.clear()
    attacker = from_address("203.0.113.7")
    statuses = [log_in(attacker, user.email, "wrong") for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert log_in(attacker, user.email, PASSWORD) == 429, "the attacker's address stays locked"
    owner = from_address("198.51.100.2")
    assert log_in(owner, user.email, PASSWORD) == 302
    assert owner.get(reverse("stories:bank")).status_code == 200
    cache.clear()


def test_an_ipv6_client_is_counted_by_its_prefix(user):
    """One host holds a whole /64: changing the last bits must not buy new attempts."""
    cache.clear()
    for n in range(5):
        assert log_in(from_address(f"2001:db8:0:1::{n + 1}"), user.email, "wrong") == 200
    assert log_in(from_address("2001:db8:0:1::99"), user.email, PASSWORD) == 429
    assert log_in(from_address("2001:db8:0:2::1"), user.email, PASSWORD) == 302
    cache.clear()


def test_one_address_is_still_limited_across_many_accounts(db):
    """ "10/m/ip": guessing one password against many accounts from one address stops."""
    from tests.factories import UserFactory

    cache.clear()
    accounts = UserFactory.create_batch(11, password=PASSWORD)
    sprayer = from_address("203.0.113.50")
    statuses = [log_in(sprayer, account.email, "wrong") for account in accounts]
    assert statuses == [200] * 10 + [429]
    assert log_in(sprayer, accounts[-1].email, PASSWORD) == 429
    assert log_in(from_address("198.51.100.9"), accounts[-1].email, PASSWORD) == 302
    cache.clear()


# --- Two-factor codes: five wrong ones, then a 429 in the site's layout ----------


def test_wrong_two_factor_codes_are_throttled_with_a_429(user):
    from tests.factories import activate_totp, current_code, wrong_code

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
    from tests.factories import activate_totp, current_code, wrong_code

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
    from tests.factories import activate_totp, wrong_code

    cache.clear()
    secret = activate_totp(user)
    url = reverse("mfa_reauthenticate")
    assert user_client.get(url).status_code == 200
    statuses = [user_client.post(url, {"code": wrong_code(secret)}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    cache.clear()
