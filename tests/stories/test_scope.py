"""Scope against the level (stories/scope.py): each rule, the message, and the story page.

The rule tests are pure (no database); each absence check has its positive control on
the same rule. The page tests go through the test client with the target level read
from practice settings through stories.targets, the one door.
"""

import json
import time
from pathlib import Path

import pytest
from django.urls import reverse

from principles.models import Level
from stories.scope import KINDS, LEVEL_NAMES, LEVELS, scope_check, scope_fit, scope_reading
from stories.targets import targets_for
from tests.factories import PracticeSettingsFactory, StoryFactory

SEED = Path(__file__).resolve().parents[2] / "principles" / "seed" / "catalogue-v1.json"

MID_STORY = (
    "My lead asked me to pick up a ticket in our sprint: the export page timed out. "
    "I found a query per row, rewrote it as one query and added a test. "
    "It shipped in two days and the page loads in a second."
)
SENIOR_STORY = (
    "I proposed that we rebuild the nightly pipeline and I led the work over the next quarter. "
    "I wrote the design, reviewed it with the analytics team and the finance team, and I "
    "mentored two engineers through their first incremental jobs. It ran for four months; "
    "the pipeline went from eleven hours to ninety minutes."
)
STAFF_STORY = (
    "Our engineering organisation of four hundred engineers had no shared way to deploy. "
    "I wrote the strategy document for a company-wide paved road and took it to the CTO and "
    "the directors. Over two years I set the technical direction with twelve teams, and the "
    "change saved about four million dollars a year and changed how teams ship."
)


def kind(name, text):
    return KINDS[name](text).score


# The five kinds of signal, each with its positive control.


def test_teams_rule_reads_the_organisation_other_teams_and_one_team():
    assert kind("teams", "We worked with twelve teams and the directors of two divisions.") == 2
    assert kind("teams", "Engineers across the company, about three hundred engineers.") == 2
    assert kind("teams", "I agreed it with the analytics team and the finance team.") == 1
    assert kind("teams", "I fixed it with my team in a day.") == 0
    assert KINDS["teams"]("I fixed it with my team in a day.").signal == "one team"


def test_span_rule_takes_the_longest_span_of_the_work_not_the_windows_after_it():
    assert kind("span", "The migration ran over eighteen months.") == 2
    assert kind("span", "It took four months in all.") == 1
    assert kind("span", "I fixed it in two days.") == 0
    # A window measuring the result is not the work's span; the same words as the work do count.
    assert kind("span", "No migration broke in the next six months.") == 0
    assert kind("span", "The migration took six months.") == 1
    assert kind("span", "Three years ago I fixed a bug in a day.") == 0


def test_direction_rule_tells_setting_from_following():
    assert kind("direction", "I proposed a plan. I led the review and I mentored two peers.") == 1
    assert kind("direction", "I set the technical direction for the platform.") == 2
    assert kind("direction", "My lead asked me to take the ticket in our sprint.") == 0
    # Only verbs whose subject is the narrator count.
    assert kind("direction", "They proposed a plan. Their lead led the review.") == 0
    assert kind("direction", "I was the senior engineer and led the design. I proposed it.") == 1


def test_org_rule_counts_org_wide_and_strategy_words():
    assert kind("org", "A company-wide strategy for payments.") == 2
    assert kind("org", "It fed the team's roadmap.") == 1
    assert kind("org", "It fixed the page.") == 0


def test_scale_rule_reads_money_in_digits_and_words():
    assert kind("scale", "It saved $12 million a year.") == 2
    assert kind("scale", "It was worth two million dollars.") == 2
    assert kind("scale", "Enterprise deals became a fifth of the company's revenue.") == 2
    assert kind("scale", "Worth about $400,000 a year.") == 1
    assert kind("scale", "We refunded $30,000.") == 0
    assert kind("scale", "No money was involved.") == 0


# The reading and the message.


def test_level_slugs_are_the_catalogues():
    catalogue = json.loads(SEED.read_text(encoding="utf-8"))["levels"]
    assert [level["slug"] for level in sorted(catalogue, key=lambda lv: lv["order"])] == list(
        LEVELS
    )
    assert set(LEVEL_NAMES) == set(LEVELS)


