"""Repeated failed logins for one account are refused with a 429 page in the site layout."""

import pytest
from django.core.cache import cache
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
