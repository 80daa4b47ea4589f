"""config/adapter.py: failed logins lock out the address that sent them, not the account's
owner (the per-account count is keyed by email and client address)."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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
    cache.clear()
    accounts = UserFactory.create_batch(11, password=PASSWORD)
    sprayer = from_address("203.0.113.50")
    statuses = [log_in(sprayer, account.email, "wrong") for account in accounts]
    assert statuses == [200] * 10 + [429]
    assert log_in(sprayer, accounts[-1].email, PASSWORD) == 429
    assert log_in(from_address("198.51.100.9"), accounts[-1].email, PASSWORD) == 302
    cache.clear()
