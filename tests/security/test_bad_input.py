"""Property-based: random text, huge text, NUL bytes, unicode and wrong types posted to
every form endpoint never give a 500, and a refused post writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stories.models import Story
from tests.factories import AnswerFactory, PracticeSessionFactory, RecordingFactory, StoryFactory
from tests.security.test_urls import database_fingerprint

pytestmark = pytest.mark.django_db

STAR = ["answer_situation", "answer_task", "answer_action", "answer_result", "answer_learning"]
TAGS = ["principles", "themes", "levels", "kind", "status", "metrics", "title"]

# endpoint -> (URL builder, the fields its form reads)
ENDPOINTS = {
    "stories:create": (lambda o: reverse("stories:create", args=["plain-star"]), STAR + TAGS),
    "stories:edit": (
        lambda o: reverse("stories:edit", args=[o["story"].pk]),
        [*STAR, *TAGS, "version"],
    ),
    "stories:tag": (
        lambda o: reverse("stories:tag", args=[o["story"].pk]),
        ["relation", "slug", "action"],
    ),
    "stories:review": (lambda o: reverse("stories:review"), ["answer_a", "section_a", "themes"]),
    "stories:autosave": (
        lambda o: reverse("stories:autosave"),
        ["story_id", "template_slug", "version", "answer_action", "title"],
    ),
    "stories:draft_discard": (
        lambda o: reverse("stories:draft_discard"),
        ["story_id", "template_slug"],
    ),
    "stories:restore": (
        lambda o: reverse("stories:restore", args=[o["story"].pk, o["revision"].pk]),
        ["version"],
    ),
    "stories:transfer_import_json": (
        lambda o: reverse("stories:transfer_import_json"),
        ["file", "token", "confirm"],
    ),
    "stories:transfer_import_csv": (
        lambda o: reverse("stories:transfer_import_csv"),
        ["file", "token", "confirm"],
    ),
    "account_delete": (
        lambda o: reverse("account_delete"),
        ["password", "confirm"],
    ),
    "practice:settings": (
        lambda o: reverse("practice:settings"),
        [
            "target_level",
            "band_min_seconds",
            "band_max_seconds",
            "questions_per_session",
            "target_company",
        ],
    ),
    "practice:start": (lambda o: reverse("practice:start"), ["mode", "principle", "theme"]),
    "practice:answer-start": (
        lambda o: reverse("practice:answer-start", args=[o["session"].pk, o["answer"].pk]),
        ["story"],
    ),
    "practice:answer-rate": (
        lambda o: reverse("practice:answer-rate", args=[o["session"].pk, o["answer"].pk]),
        ["said_i", "named_obstacle", "gave_number", "said_learning", "rating", "notes", "story"],
    ),
    "practice:recording-open": (
        lambda o: reverse("practice:recording-open", args=[o["session"].pk, o["answer"].pk]),
        ["mime_type"],
    ),
    "practice:recording-mark": (
        lambda o: reverse("practice:recording-mark", args=[o["recording"].uuid]),
        ["section", "at_ms"],
    ),
    "account_login": (lambda o: reverse("account_login"), ["login", "password", "remember"]),
    "account_signup": (lambda o: reverse("account_signup"), ["email", "password1", "password2"]),
}

# Endpoints whose success is a 200 with a write (the autosave keeps a draft).
WRITES_ON_200 = {"stories:autosave", "practice:recording-mark"}
# The edit conflict page (409, e.g. for a garbled version) keeps the losing text as a
# revision on purpose; the story itself must not change.
WRITES_ON_409 = {"stories:edit"}

scalar = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.just("\x00"),
    st.text(max_size=10).map(lambda t: f"{t}\x00{t}"),
    st.just("x" * 60_000),
    st.integers().map(str),
    st.sampled_from(
        [
            "",
            "-1",
            "0",
            "99999999999999999999",
            "ownership",
            "plain-star",
            "draft",
            "true",
            "🦄" * 300,
        ]
    ),
)
value = st.one_of(
    scalar, st.lists(scalar, min_size=2, max_size=3)
)  # a list: a wrong type for a scalar field


@pytest.fixture
def objects(user):
    from stories.services import record_revision

    story = StoryFactory(owner=user)
    session = PracticeSessionFactory(owner=user)
    return {
        "story": story,
        "revision": record_revision(story, kind="save"),
        "session": session,
        "answer": AnswerFactory(session=session),
        # An open recording of a running answer, taking section marks.
        "recording": RecordingFactory(
            answer=AnswerFactory(session=session, started_at=session.started_at)
        ),
    }


def post_payload(fields: list[str], data) -> dict:
    payload = {}
    for name in fields:
        if data.draw(st.booleans()):
            continue  # a missing field
        raw = data.draw(value)
        if name == "file":
            content = (raw if isinstance(raw, str) else "\n".join(raw)).encode(
                "utf-8", "surrogatepass"
            )
            payload[name] = SimpleUploadedFile("upload.bin", content[:200_000])
        else:
            payload[name] = raw
    return payload


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_random_posts_never_500_and_refusals_write_nothing(user_client, objects, endpoint):
    url_for, fields = ENDPOINTS[endpoint]
    url = url_for(objects)

    @settings(
        max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(data=st.data(), htmx=st.booleans())
    def check(data, htmx):
        payload = post_payload(fields, data)
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        before = database_fingerprint()
        story_before = list(Story.objects.filter(pk=objects["story"].pk).values_list())
        response = user_client.post(url, payload, **headers)
        assert response.status_code < 500, (endpoint, payload)
        accepted = response.status_code in (301, 302, 303) or (
            endpoint in WRITES_ON_200 and response.status_code == 200
        )
        if endpoint in WRITES_ON_409 and response.status_code == 409:
            after = list(Story.objects.filter(pk=objects["story"].pk).values_list())
            assert after == story_before, (endpoint, payload)
        elif not accepted:
            assert database_fingerprint() == before, (endpoint, response.status_code)

    check()


# --- File uploads: malformed JSON and CSV files ------------------------------------------

HEADER = "title,situation,task,action,result,learning"

# Pieces no well-formed file holds, spliced into otherwise good files.
json_poison = st.sampled_from(
    [
        '"\\ud800"',  # a lone surrogate, as a JSON escape
        '"\\udfff tail"',
        "1" * 4_400,  # past Python's int conversion limit
        "9" * 5_000,
        "[" * 936 + "]" * 936,  # the depth where building a message overflowed
        "[" * 3_000 + "]" * 3_000,
        '{"a": ' * 500 + "1" + "}" * 500,
        '"' + "x" * 200_000 + '"',
        "1e999999",
        "NaN",
    ]
)


# Where the piece goes: "%s" in a document that is otherwise well formed.
JSON_PLACES = [
    '{"format": %s, "stories": []}',
    '{"format": "storybank/1", "stories": [{"title": %s}]}',
    '{"format": "storybank/1", "stories": [{"title": "A", "status": "done", "metrics": %s}]}',
    '{"format": "storybank/1", "stories": [{"title": "A", "answers": [{"key": "a", '
    '"section": "action", "text": %s}]}]}',
    '{"format": "storybank/1", "stories": [], "x": %s}',
    '{"format": "storybank/1", "stories": [{"title": "A", %s: 1}]}',  # as a key
]


@st.composite
def bad_json_files(draw) -> bytes:
    text = draw(st.sampled_from(JSON_PLACES)) % draw(json_poison)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "junk"]))
    if encoding == "junk":  # bytes that are not UTF-8 at all
        return text.encode("utf-8", "surrogatepass") + b"\xff\xfe\x80"
    return text.encode(encoding, "surrogatepass" if encoding.startswith("utf-8") else "replace")


line_end = st.sampled_from(["\n", "\r", "\r\n"])
cell = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(['"unclosed', 'a"b', "x" * 140_000, "é", "\x00", ",", ";", "\t"]),
)


@st.composite
def bad_csv_files(draw) -> bytes:
    rows = [HEADER.split(",")]
    if draw(st.booleans()):
        rows[0].append(draw(cell))  # a strange extra header cell
    rows += draw(st.lists(st.lists(cell, min_size=1, max_size=8), min_size=0, max_size=3))
    text = ""
    for row in rows:
        text += ",".join(row) + draw(line_end)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    return text.encode(encoding, "replace")


def stories_of(user) -> int:
    from stories.models import Story

    return Story.with_trash.filter(owner=user).count()


@pytest.mark.parametrize(
    ("url", "field", "files"),
    [
        ("stories:transfer_import_json", "json-file", bad_json_files()),
        ("stories:transfer_import_csv", "csv-file", bad_csv_files()),
    ],
    ids=["json", "csv"],
)
def test_malformed_files_never_500_and_import_nothing(user_client, user, url, field, files):
    @settings(
        max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(content=files)
    def check(content):
        before = stories_of(user)
        response = user_client.post(
            reverse(url), {field: SimpleUploadedFile("upload", content[:300_000])}
        )
        assert response.status_code < 500, content[:200]
        if response.status_code == 200 and 'name="token"' in response.content.decode():
            # A CSV the random draw left readable is previewed: confirming must not 500 either.
            token = response.content.decode().split('name="token" value="')[1].split('"')[0]
            response = user_client.post(reverse(url), {"token": token})
            assert response.status_code < 500
        else:
            assert stories_of(user) == before, response.status_code

    check()


@pytest.mark.parametrize(
    ("url", "field", "content"),
    [
        (
            "stories:transfer_import_json",
            "json-file",
            '{"format": "storybank/1", "stories": [{"title": "Launch \\ud83d\\ude80"}]}',
        ),
        (
            "stories:transfer_import_csv",
            "csv-file",
            f"{HEADER}\rLaunch,s,t,a,r,l\r\nHiring,s,t,a,r,l\n",
        ),
    ],
    ids=["json", "csv"],
)
def test_a_well_formed_file_does_import(user_client, user, url, field, content):
    """The positive control of the test above: the same endpoints import a good file."""
    response = user_client.post(
        reverse(url), {field: SimpleUploadedFile("upload", content.encode("utf-8"))}
    )
    if 'name="token"' in response.content.decode():
        token = response.content.decode().split('name="token" value="')[1].split('"')[0]
        response = user_client.post(reverse(url), {"token": token})
    assert response.status_code == 302
    assert stories_of(user) == (1 if url.endswith("json") else 2)
