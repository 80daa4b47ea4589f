"""Which of the user's stories best fits a question. Pure, no database.

A story scores for every tag it shares with the question: 3 per principle,
2 per theme, 1 for the question's level; and 1 per distinct meaningful word
of the question that also appears in the story's title (2 if in the title) or
text, up to 4 points of text match, so the tags the user chose count for
more than chance wording. Ties go to the more finished story (polished,
then ready, then draft), then the lower id, so the order is stable.

Words are compared after lower-casing and a crude stemming (a trailing "s",
"es", "ed" or "ing" is dropped), with common words ignored.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

PRINCIPLE_POINTS = 3
THEME_POINTS = 2
LEVEL_POINTS = 1
TEXT_POINTS_CAP = 4
STATUS_ORDER = {"polished": 0, "ready": 1, "draft": 2}

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
    principle_ids: frozenset[int] = field(default_factory=frozenset)
    theme_ids: frozenset[int] = field(default_factory=frozenset)
    level_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class QuestionCard:
    text: str
    level_id: int | None = None
    principle_ids: frozenset[int] = field(default_factory=frozenset)
    theme_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class RankedStory:
    story_id: int
    score: int
    shared_principle_ids: frozenset[int]
    shared_theme_ids: frozenset[int]
    matched_words: tuple[str, ...]


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
    )


def rank_stories(question: QuestionCard, stories: Iterable[StoryCard]) -> list[RankedStory]:
    """Every story, best match first; a story with nothing in common scores 0."""
    cards = {story.id: story for story in stories}
    ranked = [score_story(question, story) for story in cards.values()]
    ranked.sort(key=lambda r: (-r.score, STATUS_ORDER.get(cards[r.story_id].status, 3), r.story_id))
    return ranked
