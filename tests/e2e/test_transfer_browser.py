"""A real browser downloads a bank as JSON, prints the cheat sheet, and moves the
bank into a second account."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from practice.models import PracticeSession
from stories.models import Story
from tests.e2e.helpers import import_export_file, log_in, log_out
from tests.stories.test_transfer_services import make_bank

pytestmark = pytest.mark.e2e


def test_export_a_bank_as_json_and_import_it_into_another_account(page, tmp_path):
    ada = log_in(page, "ada@example.com")
    make_bank(ada, 2)
    titles = sorted(Story.objects.for_user(ada).values_list("title", flat=True))

    page.goto(reverse("stories:transfer"))
    page.get_by_role("heading", name="Your data").wait_for()
    assert "Your bank holds 2 stories" in page.content()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download JSON").click()
    download = info.value
    assert download.suggested_filename.startswith("story-bank-")
    assert download.suggested_filename.endswith(".json")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = json.loads(Path(saved).read_text(encoding="utf-8"))
    assert document["format"] == "storybank/1"
    assert sorted(story["title"] for story in document["stories"]) == titles

    # The cheat sheet prints one story per page, without the site around it.
    page.get_by_role("link", name="Open the cheat sheet").click()
    page.get_by_role("button", name="Print or save as PDF").wait_for()
    page.emulate_media(media="print")
    stories = page.get_by_test_id("cheat-sheet-story")
    assert stories.count() == 2
    assert stories.first.evaluate("e => getComputedStyle(e).breakAfter") == "page"
    pdf = page.pdf(format="A4")  # what "Save as PDF" writes
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 2  # one page per story
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.get_by_role("button", name="Print or save as PDF").is_visible()
    page.emulate_media(media="screen")

    log_out(page)

    bob = log_in(page, "bob@example.com")
    page.goto(reverse("stories:transfer"))
    import_export_file(page, saved)
    page.get_by_role("heading", name="Your story bank").wait_for()
    page.get_by_text("Imported 2 stories, 2 practice sessions.").wait_for()
    for title in titles:
        assert page.get_by_role("link", name=title).count() == 1
    assert sorted(Story.objects.for_user(bob).values_list("title", flat=True)) == titles
    assert PracticeSession.objects.filter(owner=bob).count() == 2
    assert page.console_errors == []


def test_export_with_recordings_and_import_the_zip_into_another_account(
    page, tmp_path, transfer_storages
):
    import zipfile

    from practice.models import Recording
    from tests.factories import WAV
    from tests.stories.test_transfer_archive import record

    ada = log_in(page, "ada@example.com")
    record(ada, 1)
    page.goto(reverse("stories:transfer"))
    with page.expect_download() as info:
        page.get_by_role("link", name="Export with recordings").click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
    assert "storybank.json" in names
    assert len([name for name in names if name.startswith("recordings/")]) == 2

    log_out(page)

    bob = log_in(page, "bob@example.com")
    page.goto(reverse("stories:transfer"))
    import_export_file(page, saved)
    page.get_by_role("heading", name="Your story bank").wait_for()
    page.get_by_text("Imported 1 story, 1 practice session with 2 recordings.").wait_for()
    recordings = Recording.objects.filter(owner=bob)
    assert [r.audio.read() for r in recordings] == [WAV, WAV]
    assert page.console_errors == []
