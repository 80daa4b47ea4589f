"""Writes to stories that touch several models: create, update, duplicate.

Every write re-derives the STAR sections from the answers, stores the coach's
verdict (red flags, score, word count) and refreshes the search vector, so
lists and filters never recompute them.
"""

from django.contrib.postgres.search import SearchVector
from django.db import transaction

from stories.models import Story
from stories.review import review_story
from stories.star import sections_from_answers

SEARCH_VECTOR = (
    SearchVector("title", weight="A", config="english")
    + SearchVector("action", "result", weight="B", config="english")
    + SearchVector("situation", "task", "learning", "metrics", weight="C", config="english")
)


def apply_answers(story: Story, answers: list[dict]) -> None:
    """Set answers, the sections they feed and the coach's verdict on `story` (unsaved)."""
    story.answers = answers
    for name, text in sections_from_answers(answers).items():
        setattr(story, name, text)


def apply_review(story: Story, theme_slugs: list[str]) -> None:
    review = review_story(story.sections, themes=theme_slugs)
    story.red_flags = review.codes
    story.score = review.score
    story.word_count = review.word_count


@transaction.atomic
def story_save(*, story: Story, answers: list[dict], tags: dict) -> Story:
    """Create or update a story with its answers and tags, all or nothing.

    `tags` holds "principles", "themes", "levels" (iterables of model
    instances) and "kind" (a Kind or None).
    """
    apply_answers(story, answers)
    story.kind = tags.get("kind")
    apply_review(story, [theme.slug for theme in tags.get("themes", [])])
    story.full_clean(exclude=["owner", "template", "search_vector"])
    story.save()
    story.principles.set(tags.get("principles", []))
    story.themes.set(tags.get("themes", []))
    story.levels.set(tags.get("levels", []))
    refresh_search_vector(story)
    return story


def refresh_search_vector(story: Story) -> None:
    Story.objects.filter(pk=story.pk).update(search_vector=SEARCH_VECTOR)


@transaction.atomic
def story_duplicate(*, story: Story) -> Story:
    """A copy to adapt for another company: same text and tags, back to draft."""
    copy = Story.objects.create(
        owner=story.owner,
        title=f"{story.title[:190]} (copy)",
        template=story.template,
        answers=story.answers,
        situation=story.situation,
        task=story.task,
        action=story.action,
        result=story.result,
        learning=story.learning,
        metrics=story.metrics,
        kind=story.kind,
        status=Story.Status.DRAFT,
        red_flags=story.red_flags,
        score=story.score,
        word_count=story.word_count,
    )
    copy.principles.set(story.principles.all())
    copy.themes.set(story.themes.all())
    copy.levels.set(story.levels.all())
    refresh_search_vector(copy)
    return copy


@transaction.atomic
def story_toggle_tag(*, story: Story, relation: str, tag, add: bool) -> None:
    """Tag or untag one principle or theme; a theme change can change the review."""
    manager = getattr(story, relation)
    if add:
        manager.add(tag)
    else:
        manager.remove(tag)
    if relation == "themes":
        apply_review(story, list(story.themes.values_list("slug", flat=True)))
        story.save(update_fields=["red_flags", "score", "word_count", "updated_at"])
    else:
        story.save(update_fields=["updated_at"])
