"""A signed-in user filters the catalogue and the question bank in the browser."""

import pytest

from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e


def test_filter_question_bank_by_level_and_search(page):
    log_in(page)
    page.goto("/catalogue/questions/")
    total = int(page.get_by_test_id("result-count").inner_text().split()[0])
    assert total >= 96

    page.get_by_label("Level").select_option(label="Staff/Principal")
    page.wait_for_url("**level=staff**")
    staff = int(page.get_by_test_id("result-count").inner_text().split()[0])
    assert 25 <= staff < total
    assert page.locator('[data-testid="question"] .badge.text-bg-primary').all_inner_texts() == [
        "Staff/Principal"
    ] * min(staff, 20)

    page.get_by_label("Search").fill("strategy")
    page.wait_for_url("**q=strategy**")
    page.get_by_text("Describe your approach to technical strategy.").wait_for()
    assert page.console_errors == []


def test_catalogue_text_filter_without_reload(page):
    log_in(page)
    page.goto("/catalogue/")
    assert page.get_by_test_id("principle-card").count() == 16
    page.evaluate("window.__marker = 'same page'")
    page.get_by_label("Filter the catalogue").fill("backbone")
    page.wait_for_url("**q=backbone**")
    page.get_by_test_id("principle-count").filter(has_text="1").wait_for()
    assert page.get_by_test_id("principle-card").count() == 1
    assert page.evaluate("window.__marker") == "same page"  # no full reload


def test_principle_page_loads_the_users_own_stories(page):
    from principles.models import Principle
    from tests.factories import StoryFactory

    user = log_in(page)
    StoryFactory(
        owner=user, title="Cheap and cheerful", principles=[Principle.objects.get(slug="frugality")]
    )
    page.goto("/catalogue/principles/frugality/")
    stories = page.get_by_test_id("my-stories")
    stories.get_by_role("link", name="Cheap and cheerful").wait_for()
    page.get_by_role("link", name="See your stories tagged Frugality").click()
    page.get_by_role("heading", name="Your stories for Frugality").wait_for()
    assert page.get_by_test_id("my-stories").get_by_role("link").all_inner_texts() == [
        "Cheap and cheerful"
    ]
    assert page.console_errors == []
