"""A signed-in user plans a five-interviewer Amazon loop in a real browser: a proposed
split, the plan, a pin and an exclusion re-planned at once by htmx, and the sheet printed
one page per interviewer."""

import re

import pytest
from django.urls import reverse

from practice.models import Loop, LoopExclusion, LoopPin
from principles.models import Principle
from tests.e2e.helpers import log_in
from tests.factories import StoryFactory

pytestmark = pytest.mark.e2e

INTERVIEWERS = ["Hiring manager", "Bar raiser", "Peer engineer", "Manager", "Director"]


def bank(user) -> None:
    """Twelve stories, one per principle, the last four principles left without one."""
    for principle in Principle.objects.order_by("order", "pk")[:12]:
        StoryFactory(owner=user, title=f"{principle.name} story", principles=[principle])


def primaries(page) -> list[str]:
    return page.get_by_test_id("primary").all_inner_texts()


def test_plan_a_five_interviewer_amazon_loop_pin_exclude_and_print(page):
    user = log_in(page, "planner@example.com")
    bank(user)

    # From Practice to a new loop; the principles are unknown, so a split is proposed.
    page.goto(reverse("practice:home"))
    page.get_by_role("link", name="Your loops").click()
    page.get_by_role("link", name="Plan a new loop").click()
    page.get_by_label("Company").fill("Amazon")
    page.get_by_label("Date").fill("2026-12-14")
    page.get_by_label("Target level").select_option("senior")
    for i, name in enumerate(INTERVIEWERS):
        page.locator(f"#id_interviewers-{i}-name").fill(name)
    page.get_by_role("button", name="Propose a typical split").click()
    page.get_by_text("A typical split is filled in below").wait_for()
    ticked = [
        page.locator(f'input[name="interviewers-{i}-principles"]:checked').count() for i in range(5)
    ]
    assert ticked == [4, 3, 3, 3, 3]
    page.get_by_role("button", name="Save and plan").click()
    page.get_by_test_id("plan").wait_for()
    loop = Loop.objects.get(owner=user)
    assert page.url.endswith(loop.get_absolute_url())

    # Every slot has a story or a named gap with its ways out; no story is a primary twice.
    sections = page.get_by_test_id("interviewer")
    assert sections.count() == 5
    assert sections.all_inner_texts()[1].startswith("Bar raiser")
    assert page.get_by_test_id("slot").count() == 16
    planned = primaries(page)
    assert len(planned) == 12 and len(set(planned)) == 12
    gaps = page.get_by_test_id("gap")
    assert gaps.count() == 4
    assert (
        gaps.first.get_by_role("link", name="Write a new story")
        .get_attribute("href")
        .startswith(reverse("stories:new") + "?principle=")
    )
    page.get_by_text("4 gaps in this loop").wait_for()

    # Pin a story to another slot: htmx plans again at once, without a page load.
    page.evaluate("window.stillThisPage = true")
    ownership = page.locator('[data-testid="slot"][data-principle="ownership"]')
    interviewer = ownership.locator("xpath=ancestor::section").get_by_role("heading", level=2)
    label = f"Story to pin for Ownership, {interviewer.inner_text()}"
    page.get_by_label(label).select_option(label="Frugality story")
    ownership.get_by_role("button", name="Pin").click()
    page.get_by_text("Pinned “Frugality story”; the rest is planned again.").wait_for()
    ownership = page.locator('[data-testid="slot"][data-principle="ownership"]')
    assert ownership.get_by_test_id("primary").inner_text() == "Frugality story"
    assert "pinned" in ownership.inner_text()
    assert page.evaluate("window.stillThisPage") is True
    assert primaries(page).count("Frugality story") == 1, "still a primary once"
    assert LoopPin.objects.get(loop=loop).story.title == "Frugality story"

    # Leave a story out: it is planned nowhere and listed to bring back.
    dive_deep = page.locator('[data-testid="slot"][data-principle="dive-deep"]')
    dive_deep.get_by_role("button", name="Leave “Dive Deep story” out").click()
    page.get_by_test_id("excluded").get_by_text("Dive Deep story").wait_for()
    assert "Dive Deep story" not in primaries(page)
    assert page.evaluate("window.stillThisPage") is True
    assert LoopExclusion.objects.filter(loop=loop, story__title="Dive Deep story").exists()

    # The loop sheet prints one page per interviewer, without the site around it.
    page.get_by_role("link", name="Loop sheet to print").click()
    page.get_by_role("button", name="Print or save as PDF").wait_for()
    sheets = page.get_by_test_id("sheet-page")
    assert sheets.count() == 5
    assert "Frugality story" in sheets.first.inner_text() or "Frugality story" in page.content()
    page.emulate_media(media="print")
    assert sheets.first.evaluate("e => getComputedStyle(e).breakAfter") == "page"
    pdf = page.pdf(format="A4")  # what "Save as PDF" writes
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 5
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.get_by_role("button", name="Print or save as PDF").is_visible()
    page.emulate_media(media="screen")
    assert page.console_errors == []
