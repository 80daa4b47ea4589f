"""Rules on the story model: the readiness tiers, the status colours, the tags' one shape."""

import pytest

from principles.models import Kind, Principle, Theme
from stories.models import READINESS_TIERS, Story, StoryTags, readiness_tier
from tests.factories import StoryFactory


@pytest.mark.parametrize(
    ("score", "colour"),
    [
        (100, "success"),
        (80, "success"),
        (79, "warning"),
        (50, "warning"),
        (49, "danger"),
        (0, "danger"),
    ],
)
def test_readiness_tiers_are_80_and_50(score, colour):
    assert readiness_tier(score).colour == colour
    assert Story(score=score).readiness.colour == colour


def test_readiness_tiers_run_highest_first_down_to_zero():
    minimums = [tier.minimum for tier in READINESS_TIERS]
    assert minimums == sorted(minimums, reverse=True) and minimums[-1] == 0


@pytest.mark.parametrize(
    ("status", "colour"), [("draft", "secondary"), ("ready", "primary"), ("polished", "success")]
)
def test_each_status_has_its_badge_colour(status, colour):
    assert Story(status=status).status_colour == colour


@pytest.mark.django_db
def test_story_tags_from_slugs_drops_unknown_slugs_and_gives_slugs_back():
    tags = StoryTags.from_slugs(
        {"principles": ["ownership", "gone"], "themes": ["mentorship"], "kind": "people"}
    )
    assert tags.slugs() == {
        "principles": ["ownership"],
        "themes": ["mentorship"],
        "levels": [],
        "core_theme": None,
    }
    assert tags.kind == Kind.objects.get(slug="people")


@pytest.mark.django_db
def test_story_tags_of_story_reads_what_is_stored():
    story = StoryFactory(
        principles=[Principle.objects.get(slug="ownership")],
        themes=[Theme.objects.get(slug="mentorship")],
    )
    tags = StoryTags.of_story(story)
    assert tags.slugs()["principles"] == ["ownership"] and tags.slugs()["themes"] == ["mentorship"]
