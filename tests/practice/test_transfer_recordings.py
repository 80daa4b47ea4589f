"""Recordings in the JSON export (practice/transfer/recordings.py): listed under their answer, checked
field by field, and imported without audio from a plain JSON document."""

import copy

import pytest
from django.urls import reverse

from practice.models import Answer, Recording
from stories.models import Story
from stories.services import story_cue_card_set
from stories.transfer import DocumentError, document_dumps, document_load
from stories.transfer.fields import instant_text
from stories.transfer.services import bank_export, bank_export_markdown, bank_import
from tests.factories import RecordingFactory, figures
from tests.stories.test_transfer_services import make_bank, through_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(transfer_storages, user):
    """A bank of one story whose two told answers were recorded; the first is its best take."""
    make_bank(user, 1)
    answers = Answer.objects.filter(session__owner=user, story__isnull=False).order_by("pk")
    return [
        RecordingFactory(answer=answers[0], analysed=True, is_best_take=True),
        RecordingFactory(answer=answers[1], analysed=True),
    ]


def recording_entries(document: dict) -> list[dict]:
    return [
        answer["recording"]
        for session in document["practice"]["sessions"]
        for answer in session["answers"]
        if answer["recording"]
    ]


def test_the_json_export_lists_each_recording_under_its_answer(recorded, user):
    document = through_text(bank_export(user=user))
    answers = [a for s in document["practice"]["sessions"] for a in s["answers"]]
    first = recorded[0]
    [entry] = [a["recording"] for a in answers if a["question"] == first.answer.question.text]
    assert entry == {
        "uuid": str(first.uuid),
        "mime_type": "audio/wav",
        "size_bytes": first.size_bytes,
        "recorded_ms": 172_400,
        "marks": first.marks,
        "status": "analysed",
        "problem": "",
        "figures": figures(),
        "is_best_take": True,
        "created_at": instant_text(first.created_at),
        "closed_at": instant_text(first.closed_at),
        "analysed_at": instant_text(first.analysed_at),
        "audio": f"recordings/{first.uuid}.wav",
    }
    # An answer told without recording says so (positive control above: two have one).
    assert [a["recording"] is None for a in answers].count(True) == len(answers) - 2


def test_a_recording_still_being_made_is_listed_without_audio(transfer_storages, user):
    make_bank(user, 1)
    answer = Answer.objects.filter(session__owner=user).first()
    recording = RecordingFactory(answer=answer)  # status "recording", no audio yet
    [entry] = recording_entries(bank_export(user=user))
    assert entry["uuid"] == str(recording.uuid)
    assert entry["audio"] is None
    assert entry["status"] == "recording"


def test_a_plain_json_import_keeps_figures_and_marks_without_audio(recorded, user, other_user):
    document = through_text(bank_export(user=user))
    result = bank_import(user=other_user, document=document)
    assert result.summary.startswith(
        "Imported 1 story, 1 practice session with 2 recordings "
        "(figures only: the audio travels in the ZIP export)."
    )
    imported = list(Recording.objects.filter(owner=other_user).order_by("created_at", "pk"))
    assert [(r.figures, r.marks, r.status, bool(r.audio)) for r in imported] == [
        (figures(), recorded[0].marks, "analysed", False),
        (figures(), recorded[1].marks, "analysed", False),
    ]
    [best] = [r for r in imported if r.is_best_take]
    assert best.story == Story.objects.get(owner=other_user)
    assert best.answer.question == recorded[0].answer.question
    assert best.created_at == recorded[0].created_at


def test_an_unfinished_recording_is_imported_as_failed_with_the_reason(recorded, user, other_user):
    document = through_text(bank_export(user=user))
    recording_entries(document)[0]["status"] = "analysing"
    bank_import(user=other_user, document=document)
    statuses = {(r.status, r.problem) for r in Recording.objects.filter(owner=other_user)}
    assert statuses == {
        ("failed", "It was still being recorded or analysed when it was exported."),
        ("analysed", ""),
    }


def test_a_document_without_recordings_keeps_importing(user, other_user):
    make_bank(user, 1)
    document = through_text(bank_export(user=user))
    for session in document["practice"]["sessions"]:
        for answer in session["answers"]:
            del answer["recording"]  # as exports made before recordings were
    bank_import(user=other_user, document=document)
    assert Answer.objects.filter(session__owner=other_user).count() == 3
    assert not Recording.objects.filter(owner=other_user).exists()


def broken(change) -> dict:
    def apply(document):
        change(recording_entries(document)[0])
        return document

    return apply


