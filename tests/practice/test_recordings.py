"""Recording an answer aloud: open, upload chunks, mark sections, close, review, delete.

Through the test client with real URLs, against a storage folder of each test's
own (`recordings_storage`), so every claim about files is checked on disk.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from practice import services
from practice.models import RECORDING_MAX_BYTES, Answer, Recording, RecordingChunk
from tests.factories import AnswerFactory, PracticeSessionFactory, RecordingFactory, StoryFactory
from tests.practice.recordings import (
    FIGURES,
    decoded_seconds,
    pieces,
    stored_files,
    tone,
    webm,
)

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MIME = "audio/webm;codecs=opus"


@pytest.fixture
def running(user):
    """A running answer of the user's active session, telling one of their stories."""
    story = StoryFactory(owner=user, title="Checkout fallback", metrics="cut errors by 40%")
    session = PracticeSessionFactory(owner=user)
    return AnswerFactory(session=session, story=story, started_at=timezone.now())


def open_recording(client, answer, mime=MIME) -> dict:
    response = client.post(
        reverse("practice:recording-open", args=[answer.session_id, answer.pk]),
        {"mime_type": mime},
    )
    assert response.status_code == 200, response.content
    return response.json()


def send(client, opened: dict, sequence: int, data: bytes, recorded_ms: int | None = None):
    url = f"{opened['chunk_url']}{sequence}/"
    if recorded_ms is not None:
        url += f"?recorded_ms={recorded_ms}"
    return client.post(url, data=data, content_type="audio/webm")


def upload(client, opened: dict, audio: bytes, count: int = 4, start_ms: int = 0) -> None:
    for sequence, piece in enumerate(pieces(audio, count)):
        response = send(client, opened, sequence, piece, start_ms + 1000 * (sequence + 1))
        assert response.status_code == 201, response.content


def done(client, answer, commit=None):
    """Press Done; with `commit` (django_capture_on_commit_callbacks) run what waits for commit."""
    url = reverse("practice:answer-stop", args=[answer.session_id, answer.pk])
    if commit is None:
        return client.post(url)
    with commit(execute=True):
        return client.post(url)


# --- Open, upload, close ------------------------------------------------------------


def test_a_recording_is_uploaded_in_chunks_and_joined_when_done(
    user_client, running, recordings_storage, django_capture_on_commit_callbacks
):
    opened = open_recording(user_client, running)
    assert opened["segment"] == 0 and opened["recorded_ms"] == 0
    assert opened["chunk_url"].endswith(f"/recordings/{opened['uuid']}/chunks/0/")
    upload(user_client, opened, webm(tone(3)))
    recording = Recording.objects.get(uuid=opened["uuid"])
    assert recording.chunks.count() == 4 and recording.recorded_ms == 4000
    assert len(stored_files(recordings_storage)) == 4

    with override_settings(TASKS=IMMEDIATE), django_capture_on_commit_callbacks(execute=True):
        assert done(user_client, running).status_code == 302

    recording.refresh_from_db()
    assert recording.status == Recording.Status.ANALYSED and recording.figures
    assert recording.mime_type == "audio/webm"
    assert recording.recorded_ms == pytest.approx(3000, abs=40)
    assert recording.size_bytes == recordings_storage.size(recording.audio.name) > 0
    with recordings_storage.open(recording.audio.name) as audio:
        assert decoded_seconds(audio) == pytest.approx(3.0, abs=0.05)
    # The chunk rows and their files are gone; only the joined audio is left.
    assert not RecordingChunk.objects.exists()
    assert stored_files(recordings_storage) == [recording.audio.name]


def test_a_reload_resumes_the_same_recording_in_a_new_segment_and_both_play(
    user_client, running, recordings_storage, django_capture_on_commit_callbacks
):
    first = open_recording(user_client, running)
    upload(user_client, first, webm(tone(2)), count=3)
    second = open_recording(user_client, running)  # the page was reloaded
    assert second["uuid"] == first["uuid"]
    assert second["segment"] == 1 and second["recorded_ms"] == 3000
    upload(user_client, second, webm(tone(3, freq=330)), count=3, start_ms=3000)

    with django_capture_on_commit_callbacks(execute=False):
        done(user_client, running)
    recording = Recording.objects.get(uuid=first["uuid"])
    assert recording.status == Recording.Status.ANALYSING
    with recordings_storage.open(recording.audio.name) as audio:
        assert decoded_seconds(audio) == pytest.approx(5.0, abs=0.06)


