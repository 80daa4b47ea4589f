"""Every URL, enumerated from the resolver: login required, private, no state change on GET,
HEAD answered like GET, never cached when signed in, CSRF.

A URL added to the project without an entry in ROUTES (or a rule below)
makes `test_every_url_is_covered` fail, so new pages cannot slip past.
"""

import hashlib
import io
import re
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from principles.models import Principle, Question
from stories.models import Story
from tests.factories import (
    AnswerFactory,
    LoopFactory,
    PracticeSessionFactory,
    RecordingFactory,
    StoryFactory,
)
from tests.practice.recordings import use_storage

pytestmark = pytest.mark.django_db

# Pages anyone may open.
PUBLIC = {
    "home",
    "healthz",
    "account_login",
    "account_logout",
    "account_signup",
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
    "mfa_authenticate",
}

# allauth pages for the signed-in user's own account (no object of another user in the URL).
ACCOUNT_PAGES = {
    "account_email",
    "account_change_password",
    "account_set_password",
    "account_reauthenticate",
    # "Confirm it is you" by a code mailed to a verified address (allauth 65.22).
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}

# Our own pages: name -> (methods the view accepts, how to build its URL kwargs from the
# owner's objects, or None when the URL names no object).
ROUTES = {
    "stories:bank": ({"GET"}, None),
    "stories:coverage": ({"GET"}, None),
    "stories:new": ({"GET"}, None),
    "stories:create": ({"GET", "POST"}, lambda o: {"template_slug": "plain-star"}),
    "stories:review": ({"POST"}, None),
    "stories:autosave": ({"POST"}, None),
    "stories:draft_discard": ({"POST"}, None),
    "stories:trash": ({"GET"}, None),
    "stories:untrash": ({"POST"}, lambda o: {"pk": o["trashed"].pk}),
    "stories:detail": ({"GET"}, lambda o: {"pk": o["story"].pk}),
    "stories:edit": ({"GET", "POST"}, lambda o: {"pk": o["story"].pk}),
    "stories:tag": ({"POST"}, lambda o: {"pk": o["story"].pk}),
    "stories:cue_card": ({"GET", "POST"}, lambda o: {"pk": o["story"].pk}),
    "stories:duplicate": ({"POST"}, lambda o: {"pk": o["story"].pk}),
    "stories:delete": ({"GET", "POST"}, lambda o: {"pk": o["story"].pk}),
    "stories:history": ({"GET"}, lambda o: {"pk": o["story"].pk}),
    "stories:revision": ({"GET"}, lambda o: {"pk": o["story"].pk, "revision_pk": o["revision"].pk}),
    "stories:restore": ({"POST"}, lambda o: {"pk": o["story"].pk, "revision_pk": o["revision"].pk}),
    "stories:transfer": ({"GET"}, None),
    "stories:transfer_export_json": ({"GET"}, None),
    "stories:transfer_export_archive": ({"GET"}, None),
    "stories:transfer_export_markdown": ({"GET"}, None),
    "stories:transfer_cheat_sheet": ({"GET"}, None),
    "stories:transfer_import_json": ({"POST"}, None),
    "stories:transfer_import_csv": ({"POST"}, None),
    "account_delete": ({"GET", "POST"}, None),
    "principles:index": ({"GET"}, None),
    "principles:questions": ({"GET"}, None),
    "principles:detail": ({"GET"}, lambda o: {"slug": "ownership"}),
    "stories:principle": ({"GET"}, lambda o: {"slug": "ownership"}),
    "practice:home": ({"GET"}, None),
    "practice:settings": ({"GET", "POST"}, None),
    "practice:start": ({"POST"}, None),
    "practice:history": ({"GET"}, None),
    "practice:session": ({"GET"}, lambda o: {"pk": o["session"].pk}),
    "practice:story": ({"GET"}, lambda o: {"pk": o["story"].pk}),
    "practice:answer-start": (
        {"POST"},
        lambda o: {"pk": o["session"].pk, "answer_pk": o["answer"].pk},
    ),
    "practice:answer-stop": (
        {"POST"},
        lambda o: {"pk": o["session"].pk, "answer_pk": o["answer"].pk},
    ),
    "practice:answer-rate": (
        {"POST"},
        lambda o: {"pk": o["session"].pk, "answer_pk": o["answer"].pk},
    ),
    "practice:finish": ({"POST"}, lambda o: {"pk": o["session"].pk}),
    "practice:recording-open": (
        {"POST"},
        lambda o: {"pk": o["session"].pk, "answer_pk": o["answer"].pk},
    ),
    "practice:recording-chunk": (
        {"POST"},
        lambda o: {"uuid": o["recording"].uuid, "segment": 0, "sequence": 0},
    ),
    "practice:recording-mark": ({"POST"}, lambda o: {"uuid": o["recording"].uuid}),
    "practice:recording-close": ({"POST"}, lambda o: {"uuid": o["recording"].uuid}),
    "practice:recording": ({"GET"}, lambda o: {"uuid": o["recording"].uuid}),
    "practice:recording-audio": ({"GET"}, lambda o: {"uuid": o["recording"].uuid}),
    "practice:recording-chapters": ({"GET"}, lambda o: {"uuid": o["recording"].uuid}),
    "practice:recording-best-take": ({"POST"}, lambda o: {"uuid": o["recording"].uuid}),
    "practice:recording-delete": ({"POST"}, lambda o: {"uuid": o["recording"].uuid}),
    "practice:abandon": ({"POST"}, lambda o: {"pk": o["session"].pk}),
    "practice:story-questions": ({"GET"}, lambda o: {"pk": o["story"].pk}),
    # A question of the shared catalogue: every signed-in user may open it.
    "practice:question-stories": ({"GET"}, lambda o: {"pk": o["question"].pk}),
    "practice:question-start": ({"POST"}, lambda o: {"pk": o["question"].pk}),
    "practice:loops": ({"GET"}, None),
    "practice:loop-create": ({"GET", "POST"}, None),
    "practice:loop": ({"GET"}, lambda o: {"pk": o["loop"].pk}),
    "practice:loop-edit": ({"GET", "POST"}, lambda o: {"pk": o["loop"].pk}),
    "practice:loop-delete": ({"POST"}, lambda o: {"pk": o["loop"].pk}),
    "practice:loop-pin": ({"POST"}, lambda o: {"pk": o["loop"].pk}),
    "practice:loop-exclude": ({"POST"}, lambda o: {"pk": o["loop"].pk}),
    "practice:loop-sheet": ({"GET"}, lambda o: {"pk": o["loop"].pk}),
}

