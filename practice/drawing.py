"""How a session's questions are drawn. Pure rules, no database.

`practice/services.py` gathers the candidate questions for a mode; the rules
here order them and take the first few:

1. A question answered in the user's last `RECENT_SESSIONS` sessions is drawn
   only when nothing fresher is left ("drawn last"), whatever the mode.
2. Then the mode's own priority, lowest first:
   * by level: none, a random mix of the target level and the one below it
     (a staff candidate also gets senior questions, a senior one mid-level);
   * by principle / by theme: questions at the user's levels before the others,
     which only fill up a session the user's levels cannot;
   * weakest first: the highest `weakness` first (see `weakness`);
   * due for review: the longest overdue first.
3. Ties are broken at random, so two sessions of the same mode differ.

A question is never drawn twice in one session: candidates are deduplicated.
"""

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

RECENT_SESSIONS = 3

# A tag (principle or theme) is covered by the bank when it has a story that is
# not a draft; a draft counts for half.
NO_STORY = "none"
DRAFTS_ONLY = "drafts"
COVERED = "covered"
GAP_POINTS = {NO_STORY: 2.0, DRAFTS_ONLY: 1.0, COVERED: 0.0}


@dataclass(frozen=True)
class Candidate:
    question_id: int
    priority: float = 0.0


def draw(
    candidates: Iterable[Candidate],
    *,
    count: int,
    recent: Iterable[int] = (),
    rng: random.Random | None = None,
) -> list[int]:
    """The ids of up to `count` distinct questions, in the order they will be asked."""
    rng = rng or random.Random()
    recent_ids = set(recent)
    unique: dict[int, Candidate] = {}
    for candidate in candidates:
        known = unique.get(candidate.question_id)
        if known is None or candidate.priority < known.priority:
            unique[candidate.question_id] = candidate
    keyed = [
        (candidate.question_id in recent_ids, candidate.priority, rng.random(), candidate)
        for candidate in unique.values()
    ]
    keyed.sort(key=lambda item: item[:3])
    return [item[3].question_id for item in keyed[: max(count, 0)]]


def level_fit(level_id: int, preferred_level_ids: Iterable[int]) -> float:
    """0 for a question at one of the user's levels, 1 for any other level."""
    return 0.0 if level_id in set(preferred_level_ids) else 1.0


def coverage(statuses: Iterable[str]) -> str:
    """How well a tag is covered by the statuses of the user's stories carrying it."""
    found = set(statuses)
    if not found:
        return NO_STORY
    return DRAFTS_ONLY if found == {"draft"} else COVERED


def weakness(
    tags: Iterable[str],
    *,
    coverage_by_tag: Mapping[str, str],
    rating_by_tag: Mapping[str, float],
    own_rating: float | None = None,
) -> float:
    """How much a question would help the user where they are weakest (0 to 4).

    Two parts, added: the worst bank gap among the question's principles and
    themes (2 when a tag has no story, 1 when it has only drafts), and how low
    the lowest past average rating is among the question itself and its tags
    (0 for an average of 5, 2 for an average of 1; nothing when never rated).
    `tags` are keys such as "principle:3" and "theme:5".
    """
    tags = list(tags)
    gap = max((GAP_POINTS[coverage_by_tag.get(tag, NO_STORY)] for tag in tags), default=0.0)
    ratings = [rating_by_tag[tag] for tag in tags if tag in rating_by_tag]
    if own_rating is not None:
        ratings.append(own_rating)
    low = (5 - min(ratings)) / 2 if ratings else 0.0
    return gap + low
