"""The loop planner (practice/planning.py): pure, no database."""

import itertools
import random

import pytest

from practice.planning import (
    NEUTRAL_SCOPE,
    PlanStory,
    ScopeFit,
    Slot,
    plan,
    propose_split,
    story_fit,
)
from practice.ranking import StoryCard, score_slot

OWNERSHIP, DIVE, BIAS, CUSTOMER = 1, 2, 3, 4
NAMES = {OWNERSHIP: "Ownership", DIVE: "Dive Deep", BIAS: "Bias for Action", CUSTOMER: "Customer"}
SLUGS = {pk: name.lower().replace(" ", "-") for pk, name in NAMES.items()}
CONFLICT_THEME = 10


def slot(position, principle, label=None, themes=()):
    return Slot(
        interviewer_position=position,
        interviewer_label=label or f"Interviewer {position}",
        principle_slug=SLUGS[principle],
        principle_name=NAMES[principle],
        principle_id=principle,
        theme_ids=frozenset(themes),
    )


def story(pk, title, principles=(), *, score=85, flags=(), rating=None, themes=(), core=None):
    return PlanStory(
        card=StoryCard(
            id=pk,
            title=title,
            text="I led the work and measured the result.",
            status="ready",
            score=score,
            principle_ids=frozenset(principles),
            theme_ids=frozenset(themes),
            core_theme_id=core,
        ),
        red_flags=tuple(flags),
        rating=rating,
    )


def greedy(slots, stories):
    """What a greedy pass does: slot by slot, the best story still free."""
    used, chosen = set(), []
    for one in slots:
        fits = [
            (story_fit(score_slot(one.as_question(None), s.card), s, ScopeFit()), s.id)
            for s in stories
            if s.id not in used
        ]
        best = max(((fit, -pk) for fit, pk in fits if fit > 0), default=None)
        chosen.append(None if best is None else -best[1])
        if best is not None:
            used.add(-best[1])
    return chosen


def primaries(result):
    return [p.primary.story_id if p.primary else None for p in result.slots]


def test_the_planner_fills_both_slots_where_a_greedy_pass_leaves_one_empty():
    slots = [slot(1, OWNERSHIP), slot(2, DIVE)]
    # A fits both and is the better story for Ownership; B fits Ownership only.
    a = story(1, "Payments fallback", [OWNERSHIP, DIVE], rating=4.5)
    b = story(2, "On-call handover", [OWNERSHIP], score=40)
    assert greedy(slots, [a, b]) == [1, None]  # positive control: greedy misses slot 2

    result = plan(slots, [a, b])

    assert primaries(result) == [2, 1]
    assert result.gaps == []


def test_a_longer_chain_where_greedy_fails_is_solved_too():
    # Each story fits its own principle and the next one's; the first principle's best
    # story is also the only one for the last principle.
    slots = [slot(1, OWNERSHIP), slot(2, DIVE), slot(3, BIAS)]
    stories = [
        story(1, "Fits all three", [OWNERSHIP, DIVE, BIAS], rating=5),
        story(2, "Ownership only", [OWNERSHIP], score=30),
        story(3, "Dive only", [DIVE], score=30),
    ]
    assert None in greedy(slots, stories)

    result = plan(slots, stories)

    assert sorted(primaries(result)) == [1, 2, 3]
    assert primaries(result)[2] == 1


def brute_force(slots, stories):
    """(slots filled, total fit) of the best assignment, by trying them all."""
    fits = [
        [story_fit(score_slot(s.as_question(None), st.card), st, ScopeFit()) for st in stories]
        for s in slots
    ]
    best = (0, 0)
    options = [None, *range(len(stories))]
    for combo in itertools.product(options, repeat=len(slots)):
        picked = [c for c in combo if c is not None]
        if len(picked) != len(set(picked)):
            continue
        if any(c is not None and fits[row][c] == 0 for row, c in enumerate(combo)):
            continue
        total = sum(fits[row][c] for row, c in enumerate(combo) if c is not None)
        best = max(best, (len(picked), total))
    return best


