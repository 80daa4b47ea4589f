"""Practice pages: start a session, answer against the clock, rate, review progress.

Every session and answer is fetched through `get_session_for_user` (and a
story through the stories app's `get_story_for_user`), so another user's
session or story is a 404. The answer panel is swapped by htmx when JavaScript is
on; the same forms post and redirect without it.
"""

from collections.abc import Callable
from functools import partial
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.htmx import HtmxHttpRequest, template_for
from practice import ranges, selectors, services
from practice.forms import (
    INTERVIEWERS_DEFAULT,
    INTERVIEWERS_MAX,
    HistoryFilterForm,
    LoopExcludeForm,
    LoopForm,
    LoopPinForm,
    PracticeSettingsForm,
    RateAnswerForm,
    StartAnswerForm,
    StartSessionForm,
    as_formset_data,
    interviewer_formset,
    with_proposed_split,
)
from practice.models import Answer, Loop, PracticeSession, PracticeSettings, Recording
from principles.models import Principle, Question
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


# --- Recordings ------------------------------------------------------------------
# The recorder script (static/js/practice-recorder.js) talks JSON to these views;
# a refusal is a 4xx with {"error": "..."} in words, never a 500.

AUDIO_BLOCK = 64 * 1024
# The id of the story page's practice card (templates/practice/story.html), an htmx target.
STORY_PRACTICE_TARGET = "story-practice"


def get_recording_for_user(request: HttpRequest, uuid: UUID) -> Recording:
    """The signed-in user's recording `uuid`, or 404 (never 403: existence does not leak)."""
    recordings = Recording.objects.select_related("answer__session", "answer__question", "story")
    return get_object_or_404(recordings, uuid=uuid, owner=request.user)


def recording_urls(recording: Recording) -> dict:
    return {
        "uuid": str(recording.uuid),
        "mark_url": reverse("practice:recording-mark", args=[recording.uuid]),
        "close_url": reverse("practice:recording-close", args=[recording.uuid]),
        "review_url": reverse("practice:recording", args=[recording.uuid]),
    }


def refused(error: services.PracticeError) -> JsonResponse:
    status = 409 if isinstance(error, services.RecordingClosed) else 400
    return JsonResponse({"error": str(error)}, status=status)