def test_segments_in_different_containers_and_a_cut_off_tail_still_join(
    user_client, running, recordings_storage, django_capture_on_commit_callbacks
):
    first = open_recording(user_client, running)
    whole = pieces(webm(tone(4)), 8)
    upload_pieces = whole[:-2]  # the tab crashed: the last six seconds' chunks never came
    for sequence, piece in enumerate(upload_pieces):
        assert send(user_client, first, sequence, piece, 500 * (sequence + 1)).status_code == 201
    second = open_recording(user_client, running, mime="audio/ogg;codecs=opus")
    upload(user_client, second, webm(tone(2), container_format="ogg"), count=2, start_ms=3000)
    done(user_client, running, django_capture_on_commit_callbacks)
    recording = Recording.objects.get(uuid=first["uuid"])
    with recordings_storage.open(recording.audio.name) as audio:
        seconds = decoded_seconds(audio)
    # What arrived of the first run (most of its 4 s) and the whole second run (2 s).
    assert 4.0 < seconds < 6.0
    assert recording.recorded_ms == pytest.approx(seconds * 1000, abs=1)


def test_the_same_chunk_sent_twice_is_kept_once(user_client, running, recordings_storage):
    opened = open_recording(user_client, running)
    assert send(user_client, opened, 0, b"first copy", 1000).status_code == 201
    assert send(user_client, opened, 0, b"a retry", 1000).status_code == 201
    recording = Recording.objects.get(uuid=opened["uuid"])
    assert recording.chunks.count() == 1 and recording.size_bytes == len(b"first copy")
    assert len(stored_files(recordings_storage)) == 1


def test_a_recording_with_no_decodable_audio_fails_in_words(
    user_client, running, recordings_storage, django_capture_on_commit_callbacks
):
    opened = open_recording(user_client, running)
    send(user_client, opened, 0, b"not audio at all", 1000)
    with django_capture_on_commit_callbacks(execute=True):
        done(user_client, running)
    recording = Recording.objects.get(uuid=opened["uuid"])
    assert recording.status == Recording.Status.FAILED
    assert recording.problem == "No audio arrived for this recording."
    assert not recording.audio and stored_files(recordings_storage) == []


def test_finishing_the_session_closes_a_recording_left_running(
    user_client, running, recordings_storage
):
    opened = open_recording(user_client, running)
    upload(user_client, opened, webm(tone(1)), count=2)
    user_client.post(reverse("practice:finish", args=[running.session_id]))
    recording = Recording.objects.get(uuid=opened["uuid"])
    assert recording.status == Recording.Status.ANALYSING and recording.audio


def test_close_by_url_then_done_keeps_one_audio(
    user_client, running, recordings_storage, django_capture_on_commit_callbacks
):
    opened = open_recording(user_client, running)
    upload(user_client, opened, webm(tone(1)), count=2)
    with django_capture_on_commit_callbacks(execute=True):
        closed = user_client.post(opened["close_url"]).json()
    assert closed["status"] == "analysing"
    assert done(user_client, running).status_code == 302
    assert user_client.post(opened["close_url"]).json()["status"] == "analysing"
    assert len(stored_files(recordings_storage)) == 1


# --- Refusals: clear 4xx, nothing half-written ----------------------------------------


