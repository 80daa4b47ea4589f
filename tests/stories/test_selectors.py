"""The bank's page reads (stories/selectors.py) and the filtering they rely on
(StoryQuerySet.filtered in stories/models.py)."""

import datetime

import pytest

from principles.models import Kind, Level, Principle, Theme
from stories import selectors
from stories.models import STORY_SORTS, Story
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


# --- StoryQuerySet.filtered ----------------------------------------------------------


def test_filtered_keeps_only_stories_matching_every_filter(user):
    ownership = Principle.objects.get(slug="ownership")
    mentorship = Theme.objects.get(slug="mentorship")
    senior = Level.objects.get(slug="senior")
    people = Kind.objects.first()
    tags = {"principles": [ownership], "themes": [mentorship], "levels": [senior]}
    wanted = StoryFactory(owner=user, kind=people, status="ready", **tags)
    StoryFactory(owner=user, kind=people, status="draft", **tags)
    StoryFactory(owner=user, kind=people, status="ready", principles=[ownership])
    StoryFactory(owner=user, status="ready", **tags)
    filters = {
        "principle": ownership,
        "theme": mentorship,
        "level": senior,
        "kind": people,
        "status": "ready",
    }
    assert list(Story.objects.filtered(filters)) == [wanted]


def test_filtered_by_red_flags_with_or_without(user):
    flagged = StoryFactory(owner=user, action="We decided to rewrite it. We shipped it.")
    clean = StoryFactory(owner=user)
    assert flagged.red_flags and not clean.red_flags
    assert list(Story.objects.filtered({"flags": "with"})) == [flagged]
    assert list(Story.objects.filtered({"flags": "without"})) == [clean]
    assert set(Story.objects.filtered({})) == {flagged, clean}


def test_filtered_search_ranks_title_matches_first_and_drops_non_matches(user):
    StoryFactory(owner=user, title="A quiet week", action="I mentioned a migration. " * 3)
    best = StoryFactory(owner=user, title="Database migration rescue")
    StoryFactory(owner=user, title="Unrelated", situation="Nothing.", action="Nothing.")
    found = list(Story.objects.filtered({"q": " migrations "}))
    assert found[0] == best
    assert "Unrelated" not in [story.title for story in found]


@pytest.mark.parametrize("sort", sorted(set(STORY_SORTS) - {"relevance"}))
def test_filtered_orders_by_each_sort_newest_first_on_ties(user, sort):
    stories = [StoryFactory(owner=user, title=title) for title in ("Beta", "Alpha", "Gamma")]
    Story.objects.filter(pk=stories[0].pk).update(
        created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    column = STORY_SORTS[sort][0]
    found = list(Story.objects.filtered({"sort": sort}))
    expected = sorted(Story.objects.all(), key=lambda s: -s.pk)
    expected.sort(key=lambda s: getattr(s, column.lstrip("-")), reverse=column.startswith("-"))
    assert found == expected


def test_filtered_relevance_without_search_falls_back_to_recently_edited(user):
    older, newer = StoryFactory(owner=user), StoryFactory(owner=user)
    Story.objects.filter(pk=older.pk).update(
        updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    assert list(Story.objects.filtered({"sort": "relevance"})) == [newer, older]


def test_a_search_can_still_be_sorted_by_title(user):
    StoryFactory(owner=user, title="Zed migration")
    StoryFactory(owner=user, title="Able migration")
    found = Story.objects.filtered({"q": "migration", "sort": "title"})
    assert [story.title for story in found] == ["Able migration", "Zed migration"]


# --- The page reads ---------------------------------------------------------------


def test_bank_page_is_only_the_users_own(user, other_user):
    mine = StoryFactory(owner=user, title="Mine about migration")
    StoryFactory(owner=other_user, title="Theirs about migration")
    assert list(selectors.bank_page(user=user, filters={}, page_number=None)) == [mine]
    assert list(selectors.bank_page(user=user, filters={"q": "migration"}, page_number=None)) == [
        mine
    ]


def test_bank_figures_count_status_and_coverage_of_the_users_bank_only(user, other_user):
    polished = StoryFactory(
        owner=user, status="polished", themes=[Theme.objects.get(slug="mentorship")]
    )
    StoryFactory(owner=user, status="draft", principles=[Principle.objects.get(slug="frugality")])
    theirs = StoryFactory(owner=other_user, status="ready", themes=list(Theme.objects.all()))
    Story.objects.filter(pk__in=[polished.pk, theirs.pk]).update(score=90)
    figures = selectors.bank_figures(user=user)
    assert figures["total"] == 2 and figures["counted"] == 1
    assert ("Polished", 1) in figures["by_status"] and ("Draft", 1) in figures["by_status"]
    # The draft's principle does not count; the other user's themes never do.
    assert figures["themes_covered"] == 1 and figures["principles_covered"] == 0
    assert figures["principles_total"] == 16


def test_coverage_page_reads_the_users_stories_with_their_links(user, other_user):
    mine = StoryFactory(owner=user, principles=[Principle.objects.get(slug="frugality")])
    StoryFactory(owner=other_user, principles=[Principle.objects.get(slug="ownership")])
    result = selectors.coverage_page(user=user, count_all=True)
    assert result.story_count == 1
    assert [row.story.url for row in result.principles.rows] == [mine.get_absolute_url()]
    gaps = {column.slug for column in result.principles.gaps if column.is_empty}
    assert "ownership" in gaps and "frugality" not in gaps
    assert selectors.coverage_page(user=user, count_all=False).story_count == 0  # a draft


def test_principle_stories_are_the_users_own_tagged_ones_most_recent_first(user, other_user):
    frugality = Principle.objects.get(slug="frugality")
    older = StoryFactory(owner=user, principles=[frugality])
    newer = StoryFactory(owner=user, principles=[frugality])
    StoryFactory(owner=user)  # not tagged
    StoryFactory(owner=other_user, principles=[frugality])
    trashed = StoryFactory(owner=user, principles=[frugality])
    Story.objects.filter(pk=trashed.pk).update(deleted_at=datetime.datetime.now(datetime.UTC))
    assert selectors.principle_stories(user=user, principle=frugality) == [newer, older]


def test_principle_stories_stop_at_the_most_a_page_lists(user):
    frugality = Principle.objects.get(slug="frugality")
    StoryFactory.create_batch(
        selectors.PRINCIPLE_STORIES_SHOWN + 1, owner=user, principles=[frugality]
    )
    assert (
        len(selectors.principle_stories(user=user, principle=frugality))
        == selectors.PRINCIPLE_STORIES_SHOWN
    )
