"""Shared fixtures: users, signed-in clients, the cache table and the browser."""

import os
import shutil

import pytest
from django.core.management import call_command

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The database cache (used by allauth's rate limits) needs its table.

    Tests using `db` roll back their cache writes with their transaction.
    """
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture
def user(db):
    return UserFactory(password=PASSWORD)


@pytest.fixture
def other_user(db):
    return UserFactory(password=PASSWORD)


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def other_client(other_user):
    from django.test import Client

    other = Client()
    other.force_login(other_user)
    return other


# --- Browser tests ------------------------------------------------------------


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = (
            "No Chromium found for the browser tests. Install it with "
            "'sudo apt-get install chromium' (Debian/Ubuntu) or set CHROMIUM_PATH."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the tests still
    # make ordinary (synchronous) ORM calls from it, which is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


# Data migrations whose reference content browser tests need. Browser tests run
# against the live server, so their database is flushed after each test;
# re-running these loaders (they are idempotent) puts the content back.
REFERENCE_DATA_MIGRATIONS = [
    ("principles", "0002_load_catalogue", "load_catalogue"),
    ("stories", "0002_load_templates", "load_templates"),
]


def load_reference_data() -> None:
    import importlib

    from django.apps import apps

    for app, migration, function in REFERENCE_DATA_MIGRATIONS:
        module = importlib.import_module(f"{app}.migrations.{migration}")
        getattr(module, function)(apps, None)


@pytest.fixture
def reference_data(transactional_db):
    load_reference_data()


def open_page(browser, live_server, **options):
    """A fresh browser context on the live server, collecting console errors.

    The rate-limit counters live in the database cache, which the live
    server's flush does not empty: clear them so one test's logins never
    throttle the next.
    """
    from django.core.cache import cache

    cache.clear()
    context = browser.new_context(base_url=live_server.url, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    return context, page


@pytest.fixture
def page(browser, live_server, reference_data):
    context, page = open_page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server, reference_data):
    context, page = open_page(
        browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    yield page
    context.close()


# --- Storage of recordings and pending imports ----------------------------------


@pytest.fixture
def transfer_storages(tmp_path, monkeypatch, settings):
    """Recordings (and ZIP imports waiting for a go-ahead) stored in a temporary folder.

    The recordings' file fields took their storage when the models loaded, so
    the fields are pointed at the folder; the transfer storage is read from
    STORAGES at each use. Returns (recordings folder, transfer folder).
    """
    from django.core.files.storage import FileSystemStorage

    from practice.models import Recording, RecordingChunk

    recordings = tmp_path / "recordings"
    pending = tmp_path / "transfer"
    storage = FileSystemStorage(location=recordings)
    monkeypatch.setattr(Recording._meta.get_field("audio"), "storage", storage)
    monkeypatch.setattr(RecordingChunk._meta.get_field("data"), "storage", storage)
    settings.STORAGES = {
        **settings.STORAGES,
        "transfer": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": pending},
        },
    }
    return recordings, pending


def stored_files(folder) -> list[str]:
    """Every file under `folder`, as paths relative to it."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
