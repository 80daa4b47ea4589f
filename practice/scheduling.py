"""Spaced repetition for practice questions: a small SM-2 variant. Pure, no database.

Each question a user has answered and rated has a review state: an *ease*
(how fast the gap grows), the current *interval* in days, the number of
successful *repetitions* in a row and the date it is next *due*.

The rule is SuperMemo-2 (Wozniak, 1990) with the user's overall 1-5 rating as
SM-2's quality grade:

* Ratings 3, 4 and 5 are a pass. The first pass makes the question due again in
  1 day, the second in 6 days, every later one in ``round(interval * ease)``
  days (the ease used is the one just updated, as SM-2 does), at most a year.
* Ratings 1 and 2 are a lapse: repetitions start again and the question is due
  the next day.
* After every rating the ease moves by SM-2's formula
  ``ease + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)``: +0.10 for a 5, 0 for a 4,
  -0.14 for a 3, -0.32 for a 2, -0.54 for a 1, never below 1.3.

Two deliberate differences from SM-2 proper: the ease also drops on a lapse
(SM-2 leaves it alone), so a question that keeps going badly stays close even
after a recovery; and a question reviewed again before it was due starts its
next interval from the day it was actually reviewed, like any other review.

The schedule is a fold over the rated answers, oldest first (`replay`), so it
can always be rebuilt from history: re-rating an answer never counts twice.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

INITIAL_EASE = 2.5
MIN_EASE = 1.3
PASSING_RATING = 3
FIRST_INTERVAL = 1
SECOND_INTERVAL = 6
# Interview preparation runs for weeks, not decades: without a ceiling a run
# of good ratings grows the interval geometrically until the due date
# overflows Python's date range. A well-known question comes back yearly.
MAX_INTERVAL = 365


@dataclass(frozen=True)
class ReviewState:
    ease: float = INITIAL_EASE
    interval_days: int = 0
    repetitions: int = 0
    due_on: date | None = None
    last_reviewed_on: date | None = None


def updated_ease(ease: float, rating: int) -> float:
    """SM-2's ease update for a quality grade of `rating` (1-5), floored at 1.3."""
    miss = 5 - rating
    return max(MIN_EASE, round(ease + 0.1 - miss * (0.08 + miss * 0.02), 2))


def review(state: ReviewState, rating: int, reviewed_on: date) -> ReviewState:
    """The state after a review rated `rating` (1-5) on `reviewed_on`."""
    if not 1 <= rating <= 5:
        raise ValueError(f"rating must be 1 to 5, not {rating!r}")
    ease = updated_ease(state.ease, rating)
    if rating < PASSING_RATING:
        repetitions, interval = 0, FIRST_INTERVAL
    else:
        repetitions = state.repetitions + 1
        if repetitions == 1:
            interval = FIRST_INTERVAL
        elif repetitions == 2:
            interval = SECOND_INTERVAL
        else:
            interval = min(MAX_INTERVAL, max(1, round(state.interval_days * ease)))
    return ReviewState(
        ease=ease,
        interval_days=interval,
        repetitions=repetitions,
        due_on=reviewed_on + timedelta(days=interval),
        last_reviewed_on=reviewed_on,
    )


def replay(reviews: Iterable[tuple[date, int]]) -> ReviewState:
    """The state after every (date, rating) review, applied in date order."""
    state = ReviewState()
    for reviewed_on, rating in sorted(reviews, key=lambda item: item[0]):
        state = review(state, rating, reviewed_on)
    return state
