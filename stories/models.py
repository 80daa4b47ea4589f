"""A user's stories and the templates that guide them.

A story is written field by field from a template, but always reads as the
five STAR sections (situation, task, action, result, learning): each answer
lands in its field's section. Answers keep a copy of their field's label and
section, so editing or retiring a template in the admin never loses or hides
text already written.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from principles.models import Kind, Level, Principle, Theme

TITLE_MAX = 200
ANSWER_MAX = 5000
METRICS_MAX = 2000


class Section(models.TextChoices):
    SITUATION = "situation", "Situation"
    TASK = "task", "Task"
    ACTION = "action", "Action"
    RESULT = "result", "Result"
    LEARNING = "learning", "Learning"


SECTION_ORDER = [choice.value for choice in Section]


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

    def with_tags(self) -> "StoryQuerySet":
        """Everything a story card shows, in a fixed number of queries."""
        return self.select_related("kind", "template").prefetch_related(
            "principles", "themes", "levels"
        )

    def search(self, terms: str) -> "StoryQuerySet":
        """Full-text search over title (weighted highest) and the five sections."""
        query = SearchQuery(terms, config="english", search_type="websearch")
        return self.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))

    def with_red_flags(self) -> "StoryQuerySet":
        return self.exclude(red_flags=[])

    def ready(self) -> "StoryQuerySet":
        """Stories the coach has nothing against: no red flag at all."""
        return self.filter(red_flags=[])


class Story(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        READY = "ready", "Ready"
        POLISHED = "polished", "Polished"

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
    principles = models.ManyToManyField(Principle, blank=True, related_name="stories")
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
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoryQuerySet.as_manager()

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
    def sections(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in SECTION_ORDER}

    @property
    def metric_list(self) -> list[str]:
        return [line.strip() for line in self.metrics.splitlines() if line.strip()]

    @property
    def narrative(self) -> str:
        """The story as one text, to read aloud: the sections in STAR order."""
        return "\n\n".join(text for text in self.sections.values() if text.strip())

    @property
    def speaking_seconds(self) -> int:
        from stories.review import WORDS_PER_MINUTE

        return round(self.word_count * 60 / WORDS_PER_MINUTE)

    def answer_text(self, key: str) -> str:
        return next((a["text"] for a in self.answers if a.get("key") == key), "")
