"""Catalogue pages: the principles, one principle, and the question bank."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from config.htmx import HtmxHttpRequest, template_for
from config.pagination import query_without_page
from principles import selectors
from principles.forms import CatalogueFilterForm, QuestionFilterForm
from principles.models import Principle


@require_safe
def index(request: HtmxHttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET)
    terms = form.cleaned_data["q"].strip() if form.is_valid() else ""
    context = {"form": form, **selectors.catalogue_page(terms=terms)}
    return render(request, template_for(request, "principles/index.html", "results"), context)


@require_safe
def principle_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    principle = get_object_or_404(Principle, slug=slug)
    context = {"principle": principle, "levels": selectors.principle_levels(principle=principle)}
    return render(request, "principles/principle_detail.html", context)


@require_safe
def question_bank(request: HtmxHttpRequest) -> HttpResponse:
    form = QuestionFilterForm(request.GET)
    page_number = request.GET.get("page")
    context = {
        "form": form,
        "page": selectors.question_page(filters=form.valid_filters(), page_number=page_number),
        "query": query_without_page(request),
    }
    page = "principles/question_bank.html"
    return render(request, template_for(request, page, "results"), context)
