"""Writes for practice: start a session, time and rate answers, finish, reschedule.

Every instant is taken from the server clock (`timezone.now()`) when the
request arrives; the browser's clock is only ever used for display. Each
write locks the row it changes (`select_for_update`), so a double click that
sends two requests at once is applied once: pressing Start or Done again
changes nothing, and a rating before Done is refused without writing.
"""

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.db.models import Avg
from django.utils import dateformat, timezone

from practice import drawing, scheduling
from practice.models import Answer, PracticeSession, PracticeSettings, ReviewSchedule
from principles.models import Level, Principle, Question, Theme
from stories.models import Story

Mode = PracticeSession.Mode


class PracticeError(Exception):
    """A request that cannot be carried out; the message is for the user."""


class EmptyDraw(PracticeError):
    """No question fits the chosen mode, so no session was started."""


def settings_save(*, settings: PracticeSettings) -> PracticeSettings:
    settings.full_clean()
    settings.save()
    return settings


# --- Starting a session -------------------------------------------------------


def recent_question_ids(*, user) -> set[int]:
    """Questions the user answered in their last few sessions (drawn last)."""
    recent_sessions = PracticeSession.objects.for_user(user).values("pk")[: drawing.RECENT_SESSIONS]
    return set(
        Answer.objects.filter(session__in=recent_sessions, started_at__isnull=False).values_list(
            "question_id", flat=True
        )
    )


def level_names(levels: Iterable[Level]) -> str:
    return " and ".join(level.name for level in levels)


def level_candidates(*, levels: list[Level]) -> tuple[list[drawing.Candidate], str]:
    ids = Question.objects.active().filter(level__in=levels).values_list("pk", flat=True)
    empty = f"There are no active questions for {level_names(levels)} yet."
    return [drawing.Candidate(pk) for pk in ids], empty


def tagged_candidates(
    *, questions, levels: list[Level], name: str
) -> tuple[list[drawing.Candidate], str]:
    preferred = [level.pk for level in levels]
    rows = questions.active().values_list("pk", "level_id")
    empty = f"There are no questions for “{name}” yet. Pick another one."
    return [drawing.Candidate(pk, drawing.level_fit(lvl, preferred)) for pk, lvl in rows], empty


TAG_KINDS = ("principle", "theme")


def bank_coverage(*, user) -> dict[str, str]:
    """How well each principle and theme is covered by the user's stories (see drawing.coverage).

    Read through `Story.objects`, so stories in the trash are no cover.
    """
    statuses: dict[str, list[str]] = defaultdict(list)
    stories = Story.objects.for_user(user)
    for kind in TAG_KINDS:
        rows = stories.filter(**{f"{kind}s__isnull": False}).values_list(f"{kind}s", "status")
        for tag_id, status in rows:
            statuses[f"{kind}:{tag_id}"].append(status)
    return {tag: drawing.coverage(found) for tag, found in statuses.items()}


def average_ratings(*, user) -> tuple[dict[str, float], dict[int, float]]:
    """The user's average rating per principle and theme, and per question."""
    answers = Answer.objects.for_user(user).rated()
    by_tag: dict[str, float] = {}
    for kind in TAG_KINDS:
        lookup = f"question__{kind}s"
        for tag_id, average in answers.values_list(lookup).annotate(average=Avg("rating")):
            if tag_id is not None:
                by_tag[f"{kind}:{tag_id}"] = average
    by_question = answers.values_list("question").annotate(average=Avg("rating"))
    return by_tag, dict(by_question)


def weakest_candidates(*, user, levels: list[Level]) -> tuple[list[drawing.Candidate], str]:
    """Questions at the user's levels, weakest first: bank gaps and low past ratings."""
    questions = Question.objects.active().filter(level__in=levels)
    tags: dict[int, list[str]] = {pk: [] for pk in questions.values_list("pk", flat=True)}
    for kind in TAG_KINDS:
        through = getattr(Question, f"{kind}s").through
        rows = through.objects.filter(question_id__in=tags).values_list("question_id", f"{kind}_id")
        for question_id, tag_id in rows:
            tags[question_id].append(f"{kind}:{tag_id}")
    coverage_by_tag = bank_coverage(user=user)
    rating_by_tag, rating_by_question = average_ratings(user=user)
    candidates = [
        drawing.Candidate(
            pk,
            -drawing.weakness(
                question_tags,
                coverage_by_tag=coverage_by_tag,
                rating_by_tag=rating_by_tag,
                own_rating=rating_by_question.get(pk),
            ),
        )
        for pk, question_tags in tags.items()
    ]
    return candidates, f"There are no active questions for {level_names(levels)} yet."


