"""The story services: the editor's one write path and the conflict that keeps the losing text."""

import pytest

from principles.models import Theme
from stories.models import Story, StoryDraft, StoryRevision, StoryTags
from stories.services import (
    StoryConflict,
    story_autosave_draft,
    story_duplicate,
    story_restore_revision,
    story_save,
    story_toggle_tag,
    story_write,
)
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


def written(story, result: str, **overrides) -> dict:
    answers = [dict(a, text=result) if a["section"] == "result" else a for a in story.answers]
    return {
        "title": story.title,
        "metrics": "",
        "status": "draft",
        "answers": answers,
        "tags": StoryTags(themes=[Theme.objects.get(slug="mentorship")]),
        "expected_version": story.version,
    } | overrides


def test_story_write_creates_a_story_and_clears_the_new_story_draft(user):
    template_story = StoryFactory.build(owner=user)
    story_autosave_draft(
        owner=user, story=None, template=template_story.template, data={}, base_version=0
    )
    new = Story(owner=user, template=template_story.template)
    story_write(story=new, **written(template_story, "Saved 12 hours.", expected_version=None))
    assert new.pk and new.result == "Saved 12 hours." and new.version == 1
    assert [t.slug for t in new.themes.all()] == ["mentorship"]
    assert not StoryDraft.objects.filter(owner=user).exists()


def test_story_write_saves_an_edit_against_the_version_it_started_from(user):
    story = StoryFactory(owner=user)
    story_write(story=story, **written(story, "Saved 20 hours."))
    story.refresh_from_db()
    assert story.result == "Saved 20 hours." and story.version == 2


def test_an_edit_of_unknown_version_is_a_conflict_and_its_text_is_kept(user):
    story = StoryFactory(owner=user)
    before = story.result
    with pytest.raises(StoryConflict) as raised:
        story_write(story=story, **written(story, "Mine: 5 days.", expected_version=None))
    conflict = raised.value
    assert conflict.version_unknown
    assert conflict.current.result == before and conflict.current.version == 1
    assert ("result", before, "Mine: 5 days.") in conflict.sections()
    assert conflict.losing.kind == StoryRevision.Kind.CONFLICT
    assert conflict.losing.snapshot["sections"]["result"] == "Mine: 5 days."
    assert Story.objects.get(pk=story.pk).result == before


def test_story_save_keeps_the_losing_edit_itself_when_another_save_won(user):
    story = StoryFactory(owner=user)
    stale = Story.objects.get(pk=story.pk)
    story_save(story=story, answers=written(story, "First: 1 week.")["answers"], tags=StoryTags())
    with pytest.raises(StoryConflict) as raised:
        story_save(
            story=stale,
            answers=written(stale, "Second: 2 weeks.")["answers"],
            tags=StoryTags(),
            expected_version=1,
        )
    assert not raised.value.version_unknown
    kept = Story.objects.get(pk=story.pk).revisions.get(kind=StoryRevision.Kind.CONFLICT)
    assert kept.snapshot["sections"]["result"] == "Second: 2 weeks."
    assert Story.objects.get(pk=story.pk).result == "First: 1 week."


# --- The core theme ---------------------------------------------------------------


def theme(slug: str) -> Theme:
    return Theme.objects.get(slug=slug)


def test_saving_a_story_keeps_its_core_theme_among_its_themes(user):
    story = StoryFactory(owner=user)
    tags = StoryTags(themes=[theme("mentorship")], core_theme=theme("customer-impact"))
    story_write(story=story, **written(story, "Saved 20 hours.", tags=tags))
    story = Story.objects.get(pk=story.pk)
    assert story.core_theme.slug == "customer-impact"
    assert sorted(t.slug for t in story.themes.all()) == ["customer-impact", "mentorship"]
    # So the bank's theme filter finds it under its core theme.
    assert Story.objects.for_user(user).filtered({"theme": theme("customer-impact")}).exists()
    assert story.flex_themes == [theme("mentorship")]


def test_tags_without_a_core_theme_take_their_first_theme_in_catalogue_order(user):
    story = Story(owner=user, title="Two themes")
    tags = StoryTags(themes=[theme("ambiguity-pivoting"), theme("conflict-resolution")])
    story_save(story=story, answers=[], tags=tags)
    assert Story.objects.get(pk=story.pk).core_theme.slug == "conflict-resolution"
    # No theme at all: no core theme either.
    bare = story_save(story=Story(owner=user, title="No theme"), answers=[], tags=StoryTags())
    assert Story.objects.get(pk=bare.pk).core_theme is None


def test_a_revision_keeps_the_core_theme_and_restoring_brings_it_back(user):
    story = StoryFactory(owner=user)
    first = StoryTags(themes=[theme("mentorship")], core_theme=theme("mentorship"))
    story_write(story=story, **written(story, "Saved 20 hours.", tags=first))
    revision = story.revisions.get()
    assert revision.snapshot["core_theme"] == "mentorship"
    second = StoryTags(themes=[], core_theme=theme("customer-impact"))
    story_write(story=story, **written(story, "Saved 30 hours.", tags=second))
    assert story.revisions.first().snapshot["core_theme"] == "customer-impact"

    story_restore_revision(story=Story.objects.get(pk=story.pk), revision=revision)
    restored = Story.objects.get(pk=story.pk)
    assert restored.core_theme.slug == "mentorship"
    assert [t.slug for t in restored.themes.all()] == ["mentorship"]


def test_a_duplicate_keeps_the_core_theme(user):
    story = StoryFactory(owner=user, core_theme=theme("mentorship"))
    copy = story_duplicate(story=story)
    assert Story.objects.get(pk=copy.pk).core_theme.slug == "mentorship"


def test_the_core_theme_cannot_be_untagged_from_the_story_page_but_others_can(user):
    story = StoryFactory(
        owner=user, themes=[theme("mentorship")], core_theme=theme("customer-impact")
    )
    story_toggle_tag(story=story, relation="themes", tag=theme("customer-impact"), add=False)
    assert sorted(t.slug for t in story.themes.all()) == ["customer-impact", "mentorship"]
    story_toggle_tag(story=story, relation="themes", tag=theme("mentorship"), add=False)
    assert [t.slug for t in story.themes.all()] == ["customer-impact"]


def test_a_story_without_a_core_theme_takes_the_first_theme_tagged_on_its_page(user):
    story = StoryFactory(owner=user)
    assert story.core_theme is None
    story_toggle_tag(story=story, relation="themes", tag=theme("mentorship"), add=True)
    story_toggle_tag(story=story, relation="themes", tag=theme("customer-impact"), add=True)
    story = Story.objects.get(pk=story.pk)
    assert story.core_theme.slug == "mentorship"
    assert story.revisions.first().snapshot["core_theme"] == "mentorship"
