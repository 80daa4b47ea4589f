"""The bank: the filtered, searchable list of a user's stories, the coverage matrix,
and the user's stories of one principle (a fragment the catalogue page loads)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from config.htmx import HtmxHttpRequest, template_for
from config.pagination import query_without_page
from principles.models import Principle
from stories import selectors
from stories.coverage import GOAL_STORIES
from stories.forms import BankFilterForm


@require_safe
def bank(request: HtmxHttpRequest) -> HttpResponse:
    form = BankFilterForm(request.GET)
    filters = form.valid_filters()
    page_number = request.GET.get("page")
    context = {
        "form": form,
        "page": selectors.bank_page(user=request.user, filters=filters, page_number=page_number),
        "query": query_without_page(request),
        "filtered": bool(filters.keys() - {"sort"}),
        "figures": selectors.bank_figures(user=request.user),
    }
    return render(request, template_for(request, "stories/bank.html", "results"), context)


@require_safe
def coverage(request: HtmxHttpRequest) -> HttpResponse:
    # By default only ready stories count; the switch (?all=1) counts every story.
    count_all = request.GET.get("all") == "1"
    result = selectors.coverage_page(user=request.user, count_all=count_all)
    context = {"coverage": result, "count_all": count_all, "goal": GOAL_STORIES}
    return render(request, "stories/coverage.html", context)


@require_safe
def principle_stories(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The signed-in user's stories of one principle: a page, and the fragment the
    catalogue's principle page loads (the catalogue app never reads stories)."""
    principle = get_object_or_404(Principle, slug=slug)
    stories = selectors.principle_stories(user=request.user, principle=principle)
    context = {"principle": principle, "stories": stories}
    page = "stories/principle_stories.html"
    return render(request, template_for(request, page, "stories"), context)
