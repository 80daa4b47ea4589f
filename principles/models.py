"""The reference catalogue that stories and practice are tagged against.

Amazon's Leadership Principles, the guide's eight story themes, its four kinds
of leadership, the interview levels and the question bank. Loaded by data
migration into every new database and curated afterwards in the admin; other
apps read these rows but never change them.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import models
from django.urls import reverse


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class CatalogueEntry(models.Model):
    """Shared shape of the small ordered lists: a slug, a name, an order."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(max_length=1000, blank=True)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Level(CatalogueEntry):
    """An interview level. Ordered: a staff candidate may also get senior questions."""

    class Meta(CatalogueEntry.Meta):
        pass

    def with_levels_below(self, count: int = 1) -> list["Level"]:
        """This level and the `count` levels just below it (staff → staff, senior)."""
        below = Level.objects.filter(order__lt=self.order).order_by("-order")[:count]
        return [self, *below]


class Kind(CatalogueEntry):
    """A kind of leadership: technical, project, people, influence."""

    class Meta(CatalogueEntry.Meta):
        verbose_name = "leadership kind"


class Theme(CatalogueEntry):
    """A story theme; a complete bank has at least one story per theme."""

    class Meta(CatalogueEntry.Meta):
        pass


class Principle(CatalogueEntry):
    """One of Amazon's sixteen Leadership Principles, with guidance for stories."""

    demonstrate = models.CharField("what to demonstrate", max_length=200)
    guidance = models.TextField("what interviewers listen for", max_length=3000)
    strong_signals = models.TextField(
        max_length=2000, blank=True, help_text="Signals of a strong answer, one per line."
    )
    weak_signals = models.TextField(
        max_length=2000, blank=True, help_text="Signals of a weak answer, one per line."
    )

    class Meta(CatalogueEntry.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("principles:detail", args=[self.slug])

    @property
    def strong_signal_list(self) -> list[str]:
        return split_lines(self.strong_signals)

    @property
    def weak_signal_list(self) -> list[str]:
        return split_lines(self.weak_signals)


QUESTION_SEARCH_VECTOR = SearchVector("text", config="english")


class QuestionQuerySet(models.QuerySet):
    def active(self) -> "QuestionQuerySet":
        return self.filter(is_active=True)

    def search(self, terms: str) -> "QuestionQuerySet":
        """Full-text search (PostgreSQL, English stemming), best match first."""
        query = SearchQuery(terms, config="english", search_type="websearch")
        return (
            self.annotate(
                search=QUESTION_SEARCH_VECTOR, rank=SearchRank(QUESTION_SEARCH_VECTOR, query)
            )
            .filter(search=query)
            .order_by("-rank", "level__order", "pk")
        )

    def with_tags(self) -> "QuestionQuerySet":
        """Everything a question card shows, in a fixed number of queries."""
        return self.select_related("level").prefetch_related("principles", "themes")

    def filtered(self, filters: dict) -> "QuestionQuerySet":
        """The question bank's filters (QuestionFilterForm.valid_filters()) and search."""
        questions = self
        if "level" in filters:
            questions = questions.filter(level=filters["level"])
        for name in ("principle", "theme"):
            if name in filters:
                questions = questions.filter(**{f"{name}s": filters[name]})
        terms = filters.get("q", "").strip()
        return questions.search(terms) if terms else questions


class Question(models.Model):
    """A behavioural interview question at one level, probing principles and themes."""

    text = models.TextField(max_length=500, unique=True)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="questions")
    principles = models.ManyToManyField(Principle, related_name="questions", blank=True)
    themes = models.ManyToManyField(Theme, related_name="questions", blank=True)
    follow_ups = models.TextField(
        "follow-up probes", max_length=2000, blank=True, help_text="One per line."
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["level__order", "pk"]
        indexes = [GinIndex(QUESTION_SEARCH_VECTOR, name="question_text_search")]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:77] + "…"

    @property
    def follow_up_list(self) -> list[str]:
        return split_lines(self.follow_ups)
