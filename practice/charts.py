"""Progress charts drawn on the server as inline SVG. Pure, no database.

No chart library and no script: each chart is a small SVG built from plain
numbers. The Content-Security-Policy forbids inline style attributes, so
colours are SVG presentation attributes (fill, stroke). Every chart carries a
<title> and a <desc> that say in words what it shows (the SVG is labelled by
them), and its rows, so the page can also show the numbers as a table.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from practice.timing import band_verdict, mmss

WIDTH = 600
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 32

INK = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"
BAND = "#d1e7dd"
UNDER = "#0d6efd"
INSIDE = "#198754"
OVER = "#dc3545"
BAR = "#0d6efd"
LABEL_CHARS = 38  # longer principle names are cut in the chart; the table has them whole


@dataclass(frozen=True)
class Chart:
    """An SVG and its text alternative."""

    title: str
    summary: str
    svg: SafeString
    headers: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows


@dataclass(frozen=True)
class TimePoint:
    when: datetime
    seconds: int


def svg_frame(
    chart_id: str, title: str, summary: str, body: str, *, height: int = HEIGHT
) -> SafeString:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return mark_safe(  # noqa: S308 - every piece of text below is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="practice-chart" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'id="{escape(chart_id)}">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(summary)}</desc>'
        f"{body}</svg>"
    )


def text(x: float, y: float, label: str, *, anchor: str = "start", fill: str = MUTED) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="13" text-anchor="{anchor}" '
        f'fill="{fill}">{escape(label)}</text>'
    )


def empty_chart(chart_id: str, title: str, message: str) -> Chart:
    body = text(WIDTH / 2, HEIGHT / 2, message, anchor="middle")
    return Chart(title=title, summary=message, svg=svg_frame(chart_id, title, message, body))


def when_label(when: datetime) -> str:
    """Day and time: two recordings on one day must not share a label."""
    return f"{when:%d %b %H:%M}"


def when_row(when: datetime) -> str:
    return f"{when:%d %b %Y %H:%M}"


def time_axis(whens: Sequence[datetime], *, height: int = HEIGHT) -> list[str]:
    """The first and the last recording's day and time, under the plot's two ends."""
    labels = [text(LEFT, height - 10, when_label(whens[0]))]
    if len(whens) > 1:
        labels.append(text(WIDTH - RIGHT, height - 10, when_label(whens[-1]), anchor="end"))
    return labels


def slot(index: int, count: int) -> float:
    """The middle of the `index`-th of `count` equal columns across the plot."""
    return LEFT + (WIDTH - LEFT - RIGHT) * (index + 0.5) / count


def banded_plot(
    values: Sequence[float],
    whens: Sequence[datetime],
    *,
    band: tuple[int, int],
    axis_labels: tuple[str, str, str],
    describe: Callable[[float], str],
) -> tuple[list[str], list[str]]:
    """Points in time order against a shaded band: the SVG parts and each point's verdict.

    `axis_labels` names the band's two ends and zero; `describe(value)` is a point's
    tooltip after its time, with "{verdict}" standing for under / inside / over.
    """
    low, high = band
    top = max(high * 1.25, max(values) * 1.1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    low_label, high_label, zero_label = axis_labels
    parts = [
        f'<rect x="{LEFT}" y="{y(high):.1f}" width="{plot_w}" '
        f'height="{y(low) - y(high):.1f}" fill="{BAND}"/>',
        f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(0):.1f}" stroke="{GRID}"/>',
        text(LEFT - 6, y(low) + 4, low_label, anchor="end"),
        text(LEFT - 6, y(high) + 4, high_label, anchor="end"),
        text(LEFT - 6, y(0) + 4, zero_label, anchor="end"),
    ]
    count = len(values)
    line = " ".join(f"{slot(i, count):.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts.append(f'<polyline points="{line}" fill="none" stroke="{MUTED}" stroke-width="1"/>')
    colours = {"under": UNDER, "inside": INSIDE, "over": OVER}
    verdicts = []
    for i, (value, when) in enumerate(zip(values, whens, strict=True)):
        verdict = band_verdict(round(value), low, high)
        label = f"{when_label(when)}: {describe(value).format(verdict=verdict)}"
        parts.append(
            f'<circle cx="{slot(i, count):.1f}" cy="{y(value):.1f}" r="4" '
            f'fill="{colours[verdict]}"><title>{escape(label)}</title></circle>'
        )
        verdicts.append(verdict)
    return parts + time_axis(whens), verdicts


def times_chart(
    points: Sequence[TimePoint], *, band_min: int, band_max: int, chart_id: str = "chart-times"
) -> Chart:
    """Answer times in order, against the shaded target band."""
    title = "Answer times against the target band"
    if not points:
        return empty_chart(chart_id, title, "No timed answers yet.")
    parts, verdicts = banded_plot(
        [p.seconds for p in points],
        [p.when for p in points],
        band=(band_min, band_max),
        axis_labels=(mmss(band_min), mmss(band_max), "0:00"),
        describe=lambda seconds: f"{mmss(seconds)} ({{verdict}} the band)",
    )
    rows = [
        (when_row(p.when), mmss(p.seconds), verdict)
        for p, verdict in zip(points, verdicts, strict=True)
    ]
    inside = sum(1 for row in rows if row[2] == "inside")
    summary = (
        f"{len(points)} timed answer{'s' if len(points) != 1 else ''}, {inside} inside the "
        f"band of {mmss(band_min)} to {mmss(band_max)}; the latest took "
        f"{mmss(points[-1].seconds)}."
    )
    return Chart(
        title=title,
        summary=summary,
        svg=svg_frame(chart_id, title, summary, "".join(parts)),
        headers=("When", "Time", "Band"),
        rows=rows,
    )


def ratings_chart(
    averages: Sequence[tuple[str, float, int]], *, chart_id: str = "chart-ratings"
) -> Chart:
    """Average rating (1-5) per principle, one bar each: (name, average, answers)."""
    title = "Average rating by principle"
    if not averages:
        return empty_chart(chart_id, title, "No rated answers yet.")
    label_w = 290
    row_h = 22
    height = TOP + BOTTOM + row_h * len(averages)
    bar_max = WIDTH - label_w - RIGHT - 40
    parts = []
    for score in range(1, 6):
        gx = label_w + bar_max * score / 5
        parts.append(
            f'<line x1="{gx:.1f}" y1="{TOP}" x2="{gx:.1f}" y2="{height - BOTTOM}" stroke="{GRID}"/>'
        )
        parts.append(text(gx, height - BOTTOM + 14, str(score), anchor="middle"))
    rows = []
    for i, (name, average, count) in enumerate(averages):
        top = TOP + i * row_h
        width = bar_max * average / 5
        label = f"{name}: {average:.1f} from {count} answer{'s' if count != 1 else ''}"
        short = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"
        parts.append(text(label_w - 6, top + row_h * 0.7, short, anchor="end", fill=INK))
        parts.append(
            f'<rect x="{label_w}" y="{top + row_h * 0.15:.1f}" width="{width:.1f}" '
            f'height="{row_h * 0.7:.1f}" fill="{BAR}"><title>{escape(label)}</title></rect>'
        )
        parts.append(text(label_w + width + 4, top + row_h * 0.7, f"{average:.1f}"))
        rows.append((name, f"{average:.1f}", str(count)))
    weakest = min(averages, key=lambda item: item[1])
    summary = (
        f"Ratings for {len(averages)} principle{'s' if len(averages) != 1 else ''}; "
        f"lowest: {weakest[0]} at {weakest[1]:.1f} out of 5."
    )
    return Chart(
        title=title,
        summary=summary,
        svg=svg_frame(chart_id, title, summary, "".join(parts), height=height),
        headers=("Principle", "Average rating", "Answers"),
        rows=rows,
    )


def stories_chart(
    first_practised: Sequence[date], *, total: int, chart_id: str = "chart-stories"
) -> Chart:
    """How many stories have been practised at least once, growing over time.

    `first_practised` holds, per practised story, the day it was first told.
    """
    title = "Stories practised at least once"
    days = sorted(first_practised)
    if total == 0:
        return empty_chart(chart_id, title, "No stories in the bank yet.")
    practised = len(days)
    summary = f"{practised} of {total} stor{'ies' if total != 1 else 'y'} practised at least once."
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max(total, practised, 1)

    def y(count: float) -> float:
        return TOP + plot_h * (1 - count / top)

    parts = [
        f'<line x1="{LEFT}" y1="{y(total):.1f}" x2="{WIDTH - RIGHT}" y2="{y(total):.1f}" '
        f'stroke="{MUTED}" stroke-dasharray="4 4"/>',
        text(LEFT - 6, y(total) + 4, str(total), anchor="end"),
        text(LEFT - 6, y(0) + 4, "0", anchor="end"),
        f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(0):.1f}" stroke="{GRID}"/>',
    ]
    rows = []
    if days:
        span = max((days[-1] - days[0]).days, 1)

        def x(day: date) -> float:
            return LEFT + plot_w * (day - days[0]).days / span

        steps = [f"{LEFT},{y(0):.1f}"]
        for count, day in enumerate(days, start=1):
            steps.append(f"{x(day):.1f},{y(count - 1):.1f}")
            steps.append(f"{x(day):.1f},{y(count):.1f}")
            rows.append((f"{day:%d %b %Y}", str(count)))
        steps.append(f"{WIDTH - RIGHT},{y(practised):.1f}")
        parts.append(
            f'<polyline points="{" ".join(steps)}" fill="none" stroke="{INSIDE}" stroke-width="2"/>'
        )
        parts.append(text(LEFT, HEIGHT - 10, f"{days[0]:%d %b}"))
        parts.append(text(WIDTH - RIGHT, HEIGHT - 10, f"{days[-1]:%d %b}", anchor="end"))
    return Chart(
        title=title,
        summary=summary,
        svg=svg_frame(chart_id, title, summary, "".join(parts)),
        headers=("First practised", "Stories practised so far"),
        rows=rows or [("Not yet", "0")],
    )


# --- Spoken delivery: pace, pauses and section split of analysed recordings ------

PACE = "#0d6efd"
SPLIT_COLOURS = {"situation+task": "#6f42c1", "action": "#0d6efd", "result+learning": "#20c997"}
LEGEND_H = 20


@dataclass(frozen=True)
class DeliveryPoint:
    """One analysed recording's figures: None where the analysis had nothing to say
    (no speech, so no pace; no section marks, so no split)."""

    when: datetime
    wpm: float | None = None
    pauses: int | None = None
    # Percent of the speaking time per TIME_BUDGET part, in TIME_BUDGET's order.
    split: tuple[int, ...] | None = None


def pace_chart(
    points: Sequence[DeliveryPoint], *, target: tuple[int, int], chart_id: str = "chart-pace"
) -> Chart:
    """Words per minute of each analysed recording, against the shaded target band."""
    title = "Pace against the target"
    low, high = target
    paced = [p for p in points if p.wpm is not None]
    if not paced:
        return empty_chart(chart_id, title, "No analysed recording with speech yet.")
    parts, verdicts = banded_plot(
        [p.wpm for p in paced],
        [p.when for p in paced],
        band=target,
        axis_labels=(str(low), str(high), "0"),
        describe=lambda wpm: f"{wpm:.0f} wpm ({{verdict}} the target)",
    )
    rows = [
        (when_row(p.when), f"{p.wpm:.0f}", verdict)
        for p, verdict in zip(paced, verdicts, strict=True)
    ]
    inside = sum(1 for row in rows if row[2] == "inside")
    summary = (
        f"{len(paced)} recording{'s' if len(paced) != 1 else ''}, {inside} inside the target "
        f"of {low} to {high} words per minute; the latest: {paced[-1].wpm:.0f}."
    )
    return Chart(
        title=title,
        summary=summary,
        svg=svg_frame(chart_id, title, summary, "".join(parts)),
        headers=("When", "Words per minute", "Target"),
        rows=rows,
    )


def pauses_chart(points: Sequence[DeliveryPoint], *, chart_id: str = "chart-pauses") -> Chart:
    """How many pauses of a second or longer each analysed recording had, one bar each."""
    title = "Pauses of 1 s or longer"
    counted = [p for p in points if p.pauses is not None]
    if not counted:
        return empty_chart(chart_id, title, "No analysed recordings yet.")
    top = max(max(p.pauses for p in counted), 4)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar_w = min(plot_w / len(counted) * 0.7, 40)

    def y(count: float) -> float:
        return TOP + plot_h * (1 - count / top)

    parts = [
        f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(0):.1f}" stroke="{GRID}"/>',
        f'<line x1="{LEFT}" y1="{y(top):.1f}" x2="{WIDTH - RIGHT}" y2="{y(top):.1f}" '
        f'stroke="{GRID}"/>',
        text(LEFT - 6, y(0) + 4, "0", anchor="end"),
        text(LEFT - 6, y(top) + 4, str(top), anchor="end"),
    ]
    rows = []
    for i, point in enumerate(counted):
        label = f"{when_label(point.when)}: {point.pauses} pause{'s' if point.pauses != 1 else ''}"
        parts.append(
            f'<rect x="{slot(i, len(counted)) - bar_w / 2:.1f}" y="{y(point.pauses):.1f}" '
            f'width="{bar_w:.1f}" height="{y(0) - y(point.pauses):.1f}" fill="{BAR}">'
            f"<title>{escape(label)}</title></rect>"
        )
        rows.append((when_row(point.when), str(point.pauses)))
    parts += time_axis([p.when for p in counted])
    latest = counted[-1].pauses
    summary = (
        f"{len(counted)} recording{'s' if len(counted) != 1 else ''}; the latest had "
        f"{latest} pause{'s' if latest != 1 else ''} of a second or longer, the fewest was "
        f"{min(p.pauses for p in counted)}."
    )
    return Chart(
        title=title,
        summary=summary,
        svg=svg_frame(chart_id, title, summary, "".join(parts)),
        headers=("When", "Pauses"),
        rows=rows,
    )


def split_chart(
    points: Sequence[DeliveryPoint],
    *,
    budget: Mapping[str, float],
    labels: Mapping[str, str],
    chart_id: str = "chart-split",
) -> Chart:
    """Each marked recording's split of the time (e.g. S+T / A / R+L) as a stacked bar,
    with dashed lines where the budget (20/60/20) puts the boundaries."""
    title = "Section split against the time budget"
    marked = [p for p in points if p.split is not None]
    if not marked:
        return empty_chart(chart_id, title, "No analysed recording with section marks yet.")
    keys = list(budget)
    height = HEIGHT + LEGEND_H
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_y = TOP + LEGEND_H
    bar_w = min(plot_w / len(marked) * 0.7, 40)

    def y(percent: float) -> float:
        return top_y + plot_h * (1 - percent / 100)

    parts = []
    legend_x = LEFT
    for key in keys:
        parts.append(
            f'<rect x="{legend_x}" y="4" width="12" height="12" fill="{SPLIT_COLOURS[key]}"/>'
        )
        parts.append(text(legend_x + 16, 15, f"{labels[key]} ({round(budget[key] * 100)}%)"))
        legend_x += 185
    rows = []
    for i, point in enumerate(marked):
        x = slot(i, len(marked)) - bar_w / 2
        below = 0.0
        shares = ", ".join(
            f"{labels[key]} {percent}%" for key, percent in zip(keys, point.split, strict=True)
        )
        for key, percent in zip(keys, point.split, strict=True):
            share = min(max(percent, 0), 100 - below)
            parts.append(
                f'<rect x="{x:.1f}" y="{y(below + share):.1f}" width="{bar_w:.1f}" '
                f'height="{y(below) - y(below + share):.1f}" fill="{SPLIT_COLOURS[key]}">'
                f"<title>{escape(f'{when_label(point.when)}: {shares}')}</title></rect>"
            )
            below += share
        rows.append((when_row(point.when), *(f"{percent}%" for percent in point.split)))
    boundary = 0.0
    for key in keys[:-1]:
        boundary += budget[key] * 100
        parts.append(
            f'<line x1="{LEFT}" y1="{y(boundary):.1f}" x2="{WIDTH - RIGHT}" y2="{y(boundary):.1f}" '
            f'stroke="{INK}" stroke-dasharray="4 4"/>'
        )
        parts.append(text(LEFT - 6, y(boundary) + 4, f"{boundary:.0f}%", anchor="end"))
    parts.append(text(LEFT - 6, y(0) + 4, "0%", anchor="end"))
    parts.append(text(LEFT - 6, y(100) + 4, "100%", anchor="end"))
    parts += time_axis([p.when for p in marked], height=height)
    latest = ", ".join(
        f"{labels[key]} {percent}%" for key, percent in zip(keys, marked[-1].split, strict=True)
    )
    target = "/".join(str(round(budget[key] * 100)) for key in keys)
    summary = (
        f"{len(marked)} recording{'s' if len(marked) != 1 else ''} with section marks; "
        f"the latest: {latest} (budget {target})."
    )
    return Chart(
        title=title,
        summary=summary,
        svg=svg_frame(chart_id, title, summary, "".join(parts), height=height),
        headers=("When", *(labels[key] for key in keys)),
        rows=rows,
    )
