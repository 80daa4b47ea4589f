"""Page reads of the stories app: what the bank, its coverage and the catalogue's
"your stories" fragment show. Each runs a fixed number of queries however large
the bank (the query-count tests check it at two sizes)."""

from collections import Counter

from django.core.paginator import Page, Paginator

from principles.models import Level, Principle, Theme
from stories import coverage as coverage_rules
from stories.models import Story, story_tag_ids
from stories.targets import targets_for

STORIES_PER_PAGE = 25
PRINCIPLE_STORIES_SHOWN = 50


def bank_figures(*, user) -> dict:
    """The bank's stat cards, in the same honest figures as the coverage page:
    themes and principles covered by distinct counted stories (the matching),
    not by tags."""
    result = bank_coverage(user=user, count_all=False)
    by_status = Counter(story.status for story in result.all_stories)
    return {
        "total": len(result.all_stories),
        "by_status": [(label, by_status.get(value, 0)) for value, label in Story.Status.choices],
        "counted": result.story_count,
        "themes_covered": result.themes.covered,
        "themes_total": len(result.themes.columns),
        "principles_covered": result.principles.full,
        "principles_total": len(result.principles.columns),
        "principle_slots": result.principles.columns[0].slots if result.principles.columns else 0,
        "principle_slots_filled": result.principles.filled_slots,
        "principle_slots_total": result.principles.total_slots,
        "with_red_flags": sum(bool(story.red_flags) for story in result.all_stories),
    }


def bank_page(*, user, filters: dict, page_number: str | None) -> Page:
    """One page of the user's story cards, filtered, searched and sorted."""
    cards = Story.objects.for_user(user).with_tags().defer("search_vector", "answers")
    return Paginator(cards.filtered(filters), STORIES_PER_PAGE).get_page(page_number)


def bank_coverage(*, user, count_all: bool) -> coverage_rules.Coverage:
    """The matching of the user's counted stories (every story in the bank with
    `count_all`) to themes, principles and levels, with the stories left out.

    A fixed number of queries, whatever the bank's size: the stories, their tag
    ids (3), the three catalogue lists, and the user's targets (practice's one
    or two). The matching itself takes milliseconds (about 27 ms at 100 stories
    with 4 principles each)."""
    bank = Story.objects.for_user(user)
    stories = list(
        bank.with_counted()
        .order_by("title", "pk")
        .only("pk", "title", "status", "score", "red_flags", "core_theme_id")
    )
    counted, drafts, not_ready = [], [], []
    for story in stories:
        story.url = story.get_absolute_url()  # once, not once per grid
        if count_all or story.is_counted:
            counted.append(story)
        if not story.is_counted:
            (drafts if story.status == Story.Status.DRAFT else not_ready).append(story)
    result = coverage_rules.build_coverage(
        counted,
        story_tag_ids(bank),
        themes=Theme.objects.all(),
        principles=Principle.objects.all(),
        levels=Level.objects.all(),
        principle_slots=targets_for(user).principle_slots,
        drafts=drafts,
        not_ready=not_ready,
        counting_all=count_all,
    )
    result.all_stories = stories
    return result


def coverage_page(*, user, count_all: bool) -> coverage_rules.Coverage:
    """The coverage page: ready stories only by default, every story with `count_all`."""
    return bank_coverage(user=user, count_all=count_all)


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