def due_candidates(*, user, today: date) -> tuple[list[drawing.Candidate], str]:
    schedules = ReviewSchedule.objects.filter(user=user, question__is_active=True)
    rows = schedules.filter(due_on__lte=today).values_list("question_id", "due_on")
    candidates = [drawing.Candidate(pk, due_on.toordinal()) for pk, due_on in rows]
    upcoming = schedules.filter(due_on__gt=today).order_by("due_on").first()
    if upcoming:
        when = dateformat.format(upcoming.due_on, "j F Y")
        empty = f"Nothing is due for review today. The next question is due on {when}."
    else:
        empty = (
            "Nothing is due for review yet: each question you answer and rate gets a review "
            "date, so practise a few first."
        )
    return candidates, empty


@transaction.atomic
def session_start(
    *,
    user,
    mode: str,
    principle: Principle | None = None,
    theme: Theme | None = None,
    rng: random.Random | None = None,
) -> PracticeSession:
    """Draw the questions for `mode` and open a session; `EmptyDraw` if none fit."""
    prefs = PracticeSettings.for_user(user)
    levels = prefs.levels()
    now = timezone.now()
    if mode == Mode.LEVEL:
        candidates, empty = level_candidates(levels=levels)
    elif mode == Mode.PRINCIPLE and principle is not None:
        candidates, empty = tagged_candidates(
            questions=principle.questions.all(), levels=levels, name=principle.name
        )
    elif mode == Mode.THEME and theme is not None:
        candidates, empty = tagged_candidates(
            questions=theme.questions.all(), levels=levels, name=theme.name
        )
    elif mode == Mode.WEAKEST:
        candidates, empty = weakest_candidates(user=user, levels=levels)
    elif mode == Mode.DUE:
        candidates, empty = due_candidates(user=user, today=timezone.localdate(now))
    else:
        raise PracticeError("Choose how the questions should be drawn.")
    question_ids = drawing.draw(
        candidates,
        count=prefs.questions_per_session,
        recent=recent_question_ids(user=user),
        rng=rng,
    )
    if not question_ids:
        raise EmptyDraw(empty)
    session = PracticeSession.objects.create(
        owner=user,
        mode=mode,
        principle=principle if mode == Mode.PRINCIPLE else None,
        theme=theme if mode == Mode.THEME else None,
        level=prefs.target_level,
        band_min_seconds=prefs.band_min_seconds,
        band_max_seconds=prefs.band_max_seconds,
        started_at=now,
    )
    Answer.objects.bulk_create(
        Answer(session=session, question_id=pk, position=position)
        for position, pk in enumerate(question_ids, start=1)
    )
    return session


# --- Timing and rating an answer ------------------------------------------------


def locked(answer: Answer) -> Answer:
    """A fresh copy of `answer` and its session, both locked until the transaction ends."""
    return Answer.objects.select_for_update().select_related("session").get(pk=answer.pk)


def require_active(session: PracticeSession) -> None:
    if not session.is_active:
        raise PracticeError(
            f"This session is {session.get_status_display().lower()}: start a new one to practise."
        )


def close(answer: Answer, *, now: datetime, automatically: bool) -> None:
    """Stop the clock of a running answer at `now` (server time) and judge it against the band."""
    session = answer.session
    answer.stopped_at = max(now, answer.started_at)
    # Whole seconds, truncated like the clock on screen: 3:00.9 is still 3:00, inside the band.
    answer.duration_seconds = int((answer.stopped_at - answer.started_at).total_seconds())
    answer.within_band = session.is_within_band(answer.duration_seconds)
    answer.closed_automatically = automatically
    answer.save(
        update_fields=["stopped_at", "duration_seconds", "within_band", "closed_automatically"]
    )


