"""The cue card: a short outline of a story to glance at while telling it aloud.

Pure functions, no database. The draft takes the first sentence of each STAR
section (two for the Action, where most of the telling happens), shortened at a
clause boundary, never mid-word, so each bullet fits on one glance.
"""

import re
from collections.abc import Mapping

from django.utils.html import escape
from django.utils.safestring import mark_safe

from stories.review import sentences

# A bullet longer than this is shortened: about a dozen words, one glance.
BULLET_MAX = 90
# The result carries the key metrics, so its bullet may run a little longer.
RESULT_BULLET_MAX = 130
# A clause ends at one of these; each needs the space after it, so "$60,000" and
# "10:30" are never cut in two.
_CLAUSE_BREAKS = ("; ", " \u2014 ", " - ", ": ", ", ")
# How many sentences each section gives: the Action carries the story.
_SENTENCES_PER_SECTION = {"situation": 1, "task": 1, "action": 2, "result": 1, "learning": 1}


def shorten(sentence: str, limit: int = BULLET_MAX) -> str:
    """The sentence cut to `limit` characters at a clause boundary, else a word boundary.

    Never mid-word, and never so that a figure that fits is dropped.
    """
    sentence = " ".join(sentence.split()).rstrip(".")
    if len(sentence) <= limit:
        return sentence
    head = sentence[: limit + 1]
    # A clause cut that would drop a figure the bullet has room for loses the one
    # thing worth memorising; then the cut falls at the last word instead.
    figures = [match for match in _FIGURE.finditer(head) if match.end() <= limit]
    for mark in _CLAUSE_BREAKS:
        cut = head.rfind(mark)
        if cut >= limit // 3 and not any(match.start() > cut for match in figures):
            return head[:cut].rstrip(" ,;:\u2014-") + "\u2026"
    cut = head.rfind(" ")
    if cut <= 0:
        return sentence[:limit] + "\u2026"
    return head[:cut].rstrip(" ,;:") + "\u2026"


def _result_bullet(result: str, metrics: list[str]) -> list[str]:
    """The result's first sentence; with no result written, the key metrics themselves."""
    found = sentences(result or "")
    if found:
        return [shorten(found[0], RESULT_BULLET_MAX)]
    if metrics:
        return [shorten("; ".join(metrics), RESULT_BULLET_MAX)]
    return []


def draft_cue_card(sections: Mapping[str, str], metrics: list[str]) -> list[str]:
    """4–6 bullets for an ordinary story; fewer for a short one, never an empty bullet."""
    bullets: list[str] = []
    for name, count in _SENTENCES_PER_SECTION.items():
        if name == "result":
            bullets += _result_bullet(sections.get("result", ""), metrics)
            continue
        bullets += [shorten(s) for s in sentences(sections.get(name) or "")[:count]]
    return [bullet for bullet in bullets if bullet]


# "- ", "* " or "•" at the start of a line, repeated ("- • ") as people type them.
_BULLET_MARK = re.compile(r"^(?:[-*]\s+|\u2022\s*)+")


def card_lines(text: str) -> list[str]:
    """An edited card's bullets: one per non-blank line, leading bullet marks dropped.

    A dash or star is a bullet only when a space follows it, so "**40%** faster" keeps its stars.
    """
    lines = (_BULLET_MARK.sub("", line.strip()).strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def cue_points(story) -> list[str]:
    """The story's cue card: the user's edited lines, else the draft from its sections."""
    edited = card_lines(story.cue_card)
    if edited:
        return edited
    return draft_cue_card(story.sections, story.metric_list)


# A figure worth saying aloud: money, a percentage, or a number with a unit.
_FIGURE = re.compile(
    r"[$\u00a3\u20ac]\s?\d[\d,.]*\s?[kKmMbB]?\b"
    r"|\b\d[\d,.]*\s?(?:%|percent\b|[kKmM]\b|x\b|hours?\b|days?\b|weeks?\b|months?\b"
    r"|years?\b|users?\b|customers?\b|people\b|engineers?\b|ms\b|seconds?\b|minutes?\b)"
)


def bold_metrics(bullet: str, metrics: list[str]) -> str:
    """The bullet as safe HTML: escaped, each key metric and figure wrapped in <strong>."""
    spans = _metric_spans(bullet, metrics)
    parts, at = [], 0
    for start, end in spans:
        parts.append(escape(bullet[at:start]))
        parts.append(f"<strong>{escape(bullet[start:end])}</strong>")
        at = end
    parts.append(escape(bullet[at:]))
    return mark_safe("".join(parts))


def _metric_spans(bullet: str, metrics: list[str]) -> list[tuple[int, int]]:
    """Where the metrics and figures are in the bullet: sorted, non-overlapping spans."""
    found = []
    lowered = bullet.lower()
    for metric in sorted({m for m in metrics if m.strip()}, key=len, reverse=True):
        start = lowered.find(metric.lower())
        while start != -1:
            found.append((start, start + len(metric)))
            start = lowered.find(metric.lower(), start + len(metric))
    found += [match.span() for match in _FIGURE.finditer(bullet)]
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found, key=lambda span: (span[0], -span[1])):
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    return spans
