"""A signed-in user runs a two-question practice session in a real browser, clock included."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practice.models import Answer, PracticeSession
from principles.models import Principle
from tests.conftest import PASSWORD
from tests.factories import PracticeSettingsFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.e2e

EMAIL = "practiser@example.com"


def log_in(page):
    user = UserFactory(email=EMAIL, password=PASSWORD)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/bank/")
    return user


def running_answer() -> Answer:
    return Answer.objects.get(started_at__isnull=False, stopped_at__isnull=True)


def started_ago(seconds: int) -> None:
    """As if Start had been pressed `seconds` ago: the server's record is what the clock shows."""
    Answer.objects.filter(pk=running_answer().pk).update(
        started_at=timezone.now() - timedelta(seconds=seconds)
    )


def timer_seconds(page) -> int:
    minutes, seconds = page.get_by_test_id("timer").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def rate(page, *, rating: str, notes: str) -> None:
    page.get_by_label('I said "I" rather than "we"').check()
    page.get_by_label("I gave a number in the result").check()
    page.get_by_label(rating).check()
    page.get_by_label("Notes: what to say differently next time").fill(notes)
    page.get_by_role("button", name="Save rating").click()


def test_two_question_session_end_to_end(page):
    user = log_in(page)
    PracticeSettingsFactory(user=user, questions_per_session=2)
    StoryFactory(
        owner=user,
        title="Checkout fallback",
        status="polished",
        principles=list(Principle.objects.all()),
    )

    page.goto("/practice/")
    page.get_by_role("button", name="Start practising").click()
    progress = page.get_by_test_id("progress")
    expect(progress).to_have_text("Question 1 of 2")
    expect(page.get_by_test_id("budget")).to_contain_text("Action ≈ 60%")
    # The best-fitting story is suggested and chosen already.
    expect(page.get_by_label("Checkout fallback")).to_be_checked()

    # Start: the clock runs in the browser from the server's start instant.
    page.get_by_role("button", name="Start", exact=True).click()
    timer = page.get_by_test_id("timer")
    expect(timer).to_have_class(re.compile(r"\btimer-under\b"))
    first_reading = timer_seconds(page)
    expect(timer).not_to_have_text(timer.inner_text(), timeout=3000)
    assert timer_seconds(page) > first_reading
    session = PracticeSession.objects.get(owner=user)

    # A reload keeps the server's start; the clock turns amber at the band's start...
    started_ago(117)
    page.reload()
    assert timer_seconds(page) >= 117
    expect(timer).to_have_class(re.compile(r"\btimer-amber\b"), timeout=5000)
    expect(page.get_by_test_id("countdown")).to_contain_text("Inside the band")
    expect(page.get_by_test_id("timer-announce")).to_have_text("You are inside the target band.")

    # ...and red past its end, and keeps counting.
    started_ago(177)
    page.reload()
    expect(timer).to_have_class(re.compile(r"\btimer-red\b"), timeout=5000)
    expect(page.get_by_test_id("countdown")).to_contain_text("Over the band by")
    expect(page.get_by_test_id("timer-announce")).to_have_text(
        "You are past the end of the target band."
    )

    page.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("band-verdict")).to_have_text("Over the band of 2:00–3:00.")
    first = session.answers.get(position=1)
    assert first.duration_seconds >= 180
    expect(page.get_by_test_id("answer-time")).to_have_text(
        f"{first.duration_seconds // 60}:{first.duration_seconds % 60:02d}"
    )
    rate(page, rating="4 – good", notes="Open with the $60k number.")

    # Second question: quick, so under the band.
    expect(progress).to_have_text("Question 2 of 2")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(timer).to_be_visible()
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("band-verdict")).to_have_text("Under the band of 2:00–3:00.")
    rate(page, rating="3 – acceptable", notes="Too short: add the obstacle.")

    expect(page.get_by_role("heading", name="All 2 questions answered")).to_be_visible()
    page.get_by_role("button", name="Finish and see the summary").click()

    expect(page.get_by_role("heading", name=re.compile("Session summary"))).to_be_visible()
    rows = page.get_by_test_id("summary-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Checkout fallback")
    expect(rows.nth(0)).to_contain_text("over band")
    expect(rows.nth(0)).to_contain_text("4/5")
    expect(rows.nth(0)).to_contain_text("Open with the $60k number.")
    expect(rows.nth(1)).to_contain_text("under band")
    expect(rows.nth(1)).to_contain_text("3/5")
    expect(page.get_by_test_id("session-status")).to_have_text("Finished")

    # Progress: the history page charts it.
    page.get_by_role("link", name="Practice history").click()
    expect(page.get_by_role("img", name="Answer times against the target band")).to_be_visible()
    summaries = page.get_by_test_id("chart-summary")
    expect(summaries.nth(0)).to_contain_text("2 timed answers, 0 inside the band")
    expect(summaries.nth(2)).to_have_text("1 of 1 story practised at least once.")
    # No CSP violation (inline script or style) or script error on the way.
    assert page.console_errors == []
