"""Page reads of the stories app: what the bank, its coverage and the catalogue's
"your stories" fragment show. Each runs a fixed number of queries however large
the bank (the query-count tests check it at two sizes)."""

from django.core.paginator import Page, Paginator
from django.db.models import Count

from principles.models import Level, Principle, Theme
from stories import coverage as coverage_rules
from stories.models import Story, story_tag_ids

STORIES_PER_PAGE = 25
PRINCIPLE_STORIES_SHOWN = 50


def bank_figures(*, user) -> dict:
    """Dashboard figures: stories by status, themes and principles covered."""
    by_status = dict(
        Story.objects.for_user(user).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {
        "total": sum(by_status.values()),
        "by_status": [(label, by_status.get(value, 0)) for value, label in Story.Status.choices],
        "themes_covered": Theme.objects.filter(stories__owner=user, stories__deleted_at=None)
        .distinct()
        .count(),
        "themes_total": Theme.objects.count(),
        "principles_covered": Principle.objects.filter(
            stories__owner=user, stories__deleted_at=None
        )
        .distinct()
        .count(),
        "principles_total": Principle.objects.count(),
        "with_red_flags": Story.objects.for_user(user).with_red_flags().count(),
    }


def bank_page(*, user, filters: dict, page_number: str | None) -> Page:
    """One page of the user's story cards, filtered, searched and sorted."""
    cards = Story.objects.for_user(user).with_tags().defer("search_vector", "answers")
    return Paginator(cards.filtered(filters), STORIES_PER_PAGE).get_page(page_number)


def coverage_page(*, user, ready_only: bool) -> coverage_rules.Coverage:
    """The coverage grid of the user's bank (stories only, or only those without red flags)."""
    bank = Story.objects.for_user(user)
    stories = list(bank.order_by("title", "pk").only("pk", "title", "red_flags"))
    for story in stories:
        story.url = story.get_absolute_url()  # once, not once per grid
    return coverage_rules.build_coverage(
        stories,
        story_tag_ids(bank),
        principles=Principle.objects.all(),
        themes=Theme.objects.all(),
        levels=Level.objects.all(),
        ready_only=ready_only,
    )


def principle_stories(*, user, principle: Principle) -> list[Story]:
    """The user's own stories tagged to `principle`, most recently edited first."""
    stories = Story.objects.for_user(user).filter(principles=principle).order_by("-updated_at")
    return list(stories.only("pk", "title")[:PRINCIPLE_STORIES_SHOWN])


def untagged_choices(*, story: Story) -> dict:
    """The principles and themes the story is not tagged with (for inline tagging)."""
    tagged_principles = {p.pk for p in story.principles.all()}
    tagged_themes = {t.pk for t in story.themes.all()}
    return {
        "untagged_principles": [
            p for p in Principle.objects.all() if p.pk not in tagged_principles
        ],
        "untagged_themes": [t for t in Theme.objects.all() if t.pk not in tagged_themes],
    }


def transfer_counts(*, user) -> dict:
    """How many stories an export holds: those in the bank and those in the Trash."""
    stories = Story.with_trash.filter(owner=user)
    return {
        "story_count": stories.filter(deleted_at__isnull=True).count(),
        "trash_count": stories.filter(deleted_at__isnull=False).count(),
    }
