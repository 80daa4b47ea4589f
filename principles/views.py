"""Catalogue pages: the principles, one principle, and the question bank."""

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from config.htmx import template_for
from principles.forms import CatalogueFilterForm, QuestionFilterForm
from principles.models import Kind, Level, Principle, Question, Theme

QUESTIONS_PER_PAGE = 20


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET)
    terms = form.cleaned_data["q"].strip() if form.is_valid() else ""
    principles = Principle.objects.all()
    themes = Theme.objects.all()
    kinds = Kind.objects.all()
    if terms:
        match = Q(name__icontains=terms) | Q(description__icontains=terms)
        principles = principles.filter(
            Q(name__icontains=terms)
            | Q(demonstrate__icontains=terms)
            | Q(guidance__icontains=terms)
        )
        themes = themes.filter(match)
        kinds = kinds.filter(match)
    context = {
        "form": form,
        "terms": terms,
        "principles": principles,
        "themes": themes,
        "kinds": kinds,
    }
    return render(request, template_for(request, "principles/index.html", "results"), context)


@require_safe
def principle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    principle = get_object_or_404(Principle, slug=slug)
    questions = principle.questions.active().prefetch_related("themes").select_related("level")
    levels = Level.objects.prefetch_related(
        Prefetch("questions", queryset=questions.order_by("pk"), to_attr="probing")
    )
    context = {
        "principle": principle,
        "levels": [level for level in levels if level.probing],
        "stories": user_stories_tagged(request, principle),
    }
    return render(request, "principles/principle_detail.html", context)


def user_stories_tagged(request: HttpRequest, principle: Principle) -> list:
    """The signed-in user's own stories tagged to this principle (never anyone else's)."""
    related = getattr(principle, "stories", None)
    if related is None:  # the stories app adds this relation
        return []
    return list(related.filter(owner=request.user).order_by("-updated_at")[:50])


@require_safe
def question_bank(request: HttpRequest) -> HttpResponse:
    form = QuestionFilterForm(request.GET)
    filters = form.valid_filters()
    questions = Question.objects.active().with_tags()
    if "level" in filters:
        questions = questions.filter(level=filters["level"])
    if "principle" in filters:
        questions = questions.filter(principles=filters["principle"])
    if "theme" in filters:
        questions = questions.filter(themes=filters["theme"])
    if filters.get("q", "").strip():
        questions = questions.search(filters["q"].strip())
    page = Paginator(questions, QUESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(
        request, template_for(request, "principles/question_bank.html", "results"), context
    )