# Old addresses kept for bookmarks: name -> (URL kwargs, the address it now answers at).
# Signed in, a permanent redirect; signed out, the login page like every page.
MOVED = {
    "transfer_moved": ({"rest": "cheat-sheet/"}, "stories:transfer_cheat_sheet"),
    "account_delete_moved": (None, "account_delete"),
}

# URLs whose kwargs name no object of a user (a template, the shared catalogue).
NOT_OWNED = {
    "stories:create",
    "principles:detail",
    "stories:principle",
    "practice:question-stories",
    "practice:question-start",
}
OBJECT_ROUTES = {name for name, (_, kwargs) in ROUTES.items() if kwargs and name not in NOT_OWNED}


def all_url_names() -> list[str]:
    names = []

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or f"<unnamed {pattern.pattern}>"
                names.append(f"{namespace}:{name}" if namespace else name)

    walk(get_resolver(), "")
    return names


def test_every_url_is_covered():
    uncovered = [
        name
        for name in all_url_names()
        if name not in PUBLIC
        and name not in ACCOUNT_PAGES
        and name not in ROUTES
        and name not in MOVED
        and not name.startswith("admin:")  # the admin site: staff only, tested below
    ]
    assert uncovered == [], f"URLs without security coverage: {uncovered}"


@pytest.fixture
def owned(user, tmp_path, monkeypatch):
    """One of each object a user owns, so every object URL can be built."""
    story = StoryFactory(owner=user, title="Owner's story")
    from stories.services import record_revision

    revision = record_revision(story, kind="save")
    trashed = StoryFactory(owner=user, title="Owner's trashed story")
    Story.objects.filter(pk=trashed.pk).update(deleted_at="2026-01-01T00:00:00Z")
    session = PracticeSessionFactory(owner=user)
    answer = AnswerFactory(session=session)
    use_storage(monkeypatch, FileSystemStorage(location=tmp_path / "recordings"))
    recording = RecordingFactory(
        answer=AnswerFactory(session=session, answered=True, story=story),
        marks=[{"section": "situation", "at_ms": 0}],
    )
    recording.audio.save("answer.webm", ContentFile(b"owner's audio"), save=False)
    recording.size_bytes = recording.audio.size
    recording.save()
    ownership = Principle.objects.get(slug="ownership")
    StoryFactory(owner=user, title="Owner's planned story", principles=[ownership])
    loop = LoopFactory(owner=user, interviewers=[[ownership]])
    return {
        "loop": loop,
        "recording": recording,
        "story": story,
        "revision": revision,
        "trashed": trashed,
        "session": session,
        "answer": answer,
        "question": Question.objects.active().first(),
    }


def url_for(name, objects):
    _, kwargs = ROUTES[name]
    return reverse(name, kwargs=kwargs(objects) if kwargs else None)


