"""A real browser signs up, logs out and logs back in."""

import pytest

pytestmark = pytest.mark.e2e

EMAIL = "grace@example.com"
PASSWORD = "a-long-and-unusual-passphrase"


def test_sign_up_log_out_log_in(page):
    page.goto("/")
    page.get_by_role("link", name="Create your free account").click()
    page.get_by_label("Email").fill(EMAIL)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()

    page.get_by_role("heading", name="Your story bank").wait_for()
    assert page.get_by_test_id("account-menu").inner_text() == EMAIL

    page.get_by_test_id("account-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").first.wait_for()
    assert page.get_by_test_id("account-menu").count() == 0

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Your story bank").wait_for()
    assert page.console_errors == []


def test_navigation_is_usable_at_phone_width(phone_page):
    from tests.factories import UserFactory

    UserFactory(email="phone@example.com", password=PASSWORD)
    phone_page.goto("/accounts/login/")
    phone_page.get_by_label("Email").fill("phone@example.com")
    phone_page.get_by_label("Password").fill(PASSWORD)
    phone_page.get_by_role("button", name="Sign In").click()
    phone_page.get_by_role("heading", name="Your story bank").wait_for()
    phone_page.get_by_role("button", name="Toggle navigation").click()
    phone_page.get_by_role("link", name="Practice").click()
    phone_page.get_by_role("heading", name="Practice").wait_for()
