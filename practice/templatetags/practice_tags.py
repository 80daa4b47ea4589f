"""Small display filters for practice pages: times as m:ss and band verdict colours."""

from django import template

from practice.timing import mmss as format_mmss

register = template.Library()

VERDICT_TEXT = {"under": "timer-under", "inside": "text-success", "over": "timer-red"}
VERDICT_BADGE = {"under": "text-bg-warning", "inside": "text-bg-success", "over": "text-bg-danger"}


@register.filter
def mmss(seconds: int | None) -> str:
    """120 → "2:00"; nothing for a missing time."""
    return "" if seconds is None else format_mmss(seconds)


@register.filter
def verdict_class(verdict: str | None) -> str:
    return VERDICT_TEXT.get(verdict or "", "")


@register.filter
def verdict_badge(verdict: str | None) -> str:
    return VERDICT_BADGE.get(verdict or "", "text-bg-secondary")
