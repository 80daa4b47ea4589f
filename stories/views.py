from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def bank(request: HttpRequest) -> HttpResponse:
    return render(request, "stories/bank.html")


@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    return render(request, "stories/coverage.html")