def whole_number(value: str | None) -> int | None:
    """A non-negative integer from the request, or None (not a number, or absent)."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 12 else None


@require_POST
def recording_open(request: HttpRequest, pk: int, answer_pk: int) -> JsonResponse:
    _, answer = get_answer_for_user(request, pk, answer_pk)
    try:
        recording, segment = services.recording_open(
            answer=answer, mime_type=request.POST.get("mime_type", "")
        )
    except services.PracticeError as error:
        return refused(error)
    chunk_url = reverse("practice:recording-chunk", args=[recording.uuid, segment, 0])
    return JsonResponse(
        {
            **recording_urls(recording),
            "segment": segment,
            # The chunk URL of sequence 0; the script replaces the last number.
            "chunk_url": chunk_url.removesuffix("0/"),
            "recorded_ms": recording.recorded_ms,
            "max_ms": services.RECORDING_MAX_MS,
            "marks": recording.marks,
        }
    )


@require_POST
def recording_chunk(request: HttpRequest, uuid: UUID, segment: int, sequence: int) -> JsonResponse:
    recording = get_recording_for_user(request, uuid)
    recorded_ms = whole_number(request.GET.get("recorded_ms"))
    try:
        receipt = services.recording_chunk_add(
            recording=recording,
            segment=segment,
            sequence=sequence,
            data=request.body,
            recorded_ms=recorded_ms,
        )
    except services.PracticeError as error:
        return refused(error)
    if receipt.refused:
        return JsonResponse({"error": receipt.refused, "closed": True}, status=413)
    return JsonResponse(
        {"segment": segment, "sequence": sequence, "recorded_ms": receipt.recording.recorded_ms},
        status=201,
    )


@require_POST
def recording_mark(request: HttpRequest, uuid: UUID) -> JsonResponse:
    recording = get_recording_for_user(request, uuid)
    at_ms = whole_number(request.POST.get("at_ms"))
    if at_ms is None:
        return JsonResponse({"error": "A mark needs the time it was tapped."}, status=400)
    try:
        recording = services.recording_mark_add(
            recording=recording, section=request.POST.get("section", ""), at_ms=at_ms
        )
    except services.PracticeError as error:
        return refused(error)
    return JsonResponse({"marks": recording.marks})


@require_POST
def recording_close(request: HttpRequest, uuid: UUID) -> JsonResponse:
    recording = services.recording_close(recording=get_recording_for_user(request, uuid))
    return JsonResponse(
        {**recording_urls(recording), "status": recording.status, "problem": recording.problem}
    )


@require_safe
def recording_detail(request: HtmxHttpRequest, uuid: UUID) -> HttpResponse:
    recording = get_recording_for_user(request, uuid)
    partial = "figures" if request.GET.get("part") == "figures" else "review"
    context = selectors.recording_page(recording=recording)
    return render(request, template_for(request, "practice/recording.html", partial), context)


@require_safe
def recording_audio(request: HttpRequest, uuid: UUID) -> HttpResponseBase:
    """The audio, streamed from storage; one byte range when the player asks for it."""
    recording = get_recording_for_user(request, uuid)
    if not recording.audio:
        return HttpResponse("This recording has no audio.", status=404, content_type="text/plain")
    size = recording.size_bytes
    try:
        wanted = ranges.byte_range(request.headers.get("Range"), size)
    except ranges.Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    first, last = wanted if wanted is not None else (0, size - 1)
    response = StreamingHttpResponse(
        stream(recording, first, last - first + 1) if request.method != "HEAD" else [],
        status=206 if wanted is not None else 200,
        content_type=recording.mime_type or "application/octet-stream",
    )
    response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    if wanted is not None:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Cache-Control"] = "private, no-store"
    return response


def stream(recording: Recording, start: int, length: int):
    """`length` bytes from `start`, read through the storage API a block at a time."""
    with recording.audio.storage.open(recording.audio.name, "rb") as audio:
        audio.seek(start)
        while length > 0:
            block = audio.read(min(AUDIO_BLOCK, length))
            if not block:
                break
            length -= len(block)
            yield block


def vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


@require_safe
def recording_chapters(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The section marks as WebVTT chapters, for the player's <track kind="chapters">."""
    recording = get_recording_for_user(request, uuid)
    cues = [
        f"{number}\n{vtt_time(c.start_ms)} --> {vtt_time(c.end_ms)}\n{c.label}"
        for number, c in enumerate(selectors.chapters(recording), start=1)
    ]
    return HttpResponse(
        "\n\n".join(["WEBVTT", *cues]) + "\n", content_type="text/vtt; charset=utf-8"
    )


def back_to(request: HttpRequest, default: str) -> str:
    """The page the form came from (`next`, only this site's), else `default`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@require_POST
def recording_best_take(request: HtmxHttpRequest, uuid: UUID) -> HttpResponse:
    recording = get_recording_for_user(request, uuid)
    on = request.POST.get("on", "1") != "0"
    try:
        services.recording_best_take_set(recording=recording, on=on)
    except services.PracticeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Marked as this story's best take." if on else "No longer the best take."
        )
    if request.htmx and request.htmx.target == STORY_PRACTICE_TARGET and recording.story:
        # Posted from the story page's practice card: that card comes back, refreshed.
        story = recording.story
        context = {"story": story, "practice": selectors.story_practice(story=story)}
        return render(request, "practice/story.html#summary", context)
    if request.htmx:
        return recording_detail_partial(request, recording)
    return redirect(back_to(request, reverse("practice:recording", args=[recording.uuid])))


def recording_detail_partial(request: HtmxHttpRequest, recording: Recording) -> HttpResponse:
    recording.refresh_from_db()
    context = selectors.recording_page(recording=recording)
    return render(request, "practice/recording.html#review", context)


@require_POST
def recording_delete(request: HttpRequest, uuid: UUID) -> HttpResponse:
    recording = get_recording_for_user(request, uuid)
    session = recording.answer.session
    services.recording_delete(recording=recording)
    messages.success(request, "Recording deleted, with its audio.")
    return redirect(back_to(request, session.get_absolute_url()))


# --- Stories <-> questions ------------------------------------------------------


def get_active_question(pk: int) -> Question:
    """An active question of the bank (shared catalogue, no owner), or 404."""
    return get_object_or_404(Question.objects.active().select_related("level"), pk=pk)


@require_safe
def story_questions(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The questions a story answers best, graded: the fragment its page loads."""
    story = get_story_for_user(request, pk)
    context = {"story": story, "questions": selectors.story_questions(story=story)}
    page = "practice/story_questions.html"
    return render(request, template_for(request, page, "questions"), context)


