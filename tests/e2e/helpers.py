"""Shared steps for browser tests."""

from tests.conftest import PASSWORD
from tests.factories import UserFactory


def log_in(page, email="reader@example.com"):
    """Create an account and sign in through the real login form."""
    user = UserFactory(email=email, password=PASSWORD)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Your story bank").wait_for()
    return user
