"""The story page in the browser: the cue card edited in place, and the practice card
listing the story's recordings with their best take."""

import os

import pytest

from practice.models import Recording
from stories.models import Story
from tests.e2e.helpers import log_in
from tests.factories import AnswerFactory, PracticeSessionFactory, StoryFactory
from tests.practice.delivery_data import figures_for

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("STORY_PAGE_SCREENSHOTS")  # a folder, to look at the page by eye


def test_edit_the_cue_card_in_place_and_reset_it(page):
    user = log_in(page)
    story = StoryFactory(owner=user, title="Checkout rescue", cue_card="")
    page.goto(story.get_absolute_url())
    card = page.locator("#story-cue-card")
    card.get_by_text("Drafted from your sections").wait_for()
    assert card.locator("li strong").count() >= 1  # the key metrics in bold
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/story-cue-card.png", full_page=True)

    card.get_by_role("link", name="Edit the cue card").click()
    box = page.get_by_label("Cue card bullets")
    box.wait_for()
    assert page.url.endswith(story.get_absolute_url())  # swapped in place, no navigation
    box.fill("Open with the 1 in 20 failures\nLand the 40% drop")
    page.get_by_role("button", name="Save the cue card").click()
    card = page.locator("#story-cue-card")
    card.get_by_text("Your own card").wait_for()
    assert card.locator("li").all_inner_texts() == [
        "Open with the 1 in 20 failures",
        "Land the 40% drop",
    ]
    assert Story.objects.get(pk=story.pk).cue_card.startswith("Open with")

    card.get_by_role("link", name="Edit the cue card").click()
    box = page.get_by_label("Cue card bullets")
    box.fill("x" * 1300)
    assert len(box.input_value()) == 1200  # the browser stops at the limit the server enforces
    page.get_by_text("at most 1200 characters in all").wait_for()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/story-cue-card-form.png", full_page=True)
    page.get_by_role("button", name="Reset to the draft").click()
    page.locator("#story-cue-card").get_by_text("Drafted from your sections").wait_for()
    assert Story.objects.get(pk=story.pk).cue_card == ""
    assert page.console_errors == []


def test_the_practice_card_lists_the_recordings_with_the_best_take(page):
    user = log_in(page)
    story = StoryFactory(owner=user, title="Checkout rescue")
    session = PracticeSessionFactory(owner=user)
    for position, best in ((1, True), (2, False)):
        answer = AnswerFactory(session=session, story=story, position=position, answered=True)
        Recording.objects.create(
            owner=user,
            answer=answer,
            story=story,
            mime_type="audio/wav",
            status=Recording.Status.ANALYSED,
            figures=figures_for(wpm=140.0 + position),
            is_best_take=best,
        )
    page.goto(story.get_absolute_url())
    practice = page.locator("#story-practice")
    practice.get_by_test_id("recording").first.wait_for()  # loaded by htmx
    assert practice.get_by_test_id("recording").count() == 2
    assert practice.get_by_test_id("best-take").count() == 1
    assert practice.get_by_role("button", name="Mark as best take").count() == 1
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/story-recordings.png", full_page=True)
    assert page.console_errors == []