def test_a_recording_opens_only_while_the_clock_runs(user_client, user, recordings_storage):
    pending = AnswerFactory(session=PracticeSessionFactory(owner=user))
    response = user_client.post(
        reverse("practice:recording-open", args=[pending.session_id, pending.pk]),
        {"mime_type": MIME},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Press Start first: a recording runs while the clock does."
    assert not Recording.objects.exists()


def test_an_unknown_audio_format_is_refused(user_client, running):
    response = user_client.post(
        reverse("practice:recording-open", args=[running.session_id, running.pk]),
        {"mime_type": "video/x-msvideo"},
    )
    assert response.status_code == 400 and "no audio format" in response.json()["error"]
    assert open_recording(user_client, running, mime="audio/ogg;codecs=opus")["segment"] == 0


@pytest.mark.parametrize(
    "path, body, query, message",
    [
        ("1000/0/", b"x", "", "That chunk number is out of range."),
        ("0/100000/", b"x", "", "That chunk number is out of range."),
        ("0/0/", b"", "", "That chunk was empty."),
        ("0/0/", b"x", "?recorded_ms=99999999999", "The recorded time of that chunk is out of"),
    ],
)
def test_bad_chunks_get_a_clear_400(
    user_client, running, recordings_storage, path, body, query, message
):
    opened = open_recording(user_client, running)
    url = opened["chunk_url"].removesuffix("0/") + path + query
    response = user_client.post(url, data=body, content_type="audio/webm")
    assert response.status_code == 400 and response.json()["error"].startswith(message)
    assert not RecordingChunk.objects.exists() and stored_files(recordings_storage) == []
    # Positive control: a good chunk on the same recording is taken.
    assert send(user_client, opened, 0, b"x", 500).status_code == 201


def test_a_chunk_larger_than_a_request_may_be_is_a_400(user_client, running, recordings_storage):
    opened = open_recording(user_client, running)
    response = send(user_client, opened, 0, b"x" * (3 * 1024 * 1024), 3000)
    assert response.status_code == 400
    assert not RecordingChunk.objects.exists() and stored_files(recordings_storage) == []


def test_a_closed_recording_takes_no_more_chunks_or_marks(user_client, running, recordings_storage):
    opened = open_recording(user_client, running)
    upload(user_client, opened, webm(tone(1)), count=2)
    done(user_client, running)
    response = send(user_client, opened, 5, b"late", 9000)
    assert response.status_code == 409 and "closed" in response.json()["error"]
    mark = user_client.post(opened["mark_url"], {"section": "action", "at_ms": 10})
    assert mark.status_code == 409
    # A retry of a chunk that did arrive before Done is still answered as received.
    assert Recording.objects.get(uuid=opened["uuid"]).status != "recording"


def test_a_chunk_past_15_minutes_is_refused_and_what_was_said_is_kept(
    user_client, running, recordings_storage
):
    opened = open_recording(user_client, running)
    upload(user_client, opened, webm(tone(2)), count=2)
    response = send(user_client, opened, 2, b"more", 15 * 60 * 1000 + 3000)
    assert response.status_code == 413
    assert response.json() == {"error": services.TOO_LONG, "closed": True}
    recording = Recording.objects.get(uuid=opened["uuid"])
    assert recording.status == Recording.Status.ANALYSING
    assert recording.problem == services.TOO_LONG
    with recordings_storage.open(recording.audio.name) as audio:
        assert decoded_seconds(audio) == pytest.approx(2.0, abs=0.05)
    # The page shows why it stopped, next to the figures.
    page = user_client.get(reverse("practice:recording", args=[opened["uuid"]]))
    assert "The recording stopped at 15 minutes" in page.content.decode()


def test_a_chunk_past_30_mb_is_refused_and_what_was_said_is_kept(
    user_client, running, recordings_storage
):
    opened = open_recording(user_client, running)
    upload(user_client, opened, webm(tone(1)), count=2)
    recording = Recording.objects.get(uuid=opened["uuid"])
    # As if 30 MB had already arrived, less a little: the next chunk goes past it.
    Recording.objects.filter(pk=recording.pk).update(size_bytes=RECORDING_MAX_BYTES - 10)
    response = send(user_client, opened, 2, b"x" * 11, 3000)
    assert response.status_code == 413 and response.json()["error"] == services.TOO_BIG
    recording.refresh_from_db()
    assert recording.status == Recording.Status.ANALYSING and recording.audio
    assert recording.size_bytes < RECORDING_MAX_BYTES


# --- Section marks and chapters ------------------------------------------------------------


def test_marks_are_kept_in_time_order_and_become_chapters(user_client, running, recordings_storage):
    opened = open_recording(user_client, running)
    for section, at_ms in (("situation", 0), ("action", 41250), ("task", 12000), ("task", 12000)):
        response = user_client.post(opened["mark_url"], {"section": section, "at_ms": at_ms})
        assert response.status_code == 200
    assert response.json()["marks"] == [
        {"section": "situation", "at_ms": 0},
        {"section": "task", "at_ms": 12000},
        {"section": "action", "at_ms": 41250},
    ]
    Recording.objects.filter(uuid=opened["uuid"]).update(recorded_ms=61000)
    vtt = user_client.get(reverse("practice:recording-chapters", args=[opened["uuid"]]))
    assert vtt["Content-Type"].startswith("text/vtt")
    assert vtt.content.decode() == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:12.000\nSituation\n\n"
        "2\n00:00:12.000 --> 00:00:41.250\nTask\n\n"
        "3\n00:00:41.250 --> 00:01:01.000\nAction\n"
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"section": "conclusion", "at_ms": 10}, "Mark one of Situation"),
        ({"section": "action", "at_ms": "soon"}, "A mark needs the time"),
        ({"section": "action", "at_ms": 900_001}, "A mark must fall inside"),
        ({"section": "action"}, "A mark needs the time"),
    ],
)
def test_a_bad_mark_gets_a_clear_400(user_client, running, data, message):
    opened = open_recording(user_client, running)
    response = user_client.post(opened["mark_url"], data)
    assert response.status_code == 400 and response.json()["error"].startswith(message)
    assert Recording.objects.get(uuid=opened["uuid"]).marks == []


