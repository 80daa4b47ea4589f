"""Writing a story from the Technical direction template, with the live coach,
then finding it through the coverage matrix."""

import pytest

from stories.models import StoryTemplate
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e


def test_write_story_from_template_and_find_it_in_coverage(page):
    log_in(page)
    page.get_by_role("link", name="New story").click()
    page.get_by_role("link", name="Technical direction").click()
    page.get_by_role("heading", name="New story").wait_for()

    template = StoryTemplate.objects.get(slug="technical-direction")
    fields = list(template.fields.all())
    # Hints and examples sit beside the fields.
    assert page.get_by_text(fields[0].hint).is_visible()

    page.get_by_label("Title").fill("Fallback payments at a grocer")
    action_fields = [f for f in fields if f.section == "action"]
    for field in fields:
        page.locator(f"[name=answer_{field.key}]").fill(f"It was about {field.label.lower()}.")

    coach = page.get_by_test_id("coach")
    for field in action_fields:
        page.locator(f"[name=answer_{field.key}]").fill(
            "We decided to replace the vendor. We built it."
        )
    coach.locator('[data-code="we_not_i"]').wait_for()
    for field in action_fields:
        page.locator(f"[name=answer_{field.key}]").fill(
            "I decided to replace the vendor and I built it."
        )
    coach.locator('[data-code="we_not_i"]').wait_for(state="detached")

    # The template's suggested tags are pre-ticked; add a level.
    assert page.get_by_label("Dive Deep").is_checked()
    page.get_by_label("Senior").check()
    page.get_by_label("Core theme").select_option(label="Technical complexity")
    page.get_by_role("button", name="Save story").click()
    page.get_by_role("heading", name="Fallback payments at a grocer").wait_for()

    # Tag a principle inline, without a reload.
    page.evaluate("window.__marker = 1")
    page.get_by_text("Add a principle").click()
    page.get_by_role("button", name="+ Frugality").click()
    page.get_by_role("button", name="Remove Frugality").wait_for()
    assert page.evaluate("window.__marker") == 1

    page.get_by_role("link", name="Coverage").click()
    page.get_by_role("heading", name="Coverage").wait_for()
    # A new story is a draft: it counts only with the switch on.
    page.get_by_role("link", name="Count drafts and flagged stories too").click()
    page.get_by_role("link", name="Count only ready stories").wait_for()
    assert "No story yet for Frugality" not in page.get_by_test_id("gaps").inner_text()
    assert "No story yet for Customer Obsession" in page.get_by_test_id("gaps").inner_text()
    page.get_by_test_id("grid-principle").get_by_role(
        "link", name="Fallback payments at a grocer"
    ).click()
    page.get_by_role("heading", name="Fallback payments at a grocer").wait_for()
    assert page.console_errors == []


def test_bank_filters_update_list_and_url(page):
    from principles.models import Theme
    from tests.factories import StoryFactory

    user = log_in(page)
    StoryFactory(owner=user, title="Mentoring Sam", themes=[Theme.objects.get(slug="mentorship")])
    StoryFactory(owner=user, title="Outage night")
    page.goto("/bank/")
    assert page.get_by_test_id("story").count() == 2
    page.get_by_label("Theme").select_option(label="Mentorship")
    page.wait_for_url("**theme=mentorship**")
    page.get_by_test_id("result-count").filter(has_text="1 story").wait_for()
    assert page.get_by_test_id("story").all_inner_texts()[0].startswith("Mentoring Sam")


def test_bank_pages_keep_the_filters_without_a_reload(page):
    from principles.models import Theme
    from tests.factories import StoryFactory

    user = log_in(page)
    mentorship = Theme.objects.get(slug="mentorship")
    StoryFactory.create_batch(26, owner=user, themes=[mentorship])
    StoryFactory(owner=user, title="Outage night")
    page.goto("/bank/?theme=mentorship")
    assert page.get_by_test_id("story").count() == 25
    page.evaluate("window.__marker = 'same page'")
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**theme=mentorship&page=2")
    page.get_by_text("Page 2 of 2").wait_for()
    assert page.get_by_test_id("story").count() == 1
    assert page.evaluate("window.__marker") == "same page"  # htmx swapped the results
    assert page.get_by_label("Theme").input_value() == "mentorship"
    page.go_back()
    page.get_by_text("Page 1 of 2").wait_for()
    assert page.console_errors == []


def test_principles_grid_fits_1280_px_without_cutting_columns(browser, live_server, reference_data):
    from principles.models import Principle, Theme
    from stories.models import Story
    from tests.conftest import open_page
    from tests.factories import StoryFactory

    context, page = open_page(browser, live_server, viewport={"width": 1280, "height": 900})
    try:
        user = log_in(page)
        principles = list(Principle.objects.all())
        for i in range(4):
            story = StoryFactory(
                owner=user,
                title=f"A fairly long story title about the payments fallback, part {i}",
                status=Story.Status.READY,
                core_theme=Theme.objects.all()[i],
                principles=principles[i * 3 : i * 3 + 5],
            )
            Story.objects.filter(pk=story.pk).update(score=90)
        page.goto("/bank/coverage/")
        grid = page.get_by_test_id("grid-principle")
        headers = grid.locator("thead th")
        assert headers.count() == 1 + len(principles)
        last = headers.last
        # The full name stays available though the heading stands on end.
        assert last.get_attribute("title") == principles[-1].name
        box = last.bounding_box()
        region = grid.locator("xpath=..").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
        assert box["x"] + box["width"] <= region["x"] + region["width"] + 1  # not scrolled away
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        # Assigned cells are marked apart from mere tags.
        assert grid.locator(".coverage-cell-assigned").count() > 0
        assert grid.locator(".coverage-cell-tagged").count() > 0
        assert page.console_errors == []
    finally:
        context.close()
