"""The coverage matrix rules (pure; stories are stand-ins with loaded tags)."""

from types import SimpleNamespace

from stories.coverage import GOAL_STORIES, build_coverage


class Tags(list):
    def all(self):
        return self


def entry(slug):
    return SimpleNamespace(slug=slug, name=slug.title())


def story(principles=(), themes=(), levels=(), red_flags=()):
    return SimpleNamespace(
        principles=Tags(entry(s) for s in principles),
        themes=Tags(entry(s) for s in themes),
        levels=Tags(entry(s) for s in levels),
        red_flags=list(red_flags),
    )


PRINCIPLES = [entry("ownership"), entry("frugality")]
THEMES = [entry(f"t{i}") for i in range(8)]
LEVELS = [entry("mid"), entry("senior")]


def build(stories, **kwargs):
    return build_coverage(stories, principles=PRINCIPLES, themes=THEMES, levels=LEVELS, **kwargs)


def test_gaps_name_the_columns_no_story_covers():
    result = build([story(principles=["ownership"], themes=["t0"], levels=["mid"])])
    assert [c.slug for c in result.principles.gaps] == ["frugality"]
    assert len(result.themes.gaps) == 7
    assert result.principles.rows[0].marks == [True, False]


def test_progress_reaches_100_only_with_eight_stories_over_all_themes():
    eight = [story(themes=[f"t{i}"]) for i in range(GOAL_STORIES)]
    assert build(eight).progress_percent == 100
    assert build(eight).goal_met
    same_theme = [story(themes=["t0"]) for _ in range(GOAL_STORIES)]
    assert build(same_theme).progress_percent == 50 + round(50 / 8)
    assert not build(same_theme).goal_met
    assert build([]).progress_percent == 0


def test_ready_only_ignores_stories_with_red_flags():
    stories = [
        story(principles=["ownership"], red_flags=["we_not_i"]),
        story(principles=["frugality"]),
    ]
    result = build(stories, ready_only=True)
    assert result.story_count == 1
    assert [c.slug for c in result.principles.gaps] == ["ownership"]
