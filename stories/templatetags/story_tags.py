"""Template filters for story pages: the readiness badge reads its tier from the model."""

from django import template

from stories.models import readiness_tier

register = template.Library()


@register.filter
def readiness_colour(score: int) -> str:
    """The badge colour of a readiness score's tier: `text-bg-{{ score|readiness_colour }}`."""
    return readiness_tier(score).colour
