"""The whole journey of a new user, as one flow, at desktop and at phone width.

Sign up; write a story from a template while the coach's red flags change as it is fixed;
tag it; find it in the coverage matrix; run a two-question practice session against the
clock and rate it; export the bank as JSON and import it into a second account. Each step
checks what the user sees. At phone width the navigation is collapsed behind "Toggle
navigation", so every trip through it opens it first.
"""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from stories.models import StoryTemplate
from stories.review import Review, review_story
from stories.star import sections_from_answers

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-and-unusual-passphrase"
TITLE = "Faster route planning before peak"

# The Technical direction template's fields, first as a weak draft: "we" in the Action
# and a Result without a number.
DRAFT = {
    "context": (
        "I joined the routing team at a parcel-delivery startup three weeks before peak "
        "season, just after two senior engineers had left."
    ),
    "problem": (
        "Overnight route planning overran its window, so vans started the day on stale "
        "routes, and the peak-season deadline could not move."
    ),
    "diagnosis": "We profiled a production run and we found the time went on a distance matrix.",
    "solution": "We proposed caching the matrix instead of buying a faster solver licence.",
    "buy_in": "We replayed two weeks of history through both versions to convince the doubters.",
    "timeline_and_coordination": "We shipped it behind a flag with the operations team.",
    "outcome": "Planning got much faster and the drivers were happier.",
    "learning": "I learned to measure before I accept the team's explanation of a slow system.",
}
# ...and the fixes the coach asks for: "I" for what I did, a number in the Result.
FIXES = {
    "diagnosis": (
        "I profiled a full production run and found that 70% of the time went on rebuilding "
        "a distance matrix that barely changed from day to day."
    ),
    "solution": (
        "I proposed caching the matrix and recomputing only the cells for new addresses, "
        "instead of buying a faster solver licence."
    ),
    "buy_in": (
        "The team doubted a cache could keep routes accurate, so I replayed two weeks of "
        "history through both versions and showed the costs matched within 0.1%."
    ),
    "timeline_and_coordination": (
        "I shipped it behind a flag over two sprints and ran the rollout with the "
        "operations lead, one depot at a time."
    ),
    "outcome": (
        "Planning fell from 5.5 hours to 3 hours, so every van left on the day's routes "
        "through peak."
    ),
}


class Journey:
    """One user's browser, at one width, with the steps the flow repeats."""

    def __init__(self, page: Page, *, phone: bool):
        self.page = page
        self.phone = phone
        self.errors: list[str] = []
        page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open_navigation(self) -> None:
        if self.phone:
            toggle = self.page.get_by_role("button", name="Toggle navigation")
            expect(toggle).to_be_visible()
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            # Bootstrap slides the menu open; a click while it moves can miss.
            expect(self.page.locator(".navbar-collapse.show")).to_have_count(1)
            expect(self.page.locator(".navbar-collapse.collapsing")).to_have_count(0)

    def navigate(self, link: str) -> None:
        self.open_navigation()
        nav = self.page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name=link, exact=True).click()

    def account_menu(self, item: str) -> None:
        self.open_navigation()
        account = self.page.get_by_test_id("account-menu")
        account.click()
        expect(account).to_have_attribute("aria-expanded", "true")
        menu = self.page.locator(".dropdown-menu")
        menu.get_by_role("link", name=item).or_(menu.get_by_role("button", name=item)).click()

    def sign_up(self, email: str) -> None:
        page = self.page
        page.goto("/")
        self.navigate("Sign up")
        expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
        page.get_by_label("Email").fill(email)
        page.locator("input[name=password1]").fill(PASSWORD)
        page.locator("input[name=password2]").fill(PASSWORD)
        page.get_by_role("button", name="Sign Up").click()
        expect(page.get_by_role("heading", name="Your story bank")).to_be_visible()
        expect(page.get_by_test_id("account-menu")).to_have_text(email)
        expect(page.get_by_test_id("result-count")).to_have_text("0 stories")
        expect(page.get_by_text("No stories yet.")).to_be_visible()

    def log_out(self) -> None:
        self.account_menu("Log out")
        expect(self.page.get_by_test_id("account-menu")).to_have_count(0)
        expect(self.page.get_by_role("link", name="Create your free account")).to_be_visible()