@pytest.mark.parametrize(
    ("text", "expected"), [(MID_STORY, "mid"), (SENIOR_STORY, "senior"), (STAFF_STORY, "staff")]
)
def test_each_level_reads_as_itself(text, expected):
    assert scope_reading(text)[0] == expected


def test_a_senior_story_in_a_staff_loop_says_what_to_show():
    check = scope_check(SENIOR_STORY, "staff")
    assert check.reads_as == "senior" and not check.fits
    assert check.message.startswith("Reads as Senior scope. For Staff, show ")
    assert "the decision you drove across teams" in check.message
    assert any(signal.startswith("more than one team") for signal in check.signals)


def test_a_story_at_or_above_the_level_fits():
    assert scope_check(STAFF_STORY, "staff").fits
    assert scope_check(STAFF_STORY, "senior").message == (
        "Reads as Staff scope. That fits a Senior loop."
    )
    assert not scope_check(MID_STORY, "senior").fits


def test_an_empty_story_reads_as_mid_and_an_unknown_level_is_refused():
    check = scope_check("", "senior")
    assert check.reads_as == "mid" and not check.fits and check.signals == []
    with pytest.raises(ValueError, match="Unknown level 'principal'"):
        scope_check(MID_STORY, "principal")


def test_scope_fit_for_the_planner_falls_with_each_level_short():
    assert scope_fit(STAFF_STORY, "staff") == 1.0
    assert scope_fit(SENIOR_STORY, "staff") == 0.5
    assert scope_fit(MID_STORY, "staff") == 0.0
    assert scope_fit(MID_STORY, "mid") == 1.0


@pytest.mark.parametrize(
    "text", ["x" * 50_000, "1" * 50_000, "$" + "9" * 50_000, "a-" * 25_000, "I " * 30_000]
)
def test_no_input_makes_the_rules_slow(text):
    start = time.perf_counter()
    scope_check(text, "staff")
    assert time.perf_counter() - start < 1.0


# The target level through stories.targets, and the story page.


@pytest.mark.django_db
def test_targets_carry_the_users_target_level(user):
    assert targets_for(user).level_slug == "senior", "unsaved settings: the default"
    PracticeSettingsFactory(user=user, target_level=Level.objects.get(slug="staff"))
    assert targets_for(user).level_slug == "staff"


@pytest.mark.django_db
def test_story_page_checks_scope_against_the_target_level(user_client, user):
    PracticeSettingsFactory(user=user, target_level=Level.objects.get(slug="staff"))
    story = StoryFactory(
        owner=user, situation=SENIOR_STORY, task="", action="", result="", learning=""
    )
    body = user_client.get(story.get_absolute_url()).content.decode()
    assert 'data-testid="scope"' in body
    assert "Reads as Senior scope. For Staff, show the decision you drove across teams" in body
    assert "Below Staff" in body and "Checked against your target level, Staff" in body
    assert reverse("practice:settings") in body


@pytest.mark.django_db
def test_story_page_says_a_story_fits_a_lower_target(user_client, user):
    PracticeSettingsFactory(user=user, target_level=Level.objects.get(slug="mid"))
    story = StoryFactory(owner=user, situation=STAFF_STORY, task="", action="", result="")
    body = user_client.get(story.get_absolute_url()).content.decode()
    assert "Reads as Staff scope. That fits a Mid-level loop." in body
    assert "Fits Mid-level" in body and "Below Mid-level" not in body


@pytest.mark.django_db
def test_story_page_without_settings_checks_against_senior(user_client, user):
    story = StoryFactory(owner=user, situation=MID_STORY, task="", action="", result="")
    body = user_client.get(story.get_absolute_url()).content.decode()
    assert "Reads as Mid-level scope. For Senior, show" in body
    assert "Checked against your target level, Senior" in body


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 50])
def test_story_page_query_count_is_fixed_with_a_target_level(
    user_client, user, django_assert_num_queries, size
):
    PracticeSettingsFactory(user=user, target_level=Level.objects.get(slug="staff"))
    stories = StoryFactory.create_batch(size, owner=user)
    # session, user, savepoints (2), story + 3 tag prefetches, all principles, all
    # themes, the user's targets (band and level in one query): the scope check adds none.
    with django_assert_num_queries(11):
        response = user_client.get(stories[-1].get_absolute_url())
    assert "Checked against your target level, Staff" in response.content.decode()
