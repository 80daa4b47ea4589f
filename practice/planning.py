"""The loop planner: which story to tell to which interviewer. Pure, no database.

A loop is a list of slots, one per interviewer and principle. Each slot gets a
primary story and a backup story:

- **Fit** (0–100) of a story for a slot: how well it answers the principle
  (`ranking.score_slot`, the one ranking function: the principle's tag, the
  themes its questions ask about, the story's core theme, the level, words),
  worth RELEVANCE_SHARE; the coach's readiness score, READINESS_SHARE; no red
  flags, CLEAN_SHARE; its practice ratings, PRACTICE_SHARE; how well its scope
  matches the level, SCOPE_SHARE (a hook, `scope_fit`; neutral by default). A
  story with no tag in common with the slot fits 0 and is never planned there.
- **Primary**: one minimum-cost assignment (SciPy's `linear_sum_assignment`, as
  coverage uses) of stories to slots, each story primary at most once. It first
  fills as many slots as any assignment can (each filled slot is worth more
  than all the fit of the loop put together), then maximises the total fit. A
  greedy pass, slot by slot, can give away the only story a later slot could
  take; the assignment cannot.
- **Pins** are honoured as given: a pinned story is its slot's primary and is
  planned nowhere else as a primary; the rest is assigned around them.
  Exclusions are never planned (an exclusion beats a pin of the same story).
- **Backup**: a second assignment over the slots that have a primary, each
  story a backup at most once and never its own slot's primary. A story that is
  nobody's primary is preferred, then one told to another interviewer.
- **Gaps**: a slot no story fits. Each names its two ways out: a new story
  tagged with the principle, or reusing a story already planned for another
  slot that fits this one too.

Every choice is explained in words.
"""

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from practice.ranking import QuestionCard, RankedStory, StoryCard, names_in_words, score_slot
from practice.ranking import spoken_words as slot_words
from stories.review import flag_label

RELEVANCE_SHARE = 55
READINESS_SHARE = 15
CLEAN_SHARE = 5
PRACTICE_SHARE = 15
SCOPE_SHARE = 10
# score_slot points that earn the whole relevance share: the principle's tag (3),
# one of its themes (2), the level (1) and a word in common (1).
RELEVANCE_FULL_POINTS = 7
# A story never practised is worth this share of PRACTICE_SHARE (a rating of 2.6 of 5):
# below a story rated well, above one rated poorly.
UNRATED_PRACTICE = 0.4
# How many principles each interviewer probes in a proposed split.
SPLIT_MIN = 2
SPLIT_MAX = 4


@dataclass(frozen=True)
class Slot:
    """One interviewer and one principle they probe."""

    interviewer_position: int
    interviewer_label: str
    principle_slug: str
    principle_name: str
    principle_id: int | None = None
    # The themes the catalogue's questions for this principle ask about.
    theme_ids: frozenset[int] = frozenset()
    # What the principle asks a story to demonstrate (its words count a little).
    demonstrate: str = ""

    @property
    def key(self) -> tuple[int, str]:
        return (self.interviewer_position, self.principle_slug)

    def as_question(self, level_id: int | None) -> QuestionCard:
        return QuestionCard(
            text=f"{self.principle_name}. {self.demonstrate}",
            level_id=level_id,
            principle_ids=frozenset({self.principle_id} if self.principle_id else ()),
            theme_ids=self.theme_ids,
        )


@dataclass(frozen=True)
class PlanStory:
    """What the planner needs to know about a story."""

    card: StoryCard
    red_flags: tuple[str, ...] = ()
    # The mean of the practice ratings (1–5) of the answers that told this story.
    rating: float | None = None

    @property
    def id(self) -> int:
        return self.card.id

    @property
    def title(self) -> str:
        return self.card.title


@dataclass(frozen=True)
class ScopeFit:
    """What the scope hook says of a story at the loop's level: 0 (far off) to 1 (fits)."""

    share: float = 1.0
    note: str = ""


NEUTRAL_SCOPE = ScopeFit()