def expected_review(template: StoryTemplate, texts: dict[str, str]) -> Review:
    """What the coach should say about these answers, with the template's pre-ticked themes."""
    answers = [
        {"key": field.key, "section": field.section, "text": texts[field.key]}
        for field in template.fields.all()
    ]
    themes = [theme.slug for theme in template.themes.all()]
    return review_story(sections_from_answers(answers), themes)


def expect_coach_shows(page: Page, review: Review) -> None:
    """The coach panel shows this verdict: the same words counted (so it has read the whole
    text, not a debounced half), the same score, the same red flags."""
    coach = page.get_by_test_id("coach")
    expect(coach).to_contain_text(f"({review.word_count} words;")
    expect(coach.get_by_test_id("score")).to_have_text(f"{review.score}/100")
    expect(coach.get_by_test_id("speaking-time")).to_have_text(f"{review.speaking_seconds} s")
    expect(coach.locator("[data-code]")).to_have_count(len(review.codes))
    shown = coach.locator("[data-code]").evaluate_all("items => items.map(i => i.dataset.code)")
    assert shown == review.codes


def write_story_with_the_coach(journey: Journey) -> None:
    page = journey.page
    page.get_by_role("link", name="New story").click()
    expect(page.get_by_role("heading", name="Choose a template")).to_be_visible()
    page.get_by_role("link", name="Technical direction").click()
    expect(page.get_by_role("heading", name="New story")).to_be_visible()
    expect(page.get_by_text("Template: Technical direction")).to_be_visible()

    template = StoryTemplate.objects.get(slug="technical-direction")
    keys = [field.key for field in template.fields.all()]
    assert sorted(keys) == sorted(DRAFT)
    coach = page.get_by_test_id("coach")
    expect(coach.get_by_test_id("score")).to_have_text("0/100")  # reviewed on load, empty

    page.get_by_label("Title").fill(TITLE)
    for key in keys:
        page.locator(f"[name=answer_{key}]").fill(DRAFT[key])
    # The live review (debounced 600 ms) flags the "we" and the missing number.
    weak = expected_review(template, DRAFT)
    assert {"we_not_i", "vague_outcome"} <= set(weak.codes)
    expect_coach_shows(page, weak)
    expect(coach.locator('[data-code="we_not_i"]')).to_contain_text("we")

    for key, text in FIXES.items():
        page.locator(f"[name=answer_{key}]").fill(text)
    fixed = expected_review(template, {**DRAFT, **FIXES})
    assert not {"we_not_i", "vague_outcome"} & set(fixed.codes)
    assert fixed.score > weak.score
    expect_coach_shows(page, fixed)
    coach.get_by_text("Preview the whole story").click()
    expect(coach.get_by_test_id("narrative")).to_contain_text("Planning fell from 5.5 hours")

    # The template's suggested tags are ticked already; add a level.
    expect(page.get_by_label("Dive Deep")).to_be_checked()
    page.get_by_label("Senior").check()
    page.get_by_label("Core theme").select_option(label="Technical complexity")
    page.get_by_role("button", name="Save story").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="is in your bank")).to_be_visible()
    expect(page.get_by_role("heading", name="Action")).to_be_visible()
    # The section as written (the cue card below quotes it too).
    expect(
        page.get_by_role("paragraph").filter(has_text="I profiled a full production run")
    ).to_be_visible()
    expect(page.locator('[data-code="we_not_i"]')).to_have_count(0)