BAD_RECORDINGS = [
    (
        broken(lambda r: r.update(uuid="not-a-uuid")),
        "recording, “uuid”: “not-a-uuid” is not a uuid.",
    ),
    (
        broken(lambda r: r.update(mime_type="text/html")),
        "recording, “mime_type”: “text/html” is not an audio type (audio/…).",
    ),
    (
        broken(lambda r: r.update(marks=[{"section": "plot", "at_ms": 0}])),
        "recording, “marks”: mark 1 must be",
    ),
    (
        broken(
            lambda r: r.update(
                marks=[{"section": "action", "at_ms": 900}, {"section": "result", "at_ms": 10}]
            )
        ),
        "recording, “marks”: mark 2 comes before the mark ahead of it.",
    ),
    (
        broken(lambda r: r["figures"].update(envelope=[0.5, 7])),
        "recording, “figures”: “envelope” is not what an analysis writes.",
    ),
    (
        broken(lambda r: r["figures"].update(pauses=[{"start_s": "soon"}])),
        "recording, “figures”: “pauses” is not what an analysis writes.",
    ),
    (
        broken(lambda r: r.update(figures=[1, 2])),
        "recording, “figures”: a list instead of an object is not what an analysis writes.",
    ),
    (
        broken(lambda r: r.update(status="lost")),
        "recording, “status”: “lost” is not one of",
    ),
    (
        broken(lambda r: r.update(size_bytes=31 * 1024 * 1024)),
        "recording, “size_bytes”: 32505856 is not between 0 and 31457280.",
    ),
    (
        broken(lambda r: r.update(audio="../../etc/passwd")),
        "recording, “audio”: “../../etc/passwd” is not a file name of the export",
    ),
    (
        broken(lambda r: r.update(transcript="hello")),
        "recording: “transcript” is not a field of storybank/1",
    ),
]


@pytest.mark.parametrize(("damage", "message"), BAD_RECORDINGS)
def test_a_bad_recording_is_reported_and_nothing_is_written(
    damage, message, recorded, user, other_user
):
    document = damage(through_text(bank_export(user=user)))
    with pytest.raises(DocumentError) as caught:
        bank_import(user=other_user, document=document)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems
    assert not Story.with_trash.filter(owner=other_user).exists()
    assert not Recording.objects.filter(owner=other_user).exists()


def test_the_document_the_bad_cases_start_from_imports(recorded, user, other_user):
    bank_import(user=other_user, document=through_text(bank_export(user=user)))
    assert Recording.objects.filter(owner=other_user).count() == 2


def test_a_figure_of_nan_or_infinity_is_refused(recorded, user, other_user):
    text = document_dumps(bank_export(user=user)).replace('"wpm": 141.2', '"wpm": NaN', 1)
    with pytest.raises(DocumentError) as caught:
        bank_import(user=other_user, document=document_load(text))
    assert any("“figures”: “wpm” is not what" in problem for problem in caught.value.problems)


def test_two_best_takes_of_one_story_or_one_uuid_twice_are_refused(recorded, user, other_user):
    document = through_text(bank_export(user=user))
    second = copy.deepcopy(document)
    first, other = recording_entries(document)
    other["is_best_take"] = True
    with pytest.raises(DocumentError) as caught:
        bank_import(user=other_user, document=document)
    assert any("the story already has a best take" in p for p in caught.value.problems)
    first, other = recording_entries(second)
    other["uuid"] = first["uuid"]
    other["audio"] = first["audio"]
    with pytest.raises(DocumentError) as caught:
        bank_import(user=other_user, document=second)
    assert any("an earlier recording has the same uuid" in p for p in caught.value.problems)
    assert any("an earlier recording has the same file" in p for p in caught.value.problems)
    assert not Recording.objects.filter(owner=other_user).exists()


# --- The cue card travels with its story -------------------------------------------------


def test_a_cue_card_goes_through_the_json_and_into_the_markdown(user, other_user):
    [story] = make_bank(user, 1)
    story_cue_card_set(story=story, text="- Checkout failing at 5%\n- After the fix: 0.4%")
    document = through_text(bank_export(user=user))
    assert document["stories"][0]["cue_card"] == story.cue_card
    bank_import(user=other_user, document=document)
    assert Story.objects.get(owner=other_user).cue_card == story.cue_card
    markdown = bank_export_markdown(user=user)
    assert "### Cue card\n\n- Checkout failing at 5%\n- After the fix: 0.4%\n" in markdown


def test_a_story_without_an_edited_cue_card_has_none_in_the_markdown(user):
    make_bank(user, 1)
    assert through_text(bank_export(user=user))["stories"][0]["cue_card"] == ""
    markdown = bank_export_markdown(user=user)
    assert "### Cue card" not in markdown
    assert "### Key metrics" in markdown  # positive control: the story is there


def test_an_old_document_without_cue_cards_imports_with_drafted_cards(user, other_user):
    make_bank(user, 1)
    document = through_text(bank_export(user=user))
    del document["stories"][0]["cue_card"]
    bank_import(user=other_user, document=document)
    assert Story.objects.get(owner=other_user).cue_card == ""


def test_a_recording_imported_without_audio_says_so_and_its_audio_is_a_404(
    recorded, user, other_user, client
):
    bank_import(user=other_user, document=through_text(bank_export(user=user)))
    imported = Recording.objects.filter(owner=other_user).first()
    client.force_login(other_user)
    page = client.get(reverse("practice:recording", args=[imported.uuid]))
    assert page.status_code == 200
    assert b'data-testid="no-audio"' in page.content and b'data-testid="player"' not in page.content
    assert client.get(reverse("practice:recording-audio", args=[imported.uuid])).status_code == 404
    # Positive control: the original, with its audio, has the player and no such note.
    client.force_login(user)
    original = client.get(reverse("practice:recording", args=[recorded[0].uuid]))
    assert b'data-testid="player"' in original.content
    assert b'data-testid="no-audio"' not in original.content