def database_fingerprint() -> str:
    """A digest of every row a user can change (sessions and the cache excluded)."""
    digest = hashlib.sha256()
    for label in ("stories", "practice", "principles", "account", "mfa"):
        for model in apps.get_app_config(label).get_models():
            rows = model._base_manager.order_by("pk").values_list()
            digest.update(repr((model._meta.label, list(rows))).encode())
    digest.update(repr(list(get_user_model().objects.order_by("pk").values_list())).encode())
    return digest.hexdigest()


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_visitor_is_redirected_to_login(client, owned, name):
    url = url_for(name, owned)
    for method in ROUTES[name][0]:
        response = getattr(client, method.lower())(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("account_login")), (method, url)


@pytest.mark.parametrize("name", sorted(ACCOUNT_PAGES))
def test_account_pages_need_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# Public pages with nothing to show to a visitor who is not mid-way through a
# login or signed in send them to the login page; the rest must open.
NEEDS_CONTEXT = {
    "account_logout",
    "mfa_authenticate",
    "account_confirm_login_code",
    "account_confirm_email",
    "account_reset_password_from_key",
}


@pytest.mark.parametrize("name", sorted(PUBLIC - NEEDS_CONTEXT))
def test_public_pages_open_without_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200, name


@pytest.mark.parametrize("name", sorted(OBJECT_ROUTES))
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_second_user_gets_404_for_every_object_url(other_client, owned, name, htmx):
    url = url_for(name, owned)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    before = database_fingerprint()
    for method in ("GET", "POST"):
        response = getattr(other_client, method.lower())(url, **headers)
        if method in ROUTES[name][0]:
            assert response.status_code == 404, (method, url, response.status_code)
        else:
            # The method check answers first, the same for every id: nothing leaks.
            assert response.status_code == 405, (method, url)
    assert database_fingerprint() == before


@pytest.mark.parametrize("name", sorted(OBJECT_ROUTES))
def test_an_id_that_does_not_exist_looks_the_same_as_someone_elses(other_client, owned, name):
    real = url_for(name, owned)
    if str(owned["recording"].uuid) in real:
        missing = real.replace(str(owned["recording"].uuid), "00000000-0000-4000-8000-000000000000")
    else:
        missing = re.sub(r"/\d+/", "/987654321/", real, count=1)
    assert missing != real
    method = sorted(ROUTES[name][0])[0].lower()
    assert (
        getattr(other_client, method)(real).status_code
        == getattr(other_client, method)(missing).status_code
    )


@pytest.mark.parametrize(
    "name", sorted(n for n, (methods, _) in ROUTES.items() if "GET" in methods)
)
def test_get_never_changes_state(user_client, owned, name):
    url = url_for(name, owned)
    before = database_fingerprint()
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = user_client.get(url, **headers)
        assert response.status_code in (200, 302), (url, response.status_code)
    assert database_fingerprint() == before


def every_post_url(objects) -> list[str]:
    urls = [url_for(name, objects) for name, (methods, _) in ROUTES.items() if "POST" in methods]
    urls += [
        reverse(name)
        for name in ("account_login", "account_signup", "account_logout", "account_reset_password")
    ]
    urls += [
        reverse(name)
        for name in (
            "account_change_password",
            "account_email",
            "mfa_activate_totp",
            "account_request_reauthentication_code",
        )
    ]
    return urls


def test_every_post_endpoint_refuses_a_request_without_csrf_token(user, owned):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    before = database_fingerprint()
    for url in every_post_url(owned):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.post(url, {"title": "x"}, **headers)
            assert response.status_code == 403, (url, response.status_code)
    assert database_fingerprint() == before


def test_admin_is_for_staff_only(client, user_client):
    admin_urls = [
        reverse(name)
        for name in all_url_names()
        if name.startswith("admin:") and "_changelist" in name
    ]
    assert admin_urls
    for url in admin_urls:
        for who in (client, user_client):
            response = who.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


@pytest.mark.parametrize("name", sorted(MOVED))
def test_an_old_address_redirects_permanently_and_privately_to_the_new_one(user_client, name):
    kwargs, new_name = MOVED[name]
    url = reverse(name, kwargs=kwargs)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    response = assert_head_like_get(user_client, url)
    assert response.status_code == 301
    assert response["Location"] == reverse(new_name)
    assert kept_private(response)
    assert user_client.get(url, follow=True).status_code == 200


# --- HEAD: monitors and link checkers send it; every GET page answers it like GET ---