def tag_inline(journey: Journey) -> None:
    page = journey.page
    page.evaluate("window.__sameStoryPage = true")
    tagged = page.get_by_test_id("tagged-principles")
    expect(tagged.get_by_role("button", name="Remove Dive Deep")).to_be_visible()
    page.get_by_text("Add a principle").click()
    page.get_by_role("button", name="+ Frugality").click()
    expect(tagged.get_by_role("button", name="Remove Frugality")).to_be_visible()
    page.get_by_text("Add a theme").click()
    page.get_by_role("button", name="+ Cross-team collaboration").click()
    expect(
        page.get_by_test_id("tagged-themes").get_by_role(
            "button", name="Remove Cross-team collaboration"
        )
    ).to_be_visible()
    assert page.evaluate("window.__sameStoryPage") is True  # no reload: htmx swapped the tags


def find_it_in_coverage(journey: Journey) -> None:
    page = journey.page
    journey.navigate("Coverage")
    expect(page.get_by_role("heading", name="Coverage", exact=True)).to_be_visible()
    # A draft does not count by default; the switch counts it.
    expect(page.get_by_test_id("left-out")).to_contain_text("Left out: 1 draft")
    gaps = page.get_by_test_id("gaps")
    expect(gaps).to_contain_text("No story yet for Frugality")
    page.get_by_role("link", name="Count drafts and flagged stories too").click()
    expect(page.get_by_role("link", name="Count only ready stories")).to_be_visible()
    expect(gaps).to_contain_text("No story yet for Customer Obsession")
    expect(gaps).not_to_contain_text("No story yet for Frugality")
    # One story fills one core theme: its own. A second theme tagged on it is named, not filled.
    expect(gaps).not_to_contain_text("Technical complexity")
    expect(gaps).to_contain_text(
        "Cross-team collaboration: none yet — tagged on 1 story that fills another theme"
    )
    expect(page.get_by_text("1 of 8 stories")).to_be_visible()
    principles = page.get_by_test_id("grid-principle")
    expect(principles.get_by_role("link", name="1 story for Frugality")).to_be_visible()
    expect(principles.get_by_role("link", name="0 stories for Customer Obsession")).to_be_visible()
    principles.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()


def answer(page: Page, *, rating: str, notes: str) -> None:
    """Tell the story against the clock, stop it, rate it."""
    page.get_by_label(TITLE).check()
    page.get_by_role("button", name="Start", exact=True).click()
    timer = page.get_by_test_id("timer")
    expect(timer).to_have_attribute("role", "timer")
    expect(timer).to_have_class(re.compile(r"\btimer-under\b"))
    expect(page.get_by_test_id("countdown")).to_be_visible()
    expect(page.get_by_text(f"Telling: {TITLE}")).to_be_visible()
    first_reading = timer.inner_text()
    expect(timer).not_to_have_text(first_reading, timeout=3_000)  # the clock runs
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("band-verdict")).to_have_text("Under the band of 2:00–3:00.")
    expect(page.get_by_test_id("answer-time")).to_have_text(re.compile(r"^0:0[0-9]$"))
    page.get_by_label('I said "I" rather than "we"').check()
    page.get_by_label("I gave a number in the result").check()
    page.get_by_label(rating).check()
    page.get_by_label("Notes: what to say differently next time").fill(notes)
    page.get_by_role("button", name="Save rating").click()