# --- The running panel -------------------------------------------------------------------


def test_the_running_panel_has_the_recorder_marks_and_cue_card(user_client, running):
    page = user_client.get(running.session.get_absolute_url()).content.decode()
    assert "data-recorder" in page
    assert reverse("practice:recording-open", args=[running.session_id, running.pk]) in page
    for letter, label in (("S", "Situation"), ("T", "Task"), ("A", "Action"), ("R", "Result")):
        assert f"<kbd>{letter}</kbd> {label}</button>" in page
    # The band is 2:00-3:00: Action's share of 2:30 is 60%, 90 seconds.
    assert 'data-mark="action" data-part="action" data-share-seconds="90"' in page
    assert 'data-testid="cue-card"' in page and "<strong>0.4%</strong>" in page
    assert "data-resume" not in page
    open_recording(user_client, running)
    reloaded = user_client.get(running.session.get_absolute_url()).content.decode()
    assert "data-resume" in reloaded and "Reconnecting the microphone" in reloaded


def test_no_cue_card_without_a_story(user_client, user):
    answer = AnswerFactory(session=PracticeSessionFactory(owner=user), started_at=timezone.now())
    page = user_client.get(answer.session.get_absolute_url()).content.decode()
    assert "data-recorder" in page and 'data-testid="cue-card"' not in page


# --- Review ----------------------------------------------------------------------------


@pytest.fixture
def closed(user_client, running, recordings_storage, django_capture_on_commit_callbacks):
    """A recording with two marks, closed by Done (its analysis queued, not run)."""
    opened = open_recording(user_client, running)
    user_client.post(opened["mark_url"], {"section": "situation", "at_ms": 0})
    user_client.post(opened["mark_url"], {"section": "action", "at_ms": 1500})
    upload(user_client, opened, webm(tone(3)), count=3)
    done(user_client, running, django_capture_on_commit_callbacks)
    return Recording.objects.get(uuid=opened["uuid"])


