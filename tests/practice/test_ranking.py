"""Ranking the user's stories for a question (pure, no database)."""

from practice.ranking import QuestionCard, StoryCard, keywords, rank_stories, score_story

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