def practise_two_questions(journey: Journey) -> None:
    page = journey.page
    journey.navigate("Practice")
    expect(page.get_by_role("heading", name="Practice", exact=True)).to_be_visible()
    summary = page.get_by_test_id("settings-summary")
    expect(summary).to_contain_text("5 per session")
    page.get_by_role("link", name="Change settings").click()
    page.get_by_label("Questions per session").fill("2")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Practice settings saved.")).to_be_visible()
    expect(summary).to_contain_text("2 per session")
    expect(summary).to_contain_text("2:00–3:00")

    page.get_by_role("button", name="Start practising").click()
    progress = page.get_by_test_id("progress")
    expect(progress).to_have_text("Question 1 of 2")
    expect(page.get_by_test_id("question-text")).not_to_be_empty()
    expect(page.get_by_test_id("budget")).to_contain_text("Action ≈ 60%")
    answer(page, rating="4 – good", notes="Open with the 5.5 hours to 3 hours.")

    expect(progress).to_have_text("Question 2 of 2")
    answer(page, rating="3 – acceptable", notes="Name the doubters' objection sooner.")

    expect(page.get_by_role("heading", name="All 2 questions answered")).to_be_visible()
    page.get_by_role("button", name="Finish and see the summary").click()
    expect(page.get_by_role("heading", name=re.compile("Session summary"))).to_be_visible()
    expect(page.get_by_test_id("session-status")).to_have_text("Finished")
    rows = page.get_by_test_id("summary-row")
    expect(rows).to_have_count(2)
    for row, rating, notes in [
        (rows.nth(0), "4/5", "Open with the 5.5 hours"),
        (rows.nth(1), "3/5", "Name the doubters' objection"),
    ]:
        expect(row).to_contain_text(TITLE)
        expect(row).to_contain_text("under band")
        expect(row).to_contain_text(rating)
        expect(row).to_contain_text(notes)

    # The story's page now says it was practised.
    journey.navigate("Story bank")
    page.get_by_test_id("story").filter(has_text=TITLE).click()
    expect(page.get_by_test_id("practice-summary")).to_contain_text("Practised 2 times")


def export_json(journey: Journey, tmp_path) -> object:
    page = journey.page
    journey.account_menu("Your data")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    expect(page.get_by_text("Your bank holds 1 story.")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download JSON").click()
    download = info.value
    assert re.fullmatch(r"story-bank-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["format"] == "storybank/1"
    [story] = document["stories"]
    assert story["title"] == TITLE
    assert "frugality" in story["principles"]
    assert "cross-team-collaboration" in story["themes"]
    [session] = document["practice"]["sessions"]
    assert [a["rating"] for a in session["answers"]] == [4, 3]
    return saved


def import_into_second_account(journey: Journey, saved) -> None:
    page = journey.page
    journey.account_menu("Your data")
    expect(page.get_by_text("Your bank holds 0 stories.")).to_be_visible()
    page.get_by_label("Story Bank export (.json)").set_input_files(saved)
    page.get_by_role("button", name="Import the export").click()
    expect(page.get_by_role("heading", name="Your story bank")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Imported 1 story, 1 practice session")
    expect(page.get_by_test_id("result-count")).to_have_text("1 story")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(
        page.get_by_role("paragraph").filter(has_text="Planning fell from 5.5 hours to 3 hours")
    ).to_be_visible()
    tagged = page.get_by_test_id("tagged-principles")
    expect(tagged.get_by_role("button", name="Remove Frugality")).to_be_visible()
    expect(page.get_by_test_id("practice-summary")).to_contain_text("Practised 2 times")


def run_the_journey(page: Page, tmp_path, *, phone: bool) -> None:
    journey = Journey(page, phone=phone)
    journey.sign_up("ada@example.com")
    write_story_with_the_coach(journey)
    tag_inline(journey)
    find_it_in_coverage(journey)
    practise_two_questions(journey)
    saved = export_json(journey, tmp_path)
    journey.log_out()

    journey.sign_up("bob@example.com")
    import_into_second_account(journey, saved)
    # No CSP violation (inline script or style) and no script error anywhere on the way.
    assert journey.errors == []


def test_journey_at_desktop_width(page, tmp_path):
    run_the_journey(page, tmp_path, phone=False)


def test_journey_at_phone_width(phone_page, tmp_path):
    assert phone_page.viewport_size == {"width": 390, "height": 844}
    run_the_journey(phone_page, tmp_path, phone=True)
