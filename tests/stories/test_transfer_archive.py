"""The export with recordings (a ZIP of the JSON and the audio) and its import, all or nothing."""

import io
import json
import re
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from practice.models import Answer, PracticeSession, Recording
from stories.models import Story
from stories.transfer import archive as archive_module
from stories.transfer import document_dumps
from stories.transfer.archive import ARCHIVE_DOCUMENT, NOT_AN_EXPORT
from stories.transfer.services import bank_export
from tests.conftest import stored_files
from tests.factories import WAV, RecordingFactory
from tests.stories.test_transfer_services import make_bank

pytestmark = pytest.mark.django_db

TRANSFER = reverse("stories:transfer")
EXPORT_ARCHIVE = reverse("stories:transfer_export_archive")
IMPORT_JSON = reverse("stories:transfer_import_json")


@pytest.fixture
def storages(transfer_storages):
    return transfer_storages


def record(user, size: int) -> list[Recording]:
    """A bank of `size` stories whose told answers carry analysed recordings with audio;
    the first recording of each story is its best take."""
    make_bank(user, size)
    answers = Answer.objects.filter(session__owner=user, story__isnull=False).order_by("pk")
    recordings = []
    best = set()
    for answer in answers[: max(size, 1) * 2]:
        recordings.append(
            RecordingFactory(answer=answer, analysed=True, is_best_take=answer.story_id not in best)
        )
        best.add(answer.story_id)
    return recordings


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def exported_zip(client) -> bytes:
    response = client.get(EXPORT_ARCHIVE)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def upload(data: bytes, name: str = "bank.zip") -> dict:
    return {"json-file": SimpleUploadedFile(name, data)}


def problems_on(response) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(r'data-testid="json-problems".*?</div>', page, re.S)
    assert found, "the page lists no problems"
    return found.group(0)


def nothing_imported(user, storages) -> None:
    assert not Story.with_trash.filter(owner=user).exists()
    assert not PracticeSession.objects.filter(owner=user).exists()
    assert not Recording.objects.filter(owner=user).exists()
    recordings, _ = storages
    assert not [name for name in stored_files(recordings) if name.startswith(f"{user.pk}/")]


# --- Export ------------------------------------------------------------------------


def test_the_transfer_page_offers_the_export_with_recordings(user_client):
    page = user_client.get(TRANSFER).content.decode()
    assert f'href="{EXPORT_ARCHIVE}"' in page
    assert "Export with recordings" in page
    assert "import the ZIP to bring the audio back" in page


def test_the_zip_holds_the_json_export_and_every_recording_of_the_user_only(
    storages, user, user_client, other_user
):
    mine = record(user, 2)
    theirs = record(other_user, 1)
    response = user_client.get(EXPORT_ARCHIVE)
    assert response["Content-Type"] == "application/zip"
    assert re.fullmatch(
        r'attachment; filename="story-bank-\d{4}-\d{2}-\d{2}\.zip"',
        response["Content-Disposition"],
    )
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    members = members_of(b"".join(response.streaming_content))
    document = json.loads(members[ARCHIVE_DOCUMENT])
    assert document["format"] == "storybank/1"
    assert [story["title"] for story in document["stories"]] == [
        f"Story 0 of {user.username}",
        f"Story 1 of {user.username}",
    ]
    entries = [
        answer["recording"]
        for session in document["practice"]["sessions"]
        for answer in session["answers"]
        if answer["recording"]
    ]
    assert sorted(entry["uuid"] for entry in entries) == sorted(str(r.uuid) for r in mine)
    assert sorted(members) == sorted(
        [ARCHIVE_DOCUMENT, *[f"recordings/{r.uuid}.wav" for r in mine]]
    )
    for entry in entries:
        assert members[entry["audio"]] == WAV
    assert not any(str(r.uuid) in name for r in theirs for name in members)


def test_a_recording_whose_audio_is_gone_from_storage_is_listed_without_it(
    storages, user, user_client
):
    [kept, lost] = record(user, 1)
    lost.audio.storage.delete(lost.audio.name)
    members = members_of(exported_zip(user_client))
    document = json.loads(members[ARCHIVE_DOCUMENT])
    audio = {
        answer["recording"]["uuid"]: answer["recording"]["audio"]
        for session in document["practice"]["sessions"]
        for answer in session["answers"]
        if answer["recording"]
    }
    assert audio == {str(kept.uuid): f"recordings/{kept.uuid}.wav", str(lost.uuid): None}
    assert sorted(members) == sorted([ARCHIVE_DOCUMENT, f"recordings/{kept.uuid}.wav"])


