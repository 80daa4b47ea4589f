"""The SM-2 variant that decides when a question is due again (pure, no database)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practice.scheduling import MIN_EASE, ReviewState, replay, review, updated_ease

DAY = date(2026, 3, 2)


def test_first_pass_is_due_tomorrow_second_in_six_days_then_interval_times_ease():
    first = review(ReviewState(), 4, DAY)
    assert (first.repetitions, first.interval_days, first.due_on) == (1, 1, DAY + timedelta(1))
    second = review(first, 4, first.due_on)
    assert (second.repetitions, second.interval_days) == (2, 6)
    third = review(second, 4, second.due_on)
    assert third.ease == 2.5
    assert (third.repetitions, third.interval_days) == (3, 15)  # round(6 * 2.5)
    assert third.due_on == second.due_on + timedelta(days=15)
    assert third.last_reviewed_on == second.due_on


@pytest.mark.parametrize(("rating", "ease"), [(5, 2.6), (4, 2.5), (3, 2.36), (2, 2.18), (1, 1.96)])
def test_ease_moves_by_the_sm2_formula(rating, ease):
    assert updated_ease(2.5, rating) == pytest.approx(ease)


def test_ease_never_drops_below_the_floor():
    state = ReviewState()
    for offset in range(10):
        state = review(state, 1, DAY + timedelta(days=offset))
    assert state.ease == MIN_EASE


def test_a_poor_rating_resets_the_question_to_tomorrow():
    state = replay([(DAY, 5), (DAY + timedelta(1), 5), (DAY + timedelta(7), 5)])
    assert state.interval_days > 6
    lapsed = review(state, 2, DAY + timedelta(30))
    assert (lapsed.repetitions, lapsed.interval_days) == (0, 1)
    assert lapsed.due_on == DAY + timedelta(31)
    assert lapsed.ease < state.ease


def test_good_ratings_grow_the_interval_and_poor_ones_shrink_it():
    good = replay([(DAY, 5), (DAY + timedelta(1), 5), (DAY + timedelta(7), 5)])
    middling = replay([(DAY, 3), (DAY + timedelta(1), 3), (DAY + timedelta(7), 3)])
    assert good.interval_days > middling.interval_days >= 6


def test_replay_applies_reviews_in_date_order():
    ordered = replay([(DAY, 5), (DAY + timedelta(1), 1)])
    shuffled = replay([(DAY + timedelta(1), 1), (DAY, 5)])
    assert ordered == shuffled
    assert ordered.repetitions == 0


def test_no_reviews_is_the_initial_state():
    assert replay([]) == ReviewState()


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_1_to_5_is_refused(rating):
    with pytest.raises(ValueError, match="rating must be 1 to 5"):
        review(ReviewState(), rating, DAY)


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=5)),
        max_size=30,
    )
)
def test_any_history_gives_a_sane_schedule(history):
    state = replay([(DAY + timedelta(days=offset), rating) for offset, rating in history])
    assert state.ease >= MIN_EASE
    if history:
        assert state.interval_days >= 1
        assert state.due_on > state.last_reviewed_on
        assert state.due_on - state.last_reviewed_on == timedelta(days=state.interval_days)


@given(
    st.floats(min_value=MIN_EASE, max_value=4),
    st.integers(min_value=0, max_value=365),
    st.integers(min_value=0, max_value=20),
)
def test_a_better_rating_never_brings_the_question_back_sooner(ease, interval, repetitions):
    state = ReviewState(ease=ease, interval_days=interval, repetitions=repetitions)
    due = [review(state, rating, DAY).due_on for rating in range(1, 6)]
    assert due == sorted(due)


def test_a_long_run_of_good_ratings_is_capped_at_a_year_and_never_overflows():
    from datetime import date

    from practice.scheduling import MAX_INTERVAL, replay

    day = date(2026, 1, 1)
    reviews = [(day, 5) for _ in range(60)]
    state = replay(reviews)
    assert state.interval_days == MAX_INTERVAL
    assert (state.due_on - day).days == MAX_INTERVAL