@transaction.atomic
def answer_start(*, answer: Answer, story: Story | None = None) -> Answer:
    """Start the clock. Pressing Start again while it runs keeps the first instant."""
    answer = locked(answer)
    require_active(answer.session)
    if answer.state == Answer.State.RUNNING:
        return answer
    if answer.state != Answer.State.PENDING:
        raise PracticeError("This question has already been answered.")
    current = answer.session.answers.filter(rating__isnull=True).order_by("position").first()
    if current is not None and current.pk != answer.pk:
        raise PracticeError(f"Finish question {current.position} before starting this one.")
    answer.started_at = timezone.now()
    answer.story = story
    answer.save(update_fields=["started_at", "story"])
    return answer


@transaction.atomic
def answer_stop(*, answer: Answer) -> Answer:
    """Stop the clock. Pressing Done again keeps the first stop."""
    answer = locked(answer)
    if answer.state in (Answer.State.STOPPED, Answer.State.RATED):
        return answer
    require_active(answer.session)
    if answer.state == Answer.State.PENDING:
        raise PracticeError("Press Start before Done: the clock for this question has not started.")
    close(answer, now=timezone.now(), automatically=False)
    return answer


@transaction.atomic
def answer_rate(
    *,
    answer: Answer,
    rating: int,
    story: Story | None,
    notes: str = "",
    said_i: bool = False,
    named_obstacle: bool = False,
    gave_number: bool = False,
    said_learning: bool = False,
) -> Answer:
    """Record the self-assessment and reschedule the question. Allowed only after Done."""
    answer = locked(answer)
    require_active(answer.session)
    if answer.state == Answer.State.PENDING:
        raise PracticeError("Answer this question before rating it: press Start, then Done.")
    if answer.state == Answer.State.RUNNING:
        raise PracticeError("Press Done to stop the clock before rating this answer.")
    answer.rating = rating
    answer.story = story
    answer.notes = notes
    answer.said_i = said_i
    answer.named_obstacle = named_obstacle
    answer.gave_number = gave_number
    answer.said_learning = said_learning
    answer.rated_at = timezone.now()
    answer.full_clean(exclude=["session", "question", "story"])
    answer.save()
    schedule_refresh(user=answer.session.owner, question_id=answer.question_id)
    return answer


def schedule_refresh(*, user, question_id: int) -> ReviewSchedule:
    """Rebuild the question's review schedule from every rated answer of the user."""
    reviews = (
        Answer.objects.for_user(user)
        .rated()
        .filter(question_id=question_id)
        .order_by("stopped_at", "pk")
        .values_list("stopped_at", "rating")
    )
    state = scheduling.replay((timezone.localdate(when), rating) for when, rating in reviews)
    schedule, _ = ReviewSchedule.objects.update_or_create(
        user=user,
        question_id=question_id,
        defaults={
            "ease": state.ease,
            "interval_days": state.interval_days,
            "repetitions": state.repetitions,
            "due_on": state.due_on,
            "last_reviewed_on": state.last_reviewed_on,
        },
    )
    return schedule


# --- Ending a session --------------------------------------------------------------


def session_end(*, session: PracticeSession, status: str) -> PracticeSession:
    session = PracticeSession.objects.select_for_update().get(pk=session.pk)
    if not session.is_active:
        return session
    now = timezone.now()
    running = session.answers.filter(started_at__isnull=False, stopped_at__isnull=True)
    for answer in running.select_related("session"):
        close(answer, now=now, automatically=True)
    session.status = status
    session.finished_at = now
    session.save(update_fields=["status", "finished_at"])
    return session


@transaction.atomic
def session_finish(*, session: PracticeSession) -> PracticeSession:
    """End the session; a clock left running is stopped now and marked as closed for you."""
    return session_end(session=session, status=PracticeSession.Status.FINISHED)


@transaction.atomic
def session_abandon(*, session: PracticeSession) -> PracticeSession:
    """Give up on the session; its rated answers still count for the schedule."""
    return session_end(session=session, status=PracticeSession.Status.ABANDONED)