@pytest.mark.parametrize("seed", range(25))
def test_the_plan_is_the_best_assignment_and_no_story_is_a_primary_twice(seed):
    rng = random.Random(seed)
    slots = [slot(1, OWNERSHIP), slot(1, DIVE), slot(2, BIAS), slot(3, CUSTOMER)]
    stories = [
        story(
            pk,
            f"Story {pk}",
            rng.sample(list(NAMES), rng.randint(0, 2)),
            score=rng.randint(20, 100),
            rating=rng.choice([None, 2, 3.5, 5]),
        )
        for pk in range(1, 6)
    ]

    result = plan(slots, stories)

    chosen = [pk for pk in primaries(result) if pk is not None]
    assert len(chosen) == len(set(chosen))
    assert (len(chosen), result.total_fit) == brute_force(slots, stories)
    for planned in result.slots:
        if planned.backup:
            assert planned.backup.story_id != planned.primary.story_id
            assert planned.backup.fit > 0
    backups = [p.backup.story_id for p in result.slots if p.backup]
    assert len(backups) == len(set(backups))


def test_each_slot_gets_a_backup_that_is_not_its_primary_preferring_an_unused_story():
    slots = [slot(1, OWNERSHIP), slot(2, DIVE)]
    stories = [
        story(1, "Best ownership", [OWNERSHIP], rating=5),
        story(2, "Dive story", [DIVE, OWNERSHIP], rating=5),
        story(3, "Second ownership", [OWNERSHIP], score=50),
    ]

    result = plan(slots, stories)

    assert primaries(result) == [1, 2]
    ownership, dive = result.slots
    # Story 2 fits Ownership better, but it is told to Interviewer 2 already.
    assert ownership.backup.story_id == 3
    assert "backup ‘Second ownership’" in ownership.backup.explanation
    # Dive Deep's only other fit is nobody else's story: none, so it reuses none.
    assert dive.backup is None


def test_a_slot_nothing_fits_is_a_named_gap_never_an_unrelated_story():
    slots = [slot(1, OWNERSHIP, "Hiring manager"), slot(2, DIVE, "Bar raiser")]
    unrelated = story(2, "Ownership of the dive-deep offsite", [CUSTOMER])
    fits_both = story(1, "Payments fallback", [OWNERSHIP, DIVE])

    result = plan(slots, [fits_both, unrelated])

    ownership, dive = result.slots
    assert ownership.primary.title == "Payments fallback"  # positive control: a fit is planned
    assert dive.is_gap and dive.primary is None and dive.fit == 0
    assert result.gaps == [dive]
    assert dive.gap_ways.principle_slug == "dive-deep"
    assert dive.gap_ways.reuse_title == "Payments fallback"
    assert dive.gap_ways.reuse_interviewer == "Hiring manager"
    assert dive.explanation == (
        "Dive Deep for Bar raiser: no story of yours fits yet. Write one tagged Dive Deep, "
        "or retell ‘Payments fallback’, planned for Hiring manager."
    )


def test_a_gap_with_nothing_to_reuse_offers_a_new_story_only():
    result = plan([slot(1, BIAS)], [story(1, "Ownership only", [OWNERSHIP])])

    (gap,) = result.gaps
    assert gap.gap_ways.reuse_title is None
    assert gap.explanation.endswith("Write one tagged Bias for Action.")


def test_a_pinned_story_is_its_slots_primary_and_nobody_elses():
    slots = [slot(1, OWNERSHIP), slot(2, DIVE)]
    stories = [
        story(1, "Great at both", [OWNERSHIP, DIVE], rating=5),
        story(2, "Weaker ownership", [OWNERSHIP], score=40),
    ]
    assert primaries(plan(slots, stories)) == [2, 1]  # positive control: unpinned, it goes to 2

    result = plan(slots, stories, pins={(1, "ownership"): 1})

    assert primaries(result) == [1, None]
    assert result.slots[0].pinned
    assert result.slots[0].explanation.startswith(
        "Ownership for Interviewer 1: ‘Great at both’ — pinned by you"
    )
    # The other story could back up the pinned slot.
    assert result.slots[0].backup.story_id == 2
    assert result.slots[1].gap_ways.reuse_title == "Great at both"


def test_a_pin_to_a_slot_that_no_longer_exists_is_ignored():
    result = plan([slot(1, OWNERSHIP)], [story(1, "Ownership", [OWNERSHIP])], pins={(9, "x"): 1})
    assert primaries(result) == [1]
    assert not result.slots[0].pinned


