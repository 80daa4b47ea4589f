"""A user's stories and the templates that guide them.

A story is written field by field from a template, but always reads as the
five STAR sections (situation, task, action, result, learning): each answer
lands in its field's section. Answers keep a copy of their field's label and
section, so editing or retiring a template in the admin never loses or hides
text already written.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.urls import reverse

from principles.models import Kind, Level, Principle, Theme
from stories.review import READY_SCORE
from stories.star import SECTION_LABELS, SECTIONS, speaking_seconds

TRASH_DAYS = 30
TITLE_MAX = 200
ANSWER_MAX = 5000
CUE_CARD_MAX = 1200
METRICS_MAX = 2000
# The most answers one story holds: every template has far fewer fields (the
# longest, 9), and the live review and the import refuse more.
ANSWERS_MAX = 30


@dataclass(frozen=True)
class ReadinessTier:
    """A band of the coach's readiness score (0–100), shown as a badge `text-bg-<colour>`."""

    name: str
    minimum: int
    colour: str


# The readiness tiers, highest first: the one definition every badge reads
# (through the `readiness_colour` template filter).
READINESS_TIERS = (
    ReadinessTier("ready", READY_SCORE, "success"),
    ReadinessTier("nearly", 50, "warning"),
    ReadinessTier("not yet", 0, "danger"),
)


def readiness_tier(score: int) -> ReadinessTier:
    """The tier a readiness score falls in."""
    return next((tier for tier in READINESS_TIERS if score >= tier.minimum), READINESS_TIERS[-1])


# The STAR sections as model choices, built from their one definition in stories/star.py.
Section = models.TextChoices(
    "Section", [(name.upper(), (name, label)) for name, label in SECTION_LABELS.items()]
)


class StoryTemplateQuerySet(models.QuerySet):
    def active(self) -> "StoryTemplateQuerySet":
        return self.filter(is_active=True)