@dataclass(frozen=True)
class Choice:
    """A story chosen for a slot, with its fit and the reason in words."""

    story_id: int
    title: str
    fit: int
    explanation: str
    pinned: bool = False


@dataclass(frozen=True)
class GapWays:
    """The two ways out of a gap: a new story tagged with the principle, or a reuse."""

    principle_slug: str
    principle_name: str
    reuse_story_id: int | None = None
    reuse_title: str | None = None
    # Who hears the reused story as their primary ("Hiring manager").
    reuse_interviewer: str | None = None


@dataclass(frozen=True)
class PlannedSlot:
    slot: Slot
    primary: Choice | None = None
    backup: Choice | None = None
    gap_ways: GapWays | None = None

    @property
    def is_gap(self) -> bool:
        return self.primary is None

    @property
    def fit(self) -> int:
        return self.primary.fit if self.primary else 0

    @property
    def pinned(self) -> bool:
        return bool(self.primary and self.primary.pinned)

    @property
    def explanation(self) -> str:
        if self.primary is not None:
            return self.primary.explanation
        where = f"{self.slot.principle_name} for {self.slot.interviewer_label}"
        ways = self.gap_ways
        if ways is not None and ways.reuse_title:
            return (
                f"{where}: no story of yours fits yet. Write one tagged "
                f"{self.slot.principle_name}, or retell ‘{ways.reuse_title}’, planned for "
                f"{ways.reuse_interviewer}."
            )
        return f"{where}: no story of yours fits yet. Write one tagged {self.slot.principle_name}."


@dataclass(frozen=True)
class Plan:
    slots: list[PlannedSlot] = field(default_factory=list)

    @property
    def gaps(self) -> list[PlannedSlot]:
        return [planned for planned in self.slots if planned.is_gap]

    @property
    def total_fit(self) -> int:
        return sum(planned.fit for planned in self.slots)

    def primary_ids(self) -> list[int]:
        return [planned.primary.story_id for planned in self.slots if planned.primary]


# --- A typical split of the principles ----------------------------------------------------


def propose_split(principle_slugs: Sequence[str], interviewers: int) -> list[list[str]]:
    """A typical split of the principles across `interviewers`, SPLIT_MIN to SPLIT_MAX each.

    Dealt round-robin in the order given (the catalogue's), as Amazon loops spread
    the principles so that neighbours in the list go to different interviewers.
    Five interviewers take 4, 3, 3, 3 and 3 of the sixteen. With too few
    interviewers for all of them, the first ones in the order are probed (up to
    SPLIT_MAX each); with many, an interviewer short of SPLIT_MIN also probes the
    first principles the others already cover, as real loops double up on the
    most asked ones.
    """
    if interviewers < 1:
        raise ValueError("A loop has at least one interviewer.")
    slugs = list(dict.fromkeys(principle_slugs))
    if not slugs:
        return [[] for _ in range(interviewers)]
    per = min(SPLIT_MAX, max(SPLIT_MIN, math.ceil(len(slugs) / interviewers)))
    split: list[list[str]] = [[] for _ in range(interviewers)]
    for index, slug in enumerate(slugs[: per * interviewers]):
        split[index % interviewers].append(slug)
    for mine in split:
        for slug in slugs:
            if len(mine) >= min(SPLIT_MIN, len(slugs)):
                break
            if slug not in mine:
                mine.append(slug)
    return split


# --- Fit ----------------------------------------------------------------------------------


def story_fit(ranked: RankedStory, story: PlanStory, scope: ScopeFit) -> int:
    """The fit (0–100) of a story for a slot; 0 when they share no tag."""
    if ranked.score <= 0:
        return 0
    relevance = min(1.0, ranked.score / RELEVANCE_FULL_POINTS)
    readiness = min(100, max(0, story.card.score)) / 100
    clean = 0.0 if story.red_flags else 1.0
    practice = UNRATED_PRACTICE if story.rating is None else (story.rating - 1) / 4
    scope_share = min(1.0, max(0.0, scope.share))
    fit = (
        RELEVANCE_SHARE * relevance
        + READINESS_SHARE * readiness
        + CLEAN_SHARE * clean
        + PRACTICE_SHARE * min(1.0, max(0.0, practice))
        + SCOPE_SHARE * scope_share
    )
    # A story that fits at all is never 0: 0 means a gap.
    return max(1, min(100, round(fit)))