@require_safe
def question_stories(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The user's best stories for a question: the fragment the question bank loads."""
    question = get_active_question(pk)
    context = {
        "question": question,
        "stories": selectors.question_stories(user=request.user, question=question),
    }
    page = "practice/question_stories.html"
    return render(request, template_for(request, page, "stories"), context)


@require_POST
def question_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Practise this question: a session of this one question."""
    session = services.session_start_for_question(
        user=request.user, question=get_active_question(pk)
    )
    return redirect(session)


# --- Loops: plan which story to tell to whom -----------------------------------------


def get_loop_for_user(request: HttpRequest, pk: int) -> Loop:
    """The signed-in user's loop `pk`, or 404 (never 403: existence does not leak)."""
    return get_object_or_404(Loop.objects.for_user(request.user).select_related("level"), pk=pk)


@require_safe
def loops(request: HttpRequest) -> HttpResponse:
    user_loops = Loop.objects.for_user(request.user).select_related("level")
    user_loops = user_loops.annotate(interviewer_count=Count("interviewers"))
    return render(request, "practice/loops.html", {"loops": user_loops})


@require_http_methods(["GET", "HEAD", "POST"])
def loop_create(request: HttpRequest) -> HttpResponse:
    initial = {"level": PracticeSettings.for_user(request.user).target_level}
    return loop_editor(request, loop=None, initial=initial, rows=None)


@require_http_methods(["GET", "HEAD", "POST"])
def loop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    loop = get_loop_for_user(request, pk)
    initial = {"company": loop.company, "interview_date": loop.interview_date, "level": loop.level}
    rows = [
        {"name": interviewer.name, "principles": list(interviewer.principles.all())}
        for interviewer in loop.interviewers.prefetch_related("principles")
    ]
    return loop_editor(request, loop=loop, initial=initial, rows=rows)


def loop_editor(
    request: HttpRequest, *, loop: Loop | None, initial: dict, rows: list[dict] | None
) -> HttpResponse:
    """The create and edit pages' one path. "Propose a typical split" shows the form
    again with empty interviewers' principles filled in; saving with empty ones applies
    the same proposal, and the user can edit it afterwards."""
    posted = request.method == "POST"
    form = LoopForm(request.POST if posted else None, initial=initial)
    count = whole_number(request.GET.get("interviewers"))
    formset = interviewer_formset(
        request.POST if posted else None,
        initial=rows,
        count=min(max(count or INTERVIEWERS_DEFAULT, 1), INTERVIEWERS_MAX),
    )
    if posted and form.is_valid() and formset.is_valid():
        interviewers = formset.interviewers()
        proposed = any(not row["principles"] for row in interviewers)
        interviewers = with_proposed_split(interviewers, list(Principle.objects.all()))
        if "propose" in request.POST:
            data = as_formset_data(form.cleaned_data, interviewers)
            form, formset = LoopForm(data), interviewer_formset(data)
            messages.info(request, "A typical split is filled in below: edit it, then save.")
        else:
            specs = [
                services.InterviewerSpec(name=row["name"], principles=tuple(row["principles"]))
                for row in interviewers
            ]
            fields = {**form.cleaned_data, "interviewers": specs}
            try:
                if loop is None:
                    loop = services.loop_create(user=request.user, **fields)
                else:
                    loop = services.loop_update(loop=loop, **fields)
            except services.LoopError as error:
                form.add_error(None, str(error))
            else:
                if proposed:
                    messages.info(request, "Interviewers without principles got a typical split.")
                return redirect(loop)
    context = {"form": form, "formset": formset, "loop": loop}
    return render(request, "practice/loop_form.html", context)


@require_safe
def loop_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return render_loop(request, get_loop_for_user(request, pk))


def render_loop(request: HtmxHttpRequest, loop: Loop) -> HttpResponse:
    """The plan page, or its `plan` partial for htmx (after a pin or an exclusion)."""
    context = selectors.loop_page(loop)
    return render(request, template_for(request, "practice/loop.html", "plan"), context)


def after_loop_change(request: HtmxHttpRequest, loop: Loop) -> HttpResponse:
    """htmx gets the plan made again at once; a plain form post is redirected (PRG)."""
    return render_loop(request, loop) if request.htmx else redirect(loop)


@require_POST
def loop_pin(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    loop = get_loop_for_user(request, pk)
    form = LoopPinForm(request.POST, loop=loop, user=request.user)
    if not form.is_valid():
        messages.error(request, "Nothing was pinned: " + first_error(form))
        return after_loop_change(request, loop)
    slot = {k: form.cleaned_data[k] for k in ("interviewer", "principle")}
    story = form.cleaned_data["story"]
    if story is None:
        change = partial(services.loop_unpin, loop=loop, **slot)
        done = "Unpinned: the slot is planned again."
    else:
        change = partial(services.loop_pin, loop=loop, story=story, **slot)
        done = f"Pinned “{story.title}”; the rest is planned again."
    return apply_loop_change(request, loop, change, done)


@require_POST
def loop_exclude(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    loop = get_loop_for_user(request, pk)
    form = LoopExcludeForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Nothing changed: " + first_error(form))
        return after_loop_change(request, loop)
    story = form.cleaned_data["story"]
    if form.cleaned_data["action"] == "include":
        change = partial(services.loop_include, loop=loop, story=story)
        done = f"“{story.title}” can be planned again."
    else:
        change = partial(services.loop_exclude, loop=loop, story=story)
        done = f"“{story.title}” is left out of this loop; the rest is planned again."
    return apply_loop_change(request, loop, change, done)


def apply_loop_change(
    request: HtmxHttpRequest, loop: Loop, change: Callable[[], object], done: str
) -> HttpResponse:
    """Run `change` (a service call) and say so; a refusal becomes the message instead."""
    try:
        change()
    except services.LoopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return after_loop_change(request, loop)


@require_POST
def loop_delete(request: HttpRequest, pk: int) -> HttpResponse:
    loop = get_loop_for_user(request, pk)
    services.loop_delete(loop=loop)
    messages.info(request, "The loop was deleted. Your stories are unchanged.")
    return redirect("practice:loops")


@require_safe
def loop_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    loop = get_loop_for_user(request, pk)
    context = selectors.loop_page(loop)
    context["pages"] = sheet_pages(loop, context)
    return render(request, "practice/loop_sheet.html", context)


# Adapter (L2): the loop sheet's extra read (the probes), one query whatever the loop's size.
# It belongs in practice/selectors.py next to loop_page; kept here so as not to edit
# L1's module while both are written.
PROBES_PER_PRINCIPLE = 4


def sheet_pages(loop: Loop, context: dict) -> list[dict]:
    """One page per interviewer: each principle's story and backup, the story's key
    metrics, and the catalogue's follow-up probes for that principle's questions
    (the loop's level first)."""
    stories = context["stories"]
    probes = follow_up_probes(loop, {p.slot.principle_slug for p in context["plan"].slots})
    return [
        {
            "label": interview.interviewer.label,
            "slots": [
                {
                    "principle_name": planned.slot.principle_name,
                    "primary": planned.primary,
                    "backup": planned.backup,
                    "gap_ways": planned.gap_ways,
                    "metrics": stories[planned.primary.story_id].metric_list
                    if planned.primary
                    else [],
                    "probes": probes.get(planned.slot.principle_slug, []),
                }
                for planned in interview.slots
            ],
        }
        for interview in context["interviewers"]
    ]


def follow_up_probes(loop: Loop, slugs: set[str]) -> dict[str, list[str]]:
    """{principle slug: up to PROBES_PER_PRINCIPLE follow-up probes of its active
    questions}, the loop's level first; one query."""
    questions = (
        Question.objects.active()
        .filter(principles__slug__in=slugs)
        .exclude(follow_ups="")
        .annotate(other_level=~Q(level=loop.level_id))
        .order_by("other_level", "level__order", "pk")
        .values_list("principles__slug", "follow_ups")
    )
    probes: dict[str, list[str]] = {}
    for slug, follow_ups in questions:
        found = probes.setdefault(slug, [])
        for line in follow_ups.splitlines():
            probe = line.strip()
            if probe and probe not in found and len(found) < PROBES_PER_PRINCIPLE:
                found.append(probe)
    return probes


def first_error(form: forms.Form) -> str:
    """The form's first error message, for a one-line notice."""
    for errors in form.errors.values():
        return errors[0]
    return "the form was not valid."