def body(response) -> bytes:
    """The body of a plain or a streamed response (the audio is streamed)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_head_like_get(client, url):
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code, (url, get.status_code, head.status_code)
    assert head.get("Location") == get.get("Location"), url
    assert body(head) == b"", url
    return get


GET_ROUTES = sorted(n for n, (methods, _) in ROUTES.items() if "GET" in methods)
POST_ONLY_ROUTES = sorted(n for n, (methods, _) in ROUTES.items() if "GET" not in methods)


@pytest.mark.parametrize("name", GET_ROUTES)
def test_every_page_answers_head_like_get_for_the_owner_and_for_a_visitor(
    client, user_client, owned, name
):
    url = url_for(name, owned)
    from django.test import Client

    anonymous = Client()
    response = assert_head_like_get(user_client, url)
    assert response.status_code == 200, (url, response.status_code)
    assert body(response), "the GET it is compared with has a body"
    assert assert_head_like_get(anonymous, url).status_code == 302


@pytest.mark.parametrize("name", sorted(ACCOUNT_PAGES))
def test_account_pages_answer_head_like_get(user_client, name):
    assert_head_like_get(user_client, reverse(name))


# Public URLs that carry a key: built with one that matches no account.
PUBLIC_KWARGS = {
    "account_confirm_email": {"key": "no-such-key"},
    "account_reset_password_from_key": {"uidb36": "0", "key": "no-such-key"},
}


def public_url(name: str) -> str:
    return reverse(name, kwargs=PUBLIC_KWARGS.get(name))


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_pages_answer_head_like_get(client, name):
    assert_head_like_get(client, public_url(name))


def test_head_on_the_health_check_and_home_page(client):
    for url in ("/", "/healthz"):
        assert client.get(url).status_code == 200
        response = client.head(url)
        assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize("name", POST_ONLY_ROUTES)
def test_post_only_routes_refuse_head_and_get(user_client, owned, name):
    url = url_for(name, owned)
    assert user_client.get(url).status_code == 405
    assert user_client.head(url).status_code == 405


# --- Cache-Control: nothing a signed-in user sees is kept by a proxy or the browser ---


def cache_directives(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",") if part}


def kept_private(response) -> bool:
    """`private, no-store` and a `Vary: Cookie`: what every signed-in response must carry."""
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",")}
    return {"private", "no-store"} <= cache_directives(response) and "cookie" in vary


def test_the_cache_check_sees_a_missing_header(rf, user, owned):
    """Positive controls: the check fails on responses the middleware did not touch."""
    from django.contrib.messages.storage.fallback import FallbackStorage

    from stories.views.bank import bank

    request = rf.get(reverse("stories:bank"))
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    request.htmx = False
    direct = bank(request)  # the view alone, no middleware
    assert direct.status_code == 200 and "Owner&#x27;s story" in direct.content.decode()
    assert not kept_private(direct)
    # And through the whole stack, the anonymous home page sends no Cache-Control at all.
    assert "Cache-Control" not in Client().get(reverse("home"))


def test_anonymous_public_pages_send_what_their_views_say(client):
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "Cache-Control" not in home
    health = client.get(reverse("healthz"))  # never_cache: private, no-store as well
    assert {"no-cache", "no-store", "private", "max-age=0"} <= cache_directives(health)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_app_response_to_a_signed_in_user_is_private_no_store(user_client, owned, name):
    url = url_for(name, owned)
    methods = ROUTES[name][0] | ({"HEAD"} if "GET" in ROUTES[name][0] else set())
    for method in sorted(methods):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = getattr(user_client, method.lower())(url, **headers)
            assert kept_private(response), (method, url, response.status_code, response.headers)


@pytest.mark.parametrize("name", sorted(ACCOUNT_PAGES | PUBLIC - {"account_logout"}))
def test_every_account_and_public_page_is_private_no_store_when_signed_in(user_client, name):
    response = user_client.get(public_url(name))
    assert kept_private(response), (name, response.status_code, response.headers)


def test_exports_are_private_no_store(user_client, owned):
    for name, marker in (
        ("stories:transfer_export_json", b"Owner's story"),
        ("stories:transfer_export_markdown", b"Owner's story"),
        ("stories:transfer_cheat_sheet", b"Owner&#x27;s story"),
    ):
        response = user_client.get(reverse(name))
        assert response.status_code == 200 and marker in response.content, name
        assert kept_private(response), name
    # The ZIP with recordings: its storybank.json holds the owner's story.
    response = user_client.get(reverse("stories:transfer_export_archive"))
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        assert b"Owner's story" in archive.read("storybank.json")
    assert kept_private(response)


def test_the_admin_is_private_no_store_for_staff(client, user):
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    admin_urls = [
        reverse(name)
        for name in all_url_names()
        if name.startswith("admin:") and "_changelist" in name
    ]
    for url in [reverse("admin:index"), *admin_urls]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert kept_private(response), url
