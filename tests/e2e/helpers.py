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


def log_out(page):
    """Sign out through the account menu, as a user does."""
    page.get_by_test_id("account-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").first.wait_for()


def import_export_file(page, path):
    """Upload a Story Bank export (JSON or the ZIP with recordings) on the Your data page."""
    page.get_by_label("Story Bank export (.json)").set_input_files(path)
    page.get_by_role("button", name="Import the export").click()
