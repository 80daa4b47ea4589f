"""Practice pages: start a session, answer against the clock, rate, review progress.

Every session and answer is fetched through `get_session_for_user` (and a
story through the stories app's `get_story_for_user`), so another user's
session or story is a 404. The answer panel is swapped by htmx when JavaScript is
on; the same forms post and redirect without it.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.htmx import HtmxHttpRequest, template_for
from practice import selectors, services
from practice.forms import (
    HistoryFilterForm,
    PracticeSettingsForm,
    RateAnswerForm,
    StartAnswerForm,
    StartSessionForm,
)
from practice.models import Answer, PracticeSession, PracticeSettings
from stories.views.helpers import get_story_for_user


def get_session_for_user(request: HttpRequest, pk: int) -> PracticeSession:
    """The signed-in user's session `pk`, or 404 (never 403: existence does not leak)."""
    sessions = PracticeSession.objects.select_related("level", "principle", "theme")
    return get_object_or_404(sessions, pk=pk, owner=request.user)


def get_answer_for_user(
    request: HttpRequest, pk: int, answer_pk: int
) -> tuple[PracticeSession, Answer]:
    """The signed-in user's session `pk` and its answer `answer_pk`, or 404."""
    session = get_session_for_user(request, pk)
    return session, get_object_or_404(Answer, pk=answer_pk, session=session)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = selectors.home_page(user=request.user)
    return render(request, "practice/home.html", {**context, "form": StartSessionForm()})


@require_http_methods(["GET", "HEAD", "POST"])
def practice_settings(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = PracticeSettingsForm(data, instance=PracticeSettings.for_user(request.user))
    if form.is_valid():
        services.settings_save(settings=form.save(commit=False))
        messages.success(request, "Practice settings saved.")
        return redirect("practice:home")
    return render(request, "practice/settings.html", {"form": form})


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    form = StartSessionForm(request.POST)
    if form.is_valid():
        try:
            session = services.session_start(user=request.user, **form.cleaned_data)
        except services.PracticeError as error:
            messages.warning(request, str(error))
        else:
            return redirect(session)
    context = selectors.home_page(user=request.user)
    return render(request, "practice/home.html", {**context, "form": form})


@require_safe
def session_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return render_session(request, get_session_for_user(request, pk))


def render_session(
    request: HtmxHttpRequest, session: PracticeSession, *, rate_data: QueryDict | None = None
) -> HttpResponse:
    """The session page (or its answer panel for htmx), with the rating form when it is due."""
    context = selectors.session_page(session=session)
    if context["current"] is not None:
        ranked = [*context["suggestions"], *context["more_stories"]]
        context["rate_form"] = RateAnswerForm(
            rate_data,
            user=request.user,
            story_choices=[(s.story.pk, s.story.title) for s in ranked],
            initial={"story": context["current"].story_id},
        )
    return render(request, template_for(request, "practice/session.html", "panel"), context)


def after_change(request: HtmxHttpRequest, session: PracticeSession) -> HttpResponse:
    """htmx gets the refreshed answer panel; a plain form post is redirected (PRG)."""
    if request.htmx:
        session.refresh_from_db()
        return render_session(request, session)
    return redirect(session)


def apply_change(
    request: HtmxHttpRequest, session: PracticeSession, change: Callable[[], object]
) -> HttpResponse:
    """Run `change` (a service call); a refusal becomes the message shown with the result."""
    try:
        change()
    except services.PracticeError as error:
        messages.error(request, str(error))
    return after_change(request, session)


@require_POST
def answer_start(request: HtmxHttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    session, answer = get_answer_for_user(request, pk, answer_pk)
    form = StartAnswerForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "That story is not in your bank; choose another one.")
        return after_change(request, session)
    story = form.cleaned_data["story"]
    return apply_change(request, session, lambda: services.answer_start(answer=answer, story=story))


@require_POST
def answer_stop(request: HtmxHttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    session, answer = get_answer_for_user(request, pk, answer_pk)
    return apply_change(request, session, lambda: services.answer_stop(answer=answer))


@require_POST
def answer_rate(request: HtmxHttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    session, answer = get_answer_for_user(request, pk, answer_pk)
    form = RateAnswerForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "The rating was not saved: please correct the form below.")
        return render_session(request, session, rate_data=request.POST)
    rating = form.cleaned_data
    return apply_change(request, session, lambda: services.answer_rate(answer=answer, **rating))


@require_POST
def session_finish(request: HttpRequest, pk: int) -> HttpResponse:
    session = services.session_finish(session=get_session_for_user(request, pk))
    return redirect(session)


@require_POST
def session_abandon(request: HttpRequest, pk: int) -> HttpResponse:
    services.session_abandon(session=get_session_for_user(request, pk))
    messages.info(request, "Session abandoned. Your rated answers still count.")
    return redirect("practice:home")


@require_safe
def history(request: HtmxHttpRequest) -> HttpResponse:
    form = HistoryFilterForm(request.GET)
    context = selectors.history_page(
        user=request.user, filters=form.valid_filters(), page_number=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context.update(form=form, query=query.urlencode())
    return render(request, template_for(request, "practice/history.html", "results"), context)


@require_safe
def story_practice(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """When a story was practised, how often and for how long: the fragment its page loads."""
    story = get_story_for_user(request, pk)
    context = {"story": story, "practice": selectors.story_practice(story=story)}
    return render(request, template_for(request, "practice/story.html", "summary"), context)