class StoryTemplate(models.Model):
    """A guided template: an ordered list of fields, each feeding one STAR section."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(max_length=1000, blank=True)
    kind = models.ForeignKey(
        Kind, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The one theme a story from this template is about (its default core theme).
    core_theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="+")
    principles = models.ManyToManyField(Principle, blank=True, related_name="+")
    is_active = models.BooleanField(
        "active", default=True, help_text="Retired templates are not offered for new stories."
    )

    objects = StoryTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class TemplateField(models.Model):
    template = models.ForeignKey(StoryTemplate, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=120)
    hint = models.TextField(max_length=600, blank=True)
    example = models.TextField(max_length=1000, blank=True)
    section = models.CharField(max_length=10, choices=Section.choices)
    required = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    # About how many words the answer should run to, so the Action gets the share of
    # the story the coach expects (0: no hint). The form shows "about N words".
    target_words = models.PositiveSmallIntegerField(
        default=0, help_text="About how many words the answer should run to; 0 shows no hint."
    )

    class Meta:
        ordering = ["template", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "key"], name="unique_field_key_per_template"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template}: {self.label}"


class StoryQuerySet(models.QuerySet):
    def for_user(self, user) -> "StoryQuerySet":
        return self.filter(owner=user)

    def in_trash(self) -> "StoryQuerySet":
        return self.filter(deleted_at__isnull=False)

    def purgeable(self, now) -> "StoryQuerySet":
        """Stories that have been in the trash longer than TRASH_DAYS."""
        return self.filter(deleted_at__lt=now - timedelta(days=TRASH_DAYS))

    def with_tags(self) -> "StoryQuerySet":
        """Everything a story card shows, in a fixed number of queries."""
        return self.select_related("kind", "template", "core_theme").prefetch_related(
            "principles", "themes", "levels"
        )

    def search(self, terms: str) -> "StoryQuerySet":
        """Full-text search over title (weighted highest) and the five sections."""
        query = SearchQuery(terms, config="english", search_type="websearch")
        return self.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))

    def with_red_flags(self) -> "StoryQuerySet":
        return self.exclude(red_flags=[])

    def without_red_flags(self) -> "StoryQuerySet":
        """Stories the coach has nothing against: no red flag at all, not even a warning."""
        return self.filter(red_flags=[])

    @staticmethod
    def counted_condition() -> Q:
        """What coverage counts by default: past Draft, and scored "ready" by the
        coach (READY_SCORE: within the spoken band, no red-flag error). A draft or
        a weak story tagged with every theme must not make the bank look complete."""
        return ~Q(status=Story.Status.DRAFT) & Q(score__gte=READY_SCORE)

    def counted(self) -> "StoryQuerySet":
        """The stories coverage counts by default (see counted_condition)."""
        return self.filter(self.counted_condition())

    def with_counted(self) -> "StoryQuerySet":
        """Each story marked `is_counted`, so one query can split a bank into the
        stories counted and those left out."""
        return self.annotate(
            is_counted=ExpressionWrapper(self.counted_condition(), output_field=BooleanField())
        )

    def filtered(self, filters: dict) -> "StoryQuerySet":
        """The bank's filters (BankFilterForm.valid_filters()), search and sort, in one place.

        With search terms the default order is relevance; without, relevance means
        nothing and the bank falls back to the most recently updated.
        """
        stories = self
        for name in ("principle", "theme", "level"):
            if name in filters:
                stories = stories.filter(**{f"{name}s": filters[name]})
        for name in ("kind", "status"):
            if name in filters:
                stories = stories.filter(**{name: filters[name]})
        if filters.get("flags") == "with":
            stories = stories.with_red_flags()
        elif filters.get("flags") == "without":
            stories = stories.without_red_flags()
        terms = filters.get("q", "").strip()
        sort = filters.get("sort") or ("relevance" if terms else "updated")
        if terms:
            stories = stories.search(terms)
        elif sort == "relevance":
            sort = "updated"
        return stories.order_by(STORY_SORTS[sort][0], "-pk")


# How the bank can be sorted: key → (order_by, label). The filter form offers these.
STORY_SORTS = {
    "updated": ("-updated_at", "Recently edited"),
    "created": ("-created_at", "Newest first"),
    "title": ("title", "Title A–Z"),
    "score": ("-score", "Readiness score"),
    "relevance": ("-rank", "Best match (with search)"),
}


# The three catalogue relations a story is tagged with; the one list the
# services, the tag-id reads and the export format all use.
TAG_RELATIONS = ("principles", "themes", "levels")


def first_in_catalogue(themes: Sequence[Theme]) -> Theme | None:
    """The theme that comes first in the catalogue's order (the guide's), or None."""
    return min(themes, key=lambda theme: (theme.order, theme.name), default=None)


@dataclass(frozen=True)
class StoryTags:
    """A story's catalogue tags as rows: the one shape the story forms produce and
    the story services write (`story_save`, `story_create_many`, snapshots).

    `kind` and `core_theme` are the single-valued tags; the three relations are
    TAG_RELATIONS. The core theme is the one theme the story is mainly about; a
    saved story also carries it among its `themes` (see `with_core_theme`).
    """

    principles: Sequence[Principle] = ()
    themes: Sequence[Theme] = ()
    levels: Sequence[Level] = ()
    kind: Kind | None = None
    core_theme: Theme | None = None

    @classmethod
    def of_story(cls, story: "Story") -> "StoryTags":
        """The story's tags as stored (four queries, none when prefetched by with_tags)."""
        return cls(
            principles=list(story.principles.all()),
            themes=list(story.themes.all()),
            levels=list(story.levels.all()),
            kind=story.kind,
            core_theme=story.core_theme,
        )

    @classmethod
    def from_slugs(cls, slugs: dict) -> "StoryTags":
        """Slugs (as a snapshot keeps them) back to rows; a slug no longer in the
        catalogue is dropped."""
        return cls(
            principles=list(Principle.objects.filter(slug__in=slugs.get("principles", []))),
            themes=list(Theme.objects.filter(slug__in=slugs.get("themes", []))),
            levels=list(Level.objects.filter(slug__in=slugs.get("levels", []))),
            kind=Kind.objects.filter(slug=slugs.get("kind") or "").first(),
            core_theme=Theme.objects.filter(slug=slugs.get("core_theme") or "").first(),
        )

    def with_core_theme(self) -> "StoryTags":
        """The tags as a story keeps them: the core theme is one of its themes too (so
        a theme filter finds the story), and tags that name no core theme take their
        first theme in the catalogue's order (an old snapshot, an import without one)."""
        core_theme = self.core_theme or first_in_catalogue(self.themes)
        themes = list(self.themes)
        if core_theme is not None and core_theme not in themes:
            themes.append(core_theme)
        return replace(self, themes=themes, core_theme=core_theme)

    def rows(self, relation: str) -> Sequence:
        """The tags of one of TAG_RELATIONS."""
        return getattr(self, relation)

    def as_initial(self) -> dict:
        """As a form's initial values (the form's fields have the same names).

        The form's `themes` are the *other* themes the story flexes to, so the
        core theme is not ticked there a second time.
        """
        return {
            **{relation: list(self.rows(relation)) for relation in TAG_RELATIONS},
            "themes": [theme for theme in self.themes if theme != self.core_theme],
            "kind": self.kind,
            "core_theme": self.core_theme,
        }

    def slugs(self) -> dict:
        """By slug, sorted, as a snapshot keeps them."""
        return {
            **{
                relation: sorted(tag.slug for tag in self.rows(relation))
                for relation in TAG_RELATIONS
            },
            "core_theme": self.core_theme.slug if self.core_theme else None,
        }


def tag_column(relation: str) -> str:
    """The tag's column in the relation's link table (`principles` → `principle_id`)."""
    return f"{relation.removesuffix('s')}_id"


def story_tag_ids(stories: "StoryQuerySet") -> dict[int, dict[str, set[int]]]:
    """Each story's principle, theme and level ids, read straight from the three
    link tables: three queries and no model instances, however many stories.

    Pages that only need to know which tags a whole bank covers (coverage,
    story suggestions) use this instead of prefetching full tag objects.
    """
    result: dict[int, dict[str, set[int]]] = {}
    for relation in TAG_RELATIONS:
        through = getattr(Story, relation).through
        rows = through.objects.filter(story__in=stories.values("pk")).values_list(
            "story_id", tag_column(relation)
        )
        for story_id, tag_id in rows:
            result.setdefault(story_id, {name: set() for name in TAG_RELATIONS})[relation].add(
                tag_id
            )
    return result


