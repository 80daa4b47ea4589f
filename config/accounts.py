"""Accounts, site-wide: an account spans every app, so finding and deleting one lives here.

Deleting an account relies on the database cascades: every app's rows point
at the user (directly or through a row that does), so config never needs to
import an app to remove its data.
"""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

DELETE_ATTEMPTS = 5
DELETE_WINDOW_SECONDS = 15 * 60


def account_by_email(email: str):
    """The one account with this email address (any case), or None."""
    users = list(get_user_model().objects.filter(email__iexact=email.strip())[:2])
    return users[0] if len(users) == 1 else None


@transaction.atomic
def account_delete(*, user) -> dict[str, int]:
    """Delete the user and, through the cascades, every row of theirs in every app.

    Their sessions are not listed anywhere, but each one resolves to an
    anonymous visitor on its next request, as the user no longer exists.
    Returns the rows deleted by model label.
    """
    _, deleted = user.delete()
    return deleted


def delete_failures_key(user) -> str:
    return f"storybank:account-delete-failures:{user.pk}"


def account_delete_refusal(*, user, password: str) -> str | None:
    """Why deleting the account with this password is refused, or None to go ahead.

    A stolen session must not become a way to guess the password: after 5
    wrong passwords in 15 minutes every try is refused, the right one too,
    until the window ends. The count lives in the shared cache, so every
    worker sees the same one; the window starts at the first wrong password.
    """
    key = delete_failures_key(user)
    if cache.get(key, 0) >= DELETE_ATTEMPTS:
        return "Too many wrong passwords. Wait 15 minutes and try again."
    if not user.check_password(password):
        cache.add(key, 0, DELETE_WINDOW_SECONDS)
        cache.incr(key)
        return "That is not your password. Nothing was deleted."
    return None
