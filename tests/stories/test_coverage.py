"""The coverage matrix rules (pure; stories and their tag ids are stand-ins)."""

from itertools import count
from types import SimpleNamespace

from stories.coverage import GOAL_STORIES, build_coverage

ids = count(1)


def entry(slug):
    return SimpleNamespace(pk=next(ids), slug=slug, name=slug.title())


PRINCIPLES = [entry("ownership"), entry("frugality")]
THEMES = [entry(f"t{i}") for i in range(8)]
LEVELS = [entry("mid"), entry("senior")]
BY_SLUG = {e.slug: e.pk for e in PRINCIPLES + THEMES + LEVELS}


def bank(*specs):
    """specs: dicts with principles/themes/levels slugs and red_flags."""
    stories, tag_ids = [], {}
    for pk, spec in enumerate(specs, start=1):
        stories.append(SimpleNamespace(pk=pk, red_flags=list(spec.get("red_flags", ()))))
        tag_ids[pk] = {
            relation: {BY_SLUG[slug] for slug in spec.get(relation, ())}
            for relation in ("principles", "themes", "levels")
        }
    return stories, tag_ids


def build(stories_and_tags, **kwargs):
    stories, tag_ids = stories_and_tags
    return build_coverage(
        stories, tag_ids, principles=PRINCIPLES, themes=THEMES, levels=LEVELS, **kwargs
    )


def test_gaps_name_the_columns_no_story_covers():
    result = build(bank({"principles": ["ownership"], "themes": ["t0"], "levels": ["mid"]}))
    assert [c.slug for c in result.principles.gaps] == ["frugality"]
    assert len(result.themes.gaps) == 7
    assert result.principles.rows[0].marks == [True, False]


def test_a_story_without_tags_is_a_row_with_no_marks():
    result = build(bank({}))
    assert result.story_count == 1
    assert result.themes.rows[0].marks == [False] * 8


def test_progress_reaches_100_only_with_eight_stories_over_all_themes():
    eight = bank(*({"themes": [f"t{i}"]} for i in range(GOAL_STORIES)))
    assert build(eight).progress_percent == 100
    assert build(eight).goal_met
    same_theme = bank(*({"themes": ["t0"]} for _ in range(GOAL_STORIES)))
    assert build(same_theme).progress_percent == 50 + round(50 / 8)
    assert not build(same_theme).goal_met
    assert build(bank()).progress_percent == 0


def test_ready_only_ignores_stories_with_red_flags():
    stories = bank(
        {"principles": ["ownership"], "red_flags": ["we_not_i"]}, {"principles": ["frugality"]}
    )
    result = build(stories, ready_only=True)
    assert result.story_count == 1
    assert [c.slug for c in result.principles.gaps] == ["ownership"]