def test_the_review_polls_while_analysing_then_shows_the_figures(user_client, closed):
    url = reverse("practice:recording", args=[closed.uuid])
    page = user_client.get(url).content.decode()
    assert "Analysing your delivery" in page
    assert f'hx-get="{url}?part=figures"' in page and 'hx-trigger="load delay:2s"' in page
    audio_url = reverse("practice:recording-audio", args=[closed.uuid])
    assert f'src="{audio_url}"' in page and 'preload="metadata"' in page
    assert 'kind="chapters"' in page and 'data-seek-to="1.5"' in page

    services.recording_analyse(recording=closed)
    figures = user_client.get(f"{url}?part=figures", HTTP_HX_REQUEST="true").content.decode()
    assert "Analysing" not in figures and "hx-get" not in figures
    assert 'data-testid="verdict-pace"' in figures and "<svg" in figures
    assert "<audio" not in figures  # the player is not swapped while it may be playing


def test_the_stopped_panel_shows_the_review_and_the_rating_form(user_client, closed):
    page = user_client.get(closed.answer.session.get_absolute_url()).content.decode()
    assert 'data-testid="recording-review"' in page and "<audio" in page
    assert "How did it go?" in page and 'name="rating"' in page


def test_a_failed_analysis_says_why_and_the_audio_still_plays(user_client, closed):
    Recording.objects.filter(pk=closed.pk).update(
        status=Recording.Status.FAILED, problem="No speech was found."
    )
    page = user_client.get(reverse("practice:recording", args=[closed.uuid])).content.decode()
    assert "The delivery could not be measured: No speech was found." in page
    assert "The audio still plays." in page and "<audio" in page


