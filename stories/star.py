"""How a template's answers become a story's five STAR sections.

Pure functions, no database: a story is always read as situation, task,
action, result and learning, whichever template its answers came from.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The five STAR sections, in the order a story is told, with their labels. The
# one definition: the model's choices, the review, the forms and the export
# formats all read it from here.
SECTION_LABELS = {
    "situation": "Situation",
    "task": "Task",
    "action": "Action",
    "result": "Result",
    "learning": "Learning",
}
SECTIONS = tuple(SECTION_LABELS)

# The guide's advice for a two-to-three-minute answer: set the scene briefly,
# spend most of the time on what you did, land the result and the lesson.
TIME_BUDGET = {"situation+task": 0.20, "action": 0.60, "result+learning": 0.20}

# How fast a story is told aloud: the guide's 150 words a minute. Every
# estimate of speaking time (the coach, the pages, practice) uses it.
WORDS_PER_MINUTE = 150


@dataclass(frozen=True)
class SpokenBand:
    """How long a story should take to tell aloud, in seconds (and so in words)."""

    min_seconds: int
    max_seconds: int

    @property
    def min_words(self) -> int:
        return round(self.min_seconds * WORDS_PER_MINUTE / 60)

    @property
    def max_words(self) -> int:
        return round(self.max_seconds * WORDS_PER_MINUTE / 60)


# The one spoken-length target: the guide's two to three minutes, i.e. 300 to
# 450 words. The coach, its warnings and practice's default band all read it;
# a user's practice band overrides it (see stories/targets.py).
SPOKEN_BAND = SpokenBand(min_seconds=120, max_seconds=180)


def speaking_seconds(word_count: int) -> int:
    """How long `word_count` words take to say at WORDS_PER_MINUTE."""
    return round(word_count * 60 / WORDS_PER_MINUTE)


def clean_text(text: str | None) -> str:
    """Trim, normalise line endings and drop NUL characters PostgreSQL refuses."""
    if not text:
        return ""
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


# An answer that already ends a sentence, before any closing quote or bracket.
_SENTENCE_END = ".!?\u2026:"
_CLOSERS = "\"'\u201d\u2019)]"
# Each field's answer is a thought of its own: a paragraph, separated by a blank line.
PARAGRAPH_BREAK = "\n\n"


def as_sentence(text: str) -> str:
    """One answer as prose: a capital first letter and a full stop at the end.

    "about five months, January to June" becomes "About five months, January to
    June." A first word with a capital inside ("iOS", "eBay") is a name and is left
    alone, as is an answer that already ends a sentence (or a list lead-in "...:")
    or ends with a bulleted list.
    """
    text = clean_text(text)
    if not text:
        return ""
    first_word = text.split(maxsplit=1)[0]
    if text[0].islower() and first_word.isalpha() and first_word.islower():
        text = text[0].upper() + text[1:]
    last_line = text.rsplit("\n", 1)[-1].lstrip()
    is_list_item = last_line[:1] in "-*\u2022" and last_line[1:2] == " "
    if not is_list_item and text.rstrip(_CLOSERS)[-1:] not in _SENTENCE_END:
        text += "."
    return text


def sections_from_answers(
    answers: Iterable[Mapping[str, str]], *, prose: bool = True
) -> dict[str, str]:
    """Join each section's answers, in the order written, into readable prose.

    A section made of one answer keeps it exactly as written. A section made of
    several turns each into a sentence (see as_sentence) and a paragraph of its
    own, so a short, fact-like answer ("about five months, January to June") is
    never glued onto the end of the previous answer's sentence. ``prose=False``
    gives the join used before issue 13 (the answers as written, separated by one
    space), which older exports carry and imports still accept.
    """
    parts: dict[str, list[str]] = {name: [] for name in SECTIONS}
    for answer in answers:
        text = clean_text(answer.get("text"))
        section = answer.get("section")
        if text and section in parts:
            parts[section].append(text)
    if not prose:
        return {name: " ".join(texts) for name, texts in parts.items()}
    return {
        name: texts[0] if len(texts) == 1 else PARAGRAPH_BREAK.join(map(as_sentence, texts))
        for name, texts in parts.items()
    }


def budget_seconds(total_seconds: int) -> dict[str, int]:
    """Split a target answer time across the STAR parts (the practice timer's hint)."""
    return {part: round(total_seconds * share) for part, share in TIME_BUDGET.items()}
