"""The data migration that gives stories saved before core themes existed their core theme."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from principles.models import Theme
from stories.models import Story, StoryTemplate
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db

MIGRATION = ("stories", "0006_backfill_core_theme")


def backfill() -> None:
    """Run the migration's function on the database as it is, with the models as it sees them."""
    module = importlib.import_module("stories.migrations.0006_backfill_core_theme")
    apps = MigrationExecutor(connection).loader.project_state(MIGRATION).apps
    module.backfill_core_theme(apps, None)


def theme(slug: str) -> Theme:
    return Theme.objects.get(slug=slug)


def test_a_story_takes_its_templates_core_theme_when_it_carries_that_theme():
    template = StoryTemplate.objects.get(slug="crisis")
    template.core_theme = theme("failure-recovery")
    template.save()
    carries = StoryFactory(
        template=template, themes=[theme("technical-complexity"), theme("failure-recovery")]
    )
    # Untagged from its template's core theme: the first of its own themes instead.
    moved_on = StoryFactory(
        template=template, themes=[theme("customer-impact"), theme("mentorship")]
    )
    backfill()
    assert Story.objects.get(pk=carries.pk).core_theme.slug == "failure-recovery"
    assert Story.objects.get(pk=moved_on.pk).core_theme.slug == "mentorship"


def test_other_stories_take_their_first_theme_and_untagged_ones_stay_without():
    tagged = StoryFactory(themes=[theme("ambiguity-pivoting"), theme("conflict-resolution")])
    untagged = StoryFactory()
    trashed = StoryFactory(themes=[theme("customer-impact")])
    Story.with_trash.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    chosen = StoryFactory(themes=[theme("mentorship")], core_theme=theme("customer-impact"))
    before = Story.objects.get(pk=tagged.pk).updated_at
    backfill()
    story = Story.objects.get(pk=tagged.pk)
    assert story.core_theme.slug == "conflict-resolution"
    assert story.updated_at == before  # not an edit the user made
    assert Story.objects.get(pk=untagged.pk).core_theme is None
    assert Story.with_trash.get(pk=trashed.pk).core_theme.slug == "customer-impact"
    # A core theme already chosen is left as it is.
    assert Story.objects.get(pk=chosen.pk).core_theme.slug == "customer-impact"
