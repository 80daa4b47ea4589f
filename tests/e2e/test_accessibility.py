"""Every page a user reaches, checked by axe-core for serious or critical accessibility
violations, at desktop and at phone width.

axe-core is vendored (tests/e2e/vendor/, no network) and injected with `page.evaluate`,
which runs through the DevTools protocol and is not subject to the page's
Content-Security-Policy; so the pages are checked exactly as served, under the real
`script-src 'self'` (an injected <script> tag would be refused by it).
"""

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from practice.models import PracticeSession
from principles.models import Kind, Level, Principle, Question, Theme
from stories.models import Story
from stories.services import record_revision, story_autosave_draft, story_snapshot
from stories.transfer.services import bank_export
from tests.conftest import PASSWORD
from tests.factories import (
    AnswerFactory,
    PracticeSessionFactory,
    PracticeSettingsFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.e2e

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    """The serious and critical violations axe-core finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: tags, resultTypes: ['violations']})", AXE_TAGS
    )
    return [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:10]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' > '.join(map(str, node['target']))}  — {summary[:200]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def sideways_overflow(page) -> list[str]:
    """The elements wider than the window, when the page scrolls sideways (WCAG 1.4.10,
    Reflow, which axe does not check): at 390 px everything should fit, tables scrolling
    inside their own box."""
    return page.evaluate(
        """width => document.documentElement.scrollWidth <= width ? [] :
        [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width)
            .slice(0, 10)
            .map(e => e.outerHTML.slice(0, 120))""",
        page.viewport_size["width"],
    )


def assert_accessible(page) -> None:
    # Each step has waited for what proves its page; let any htmx swap still running land.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"
    overflowing = sideways_overflow(page)
    assert not overflowing, f"{page.url} scrolls sideways:\n" + "\n".join(overflowing)


def signed_in(page, live_server):
    """A signed-in user, by session cookie. The login form is tested elsewhere, and
    posting it for each of these pages would run into allauth's login rate limit
    (30 a minute from one address, counted in the database cache, which outlives
    the per-test flush)."""
    user = UserFactory(email="reader@example.com", password=PASSWORD)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return user


# --- The data each page needs ---------------------------------------------------------


def tagged_story(user, title: str, **kwargs) -> Story:
    return StoryFactory(
        owner=user,
        title=title,
        status=kwargs.pop("status", "ready"),
        kind=Kind.objects.get(slug="technical"),
        principles=list(Principle.objects.filter(slug__in=["dive-deep", "ownership"])),
        themes=list(Theme.objects.filter(slug__in=["technical-complexity", "failure-recovery"])),
        levels=list(Level.objects.filter(slug="senior")),
        **kwargs,
    )


def flagged_story(user) -> Story:
    """A draft the coach has red flags against: "we", no number, no learning."""
    return StoryFactory(
        owner=user,
        title="Outage night",
        status="draft",
        action="We rolled back the release. We wrote a postmortem.",
        result="Things went well in the end.",
        learning="",
    )


def story_with_history(user) -> Story:
    story = tagged_story(user, "Checkout fallback")
    first = story_snapshot(story)
    first["sections"] = {**first["sections"], "result": "Failures fell a little."}
    record_revision(story, kind="save", snapshot=first)
    Story.objects.filter(pk=story.pk).update(version=2)
    story.refresh_from_db()
    record_revision(story, kind="save")
    return story


def senior_questions(count: int) -> list[Question]:
    return list(
        Question.objects.filter(level__slug="senior", is_active=True).order_by("pk")[:count]
    )


def session_with(user, *, states: list[str], status="active") -> PracticeSession:
    """A session whose answers are, in order, "rated", "stopped", "running" or "pending"."""
    story = tagged_story(user, "Checkout fallback")
    flagged_story(user)
    now = timezone.now()
    session = PracticeSessionFactory(
        owner=user,
        level=Level.objects.get(slug="senior"),
        started_at=now - timedelta(minutes=20),
        status=status,
        finished_at=now if status != "active" else None,
    )
    for position, (state, question) in enumerate(
        zip(states, senior_questions(len(states)), strict=True), start=1
    ):
        if state == "rated":
            AnswerFactory(
                session=session,
                question=question,
                position=position,
                answered=True,
                story=story,
                said_i=True,
                gave_number=True,
                notes="Open with the $60k number.",
            )
        elif state == "stopped":
            AnswerFactory(
                session=session,
                question=question,
                position=position,
                story=story,
                started_at=now - timedelta(seconds=200),
                stopped_at=now - timedelta(seconds=10),
                duration_seconds=190,
                within_band=False,
            )
        elif state == "running":
            AnswerFactory(
                session=session,
                question=question,
                position=position,
                story=story,
                started_at=now - timedelta(seconds=125),
            )
        else:
            AnswerFactory(session=session, question=question, position=position)
    return session


def csv_preview(page, user) -> None:
    tagged_story(user, "Checkout fallback")
    page.goto("/bank/transfer/")
    csv = (  # "owner" is not a column Story Bank reads: the preview warns about it.
        "title,situation,task,action,result,learning,principles,themes,owner\n"
        "Checkout fallback,Payments failed.,Fix it in six weeks.,I traced every failure.,"
        "Failures fell to 0.4%.,Lead with money.,Dive Deep,Technical complexity,me\n"
        "Mentoring Sam,Sam was new.,Grow him.,I paired with him weekly.,"
        "He led a launch in 3 months.,Teach by doing.,Hire and Develop the Best,Mentorship,me\n"
    )
    page.get_by_label("Story matrix (.csv, UTF-8)").set_input_files(
        files=[{"name": "stories.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    page.get_by_role("button", name="Preview the stories").click()
    page.get_by_role("heading", name="2 stories will be created").wait_for()
    page.get_by_test_id("ignored-columns").wait_for()


def import_unknown_tags(page, user) -> None:
    other = UserFactory()
    tagged_story(other, "Checkout fallback")
    document = bank_export(user=other)
    document["stories"][0]["principles"].append("no-such-principle")
    page.goto("/bank/transfer/")
    page.get_by_label("Story Bank export (.json)").set_input_files(
        files=[
            {
                "name": "bank.json",
                "mimeType": "application/json",
                "buffer": json.dumps(document).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Import the export").click()
    page.get_by_role("heading", name="Some tags are not on this server").wait_for()


def import_problems(page, user) -> None:
    page.goto("/bank/transfer/")
    page.get_by_label("Story Bank export (.json)").set_input_files(
        files=[{"name": "bank.json", "mimeType": "application/json", "buffer": b"{not json"}]
    )
    page.get_by_role("button", name="Import the export").click()
    page.get_by_test_id("json-problems").wait_for()


def edit_conflict(page, user) -> None:
    story = tagged_story(user, "Checkout fallback")
    page.goto(f"/bank/{story.pk}/edit/")
    Story.objects.filter(pk=story.pk).update(version=story.version + 1)  # saved in another tab
    page.locator("[name=answer_result]").fill("Failures fell to 0.3% in three weeks.")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_test_id("conflict").wait_for()


def story_form(page, user) -> None:
    page.goto("/bank/new/technical-direction/")
    page.get_by_test_id("coach").wait_for()


def story_form_errors(page, user) -> None:
    page.goto("/bank/new/technical-direction/")
    page.get_by_role("button", name="Save story").click()
    page.get_by_text("Nothing was saved yet.").wait_for()
    page.get_by_test_id("coach").wait_for()


def story_form_draft(page, user) -> None:
    story = flagged_story(user)
    story_autosave_draft(
        owner=user,
        story=story,
        template=None,
        data={"title": "Outage night", "answer_result": "Typed just before the laptop died."},
        base_version=story.version,
    )
    page.goto(f"/bank/{story.pk}/edit/")
    page.get_by_test_id("draft-notice").wait_for()
    page.get_by_test_id("coach").wait_for()


def settings_errors(page, user) -> None:
    page.goto("/practice/settings/")
    page.get_by_label("Band start (seconds)").fill("300")
    page.get_by_label("Band end (seconds)").fill("200")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("The band must end after it starts (e.g. 120 to 180).").wait_for()


def account_deletion_errors(page, user) -> None:
    page.goto("/account/delete/")
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account and all my data").click()
    page.get_by_text("That is not your password. Nothing was deleted.").wait_for()


def story_edit_form(page, user) -> None:
    story = flagged_story(user)
    page.goto(f"/bank/{story.pk}/edit/")
    page.get_by_test_id("coach").locator('[data-code="we_not_i"]').wait_for()
    page.get_by_text("Preview the whole story").click()
    page.get_by_test_id("narrative").wait_for()


def heading(name: str) -> Callable:
    return lambda page: page.get_by_role("heading", name=name, exact=True)


def by_test_id(value: str) -> Callable:
    return lambda page: page.get_by_test_id(value).first


def visit(path: str | Callable, shows: Callable, setup: Callable | None = None) -> Callable:
    """A step that creates the page's data, opens the page and waits for what proves it is
    the page meant (a practice session, say, in the state named)."""

    def step(page, user):
        made = setup(user) if setup is not None else None
        page.goto(path(made) if callable(path) else path)
        shows(page).wait_for()

    return step


def many_stories(user):
    tagged_story(user, "Checkout fallback", status="polished")
    tagged_story(user, "Mentoring Sam")
    flagged_story(user)


def trashed(user):
    story = tagged_story(user, "Old vendor migration")
    Story.objects.filter(pk=story.pk).update(deleted_at=timezone.now() - timedelta(days=2))


def practised_story(user) -> Story:
    session = session_with(user, states=["rated"], status="finished")
    return session.answers.get().story


def practice_home_data(user):
    PracticeSettingsFactory(
        user=user, target_level=Level.objects.get(slug="senior"), target_company="Acme"
    )
    session_with(user, states=["rated", "pending"])
    session_with(user, states=["rated", "rated"], status="finished")


def recorded(user):
    """A stopped answer told aloud and analysed, with section marks: the review shows."""
    from practice.models import Recording
    from tests.factories import RecordingFactory
    from tests.practice.recordings import FIGURES

    session = session_with(user, states=["stopped", "pending"])
    answer = session.answers.get(position=1)
    return RecordingFactory(
        answer=answer,
        audio="x/answer.webm",
        size_bytes=10,
        recorded_ms=150_000,
        marks=[{"section": "situation", "at_ms": 0}, {"section": "action", "at_ms": 30_000}],
        status=Recording.Status.ANALYSED,
        figures=FIGURES,
    )


def session(*states: str, status: str = "active") -> Callable:
    return lambda user: session_with(user, states=list(states), status=status)


def at_url(made) -> str:
    return made.get_absolute_url()


def first_revision(story: Story) -> str:
    return f"/bank/{story.pk}/history/{story.revisions.order_by('pk').first().pk}/"


# Anonymous pages: (name, path, what shows it).
PUBLIC_PAGES = [
    ("home", "/", heading("Walk into your interview with eight stories that show you lead.")),
    ("signup", "/accounts/signup/", heading("Sign Up")),
    ("login", "/accounts/login/", heading("Sign In")),
    ("password reset", "/accounts/password/reset/", heading("Password Reset")),
]

# Signed-in pages: (name, step(page, user)).
SIGNED_IN_PAGES = [
    ("bank, empty", visit("/bank/", heading("Your story bank"))),
    ("bank, with stories", visit("/bank/", by_test_id("story"), many_stories)),
    ("bank, red flags", visit("/bank/?flags=with", by_test_id("story"), many_stories)),
    ("template picker", visit("/bank/new/", heading("Choose a template"))),
    ("story form", story_form),
    ("story form, errors", story_form_errors),
    ("story edit form", story_edit_form),
    ("story edit form, draft restored", story_form_draft),
    ("edit conflict", edit_conflict),
    ("story page", visit(at_url, heading("Outage night"), flagged_story)),
    ("story page, practised", visit(at_url, by_test_id("practice-summary"), practised_story)),
    (
        "history",
        visit(lambda s: f"/bank/{s.pk}/history/", by_test_id("revisions"), story_with_history),
    ),
    ("revision diff", visit(first_revision, by_test_id("diff"), story_with_history)),
    ("trash, empty", visit("/bank/trash/", heading("Trash"))),
    ("trash", visit("/bank/trash/", heading("Trash"), trashed)),
    (
        "delete confirmation",
        visit(lambda s: f"/bank/{s.pk}/delete/", heading("Delete “Outage night”?"), flagged_story),
    ),
    ("coverage, empty", visit("/bank/coverage/", heading("Coverage"))),
    ("coverage", visit("/bank/coverage/", by_test_id("grid-principle"), many_stories)),
    ("catalogue", visit("/catalogue/", heading("Catalogue"))),
    (
        "principle page",
        visit("/catalogue/principles/dive-deep/", by_test_id("my-stories"), many_stories),
    ),
    ("question bank", visit("/catalogue/questions/", heading("Question bank"))),
    ("practice home, new user", visit("/practice/", heading("Practice"))),
    ("practice home", visit("/practice/", by_test_id("active-sessions"), practice_home_data)),
    ("practice settings", visit("/practice/settings/", heading("Practice settings"))),
    ("practice settings, errors", settings_errors),
    (
        "session, choosing a story",
        visit(at_url, by_test_id("suggested-story"), session("pending", "pending")),
    ),
    ("session, timer running", visit(at_url, by_test_id("countdown"), session("rated", "running"))),
    ("session, rating", visit(at_url, by_test_id("band-verdict"), session("stopped", "pending"))),
    (
        "session, rating a recorded answer",
        visit(lambda r: r.answer.session.get_absolute_url(), by_test_id("verdicts"), recorded),
    ),
    (
        "recording review",
        visit(lambda r: f"/practice/recordings/{r.uuid}/", by_test_id("chapters"), recorded),
    ),
    (
        "session, all answered",
        visit(at_url, heading("All 2 questions answered"), session("rated", "rated")),
    ),
    (
        "session summary",
        visit(at_url, by_test_id("summary"), session("rated", "stopped", status="finished")),
    ),
    ("practice history, empty", visit("/practice/history/", heading("Practice history"))),
    (
        "practice history",
        visit(
            "/practice/history/",
            by_test_id("answers"),
            session("rated", "rated", status="finished"),
        ),
    ),
    ("your data", visit("/bank/transfer/", heading("Your data"), trashed)),
    ("csv preview", csv_preview),
    ("import, unknown tags", import_unknown_tags),
    ("import, problems", import_problems),
    (
        "cheat sheet",
        visit("/bank/transfer/cheat-sheet/", by_test_id("cheat-sheet-story"), many_stories),
    ),
    (
        "account deletion",
        visit("/account/delete/", heading("Delete your account"), many_stories),
    ),
    ("account deletion, wrong password", account_deletion_errors),
    ("email addresses", visit("/accounts/email/", heading("Email Addresses"))),
    ("change password", visit("/accounts/password/change/", heading("Change Password"))),
    ("two-factor authentication", visit("/accounts/2fa/", heading("Two-Factor Authentication"))),
    ("404", visit("/bank/999999/", heading("Page not found"))),
]

WIDTHS = {"desktop": "page", "phone": "phone_page"}


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def any_width_page(request):
    return request.getfixturevalue(WIDTHS[request.param])


@pytest.mark.parametrize(
    ("path", "shows"),
    [(path, shows) for _, path, shows in PUBLIC_PAGES],
    ids=[p[0] for p in PUBLIC_PAGES],
)
def test_public_page_has_no_serious_violation(any_width_page, path, shows):
    any_width_page.goto(path)
    shows(any_width_page).wait_for()
    assert_accessible(any_width_page)


@pytest.mark.parametrize(
    "step", [step for _, step in SIGNED_IN_PAGES], ids=[name for name, _ in SIGNED_IN_PAGES]
)
def test_signed_in_page_has_no_serious_violation(any_width_page, live_server, step):
    user = signed_in(any_width_page, live_server)
    step(any_width_page, user)
    assert_accessible(any_width_page)


def test_open_menus_and_details_have_no_serious_violation(any_width_page, live_server):
    """What is hidden until opened: the collapsed navigation, the account menu, the tag
    pickers."""
    page = any_width_page
    user = signed_in(page, live_server)
    story = tagged_story(user, "Checkout fallback")
    page.goto(story.get_absolute_url())
    if page.viewport_size["width"] < 768:  # Bootstrap's md breakpoint: the navbar collapses
        page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_test_id("account-menu").click()
    page.get_by_role("button", name="Log out").wait_for()
    page.get_by_text("Add a principle").click()
    page.get_by_text("Add a theme").click()
    assert_accessible(page)


def test_password_reset_sent_page_has_no_serious_violation(page):
    UserFactory(email="forgetful@example.com", password=PASSWORD)
    page.goto("/accounts/password/reset/")
    page.get_by_label("Email").fill("forgetful@example.com")
    page.get_by_role("button", name="Reset My Password").click()
    page.get_by_text("We have sent you an email.").wait_for()
    assert_accessible(page)


def test_sign_up_errors_have_no_serious_violation(any_width_page):
    page = any_width_page
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("not-an-email")
    page.locator("input[name=password1]").fill("short")
    page.locator("input[name=password2]").fill("different")
    page.get_by_role("button", name="Sign Up").click()
    page.locator(".invalid-feedback").first.wait_for()
    assert_accessible(page)