@pytest.mark.django_db(transaction=True)
def test_the_analysis_runs_in_the_real_database_worker(user_client, running, recordings_storage):
    """Done queues the analysis in the database; `db_worker` (one batch) runs it."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    opened = open_recording(user_client, running)
    upload(user_client, opened, webm(tone(2)), count=2)
    done(user_client, running)
    assert DBTaskResult.objects.count() == 1
    recording = Recording.objects.get(uuid=opened["uuid"])
    assert recording.status == Recording.Status.ANALYSING
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)
    recording.refresh_from_db()
    assert recording.status == Recording.Status.ANALYSED and recording.figures["duration_s"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


# --- The audio: Range requests -----------------------------------------------------------------


@pytest.fixture
def audio_bytes(closed, recordings_storage) -> bytes:
    with recordings_storage.open(closed.audio.name) as audio:
        return audio.read()


def get_audio(client, recording, range_header=None):
    headers = {"HTTP_RANGE": range_header} if range_header else {}
    return client.get(reverse("practice:recording-audio", args=[recording.uuid]), **headers)


def test_the_whole_audio_without_a_range(user_client, closed, audio_bytes):
    response = get_audio(user_client, closed)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == audio_bytes
    assert response["Content-Type"] == "audio/webm"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(audio_bytes))
    assert {"private", "no-store"} <= {p.strip() for p in response["Cache-Control"].split(",")}


@pytest.mark.parametrize(
    "header, first, last",
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", -50, None)],
)
def test_one_byte_range(user_client, closed, audio_bytes, header, first, last):
    size = len(audio_bytes)
    start = first % size
    end = size - 1 if last is None else last
    response = get_audio(user_client, closed, header)
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == audio_bytes[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert response["Content-Length"] == str(end - start + 1)


def test_a_range_past_the_end_is_416_and_a_long_one_is_cut(user_client, closed, audio_bytes):
    size = len(audio_bytes)
    response = get_audio(user_client, closed, f"bytes={size}-")
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{size}"
    cut = get_audio(user_client, closed, f"bytes={size - 10}-{size + 1000}")
    assert cut.status_code == 206 and b"".join(cut.streaming_content) == audio_bytes[-10:]
    assert get_audio(user_client, closed, "bytes=-0").status_code == 416


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "items=0-10", "bytes=9-2", "nonsense"])
def test_a_range_not_understood_gets_the_whole_file(user_client, closed, audio_bytes, header):
    response = get_audio(user_client, closed, header)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == audio_bytes


def test_a_recording_without_audio_has_no_audio_url(user_client, user):
    recording = RecordingFactory(answer__session__owner=user)
    assert get_audio(user_client, recording).status_code == 404


# --- Best take ---------------------------------------------------------------------------------


def test_marking_a_best_take_clears_the_storys_previous_one(user_client, closed):
    story = closed.story
    earlier = RecordingFactory(
        answer__session__owner=closed.owner, story=story, is_best_take=True, audio="x/old.webm"
    )
    url = reverse("practice:recording-best-take", args=[closed.uuid])
    response = user_client.post(url, {"on": "1"})
    assert response.status_code == 302
    closed.refresh_from_db()
    earlier.refresh_from_db()
    assert closed.is_best_take and not earlier.is_best_take
    page = user_client.get(reverse("practice:recording", args=[closed.uuid])).content.decode()
    assert "Best take of “Checkout fallback”" in page
    htmx = user_client.post(url, {"on": "0"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and "Mark as the best take" in htmx.content.decode()
    closed.refresh_from_db()
    assert not closed.is_best_take


def test_a_best_take_needs_a_story(user_client, user, recordings_storage):
    recording = RecordingFactory(answer__session__owner=user, story=None, audio="x/a.webm")
    response = user_client.post(reverse("practice:recording-best-take", args=[recording.uuid]))
    assert response.status_code == 302
    recording.refresh_from_db()
    assert not recording.is_best_take
    page = user_client.get(response.url).content.decode()
    assert "This answer was told without a story from your bank." in page


def test_best_take_goes_back_to_the_page_it_came_from_on_this_site_only(user_client, closed):
    url = reverse("practice:recording-best-take", args=[closed.uuid])
    story_page = closed.story.get_absolute_url()
    assert user_client.post(url, {"next": story_page}).url == story_page
    assert user_client.post(url, {"next": "https://evil.example/"}).url == reverse(
        "practice:recording", args=[closed.uuid]
    )


# --- Deletion removes the files ------------------------------------------------------------------


def test_deleting_a_recording_deletes_its_audio(
    user_client, closed, recordings_storage, django_capture_on_commit_callbacks
):
    assert stored_files(recordings_storage) == [closed.audio.name]
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(reverse("practice:recording-delete", args=[closed.uuid]))
    assert response.status_code == 302 and response.url == closed.answer.session.get_absolute_url()
    assert not Recording.objects.exists()
    assert stored_files(recordings_storage) == []


@pytest.mark.parametrize("what", ["answer", "session", "user"])
def test_deleting_the_answer_session_or_account_deletes_the_audio_and_chunks(
    user_client, running, recordings_storage, django_capture_on_commit_callbacks, what
):
    first = open_recording(user_client, running)
    upload(user_client, first, webm(tone(1)), count=2)
    other = AnswerFactory(session=running.session, started_at=timezone.now() + timedelta(1))
    Answer.objects.filter(pk=running.pk).update(stopped_at=timezone.now() + timedelta(2))
    with django_capture_on_commit_callbacks(execute=True):
        services.recording_close(recording=Recording.objects.get(uuid=first["uuid"]))
    second = open_recording(user_client, other)
    upload(user_client, second, webm(tone(1)), count=2)  # still chunks, not joined
    assert len(stored_files(recordings_storage)) == 3
    target = {"answer": running, "session": running.session, "user": running.session.owner}[what]
    with django_capture_on_commit_callbacks(execute=True):
        if what == "answer":
            Answer.objects.filter(session=running.session).delete()
        else:
            target.delete()
    assert not Recording.objects.exists() and not RecordingChunk.objects.exists()
    assert stored_files(recordings_storage) == []


def test_a_rolled_back_delete_keeps_the_file(
    closed, recordings_storage, django_capture_on_commit_callbacks
):
    pk = closed.pk
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.recording_delete(recording=closed)
        raise RuntimeError("something later in the same request failed")
    assert callbacks == []
    assert Recording.objects.filter(pk=pk).exists()
    assert stored_files(recordings_storage) == [closed.audio.name]


def test_another_users_recording_is_404_on_every_url(other_client, closed, user_client):
    for name, method in (
        ("recording", "get"),
        ("recording-audio", "get"),
        ("recording-chapters", "get"),
        ("recording-mark", "post"),
        ("recording-close", "post"),
        ("recording-best-take", "post"),
        ("recording-delete", "post"),
    ):
        url = reverse(f"practice:{name}", args=[closed.uuid])
        assert getattr(other_client, method)(url).status_code == 404, name
    chunk = reverse("practice:recording-chunk", args=[closed.uuid, 0, 0])
    assert other_client.post(chunk, data=b"x", content_type="audio/webm").status_code == 404
    # Positive control: the owner opens the same recording page.
    assert user_client.get(reverse("practice:recording", args=[closed.uuid])).status_code == 200


# --- Query counts ---------------------------------------------------------------------------


def session_with_recordings(user, size: int, *, recorded: bool):
    """A finished session of `size` answered questions, each recorded or not."""
    session = PracticeSessionFactory(owner=user, status="finished", finished_at=timezone.now())
    for _ in range(size):
        answer = AnswerFactory(session=session, answered=True, story=StoryFactory(owner=user))
        if recorded:
            RecordingFactory(
                answer=answer,
                audio="x/a.webm",
                status=Recording.Status.ANALYSED,
                marks=[{"section": "action", "at_ms": 0}],
            )
    return session


@pytest.mark.parametrize("size", [1, 20])
@pytest.mark.parametrize("recorded", [False, True], ids=["plain", "recorded"])
def test_session_summary_query_count_is_fixed(
    user_client, user, size, recorded, django_assert_num_queries
):
    session = session_with_recordings(user, size, recorded=recorded)
    # Login (2), savepoint (2), the session, its answers with their recordings, principles
    # and themes, the next reviews and the due count: recordings cost no query.
    with django_assert_num_queries(10):
        page = user_client.get(session.get_absolute_url()).content.decode()
    assert page.count('data-testid="recording-link"') == (size if recorded else 0)


@pytest.mark.parametrize("recorded", [False, True], ids=["plain", "recorded"])
def test_running_and_stopped_panels_cost_no_query_for_the_recording(
    user_client, user, recorded, django_assert_num_queries
):
    session = PracticeSessionFactory(owner=user)
    story = StoryFactory(owner=user)
    answer = AnswerFactory(session=session, story=story, started_at=timezone.now())
    if recorded:
        RecordingFactory(answer=answer)
    # As the session page's own count (tests/practice/test_views.py): 12 with suggestions.
    with django_assert_num_queries(12):
        page = user_client.get(session.get_absolute_url()).content.decode()
    assert ("data-resume" in page) == recorded
    Answer.objects.filter(pk=answer.pk).update(stopped_at=timezone.now(), duration_seconds=150)
    Recording.objects.filter(answer=answer).update(
        status=Recording.Status.ANALYSED, audio="x/a.webm", figures=FIGURES
    )
    with django_assert_num_queries(12):
        page = user_client.get(session.get_absolute_url()).content.decode()
    assert ('data-testid="recording-review"' in page) == recorded


@pytest.mark.parametrize("size", [1, 50])
def test_recording_page_query_count_is_fixed(user_client, user, size, django_assert_num_queries):
    marks = [{"section": "action", "at_ms": 1000 * n} for n in range(size)]
    for _ in range(size):  # other recordings of the user's are not read
        RecordingFactory(answer__session__owner=user)
    recording = RecordingFactory(
        answer__session__owner=user,
        audio="x/a.webm",
        marks=marks,
        recorded_ms=size * 1000,
        status=Recording.Status.ANALYSED,
        figures=FIGURES,
    )
    url = reverse("practice:recording", args=[recording.uuid])
    # Login (2), savepoint (2), the recording with its answer, session, question and story.
    with django_assert_num_queries(5):
        page = user_client.get(url).content.decode()
    assert page.count("data-seek-to=") == size


def test_best_take_from_the_story_page_card_refreshes_that_card(user_client, closed):
    url = reverse("practice:recording-best-take", args=[closed.uuid])
    response = user_client.post(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="story-practice")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="story-practice"' in page
    assert 'data-testid="best-take"' in page and "<audio" not in page
    closed.refresh_from_db()
    assert closed.is_best_take
