"""Template filters for story pages: badges, and names in place of codes.

Pages never print a code: a red flag, a section or a status reads by its name.
"""

from collections.abc import Iterable, Mapping

from django import template

from stories.cue_card import bold_metrics
from stories.models import Story, StoryTemplate, readiness_tier
from stories.review import flag_label as review_flag_label
from stories.star import SECTION_LABELS

register = template.Library()


@register.filter
def readiness_colour(score: int) -> str:
    """The badge colour of a readiness score's tier: `text-bg-{{ score|readiness_colour }}`."""
    return readiness_tier(score).colour


@register.filter
def flag_label(code: str) -> str:
    """A red flag's name: `{{ "we_not_i"|flag_label }}`."""
    return review_flag_label(code)


@register.filter
def flag_labels(codes: Iterable[str] | None) -> str:
    """A story's red flags by name, comma-separated: `{{ story.red_flags|flag_labels }}`."""
    return ", ".join(review_flag_label(code) for code in codes or ())


@register.filter
def section_label(name: str) -> str:
    """A STAR section's name: `{{ "situation"|section_label }}` is "Situation"."""
    return SECTION_LABELS.get(name, str(name).capitalize())


@register.filter
def status_label(value: str) -> str:
    """A story status's name, for a page that holds the bare value (an import preview)."""
    return dict(Story.Status.choices).get(value, value)


@register.simple_tag
def field_targets(story_template: StoryTemplate | None) -> dict[str, int]:
    """{field key: about how many words}, for the template's fields that say; one query."""
    if story_template is None:
        return {}
    return dict(story_template.fields.filter(target_words__gt=0).values_list("key", "target_words"))


@register.filter
def target_for(targets: Mapping[str, int], key: str) -> int:
    """The word target of one field (0: none): `{{ targets|target_for:spec.key }}`."""
    return targets.get(key, 0) if targets else 0


@register.filter
def cue_bullet(bullet: str, story: Story | None = None) -> str:
    """A cue card bullet, escaped, with the key metrics and figures in bold.

    `{{ bullet|cue_bullet:story }}`: the story's key metrics, and any number
    with a unit, percent or currency, are what the speaker must say aloud.
    """
    return bold_metrics(bullet, story.metric_list if story is not None else [])