def rating_in_words(rating: float) -> str:
    return f"{round(rating, 1):g}"


def reasons(
    slot: Slot,
    ranked: RankedStory,
    story: PlanStory,
    scope: ScopeFit,
    theme_names: Mapping[int, str],
) -> list[str]:
    said = []
    if ranked.shared_principle_ids:
        said.append(f"tagged {slot.principle_name}")
    core = story.card.core_theme_id if ranked.core_theme else None
    if core is not None and core in theme_names:
        said.append(f"about {theme_names[core]}")
    others = [
        theme_names[pk]
        for pk in sorted(ranked.shared_theme_ids)
        if pk != core and pk in theme_names
    ]
    if others:
        said.append(f"shares {names_in_words(others)}")
    if ranked.matched_words:
        spelled = slot_words(f"{slot.principle_name}. {slot.demonstrate}")
        quoted = [f"‘{spelled.get(word, word)}’" for word in ranked.matched_words]
        said.append(f"mentions {names_in_words(quoted)}")
    said.append("ready" if ranked.ready else f"not ready yet (readiness {story.card.score})")
    if story.red_flags:
        labels = names_in_words(flag_label(code) for code in story.red_flags)
        count = len(story.red_flags)
        said.append(f"{count} red flag{'s' if count > 1 else ''} ({labels})")
    if story.rating is None:
        said.append("not practised yet")
    else:
        said.append(f"rated {rating_in_words(story.rating)} in practice")
    if scope.note:
        said.append(scope.note)
    return said


def choice(
    slot: Slot,
    story: PlanStory,
    ranked: RankedStory,
    fit: int,
    scope: ScopeFit,
    theme_names: Mapping[int, str],
    *,
    pinned: bool = False,
    backup: bool = False,
) -> Choice:
    said = reasons(slot, ranked, story, scope, theme_names)
    if pinned:
        said.insert(0, "pinned by you")
    if fit == 0:
        said.insert(1 if pinned else 0, "shares no tag with it")
    where = f"{slot.principle_name} for {slot.interviewer_label}"
    role = "backup " if backup else ""
    return Choice(
        story_id=story.id,
        title=story.title,
        fit=fit,
        explanation=f"{where}: {role}‘{story.title}’ — {', '.join(said)}",
        pinned=pinned,
    )


# --- The plan -----------------------------------------------------------------------------


def best_assignment(weights: np.ndarray) -> dict[int, int]:
    """{row: column} maximising the total weight; a row whose every weight is 0 gets none.

    Each row also has a column of its own worth 0 (no story), so no row is forced
    onto a story with nothing in common.
    """
    rows, columns = weights.shape
    if rows == 0 or columns == 0:
        return {}
    padded = np.zeros((rows, columns + rows))
    padded[:, :columns] = weights
    left, right = linear_sum_assignment(-padded)
    return {
        int(row): int(column)
        for row, column in zip(left, right, strict=True)
        if column < columns and padded[row, column] > 0
    }