class StoryManager(models.Manager.from_queryset(StoryQuerySet)):
    """Stories that are not in the trash: what every page of the bank shows.

    As the default manager it also filters related managers (a principle's
    `stories`), so a trashed story never shows up anywhere but the Trash.
    """

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Story(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        READY = "ready", "Ready"
        POLISHED = "polished", "Polished"

    # Each status's badge colour (`text-bg-<colour>`), the one definition the pages read.
    STATUS_COLOURS = {
        Status.DRAFT: "secondary",
        Status.READY: "primary",
        Status.POLISHED: "success",
    }

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stories"
    )
    title = models.CharField(max_length=TITLE_MAX)
    template = models.ForeignKey(
        StoryTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    # [{"key", "label", "section", "text"}, ...] in the order they were written.
    answers = models.JSONField(default=list, blank=True)
    situation = models.TextField(blank=True)
    task = models.TextField(blank=True)
    action = models.TextField(blank=True)
    result = models.TextField(blank=True)
    learning = models.TextField(blank=True)
    metrics = models.TextField("key metrics", max_length=METRICS_MAX, blank=True)
    # The outline read while telling the story aloud: one bullet per line. Empty
    # means drafted from the sections (see stories/cue_card.py) until edited.
    cue_card = models.TextField("cue card", max_length=CUE_CARD_MAX, blank=True)
    principles = models.ManyToManyField(Principle, blank=True, related_name="stories")
    # The theme the story is mainly about: in coverage it fills this theme first.
    # `themes` are the others it can flex to (the core theme is one of them too).
    core_theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="core_stories"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="stories")
    levels = models.ManyToManyField(Level, blank=True, related_name="stories")
    kind = models.ForeignKey(
        Kind, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The coach's verdict, stored on save so lists and filters need no recomputation.
    red_flags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    score = models.PositiveSmallIntegerField(default=0)
    word_count = models.PositiveIntegerField(default=0)
    search_vector = SearchVectorField(null=True, editable=False)
    # Optimistic concurrency: every save checks and bumps this in one UPDATE.
    version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoryManager()
    with_trash = StoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-updated_at", "-pk"]
        indexes = [
            GinIndex(fields=["search_vector"], name="story_search"),
            models.Index(fields=["owner", "-updated_at"], name="story_owner_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="story_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return self.STATUS_COLOURS.get(self.status, "secondary")

    @property
    def readiness(self) -> ReadinessTier:
        """The tier of the stored readiness score."""
        return readiness_tier(self.score)

    @property
    def sections(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in SECTIONS}

    @property
    def metric_list(self) -> list[str]:
        return [line.strip() for line in self.metrics.splitlines() if line.strip()]

    @property
    def narrative(self) -> str:
        """The story as one text, to read aloud: the sections in STAR order."""
        return "\n\n".join(text for text in self.sections.values() if text.strip())

    @property
    def speaking_seconds(self) -> int:
        return speaking_seconds(self.word_count)

    @property
    def flex_themes(self) -> list[Theme]:
        """The themes besides the core theme that the story can flex to (prefetched by with_tags)."""
        return [theme for theme in self.themes.all() if theme.pk != self.core_theme_id]

    def answer_text(self, key: str) -> str:
        return next((a["text"] for a in self.answers if a.get("key") == key), "")


class StoryRevision(models.Model):
    """One saved version of a story: a full snapshot, so any version can be
    compared with the current one or restored as a new version.

    Written by the save services (never by signals). `kind` tells saves from
    restores and from edits that lost a conflict (kept here so no word is lost).
    """

    class Kind(models.TextChoices):
        SAVE = "save", "Saved"
        RESTORE = "restore", "Restored an earlier version"
        CONFLICT = "conflict", "Edit not kept after a conflict"
        IMPORT = "import", "Imported"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SAVE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["story", "-created_at"], name="revision_story_created")]

    def __str__(self) -> str:
        return f"{self.story_id} v{self.version} ({self.kind})"


class StoryDraftQuerySet(models.QuerySet):
    def of(
        self, owner, *, story: Story | None, template: StoryTemplate | None
    ) -> "StoryDraftQuerySet":
        """The editor's one draft: of `story`, or for a story not yet saved, of `template`."""
        return self.filter(owner=owner, story=story, template=None if story else template)


class StoryDraft(models.Model):
    """Autosaved form content, kept apart from the story so that autosave can
    never overwrite a saved version. One per user and story (or per user and
    template for a story not yet saved)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="story_drafts"
    )
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts"
    )
    template = models.ForeignKey(
        StoryTemplate, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    base_version = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    objects = StoryDraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "story"],
                condition=Q(story__isnull=False),
                name="one_draft_per_story",
            ),
            models.UniqueConstraint(
                fields=["owner", "template"],
                condition=Q(story__isnull=True),
                name="one_new_story_draft_per_template",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft of {self.story_id or self.template_id} by {self.owner_id}"
