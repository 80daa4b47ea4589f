"""Page reads of the catalogue: the principles index, one principle, the question bank."""

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q

from principles.models import Kind, Level, Principle, Question, Theme

QUESTIONS_PER_PAGE = 20


def catalogue_page(*, terms: str) -> dict:
    """The principles, themes and kinds, narrowed to those whose text mentions `terms`."""
    principles, themes, kinds = Principle.objects.all(), Theme.objects.all(), Kind.objects.all()
    if terms:
        match = Q(name__icontains=terms) | Q(description__icontains=terms)
        principles = principles.filter(
            Q(name__icontains=terms)
            | Q(demonstrate__icontains=terms)
            | Q(guidance__icontains=terms)
        )
        themes, kinds = themes.filter(match), kinds.filter(match)
    return {"terms": terms, "principles": principles, "themes": themes, "kinds": kinds}


def principle_levels(*, principle: Principle) -> list[Level]:
    """The levels with active questions probing `principle`, each with them as `.probing`."""
    questions = principle.questions.active().prefetch_related("themes").select_related("level")
    levels = Level.objects.prefetch_related(
        Prefetch("questions", queryset=questions.order_by("pk"), to_attr="probing")
    )
    return [level for level in levels if level.probing]


def question_page(*, filters: dict, page_number: str | None) -> Page:
    questions = Question.objects.active().with_tags().filtered(filters)
    return Paginator(questions, QUESTIONS_PER_PAGE).get_page(page_number)