def plan(
    slots: Sequence[Slot],
    stories: Iterable[PlanStory],
    *,
    pins: Mapping[tuple[int, str], int] | None = None,
    excluded: Iterable[int] = (),
    level_id: int | None = None,
    theme_names: Mapping[int, str] | None = None,
    scope_fit: Callable[[PlanStory], ScopeFit] | None = None,
) -> Plan:
    """Primary and backup stories for every slot, or a named gap (see the module's docstring).

    `pins` maps a slot's key (interviewer position, principle slug) to a story id;
    a pin naming a slot or story not in the plan is ignored, and a story pinned to
    two slots keeps its first. `scope_fit` is asked once per story.
    """
    slots = list(slots)
    theme_names = theme_names or {}
    left_out = set(excluded)
    bank = [story for story in stories if story.id not in left_out]
    index = {story.id: column for column, story in enumerate(bank)}
    scopes = [scope_fit(story) if scope_fit else NEUTRAL_SCOPE for story in bank]

    ranked = [
        [score_slot(slot.as_question(level_id), story.card) for story in bank] for slot in slots
    ]
    fits = np.array(
        [
            [
                story_fit(ranked[row][column], bank[column], scopes[column])
                for column in range(len(bank))
            ]
            for row in range(len(slots))
        ],
        dtype=float,
    ).reshape(len(slots), len(bank))

    # Pins first: each slot one pin, each story pinned once.
    primary: dict[int, int] = {}
    pinned_rows: set[int] = set()
    slot_row = {slot.key: row for row, slot in enumerate(slots)}
    for key, story_id in (pins or {}).items():
        row, column = slot_row.get(key), index.get(story_id)
        if row is None or column is None or row in primary or column in primary.values():
            continue
        primary[row] = column
        pinned_rows.add(row)

    # Then one assignment for the rest: fill the most slots, then the most fit.
    free_rows = [row for row in range(len(slots)) if row not in primary]
    taken = set(primary.values())
    free_columns = [column for column in range(len(bank)) if column not in taken]
    # A filled slot outweighs all the fit of the loop: the most slots first.
    fill = 100 * (len(slots) + 1)
    sub = fits[np.ix_(free_rows, free_columns)] if free_rows and free_columns else np.zeros((0, 0))
    weights = np.where(sub > 0, fill + sub, 0)
    for row, column in best_assignment(weights).items():
        primary[free_rows[row]] = free_columns[column]

    # Backups: another assignment over the slots that have a primary.
    primary_of = {column: row for row, column in primary.items()}
    backup_rows = sorted(primary)
    backup_weights = np.zeros((len(backup_rows), len(bank)))
    for i, row in enumerate(backup_rows):
        for column in range(len(bank)):
            fit = fits[row, column]
            if fit <= 0 or column == primary[row]:
                continue
            owner = primary_of.get(column)
            if owner is None:
                preference = 2
            elif slots[owner].interviewer_position != slots[row].interviewer_position:
                preference = 1
            else:
                preference = 0
            backup_weights[i, column] = 4 * fill + 3 * fit + preference
    backup = {backup_rows[i]: column for i, column in best_assignment(backup_weights).items()}

    def chosen(row: int, column: int, **kwargs) -> Choice:
        return choice(
            slots[row],
            bank[column],
            ranked[row][column],
            int(fits[row, column]),
            scopes[column],
            theme_names,
            **kwargs,
        )

    planned = []
    for row, slot in enumerate(slots):
        if row in primary:
            planned.append(
                PlannedSlot(
                    slot,
                    primary=chosen(row, primary[row], pinned=row in pinned_rows),
                    backup=chosen(row, backup[row], backup=True) if row in backup else None,
                )
            )
        else:
            planned.append(PlannedSlot(slot, gap_ways=gap_ways(row, slots, bank, fits, primary_of)))
    return Plan(planned)


def gap_ways(
    row: int, slots: list[Slot], bank: list[PlanStory], fits: np.ndarray, primary_of: dict
) -> GapWays:
    """The ways out of a gap: the principle for a new story, and the best story planned
    elsewhere that fits this slot too (another interviewer's first)."""
    slot = slots[row]
    candidates = [
        (
            -fits[row, column],
            slots[owner].interviewer_position == slot.interviewer_position,
            column,
            owner,
        )
        for column, owner in primary_of.items()
        if fits[row, column] > 0
    ]
    if not candidates:
        return GapWays(slot.principle_slug, slot.principle_name)
    *_, column, owner = min(candidates)
    return GapWays(
        slot.principle_slug,
        slot.principle_name,
        reuse_story_id=bank[column].id,
        reuse_title=bank[column].title,
        reuse_interviewer=slots[owner].interviewer_label,
    )
