"""Ranking the user's stories for a question (pure, no database)."""

from practice.ranking import (
    READY_LEAD,
    QuestionCard,
    StoryCard,
    explain,
    keywords,
    rank_stories,
    score_story,
)
from stories.review import READY_SCORE

QUESTION = QuestionCard(
    text="Tell me about a time you drove a major technical decision about a migration.",
    level_id=2,
    principle_ids=frozenset({10, 11}),
    theme_ids=frozenset({20}),
)


def story(pk, **kwargs) -> StoryCard:
    return StoryCard(id=pk, title=kwargs.pop("title", f"Story {pk}"), **kwargs)


def test_shared_tags_score_three_per_principle_two_per_theme_one_for_the_level():
    ranked = score_story(
        QUESTION,
        story(
            1,
            principle_ids=frozenset({10, 11, 12}),
            theme_ids=frozenset({20}),
            level_ids=frozenset({2}),
        ),
    )
    assert ranked.score == 3 + 3 + 2 + 1
    assert ranked.shared_principle_ids == {10, 11}
    assert ranked.shared_theme_ids == {20}


def test_tags_outrank_wording():
    tagged = story(1, principle_ids=frozenset({10}))
    wordy = story(2, text="A technical decision about the database migration and its rollout.")
    assert [r.story_id for r in rank_stories(QUESTION, [wordy, tagged])] == [1, 2]


def test_text_match_counts_title_words_double_and_is_capped():
    in_title = score_story(QUESTION, story(1, title="The migration decision"))
    in_text = score_story(QUESTION, story(2, text="The migration decision"))
    assert (in_title.score, in_text.score) == (4, 2)
    assert in_title.matched_words == ("decision", "migration")
    everything = score_story(QUESTION, story(3, text="drove major technical decision migration"))
    assert everything.score == 4  # capped


def test_common_words_and_word_endings_do_not_decide():
    assert keywords("Tell me about a time you were there") == set()
    assert score_story(QUESTION, story(1, text="decisions")).matched_words == ("decision",)
    assert score_story(QUESTION, story(2, text="Tell me about a time you")).score == 0


def test_ties_go_to_the_more_finished_story_then_the_older_one():
    stories = [
        story(4, status="draft"),
        story(3, status="ready"),
        story(2, status="polished"),
        story(1, status="draft"),
    ]
    assert [r.story_id for r in rank_stories(QUESTION, stories)] == [2, 3, 1, 4]


def test_every_story_is_listed_even_with_nothing_in_common():
    ranked = rank_stories(QUESTION, [story(1), story(2, theme_ids=frozenset({20}))])
    assert [(r.story_id, r.score) for r in ranked] == [(2, 2), (1, 0)]


def test_no_stories_ranks_nothing():
    assert rank_stories(QUESTION, []) == []


# --- Readiness: a ready story beats a draft of equal or near fit ---------------------------

TAGS = {"principle_ids": frozenset({10}), "theme_ids": frozenset({20})}  # fit 5


def test_a_weak_draft_does_not_outrank_ready_stories_of_equal_fit():
    draft = story(1, status="draft", score=45, **TAGS)
    ready = [story(pk, status="ready", score=READY_SCORE + 5, **TAGS) for pk in (2, 3)]
    ranked = rank_stories(QUESTION, [draft, *ready])
    assert [r.story_id for r in ranked] == [2, 3, 1]
    assert {r.score for r in ranked} == {5}  # the same fit: readiness decided


def test_a_ready_story_beats_a_draft_that_fits_slightly_better():
    draft = story(1, score=45, text="migration", **TAGS)  # fit 6
    ready = story(2, score=READY_SCORE, **TAGS)  # fit 5
    assert score_story(QUESTION, draft).score == 6
    assert [r.story_id for r in rank_stories(QUESTION, [draft, ready])] == [2, 1]


def test_a_clearly_better_fit_still_wins_over_readiness():
    """Positive control: readiness only breaks near ties."""
    draft = story(1, score=45, principle_ids=frozenset({10, 11}), theme_ids=frozenset({20}))
    ready = story(2, score=100, theme_ids=frozenset({20}))
    fits = (score_story(QUESTION, draft).score, score_story(QUESTION, ready).score)
    assert fits[0] - fits[1] > READY_LEAD
    assert [r.story_id for r in rank_stories(QUESTION, [ready, draft])] == [1, 2]


def test_readiness_alone_does_not_make_a_story_fit():
    unrelated_ready = story(1, score=100)
    slight_draft = story(2, score=10, level_ids=frozenset({2}))  # fit 1
    ranked = rank_stories(QUESTION, [unrelated_ready, slight_draft])
    assert [(r.story_id, r.score) for r in ranked] == [(2, 1), (1, 0)]


def test_the_score_not_the_status_label_makes_a_story_ready():
    marked_ready = story(1, status="ready", score=45, **TAGS)
    coach_ready = story(2, status="draft", score=READY_SCORE, **TAGS)
    assert [r.story_id for r in rank_stories(QUESTION, [marked_ready, coach_ready])] == [2, 1]


# --- Why, in words ---------------------------------------------------------------------------

NAMES = {
    "principle_names": {10: "Ownership", 11: "Deliver Results"},
    "theme_names": {20: "Technical complexity"},
    "level_name": "Senior",
}


def test_the_reason_names_the_shared_tags_level_and_words():
    ranked = score_story(
        QUESTION,
        story(
            1,
            title="Payments migration",
            principle_ids=frozenset({10, 11}),
            level_ids=frozenset({2}),
        ),
    )
    reason = explain(ranked, QUESTION, **NAMES)
    assert reason == (
        "shares Ownership and Deliver Results; is tagged Senior; mentions \u2018migration\u2019"
    )
    assert "match" not in reason and str(ranked.score) not in reason


def test_the_reason_quotes_the_question_s_own_word_not_its_stem():
    ranked = score_story(QUESTION, story(1, text="Two decisions about the rollout"))
    assert ranked.matched_words == ("decision",)
    assert explain(ranked, QUESTION, **NAMES) == "mentions \u2018decision\u2019"
    drove = score_story(QUESTION, story(2, text="She drove it"))
    assert explain(drove, QUESTION, **NAMES) == "mentions \u2018drove\u2019"


def test_a_story_with_nothing_in_common_gives_no_reason():
    """Negative case; the positive control is the test above on the same question."""
    assert explain(score_story(QUESTION, story(1)), QUESTION, **NAMES) == ""