def test_an_excluded_story_is_never_planned_even_if_pinned():
    slots = [slot(1, OWNERSHIP)]
    stories = [story(1, "Best", [OWNERSHIP], rating=5), story(2, "Other", [OWNERSHIP])]
    assert primaries(plan(slots, stories)) == [1]  # positive control

    result = plan(slots, stories, excluded={1}, pins={(1, "ownership"): 1})

    assert primaries(result) == [2]
    assert result.slots[0].backup is None


def test_the_explanation_says_why_in_words():
    ownership = slot(1, OWNERSHIP, "Bar raiser", themes={CONFLICT_THEME})
    told = story(
        1,
        "Payments fallback",
        [OWNERSHIP],
        rating=4.5,
        themes={CONFLICT_THEME},
        core=CONFLICT_THEME,
    )
    flagged = story(2, "Draft", [OWNERSHIP], score=45, flags=["thin_action", "no_learning"])

    result = plan([ownership], [told, flagged], theme_names={CONFLICT_THEME: "Conflict"})

    assert result.slots[0].explanation == (
        "Ownership for Bar raiser: ‘Payments fallback’ — tagged Ownership, about Conflict, "
        "ready, rated 4.5 in practice"
    )
    assert result.slots[0].backup.explanation == (
        "Ownership for Bar raiser: backup ‘Draft’ — tagged Ownership, not ready yet "
        "(readiness 45), 2 red flags (Thin Action and No learning), not practised yet"
    )


def test_fit_rises_with_readiness_ratings_and_no_red_flags_and_stays_within_0_to_100():
    one = slot(1, OWNERSHIP)

    def fit(s):
        return story_fit(score_slot(one.as_question(None), s.card), s, NEUTRAL_SCOPE)

    best = story(1, "a", [OWNERSHIP, DIVE], score=100, rating=5, themes={1}, core=1)
    assert fit(story(1, "a", [OWNERSHIP], rating=4.5)) > fit(story(1, "a", [OWNERSHIP], rating=2))
    assert fit(story(1, "a", [OWNERSHIP], score=90)) > fit(story(1, "a", [OWNERSHIP], score=40))
    assert fit(story(1, "a", [OWNERSHIP])) > fit(story(1, "a", [OWNERSHIP], flags=["no_learning"]))
    assert 0 < fit(best) <= 100
    assert fit(story(1, "a", [DIVE], score=100, rating=5)) == 0


def test_the_scope_hook_can_change_the_choice():
    slots = [slot(1, OWNERSHIP)]
    stories = [
        story(1, "Team-sized", [OWNERSHIP], rating=4),
        story(2, "Org-wide", [OWNERSHIP], rating=3.5),
    ]
    assert primaries(plan(slots, stories)) == [1]

    def scope(s):
        return ScopeFit(1.0, "reads as Staff scope") if s.id == 2 else ScopeFit(0.0, "reads as Mid")

    result = plan(slots, stories, scope_fit=scope)

    assert primaries(result) == [2]
    assert result.slots[0].explanation.endswith("reads as Staff scope")


def test_an_empty_bank_leaves_every_slot_a_gap():
    result = plan([slot(1, OWNERSHIP), slot(2, DIVE)], [])
    assert len(result.gaps) == 2


SIXTEEN = [f"p{n}" for n in range(16)]


def test_five_interviewers_share_the_sixteen_principles_four_or_three_each():
    split = propose_split(SIXTEEN, 5)
    assert [len(part) for part in split] == [4, 3, 3, 3, 3]
    assert sorted(itertools.chain(*split)) == sorted(SIXTEEN)
    # Neighbours in the catalogue go to different interviewers.
    assert split[0][:2] == ["p0", "p5"]


@pytest.mark.parametrize("interviewers", [1, 2, 3, 4, 6, 8, 10])
def test_every_interviewer_probes_two_to_four_distinct_principles(interviewers):
    split = propose_split(SIXTEEN, interviewers)
    assert len(split) == interviewers
    for part in split:
        assert 2 <= len(part) <= 4
        assert len(part) == len(set(part))


def test_a_loop_needs_an_interviewer():
    with pytest.raises(ValueError):
        propose_split(SIXTEEN, 0)
