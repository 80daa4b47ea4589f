"""`export_bank` and `import_bank`: the same export and import, for operators and scripts."""

import io
import json

import pytest
from django.core.management import call_command

from practice.models import PracticeSession
from stories.models import Story
from stories.transfer import MAX_DOCUMENT_BYTES, document_dumps
from stories.transfer.services import bank_export
from tests.stories.test_transfer_services import make_bank, write_story
from tests.stories.test_transfer_views import BAD_JSON

pytestmark = pytest.mark.django_db


def run(*args, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of a command, as a shell would see them."""
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def bank_file(tmp_path, user, **changes) -> str:
    document = bank_export(user=user)
    document.update(changes)
    path = tmp_path / "bank.json"
    path.write_text(document_dumps(document), encoding="utf-8")
    return str(path)


def test_export_bank_writes_the_json_export_to_stdout(user):
    make_bank(user, 2)
    status, out, err = run("export_bank", user.email.upper())
    assert status == 0 and err == ""
    document = json.loads(out)
    assert document["format"] == "storybank/1"
    assert len(document["stories"]) == 2
    assert len(document["practice"]["sessions"]) == 2


def test_export_bank_with_an_unknown_email_exits_2_with_one_line(db):
    status, out, err = run("export_bank", "nobody@example.com")
    assert status == 2 and out == ""
    assert err.strip() == "export_bank: no account has the email 'nobody@example.com'"


def test_import_bank_reads_a_file_into_the_account(user, other_user, tmp_path):
    make_bank(user, 2)
    status, out, err = run("import_bank", other_user.email, bank_file(tmp_path, user))
    assert status == 0 and err == ""
    assert out.strip() == f"Imported 2 stories, 2 practice sessions. Into {other_user.email}."
    assert Story.objects.for_user(other_user).count() == 2
    assert PracticeSession.objects.filter(owner=other_user).count() == 2


def test_import_bank_reads_standard_input(user, other_user, monkeypatch):
    write_story(user, "Payments fallback")
    _, exported, _ = run("export_bank", user.email)
    status, out, _ = run(
        "import_bank", other_user.email, "-", stdin=exported, monkeypatch=monkeypatch
    )
    assert status == 0
    assert Story.objects.for_user(other_user).get().title == "Payments fallback"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"format": "storybank/1", "stories": [', "The file is not valid JSON"),
        ('{"format": "storybank/9", "stories": []}', "The format “storybank/9” is not one"),
        ('{"stories": []}', "This is not a Story Bank export: it has no “format”"),
        (
            '{"format": "storybank/1", "stories": [{"title": "A"}, {"title": ""}, {}]}',
            "Story 2, “title”: is required and is empty. (and 1 more problem)",
        ),
    ],
)
def test_bad_input_exits_2_with_a_one_line_reason_and_saves_nothing(
    user, tmp_path, content, reason
):
    path = tmp_path / "bank.json"
    path.write_text(content, encoding="utf-8")
    status, out, err = run("import_bank", user.email, str(path))
    assert status == 2 and out == ""
    assert err.startswith(f"import_bank: {reason}")
    assert err.count("\n") <= 1
    assert not Story.with_trash.filter(owner=user).exists()


def test_an_unknown_email_or_a_missing_file_exits_2(user, tmp_path):
    status, _, err = run("import_bank", "nobody@example.com", bank_file(tmp_path, user))
    assert (status, err.strip()) == (
        2,
        "import_bank: no account has the email 'nobody@example.com'",
    )
    status, _, err = run("import_bank", user.email, str(tmp_path / "missing.json"))
    assert status == 2 and "cannot read" in err and "No such file" in err


def test_a_file_over_the_cap_exits_2(user, tmp_path):
    path = tmp_path / "bank.json"
    path.write_bytes(b" " * (MAX_DOCUMENT_BYTES + 10))
    status, _, err = run("import_bank", user.email, str(path))
    assert status == 2 and "an import can be at most 5 MB" in err


def test_unknown_tags_exit_2_unless_accepted(user, other_user, tmp_path):
    write_story(user, "Payments fallback")
    document = bank_export(user=user)
    document["stories"][0] |= {"themes": ["moonshots"], "core_theme": None}
    path = tmp_path / "bank.json"
    path.write_text(document_dumps(document), encoding="utf-8")

    status, _, err = run("import_bank", other_user.email, str(path))
    assert status == 2
    assert err.strip() == (
        "import_bank: Not on this server: themes: moonshots. Nothing was imported; "
        "use --accept-unknown-tags to import without them."
    )
    assert not Story.objects.for_user(other_user).exists()

    status, out, _ = run("import_bank", other_user.email, str(path), "--accept-unknown-tags")
    assert status == 0 and out.startswith("Imported 1 story.")
    assert not Story.objects.for_user(other_user).get().themes.exists()


def test_a_bad_story_at_the_end_leaves_nothing_from_the_command_either(user, other_user, tmp_path):
    make_bank(user, 3)
    document = bank_export(user=user)
    document["stories"][-1]["answers"][0]["section"] = "epilogue"
    path = tmp_path / "bank.json"
    path.write_text(document_dumps(document), encoding="utf-8")
    status, _, err = run("import_bank", other_user.email, str(path))
    assert status == 2 and "Story 3" in err and "“epilogue”" in err
    assert not Story.objects.for_user(other_user).exists()
    assert not PracticeSession.objects.filter(owner=other_user).exists()


@pytest.mark.parametrize("case", sorted(BAD_JSON))
def test_a_file_no_export_holds_exits_2_with_one_line_and_saves_nothing(user, tmp_path, case):
    content, reason = BAD_JSON[case]
    path = tmp_path / "bank.json"
    path.write_text(content, encoding="utf-8")
    status, out, err = run("import_bank", user.email, str(path))
    assert status == 2 and out == ""
    assert err.startswith("import_bank: ") and reason in err
    assert err.count("\n") <= 1
    assert not Story.with_trash.filter(owner=user).exists()


# --- The export with recordings -----------------------------------------------------


def test_export_bank_zip_then_import_bank_restores_the_recordings(
    transfer_storages, user, other_user, tmp_path
):
    from practice.models import Recording
    from tests.factories import WAV
    from tests.stories.test_transfer_archive import record

    record(user, 1)
    path = tmp_path / "bank.zip"
    status, out, err = run("export_bank", user.email, "--zip", str(path))
    assert (status, out.strip(), err) == (0, f"Wrote {path}.", "")
    status, out, err = run("import_bank", other_user.email, str(path))
    assert status == 0 and err == ""
    assert out.strip() == (
        f"Imported 1 story, 1 practice session with 2 recordings. Into {other_user.email}."
    )
    assert [r.audio.read() for r in Recording.objects.filter(owner=other_user)] == [WAV, WAV]


def test_import_bank_of_a_damaged_zip_exits_2_and_saves_nothing(
    transfer_storages, user, other_user, tmp_path
):
    path = tmp_path / "bank.zip"
    path.write_bytes(b"PK\x03\x04" + b"not really" * 30)
    status, out, err = run("import_bank", other_user.email, str(path))
    assert status == 2 and out == ""
    assert err.startswith("import_bank: The file starts like a ZIP but cannot be read as one")
    assert not Story.objects.for_user(other_user).exists()
