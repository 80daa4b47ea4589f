"""Two tabs edit one story: the second save shows both texts and loses nothing."""

import pytest

from principles.models import Theme
from stories.models import Story
from tests.e2e.helpers import log_in
from tests.factories import StoryFactory

pytestmark = pytest.mark.e2e


def mentorship() -> Theme:
    """A core theme for the stories edited here: the story form requires one."""
    return Theme.objects.get(slug="mentorship")


def test_second_tab_sees_both_versions_and_keeps_mine(page):
    user = log_in(page)
    story = StoryFactory(owner=user, title="Checkout fallback", core_theme=mentorship())
    edit_url = f"/bank/{story.pk}/edit/"

    other_tab = page.context.new_page()
    other_tab.goto(edit_url)
    page.goto(edit_url)

    other_tab.locator("[name=answer_result]").fill("Failures fell to 0.4% in four weeks (tab one).")
    other_tab.get_by_role("button", name="Save changes").click()
    other_tab.get_by_text("Saved.").wait_for()

    page.locator("[name=answer_result]").fill("Failures fell to 0.3% in three weeks (tab two).")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_test_id("conflict").wait_for()
    assert "tab one" in page.get_by_test_id("theirs-result").inner_text()
    assert "tab two" in page.get_by_test_id("mine-result").inner_text()
    assert "tab one" in Story.objects.get(pk=story.pk).result

    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved.").wait_for()
    assert "tab two" in Story.objects.get(pk=story.pk).result

    page.get_by_role("link", name="History").click()
    rows = page.get_by_test_id("revisions").locator("tbody tr")
    assert rows.count() == 3  # tab one's save, tab two's kept conflict, tab two's save


def test_autosaved_draft_survives_a_reload(page):
    user = log_in(page)
    story = StoryFactory(owner=user, core_theme=mentorship())
    page.goto(f"/bank/{story.pk}/edit/")
    page.locator("[name=answer_learning]").fill("A lesson typed just before the laptop died.")
    page.get_by_test_id("autosave-status").filter(has_text="Draft kept at").wait_for(timeout=15_000)
    page.reload()
    page.get_by_test_id("draft-notice").wait_for()
    assert (
        page.locator("[name=answer_learning]").input_value()
        == "A lesson typed just before the laptop died."
    )
    assert "laptop died" not in Story.objects.get(pk=story.pk).learning
