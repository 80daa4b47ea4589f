"""Writes to stories that touch several models: save, restore, duplicate, trash.

Every write re-derives the STAR sections from the answers, stores the coach's
verdict (red flags, score, word count), refreshes the search vector and keeps
a revision, so no version is ever lost and lists never recompute anything.

Saving an existing story is optimistic: the UPDATE only applies when the
story's version is still the one the editor started from, checked and bumped
in that same statement. A second tab that saved first wins the race; the
other gets StoryConflict, and its text is kept as a revision.
"""

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, JSONField, Value
from django.utils import timezone

from stories.cue_card import card_lines
from stories.models import (
    CUE_CARD_MAX,
    TAG_RELATIONS,
    Story,
    StoryDraft,
    StoryRevision,
    StoryTags,
    tag_column,
)
from stories.review import review_story
from stories.star import SECTIONS, SpokenBand, clean_text, sections_from_answers
from stories.targets import targets_for

SEARCH_VECTOR = (
    SearchVector("title", weight="A", config="english")
    + SearchVector("action", "result", weight="B", config="english")
    + SearchVector("situation", "task", "learning", "metrics", weight="C", config="english")
)

# Columns a save writes (besides the tags, which are many-to-many).
SAVED_FIELDS = [
    "title",
    "answers",
    "situation",
    "task",
    "action",
    "result",
    "learning",
    "metrics",
    "status",
    "kind",
    "core_theme",
    "red_flags",
    "score",
    "word_count",
]


class StoryConflict(Exception):
    """The story was saved elsewhere since the editor loaded it; nothing of the edit
    was written but its text, kept as a revision (`losing`).

    `current` is the story as saved now, `edit` the unsaved story as the editor
    had it (its answers and sections applied).
    """

    def __init__(
        self, current: Story, *, edit: Story, expected_version: int, losing: StoryRevision | None
    ):
        super().__init__(f"Story {current.pk} is at version {current.version}")
        self.current = current
        self.edit = edit
        self.expected_version = expected_version
        self.losing = losing

    @property
    def version_unknown(self) -> bool:
        """The edit did not say (or garbled) which version it started from."""
        return self.expected_version == UNKNOWN_VERSION

    def sections(self) -> list[tuple[str, str, str]]:
        """[(section, saved text, the edit's text), ...] in STAR order, to compare."""
        return [(name, getattr(self.current, name), self.edit.sections[name]) for name in SECTIONS]


# No story has version 0 (versions start at 1): an edit that does not know where it
# started saves against it, so it is always compared, never assumed current.
UNKNOWN_VERSION = 0


def apply_answers(story: Story, answers: list[dict]) -> None:
    """Set answers and the STAR sections they feed on `story` (unsaved)."""
    story.answers = answers
    for name, text in sections_from_answers(answers).items():
        setattr(story, name, text)


def apply_review(story: Story, theme_slugs: list[str], band: SpokenBand | None = None) -> None:
    """Store the coach's verdict, judged against the owner's spoken band.

    `band` saves the query for the owner's targets when the caller already has it.
    """
    if band is None:
        band = targets_for(story.owner).band
    review = review_story(story.sections, themes=theme_slugs, band=band)
    story.red_flags = review.codes
    story.score = review.score
    story.word_count = review.word_count


def prepare(
    story: Story,
    answers: list[dict],
    tags: StoryTags,
    *,
    bulk: bool = False,
    band: SpokenBand | None = None,
) -> None:
    apply_answers(story, answers)
    story.kind, story.core_theme = tags.kind, tags.core_theme
    apply_review(story, [theme.slug for theme in tags.themes], band=band)
    # In bulk, each check that would cost a query per story is left out (see story_create_many).
    story.full_clean(
        exclude=["owner", "template", "search_vector", *(["kind", "core_theme"] if bulk else [])],
        validate_constraints=not bulk,
    )


