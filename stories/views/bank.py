"""The bank: the filtered, searchable list of a user's stories and the coverage matrix."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from config.htmx import template_for
from principles.models import Level, Principle, Theme
from stories import coverage as coverage_rules
from stories.forms import BankFilterForm
from stories.models import Story, story_tag_ids

STORIES_PER_PAGE = 25


@require_safe
def bank(request: HttpRequest) -> HttpResponse:
    form = BankFilterForm(request.GET)
    filters = form.valid_filters()
    cards = Story.objects.for_user(request.user).with_tags().defer("search_vector", "answers")
    stories = filtered_stories(cards, filters)
    page = Paginator(stories, STORIES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": bool(filters.keys() - {"sort"}),
        "figures": bank_figures(request.user),
    }
    return render(request, template_for(request, "stories/bank.html", "results"), context)


def filtered_stories(stories, filters: dict):
    for name in ("principle", "theme", "level"):
        if name in filters:
            stories = stories.filter(**{f"{name}s": filters[name]})
    if "kind" in filters:
        stories = stories.filter(kind=filters["kind"])
    if "status" in filters:
        stories = stories.filter(status=filters["status"])
    if filters.get("flags") == "with":
        stories = stories.with_red_flags()
    elif filters.get("flags") == "without":
        stories = stories.ready()
    terms = filters.get("q", "").strip()
    sort = filters.get("sort") or ("relevance" if terms else "updated")
    if terms:
        stories = stories.search(terms)
    elif sort == "relevance":
        sort = "updated"
    return stories.order_by(BankFilterForm.SORTS[sort][0], "-pk")


def bank_figures(user) -> dict:
    """Dashboard figures: stories by status, themes and principles covered."""
    by_status = dict(
        Story.objects.for_user(user).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {
        "total": sum(by_status.values()),
        "by_status": [(label, by_status.get(value, 0)) for value, label in Story.Status.choices],
        "themes_covered": Theme.objects.filter(stories__owner=user, stories__deleted_at=None)
        .distinct()
        .count(),
        "themes_total": Theme.objects.count(),
        "principles_covered": Principle.objects.filter(
            stories__owner=user, stories__deleted_at=None
        )
        .distinct()
        .count(),
        "principles_total": Principle.objects.count(),
        "with_red_flags": Story.objects.for_user(user).with_red_flags().count(),
    }


@require_safe
def coverage(request: HttpRequest) -> HttpResponse:
    ready_only = request.GET.get("ready") == "1"
    bank = Story.objects.for_user(request.user)
    stories = list(bank.order_by("title", "pk").only("pk", "title", "red_flags"))
    for story in stories:
        story.url = story.get_absolute_url()  # once, not once per grid
    result = coverage_rules.build_coverage(
        stories,
        story_tag_ids(bank),
        principles=Principle.objects.all(),
        themes=Theme.objects.all(),
        levels=Level.objects.all(),
        ready_only=ready_only,
    )
    context = {"coverage": result, "ready_only": ready_only, "goal": coverage_rules.GOAL_STORIES}
    return render(request, "stories/coverage.html", context)