def test_the_zip_export_runs_the_same_number_of_queries_for_1_and_10_stories(
    storages, user, other_user, django_assert_num_queries
):
    record(user, 1)
    record(other_user, 10)
    for owner, recordings in ((user, 2), (other_user, 20)):
        client = Client()
        client.force_login(owner)
        with django_assert_num_queries(12):
            data = exported_zip(client)
        assert len(members_of(data)) == recordings + 1


def test_an_anonymous_visitor_is_sent_to_log_in_and_the_wrong_method_is_405(user_client):
    response = Client().get(EXPORT_ARCHIVE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert user_client.post(EXPORT_ARCHIVE).status_code == 405
    assert user_client.get(EXPORT_ARCHIVE).status_code == 200  # the owner's own


# --- Import: the round trip ----------------------------------------------------------------


def recording_facts(user) -> list[dict]:
    return [
        {
            "story": r.story.title if r.story else None,
            "question": r.answer.question.text,
            "mime_type": r.mime_type,
            "size_bytes": r.size_bytes,
            "recorded_ms": r.recorded_ms,
            "marks": r.marks,
            "status": r.status,
            "figures": r.figures,
            "is_best_take": r.is_best_take,
            "created_at": r.created_at,
            "analysed_at": r.analysed_at,
            "audio": r.audio.read() if r.audio else None,
        }
        for r in Recording.objects.filter(owner=user)
        .select_related("story", "answer__question")
        .order_by("created_at", "answer__question__text")
    ]


def test_a_zip_imported_into_another_account_restores_stories_practice_and_audio(
    storages, user, user_client, other_user, other_client
):
    originals = record(user, 2)
    data = exported_zip(user_client)
    response = other_client.post(IMPORT_JSON, upload(data), follow=True)
    assert "Imported 2 stories, 2 practice sessions with 4 recordings." in response.content.decode()
    before = recording_facts(user)
    after = recording_facts(other_user)
    assert len(after) == 4
    assert after == before
    imported = Recording.objects.filter(owner=other_user)
    assert all(r.answer.session.owner == other_user for r in imported)
    assert all(r.story.owner == other_user for r in imported)
    # The uuids were taken (the same server): each imported recording has its own.
    assert not {r.uuid for r in imported} & {r.uuid for r in originals}
    assert sum(r.is_best_take for r in imported) == 2
    recordings, _ = storages
    files = stored_files(recordings)
    assert sorted(name for name in files if name.startswith(f"{other_user.pk}/")) == sorted(
        f"{other_user.pk}/{r.uuid}/audio.wav" for r in imported
    )
    # The original owner's files are untouched.
    assert all(r.audio.storage.exists(r.audio.name) for r in originals)


def test_a_recording_keeps_its_uuid_when_this_server_does_not_have_it(
    storages, user, user_client, other_user, other_client
):
    [first, *_] = record(user, 1)
    data = exported_zip(user_client)
    uuid = first.uuid
    Recording.objects.filter(owner=user).delete()
    other_client.post(IMPORT_JSON, upload(data))
    assert Recording.objects.get(uuid=uuid).owner == other_user


def test_importing_a_zip_runs_the_same_number_of_queries_for_1_and_10_stories(
    storages, user, other_user, django_assert_num_queries
):
    from tests.factories import UserFactory

    record(user, 1)
    record(other_user, 10)
    for owner in (user, other_user):
        source = Client()
        source.force_login(owner)
        data = exported_zip(source)
        target = Client()
        importer = UserFactory()
        target.force_login(importer)
        # The recordings (2, then 20) cost nothing per row; what grows is the review
        # schedule rebuilt for each rated question (7 statements each, as before recordings).
        questions = len({a.question_id for a in Answer.objects.filter(session__owner=owner)})
        with django_assert_num_queries(55 + 7 * questions):
            response = target.post(IMPORT_JSON, upload(data))
        assert response.status_code == 302
        assert Recording.objects.filter(owner=importer).count() == (
            Recording.objects.filter(owner=owner).count()
        )


# --- Import: all or nothing ---------------------------------------------------------


def damaged_second_member(data: bytes) -> bytes:
    """The export with the last recording's bytes flipped: its CRC no longer matches, so it
    fails only while it is being copied, after the first recordings were written."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        last = [info for info in archive.infolist() if info.filename.startswith("recordings/")][-1]
        start = last.header_offset + 30 + len(last.filename.encode()) + len(last.extra)
    damaged = bytearray(data)
    damaged[start + last.compress_size // 2] ^= 0xFF
    return bytes(damaged)


def test_a_member_that_fails_while_copying_leaves_no_row_and_no_file(
    storages, user, user_client, other_user, other_client
):
    record(user, 2)
    data = exported_zip(user_client)
    response = other_client.post(IMPORT_JSON, upload(damaged_second_member(data)))
    assert "is damaged" in problems_on(response)
    nothing_imported(other_user, storages)
    # Positive control: the undamaged ZIP imports, files and all.
    other_client.post(IMPORT_JSON, upload(data))
    assert Recording.objects.filter(owner=other_user).count() == 4


def test_a_bad_recording_in_the_document_is_reported_before_any_file_is_written(
    storages, user, user_client, other_user, other_client
):
    record(user, 1)
    members = members_of(exported_zip(user_client))
    document = json.loads(members[ARCHIVE_DOCUMENT])
    answer = next(a for a in document["practice"]["sessions"][0]["answers"] if a["recording"])
    answer["recording"]["figures"]["wpm"] = "fast"
    members[ARCHIVE_DOCUMENT] = document_dumps(document).encode()
    response = other_client.post(IMPORT_JSON, upload(zip_of(members)))
    assert "“figures”: “wpm” is not what an analysis writes." in problems_on(response)
    nothing_imported(other_user, storages)


# --- Import: malformed ZIPs, none a 500 ------------------------------------------------------


def good_zip(user, user_client) -> dict[str, bytes]:
    record(user, 1)
    return members_of(exported_zip(user_client))


def truncated(members):
    return zip_of(members)[:-200]


def not_a_zip(members):
    return b"PK\x03\x04" + b"this is no archive at all" * 20


def nested_zip(members):
    return zip_of({**members, "recordings/inner.zip": zip_of(members)})


def missing_json(members):
    return zip_of({name: data for name, data in members.items() if name != ARCHIVE_DOCUMENT})


def bad_json(members):
    return zip_of({**members, ARCHIVE_DOCUMENT: b'{"format": "storybank/1", "stories": ['})


def missing_audio(members):
    return zip_of({n: d for n, d in members.items() if not n.startswith("recordings/")})


def huge_member(members):
    name = next(n for n in members if n.startswith("recordings/"))
    return zip_of({**members, name: bytes(30 * 1024 * 1024 + 1)})


def unsafe_name(members):
    return zip_of({**members, "../escape.txt": b"x"})


def absolute_name(members):
    return zip_of({**members, "/etc/cron.d/job": b"x"})


def other_format(members):
    document = json.loads(members[ARCHIVE_DOCUMENT])
    document["format"] = "otherbank/3"
    return zip_of({**members, ARCHIVE_DOCUMENT: json.dumps(document).encode()})


def someone_elses_zip(members):
    return zip_of({"report.docx": b"...", "photos/cat.jpg": b"..."})


def inflates_past_its_size(members):
    """A member whose ZIP directory says it holds 10 bytes, which unpacks to a megabyte."""
    name = next(n for n in members if n.startswith("recordings/"))
    data = bytearray(zip_of({**members, name: bytes(1024 * 1024)}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, 10)  # the local header's size
    offset = data.index(b"PK\x01\x02")  # the central directory, entry by entry
    while True:
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, offset + 28)
        if data[offset + 46 : offset + 46 + name_length].decode() == name:
            struct.pack_into("<I", data, offset + 24, 10)
            return bytes(data)
        offset += 46 + name_length + extra_length + comment_length


CASES = [
    (truncated, "cannot be read as one"),
    (not_a_zip, "cannot be read as one"),
    (nested_zip, "The ZIP holds recordings/inner.zip, which the document does not list"),
    (missing_json, NOT_AN_EXPORT),
    (bad_json, "The file is not valid JSON"),
    (missing_audio, "the ZIP lacks its file recordings/"),
    (huge_member, "is 31,457,281 bytes, over the limit of 30.0 MB"),
    (unsafe_name, "no absolute paths, no “..”"),
    (absolute_name, "no absolute paths, no “..”"),
    (
        other_format,
        "The format “otherbank/3” is not one this server reads; it reads “storybank/1”.",
    ),
    (someone_elses_zip, NOT_AN_EXPORT),
    (inflates_past_its_size, "is damaged"),
]


@pytest.mark.parametrize(("damage", "message"), CASES, ids=[case.__name__ for case, _ in CASES])
def test_a_malformed_zip_is_explained_and_nothing_is_saved(
    damage, message, storages, user, user_client, other_user, other_client
):
    data = damage(good_zip(user, user_client))
    response = other_client.post(IMPORT_JSON, upload(data))
    assert message in problems_on(response)
    nothing_imported(other_user, storages)


def test_the_good_zip_the_cases_start_from_imports(
    storages, user, user_client, other_user, other_client
):
    data = zip_of(good_zip(user, user_client))
    response = other_client.post(IMPORT_JSON, upload(data), follow=True)
    assert "with 2 recordings." in response.content.decode()


def test_a_zip_with_too_many_files_or_too_many_bytes_is_refused_from_its_directory(
    storages, monkeypatch, user, user_client, other_user, other_client
):
    members = good_zip(user, user_client)
    monkeypatch.setattr(archive_module, "ARCHIVE_MAX_MEMBERS", 2)
    response = other_client.post(IMPORT_JSON, upload(zip_of(members)))
    assert "The ZIP holds 3 files; an export holds at most 2." in problems_on(response)
    monkeypatch.setattr(archive_module, "ARCHIVE_MAX_MEMBERS", 10)
    monkeypatch.setattr(archive_module, "ARCHIVE_MAX_BYTES", 1024)
    response = other_client.post(IMPORT_JSON, upload(zip_of(members)))
    assert "an import can unpack to at most 1 KB" in problems_on(response)
    nothing_imported(other_user, storages)


def test_a_json_upload_is_still_read_as_json(storages, user, user_client, other_client):
    record(user, 1)
    text = document_dumps(bank_export(user=user))
    response = other_client.post(IMPORT_JSON, upload(text.encode(), "bank.json"), follow=True)
    assert "Imported 1 story" in response.content.decode()


# --- Import: unknown tags, the go-ahead ---------------------------------------------------


def test_a_zip_naming_unknown_tags_waits_in_the_transfer_storage_then_imports_with_audio(
    storages, user, user_client, other_user, other_client
):
    members = good_zip(user, user_client)
    document = json.loads(members[ARCHIVE_DOCUMENT])
    document["stories"][0]["principles"].append("be-vocally-self-critical")
    members[ARCHIVE_DOCUMENT] = document_dumps(document).encode()
    response = other_client.post(IMPORT_JSON, upload(zip_of(members)))
    page = response.content.decode()
    assert "Some tags are not on this server" in page
    assert "Recordings are imported with their audio." in page
    _, pending = storages
    assert len(stored_files(pending)) == 1
    nothing_imported(other_user, storages)

    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = other_client.post(IMPORT_JSON, {"token": token}, follow=True)
    assert "with 2 recordings." in response.content.decode()
    assert all(r.audio.read() == WAV for r in Recording.objects.filter(owner=other_user))
    assert stored_files(pending) == []  # taken once, then gone
    again = other_client.post(IMPORT_JSON, {"token": token}, follow=True)
    assert "expired or was already imported" in again.content.decode()


def test_a_waiting_zip_never_confirmed_is_removed_when_the_next_one_waits(
    storages, user, user_client, other_user, other_client
):
    import os
    import time

    members = good_zip(user, user_client)
    document = json.loads(members[ARCHIVE_DOCUMENT])
    document["stories"][0]["principles"].append("be-vocally-self-critical")
    members[ARCHIVE_DOCUMENT] = document_dumps(document).encode()
    data = zip_of(members)
    other_client.post(IMPORT_JSON, upload(data))
    _, pending = storages
    [first] = stored_files(pending)
    hour_ago = time.time() - 3600
    os.utime(pending / first, (hour_ago, hour_ago))
    other_client.post(IMPORT_JSON, upload(data))
    files = stored_files(pending)
    assert len(files) == 1
    assert files != [first]  # the old one went, the new one waits


def test_a_zip_upload_over_the_cap_is_refused_with_its_size(
    storages, monkeypatch, user, user_client, other_user, other_client
):
    data = zip_of(good_zip(user, user_client))
    monkeypatch.setattr("stories.forms.ARCHIVE_MAX_BYTES", 1024)
    response = other_client.post(IMPORT_JSON, upload(data))
    page = response.content.decode()
    assert "an import can be at most 1 KB" in page
    nothing_imported(other_user, storages)


def test_the_go_ahead_for_a_plain_json_says_its_recordings_come_without_audio(
    storages, user, other_client
):
    record(user, 1)
    document = bank_export(user=user)
    document["stories"][0]["principles"].append("be-vocally-self-critical")
    text = document_dumps(document)
    page = other_client.post(IMPORT_JSON, upload(text.encode(), "bank.json")).content.decode()
    assert "Some tags are not on this server" in page
    assert "their audio is only in the ZIP export" in page
    assert "Recordings are imported with their audio." not in page
