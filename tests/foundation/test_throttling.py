"""Repeated failed logins for one account are refused with a 429 page in the site layout."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

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


def test_throttle_counters_live_in_the_shared_database_cache(client, user):
    from django.conf import settings

    assert settings.CACHES["default"]["BACKEND"].endswith(("DatabaseCache", "RedisCache"))
    cache.clear()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    # A different browser (another worker process would see the same cache) is refused too.
    from django.test import Client

    assert (
        Client()
        .post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        .status_code
        == 429
    )
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
