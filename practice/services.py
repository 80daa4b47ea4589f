"""Writes for practice: start a session, time and rate answers, finish, reschedule.

Every instant is taken from the server clock (`timezone.now()`) when the
request arrives; the browser's clock is only ever used for display. Each
write locks the row it changes (`select_for_update`), so a double click that
sends two requests at once is applied once: pressing Start or Done again
changes nothing, and a rating before Done is refused without writing.
"""

import random
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from practice import drawing, scheduling, selectors
from practice.models import Answer, PracticeSession, PracticeSettings, ReviewSchedule
from principles.models import Principle, Theme
from stories.models import Story
from stories.services import stories_rescore

Mode = PracticeSession.Mode


class PracticeError(Exception):
    """A request that cannot be carried out; the message is for the user."""


class EmptyDraw(PracticeError):
    """No question fits the chosen mode, so no session was started."""


@transaction.atomic
def settings_save(*, settings: PracticeSettings) -> PracticeSettings:
    """Save the settings; a new answer band judges the whole bank again with it.

    The band is also every story's length target (stories/targets.py), so the
    stored verdicts and scores change with it, in the same transaction.
    """
    settings.full_clean()
    before = PracticeSettings.targets_of(settings.user).band
    settings.save()
    band = settings.targets().band
    if band != before:
        stories_rescore(owner=settings.user, band=band)
    return settings


# --- Starting a session -------------------------------------------------------


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
        candidates, empty = selectors.level_candidates(levels=levels)
    elif mode == Mode.PRINCIPLE and principle is not None:
        candidates, empty = selectors.tagged_candidates(
            questions=principle.questions.all(), levels=levels, name=principle.name
        )
    elif mode == Mode.THEME and theme is not None:
        candidates, empty = selectors.tagged_candidates(
            questions=theme.questions.all(), levels=levels, name=theme.name
        )
    elif mode == Mode.WEAKEST:
        candidates, empty = selectors.weakest_candidates(user=user, levels=levels)
    elif mode == Mode.DUE:
        candidates, empty = selectors.due_candidates(user=user, today=timezone.localdate(now))
    else:
        raise PracticeError("Choose how the questions should be drawn.")
    question_ids = drawing.draw(
        candidates,
        count=prefs.questions_per_session,
        recent=selectors.recent_question_ids(user=user),
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
