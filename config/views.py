"""Site-wide views that belong to no single app: the home page, the health
check, deleting an account and the error pages."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from config.accounts import account_delete, account_delete_refusal
from config.forms import AccountDeleteForm
from stories.models import Story


@login_not_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@login_not_required
@never_cache
@require_safe
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


def throttled(response: HttpResponse, field: str) -> bool:
    """Did allauth refuse this attempt with its "too many attempts" form error?"""
    form = (getattr(response, "context_data", None) or {}).get("form")
    return form is not None and form.has_error(field, code="too_many_login_attempts")


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
    if throttled(response, NON_FIELD_ERRORS):
        return render(request, "429.html", status=429)
    return response


@login_not_required
def mfa_authenticate(request: HttpRequest) -> HttpResponse:
    """allauth.mfa's two-factor stage of a login, answering 429 like the login.

    allauth.mfa counts wrong codes per user (its check_rate_limit consumes
    the "login_failed" limit under the key mfa-auth-user-<pk>) and, once
    spent, puts "too many attempts" on the code field of a 200 page.
    """
    from allauth.mfa.base.views import authenticate as allauth_mfa_authenticate

    response = allauth_mfa_authenticate(request)
    if throttled(response, "code"):
        return render(request, "429.html", status=429)
    return response


def mfa_reauthenticate(request: HttpRequest) -> HttpResponse:
    """allauth.mfa's "confirm it is you" code page, throttled the same way."""
    from allauth.mfa.base.views import reauthenticate as allauth_mfa_reauthenticate

    response = allauth_mfa_reauthenticate(request)
    if throttled(response, "code"):
        return render(request, "429.html", status=429)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    """Delete the account after its password; the page offers the export first."""
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = account_delete_refusal(user=request.user, password=form.cleaned_data["password"])
        if refusal is None:
            return account_deleted(request)
        form.add_error("password", refusal)
    stories = Story.with_trash.filter(owner=request.user).count()
    return render(request, "account_delete.html", {"form": form, "story_count": stories})


def account_deleted(request: HttpRequest) -> HttpResponse:
    user = request.user
    logout(request)
    account_delete(user=user)
    messages.success(request, "Your account and everything in it have been deleted.")
    return redirect("home")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """allauth's rate limits answer with this (it looks up ROOT_URLCONF.handler429)."""
    return render(request, "429.html", status=429)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may have come from a context processor.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