def set_tags(story: Story, tags: StoryTags) -> None:
    for relation in TAG_RELATIONS:
        getattr(story, relation).set(tags.rows(relation))


def story_save(
    *,
    story: Story,
    answers: list[dict],
    tags: StoryTags | dict,
    expected_version: int | None = None,
    kind=None,
) -> Story:
    """Create (no pk) or update a story with its answers and tags, all or nothing.

    For an update, `expected_version` is the version the editor loaded
    (default: the instance's own); a mismatch changes nothing but keeps the
    edit's text as a revision, and raises StoryConflict.

    The story's core theme is saved among its themes; tags without one give it
    their first theme (StoryTags.with_core_theme).
    """
    tags = tags.with_core_theme()
    try:
        return story_save_atomic(
            story=story, answers=answers, tags=tags, expected_version=expected_version, kind=kind
        )
    except StoryConflict as conflict:
        # After the save's own rollback, so the losing text is kept whatever the caller does next.
        conflict.losing = story_keep_losing_edit(story=conflict.current, edit=story)
        raise


@transaction.atomic
def story_save_atomic(
    *, story: Story, answers: list[dict], tags: StoryTags, expected_version: int | None, kind
) -> Story:
    prepare(story, answers, tags)
    if story.pk is None:
        story.save()
    else:
        version = story.version if expected_version is None else expected_version
        updated = Story.objects.filter(pk=story.pk, version=version).update(
            **{name: getattr(story, name) for name in SAVED_FIELDS},
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if not updated:
            current = Story.objects.get(pk=story.pk)
            raise StoryConflict(current, edit=story, expected_version=version, losing=None)
        story.refresh_from_db(fields=["version", "updated_at"])
    set_tags(story, tags)
    refresh_search_vector(story)
    record_revision(story, kind=kind or StoryRevision.Kind.SAVE)
    StoryDraft.objects.filter(owner=story.owner, story=story).delete()
    return story


def story_write(
    *,
    story: Story,
    title: str,
    metrics: str,
    status: str,
    answers: list[dict],
    tags: StoryTags,
    expected_version: int | None,
) -> Story:
    """Save what the story editor sent: a new story (no pk) or an edit of one.

    The create and edit pages share this path. A new story replaces the
    user's unsaved draft for its template. An edit must say which version it
    started from: None (unknown) is never taken to mean the current version,
    it is a conflict to compare (StoryConflict, the text kept as a revision).
    """
    creating = story.pk is None
    story.title, story.metrics, story.status = title, metrics, status
    if not creating and expected_version is None:
        expected_version = UNKNOWN_VERSION
    story_save(story=story, answers=answers, tags=tags, expected_version=expected_version)
    if creating:
        StoryDraft.objects.of(story.owner, story=None, template=story.template).delete()
    return story


def refresh_search_vector(story: Story) -> None:
    Story.with_trash.filter(pk=story.pk).update(search_vector=SEARCH_VECTOR)


def story_snapshot(story: Story, tags: StoryTags | None = None) -> dict:
    """Everything a reader of the story sees, by slug, for history and restore.

    `tags` (as story_save takes them) saves reading the tags back from the
    database when the caller has just written them.
    """
    if tags is None:
        tags = StoryTags.of_story(story)
    return {
        "title": story.title,
        "template": story.template.slug if story.template else None,
        "answers": story.answers,
        "sections": story.sections,
        "metrics": story.metrics,
        "status": story.status,
        "kind": story.kind.slug if story.kind else None,
        **tags.slugs(),
    }


def record_revision(story: Story, *, kind: str, snapshot: dict | None = None) -> StoryRevision:
    return StoryRevision.objects.create(
        story=story,
        version=story.version,
        kind=kind,
        author=story.owner,
        snapshot=snapshot or story_snapshot(story),
    )


class StoriesInvalid(Exception):
    """Some of the stories given to story_create_many fail validation; nothing was written.

    `errors` maps each failing story's position (0-based) to its ValidationError.
    """

    def __init__(self, errors: dict[int, ValidationError]):
        super().__init__(f"{len(errors)} stories are not valid")
        self.errors = errors


BULK_BATCH = 500


@transaction.atomic
def story_create_many(
    *, stories: list[Story], answers: list[list[dict]], tags: list[StoryTags | dict], kind: str
) -> list[Story]:
    """Create many new stories at once, each exactly as story_save would create it.

    The same sections, stored verdict, field checks, search vector and first
    revision, but written in a fixed number of statements (a few per 500
    stories) instead of about fifteen per story, so an import of thousands of
    stories takes seconds. Every story is checked before anything is written;
    if any fails, StoriesInvalid lists them all and nothing is saved.

    The tags (and kind) must be rows just read from the catalogue: their
    existence is not queried again story by story, which is the one check of
    full_clean() left out (with the title constraint, which the database
    enforces and the callers check first).
    """
    tags = [story_tags.with_core_theme() for story_tags in tags]
    errors: dict[int, ValidationError] = {}
    # Each owner's band is read once, not once per story.
    bands = {}
    for index, (story, story_answers, story_tags) in enumerate(
        zip(stories, answers, tags, strict=True)
    ):
        if story.owner_id not in bands:
            bands[story.owner_id] = targets_for(story.owner).band
        try:
            prepare(story, story_answers, story_tags, bulk=True, band=bands[story.owner_id])
        except ValidationError as error:
            errors[index] = error
    if errors:
        raise StoriesInvalid(errors)
    Story.with_trash.bulk_create(stories, batch_size=BULK_BATCH)
    for relation in TAG_RELATIONS:
        column = tag_column(relation)
        through = getattr(Story, relation).through
        # Positional (id, story, tag): several times faster than keywords, for ~10,000 rows.
        assert [f.attname for f in through._meta.concrete_fields] == ["id", "story_id", column]
        links = [
            through(None, story.pk, tag.pk)
            for story, story_tags in zip(stories, tags, strict=True)
            for tag in dict.fromkeys(story_tags.rows(relation))
        ]
        through.objects.bulk_create(links, batch_size=BULK_BATCH * 10)
    Story.with_trash.filter(pk__in=[story.pk for story in stories]).update(
        search_vector=SEARCH_VECTOR
    )
    StoryRevision.objects.bulk_create(
        [
            StoryRevision(
                story=story,
                version=story.version,
                kind=kind,
                author=story.owner,
                # As an expression, so the rows go in as VALUES: Django's UNNEST path
                # would send every snapshot inside one jsonb[] literal, which psycopg
                # escapes quote by quote in Python (most of the import's time).
                snapshot=Value(story_snapshot(story, story_tags), output_field=JSONField()),
            )
            for story, story_tags in zip(stories, tags, strict=True)
        ],
        batch_size=BULK_BATCH,
    )
    return stories


@transaction.atomic
def story_restore_revision(*, story: Story, revision: StoryRevision) -> Story:
    """Bring an old version back as a new version; the newer ones stay in history."""
    snapshot = revision.snapshot
    story.title = snapshot["title"]
    story.metrics = snapshot.get("metrics", "")
    story.status = snapshot.get("status", Story.Status.DRAFT)
    return story_save(
        story=story,
        answers=snapshot.get("answers", []),
        tags=StoryTags.from_slugs(snapshot),
        kind=StoryRevision.Kind.RESTORE,
    )


def story_keep_losing_edit(*, story: Story, edit: Story) -> StoryRevision:
    """Keep the text of an edit that lost a conflict, so nothing is lost.

    The revision is `story` as saved (its tags too) with the edit's title, text,
    metrics and status.
    """
    snapshot = story_snapshot(story) | {
        "title": edit.title,
        "answers": edit.answers,
        "sections": edit.sections,
        "metrics": edit.metrics,
        "status": edit.status,
    }
    return record_revision(story, kind=StoryRevision.Kind.CONFLICT, snapshot=snapshot)


@transaction.atomic
def story_duplicate(*, story: Story) -> Story:
    """A copy to adapt for another company: same text and tags, back to draft."""
    copy = Story(
        owner=story.owner,
        title=f"{story.title[:190]} (copy)",
        template=story.template,
        metrics=story.metrics,
        status=Story.Status.DRAFT,
    )
    return story_save(story=copy, answers=story.answers, tags=StoryTags.of_story(story))


@transaction.atomic
def story_toggle_tag(*, story: Story, relation: str, tag, add: bool) -> None:
    """Tag or untag one principle or theme; a theme change can change the review.

    The core theme stays among the story's themes: it is changed on the story
    form, never untagged here (asking to is a no-op). A story with no core
    theme yet takes the first theme tagged here as its core theme.
    """
    if relation == "themes" and not add and tag.pk == story.core_theme_id:
        return
    manager = getattr(story, relation)
    if add:
        manager.add(tag)
        if relation == "themes" and story.core_theme_id is None:
            story.core_theme = tag
    else:
        manager.remove(tag)
    apply_review(story, list(story.themes.values_list("slug", flat=True)))
    # Tags are part of the story: bump the version (editors in other tabs will
    # be asked before overwriting) and keep a revision.
    Story.objects.filter(pk=story.pk).update(
        red_flags=story.red_flags,
        score=story.score,
        word_count=story.word_count,
        core_theme=story.core_theme,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    story.refresh_from_db(fields=["version", "updated_at"])
    record_revision(story, kind=StoryRevision.Kind.SAVE)


@transaction.atomic
def story_trash(*, story: Story) -> None:
    Story.objects.filter(pk=story.pk).update(deleted_at=timezone.now())


@transaction.atomic
def story_untrash(*, story: Story) -> None:
    Story.with_trash.filter(pk=story.pk).update(deleted_at=None, updated_at=timezone.now())


def trash_purge(*, now=None) -> int:
    """Delete for good the stories trashed more than TRASH_DAYS ago."""
    expired = Story.with_trash.purgeable(now or timezone.now())
    count = expired.count()
    expired.delete()
    return count


def story_autosave_draft(
    *, owner, story: Story | None, template, data: dict, base_version: int
) -> StoryDraft:
    """Keep the form as typed; one draft per story (or per template for a new story)."""
    draft, _ = StoryDraft.objects.update_or_create(
        owner=owner,
        story=story,
        template=None if story else template,
        defaults={"data": data, "base_version": base_version},
    )
    return draft


def stories_rescore(*, owner, band: SpokenBand) -> int:
    """Judge every story of `owner` again against a new spoken band (Trash included).

    The verdict is derived data, not an edit: no version bump and no revision,
    so an editor open in another tab is not told of a conflict. Only the stories
    whose verdict changed are written, in batches; returns how many changed.
    """
    stories = Story.with_trash.filter(owner=owner).prefetch_related("themes")
    changed = []
    for story in stories:
        before = (story.red_flags, story.score, story.word_count)
        apply_review(story, [theme.slug for theme in story.themes.all()], band=band)
        if (story.red_flags, story.score, story.word_count) != before:
            changed.append(story)
    Story.with_trash.bulk_update(
        changed, ["red_flags", "score", "word_count"], batch_size=BULK_BATCH
    )
    return len(changed)


def story_cue_card_set(*, story: Story, text: str) -> Story:
    """Save the story's cue card ("" resets it to the draft from the sections).

    The card is a speaking aid, not the story itself: it is written with a
    one-column UPDATE that neither bumps `version` nor adds a revision, so
    editing it never makes a concurrent edit of the story a conflict.
    """
    text = "\n".join(card_lines(clean_text(text)))
    if len(text) > CUE_CARD_MAX:
        raise ValidationError(f"A cue card holds at most {CUE_CARD_MAX} characters.")
    Story.objects.filter(pk=story.pk).update(cue_card=text)
    story.cue_card = text
    return story
