"""Drawing a session's questions: the pure rules (no database)."""

import random

import pytest

from practice.drawing import (
    COVERED,
    DRAFTS_ONLY,
    NO_STORY,
    Candidate,
    coverage,
    draw,
    level_fit,
    weakness,
)

# --- Pure rules -------------------------------------------------------------------


def test_draw_never_repeats_a_question():
    candidates = [Candidate(1), Candidate(2), Candidate(1, -5), Candidate(2), Candidate(3)]
    drawn = draw(candidates, count=10, rng=random.Random(0))
    assert sorted(drawn) == [1, 2, 3]
    assert drawn[0] == 1  # the duplicate keeps its best priority


def test_draw_takes_at_most_count():
    assert len(draw([Candidate(n) for n in range(50)], count=5)) == 5
    assert draw([Candidate(n) for n in range(3)], count=0) == []
    assert draw([], count=5) == []


def test_recent_questions_are_drawn_last_whatever_their_priority():
    candidates = [Candidate(1, -10), Candidate(2, -10), Candidate(3), Candidate(4), Candidate(5)]
    assert set(draw(candidates, count=3, recent={1, 2}, rng=random.Random(1))) == {3, 4, 5}
    everything = draw(candidates, count=5, recent={1, 2}, rng=random.Random(1))
    assert everything[3:] == [1, 2]  # and among themselves, still by priority


def test_priority_lowest_first_and_random_within_a_tie():
    candidates = [Candidate(n, priority=n % 3) for n in range(30)]
    drawn = draw(candidates, count=30, rng=random.Random(2))
    assert [n % 3 for n in drawn] == sorted(n % 3 for n in drawn)
    orders = {tuple(draw(candidates, count=10, rng=random.Random(seed))) for seed in range(5)}
    assert len(orders) > 1  # two sessions of the same mode differ


def test_draw_is_repeatable_with_the_same_seed():
    candidates = [Candidate(n) for n in range(20)]
    assert draw(candidates, count=5, rng=random.Random(7)) == draw(
        candidates, count=5, rng=random.Random(7)
    )


def test_level_fit_prefers_the_users_levels():
    assert level_fit(3, [3, 2]) == 0
    assert level_fit(1, [3, 2]) == 1


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], NO_STORY),
        (["draft"], DRAFTS_ONLY),
        (["draft", "draft"], DRAFTS_ONLY),
        (["draft", "ready"], COVERED),
        (["polished"], COVERED),
    ],
)
def test_coverage_of_a_tag(statuses, expected):
    assert coverage(statuses) == expected


def test_weakness_adds_the_worst_bank_gap_and_the_lowest_rating():
    covered = {"principle:1": COVERED, "theme:1": COVERED, "theme:2": DRAFTS_ONLY}
    ratings = {"principle:1": 4.0}
    assert weakness(["principle:1", "theme:1"], coverage_by_tag=covered, rating_by_tag={}) == 0
    assert weakness(["principle:1", "theme:2"], coverage_by_tag=covered, rating_by_tag={}) == 1
    assert weakness(["principle:9"], coverage_by_tag=covered, rating_by_tag={}) == 2
    assert weakness(["principle:1"], coverage_by_tag=covered, rating_by_tag=ratings) == 0.5
    assert (
        weakness(["principle:1"], coverage_by_tag=covered, rating_by_tag=ratings, own_rating=1) == 2
    )
    assert weakness([], coverage_by_tag={}, rating_by_tag={}) == 0
