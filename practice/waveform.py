"""A recording's waveform drawn on the server as SVG. Pure, no database.

The loudness envelope of the figures (practice/delivery.py) drawn as a band
around the middle line, the pauses shaded behind it and each section mark as a
labelled vertical line. No script and no style attribute (the Content-Security-
Policy forbids both): colours are presentation attributes that the classes in
static/css/practice.css ("Waveform" block) may override. The SVG is named by
its <title> and described in words by its <desc>, so a screen reader hears what
a sighted user sees.
"""

from django.utils.html import escape

from practice.timing import mmss
from stories.star import SECTION_LABELS

WIDTH = 600
HEIGHT = 132
TOP = 30  # room for the marks' labels, in two rows when marks are close
LABEL_ROOM = 72  # px a label needs before the next one in the same row
BOTTOM = 16  # and for the time axis
ENVELOPE_FILL = "#0d6efd"
PAUSE_FILL = "#ffe69c"
MARK_STROKE = "#212529"
MUTED = "#6c757d"


def waveform_svg(figures: dict, *, marks: list[dict] | None = None) -> str:
    """The SVG of one analysed recording; `marks` as stored on the Recording."""
    duration = float(figures.get("duration_s") or 0)
    envelope = [min(max(float(v), 0.0), 1.0) for v in figures.get("envelope") or []]
    pauses = figures.get("pauses") or []
    marks = _usable_marks(marks)
    middle = TOP + (HEIGHT - TOP - BOTTOM) / 2
    half = (HEIGHT - TOP - BOTTOM) / 2

    def x(seconds: float) -> float:
        if duration <= 0:
            return 0.0
        return WIDTH * min(max(seconds, 0.0), duration) / duration

    parts = []
    for pause in pauses:
        start, end = float(pause["start_s"]), float(pause["end_s"])
        label = f"Pause of {end - start:.1f} s at {mmss(start)}"
        parts.append(
            f'<rect class="waveform-pause" x="{x(start):.1f}" y="{TOP}" '
            f'width="{max(x(end) - x(start), 1):.1f}" height="{HEIGHT - TOP - BOTTOM}" '
            f'fill="{PAUSE_FILL}"><title>{escape(label)}</title></rect>'
        )
    if envelope:
        step = WIDTH / max(len(envelope) - 1, 1)
        upper = [f"{i * step:.1f},{middle - v * half:.1f}" for i, v in enumerate(envelope)]
        lower = [
            f"{i * step:.1f},{middle + v * half:.1f}"
            for i, v in reversed(list(enumerate(envelope)))
        ]
        parts.append(
            f'<polygon class="waveform-envelope" points="{" ".join(upper + lower)}" '
            f'fill="{ENVELOPE_FILL}"/>'
        )
    parts.append(
        f'<line class="waveform-axis" x1="0" y1="{middle:.1f}" x2="{WIDTH}" y2="{middle:.1f}" '
        f'stroke="{MUTED}" stroke-width="0.5"/>'
    )
    row_ends = [-LABEL_ROOM, -LABEL_ROOM]  # where the last label of each row began
    for mark in marks:
        at = mark["at_ms"] / 1000
        label = SECTION_LABELS[mark["section"]]
        left = x(at)
        anchor = "end" if left > WIDTH - 60 else "start"
        dx = -3 if anchor == "end" else 3
        # The upper row unless the previous label there is too close; then the lower.
        row = 0 if left - row_ends[0] >= LABEL_ROOM or left - row_ends[1] < LABEL_ROOM else 1
        row_ends[row] = left
        parts.append(
            f'<g class="waveform-mark"><title>{escape(f"{label} from {mmss(at)}")}</title>'
            f'<line x1="{left:.1f}" y1="{2 + 13 * row}" x2="{left:.1f}" y2="{HEIGHT - BOTTOM}" '
            f'stroke="{MARK_STROKE}" stroke-width="1.5"/>'
            f'<text class="waveform-mark-label" x="{left + dx:.1f}" y="{12 + 13 * row}" '
            f'font-size="11" text-anchor="{anchor}" fill="{MARK_STROKE}">{escape(label)}</text></g>'
        )
    parts.append(
        f'<text class="waveform-time" x="0" y="{HEIGHT - 3}" font-size="11" fill="{MUTED}">'
        f"0:00</text>"
        f'<text class="waveform-time" x="{WIDTH}" y="{HEIGHT - 3}" font-size="11" '
        f'text-anchor="end" fill="{MUTED}">{escape(mmss(duration))}</text>'
    )
    title = "Waveform of the recording"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="waveform" role="img">'
        f"<title>{escape(title)}</title><desc>{escape(_summary(duration, pauses, marks))}</desc>"
        f"{''.join(parts)}</svg>"
    )


def _usable_marks(marks) -> list[dict]:
    """The marks worth drawing: a known section and a time, in time order."""
    usable = []
    for mark in marks or []:
        if not isinstance(mark, dict) or mark.get("section") not in SECTION_LABELS:
            continue
        at_ms = mark.get("at_ms")
        if isinstance(at_ms, bool) or not isinstance(at_ms, int | float) or not at_ms >= 0:
            continue
        usable.append({"section": mark["section"], "at_ms": at_ms})
    return sorted(usable, key=lambda mark: mark["at_ms"])


def _summary(duration: float, pauses: list[dict], marks: list[dict]) -> str:
    count = len(pauses)
    text = f"{mmss(duration)} of audio"
    if count:
        text += f", {count} pause{'s' if count != 1 else ''} of 1 s or more shaded"
    else:
        text += ", no pauses of 1 s or more"
    if marks:
        text += "; sections: " + ", ".join(
            f"{SECTION_LABELS[m['section']]} at {mmss(m['at_ms'] / 1000)}" for m in marks
        )
    return text + "."
