"""Site-wide views that belong to no single app: the home page, the health
check and the error pages."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@login_not_required
@never_cache
@require_GET
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers one cheap query, 503 when it does not.

    Deliberately bare (no template, no session, no ORM) so that load
    benchmarks can use it as the ceiling for a request through this stack.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@login_not_required
def login(request: HttpRequest) -> HttpResponse:
    """allauth's login view, answering 429 (in the site layout) once an account is throttled.

    allauth refuses further attempts for an account after repeated failures
    (ACCOUNT_RATE_LIMITS["login_failed"]) with a form error; a 429 status
    with a page explaining the wait tells browsers and scripts alike.
    """
    from allauth.account.views import login as allauth_login
    from django.forms.forms import NON_FIELD_ERRORS

    response = allauth_login(request)
    form = (getattr(response, "context_data", None) or {}).get("form")
    if form is not None and form.has_error(NON_FIELD_ERRORS, code="too_many_login_attempts"):
        return render(request, "429.html", status=429)
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """allauth's rate limits answer with this (it looks up ROOT_URLCONF.handler429)."""
    return render(request, "429.html", status=429)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may have come from a context processor.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
