"""Which of the user's stories best fits a question. Pure, no database.

A story scores for every tag it shares with the question: 3 per principle,
2 per theme, 1 for the question's level; and 1 per distinct meaningful word
of the question that also appears in the story's title (2 if in the title) or
text, up to 4 points of text match, so the tags the user chose count for
more than chance wording.

A story the coach calls ready (readiness score at least READY_SCORE) is worth
telling more than a draft that fits about as well, so it ranks with READY_LEAD
extra points: above drafts of equal or near fit (up to READY_LEAD points more),
never above a clearly better fit, and never for a story with nothing in
common with the question. Ties go to the ready story, then the more finished
status (polished, then ready, then draft), then the higher readiness score,
then the lower id, so the order is stable.

Each ranking says why in words (`explain`): the tags shared, the level, the
question's words the story mentions.

Words are compared after lower-casing and a crude stemming (a trailing "s",
"es", "ed" or "ing" is dropped), with common words ignored.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from stories.review import READY_SCORE

PRINCIPLE_POINTS = 3
THEME_POINTS = 2
LEVEL_POINTS = 1
TEXT_POINTS_CAP = 4
CORE_THEME_POINTS = 2
STATUS_ORDER = {"polished": 0, "ready": 1, "draft": 2}
# How far a ready story may trail a draft in fit and still rank above it.
READY_LEAD = 2

STOP_WORDS_TEXT = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could describe did do does doing down during each example
    few for from further give had has have having he her here hers how i if in into is it its
    just me more most my no nor not now of off on once only or other our out over own same she
    should so some such tell than that the their them then there these they this those through
    time times to too under until up very was way we were what when where which while who whom
    why will with would you your yours
"""
STOP_WORDS = frozenset(STOP_WORDS_TEXT.split())
WORD_RE = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")


@dataclass(frozen=True)
class StoryCard:
    """What ranking needs to know about a story."""

    id: int
    title: str
    text: str = ""
    status: str = "draft"
    # The coach's readiness score (0-100); from READY_SCORE up the story is ready.
    score: int = 0
    principle_ids: frozenset[int] = field(default_factory=frozenset)
    theme_ids: frozenset[int] = field(default_factory=frozenset)
    level_ids: frozenset[int] = field(default_factory=frozenset)
    # The one theme the story is mainly about (the planner prefers it, see score_slot).
    core_theme_id: int | None = None


@dataclass(frozen=True)
class QuestionCard:
    text: str
    level_id: int | None = None
    principle_ids: frozenset[int] = field(default_factory=frozenset)
    theme_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class RankedStory:
    story_id: int
    # How well the story fits the question (tags and words), before readiness counts.
    score: int
    shared_principle_ids: frozenset[int]
    shared_theme_ids: frozenset[int]
    matched_words: tuple[str, ...]
    shared_level: bool = False
    ready: bool = False
    # The story's core theme is one of the question's themes (score_slot only).
    core_theme: bool = False

    @property
    def rank_points(self) -> int:
        """The fit, plus READY_LEAD for a ready story that fits at all."""
        return self.score + (READY_LEAD if self.ready and self.score else 0)


def stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=4096)
def keywords(text: str) -> frozenset[str]:
    """The meaningful word stems of a text.

    Memoised per process: a question page ranks every story of the bank, and a
    story's text changes far less often than it is ranked (re-stemming 100
    stories of ~400 words cost ~13 ms a request). Pure, so caching is safe.
    """
    words = WORD_RE.findall(text.lower().replace("’", "'"))
    return frozenset(stem(word.split("'")[0]) for word in words if word not in STOP_WORDS)


def score_story(question: QuestionCard, story: StoryCard) -> RankedStory:
    principles = question.principle_ids & story.principle_ids
    themes = question.theme_ids & story.theme_ids
    level = question.level_id is not None and question.level_id in story.level_ids
    asked = keywords(question.text)
    in_title = asked & keywords(story.title)
    in_text = (asked & keywords(story.text)) - in_title
    text_points = min(TEXT_POINTS_CAP, 2 * len(in_title) + len(in_text))
    score = (
        PRINCIPLE_POINTS * len(principles)
        + THEME_POINTS * len(themes)
        + (LEVEL_POINTS if level else 0)
        + text_points
    )
    return RankedStory(
        story_id=story.id,
        score=score,
        shared_principle_ids=frozenset(principles),
        shared_theme_ids=frozenset(themes),
        matched_words=tuple(sorted(in_title | in_text)),
        shared_level=level,
        ready=story.score >= READY_SCORE,
    )


def score_slot(slot: QuestionCard, story: StoryCard) -> RankedStory:
    """How well a story answers one interviewer's principle in a loop.

    The same rules as score_story, with the principle standing in for the question:
    its name and what to demonstrate as the text, the principle and the themes its
    questions ask about as the tags, the loop's level as the level. A story mainly
    about one of those themes (its core theme) earns CORE_THEME_POINTS more.

    A story that shares no tag with the slot scores 0, whatever words it has in
    common: the planner leaves a gap rather than plan an unrelated story.
    """
    ranked = score_story(slot, story)
    if not ranked.shared_principle_ids and not ranked.shared_theme_ids:
        return replace(ranked, score=0, matched_words=(), shared_level=False)
    if story.core_theme_id is not None and story.core_theme_id in slot.theme_ids:
        return replace(ranked, score=ranked.score + CORE_THEME_POINTS, core_theme=True)
    return ranked


def rank_stories(question: QuestionCard, stories: Iterable[StoryCard]) -> list[RankedStory]:
    """Every story, best to tell first; a story with nothing in common scores 0."""
    cards = {story.id: story for story in stories}
    ranked = [score_story(question, story) for story in cards.values()]
    ranked.sort(
        key=lambda r: (
            -r.rank_points,
            not r.ready,
            STATUS_ORDER.get(cards[r.story_id].status, 3),
            -cards[r.story_id].score,
            r.story_id,
        )
    )
    return ranked


def spoken_words(text: str) -> dict[str, str]:
    """{stem: the word as the text spells it}, the first spelling of each stem."""
    words: dict[str, str] = {}
    for word in WORD_RE.findall(text.lower().replace("’", "'")):
        if word not in STOP_WORDS:
            words.setdefault(stem(word.split("'")[0]), word.split("'")[0])
    return words


def names_in_words(names: Iterable[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def explain(
    ranked: RankedStory,
    question: QuestionCard,
    *,
    principle_names: Mapping[int, str],
    theme_names: Mapping[int, str],
    level_name: str = "",
) -> str:
    """Why a story ranks where it does, in words: "shares Ownership and Deliver
    Results; mentions 'migration'". Empty when it has nothing in common.

    Names come in the catalogue's order (the order of the mappings given).
    """
    reasons = []
    shared = [
        *(name for pk, name in principle_names.items() if pk in ranked.shared_principle_ids),
        *(name for pk, name in theme_names.items() if pk in ranked.shared_theme_ids),
    ]
    if shared:
        reasons.append(f"shares {names_in_words(shared)}")
    if ranked.shared_level and level_name:
        reasons.append(f"is tagged {level_name}")
    if ranked.matched_words:
        spelled = spoken_words(question.text)
        quoted = [f"‘{spelled.get(word, word)}’" for word in ranked.matched_words]
        reasons.append(f"mentions {names_in_words(quoted)}")
    return "; ".join(reasons)
