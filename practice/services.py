"""Writes for practice: start a session, time and rate answers, finish, reschedule.

Every instant is taken from the server clock (`timezone.now()`) when the
request arrives; the browser's clock is only ever used for display. Each
write locks the row it changes (`select_for_update`), so a double click that
sends two requests at once is applied once: pressing Start or Done again
changes nothing, and a rating before Done is refused without writing.
"""

import itertools
import logging
import random
import tempfile
from dataclasses import dataclass
from datetime import date, datetime

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from practice import delivery, drawing, joining, scheduling, selectors
from practice.models import (
    INTERVIEWER_NAME_MAX,
    LOOP_INTERVIEWERS_MAX,
    MARK_SECTIONS,
    RECORDING_MAX_BYTES,
    RECORDING_MAX_SECONDS,
    Answer,
    Interviewer,
    Loop,
    LoopExclusion,
    LoopPin,
    PracticeSession,
    PracticeSettings,
    Recording,
    RecordingChunk,
    ReviewSchedule,
    recording_path,
)
from principles.models import Level, Principle, Theme
from stories.models import Story
from stories.services import stories_rescore

Mode = PracticeSession.Mode
logger = logging.getLogger(__name__)


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
    recording = Recording.objects.filter(answer=answer, status=Recording.Status.RECORDING).first()
    if recording is not None:
        recording_close(recording=recording)
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
    open_recordings = Recording.objects.filter(
        answer__session=session, status=Recording.Status.RECORDING
    )
    for recording in open_recordings:
        recording_close(recording=recording)
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


# --- Recording an answer aloud -----------------------------------------------------
# The browser opens a recording when the clock starts, uploads a chunk every few
# seconds, taps section marks, and Done closes it: the chunks are joined into one
# file and analysed in the background (practice/tasks.py).

# Containers the analysis and the join decode (MediaRecorder's usual offers).
RECORDING_MIME_TYPES = ("audio/webm", "audio/ogg", "audio/mp4", "audio/wav")
MIME_MAX = 100
SEGMENT_MAX = 999
SEQUENCE_MAX = 99_999
MARKS_MAX = 100
RECORDING_MAX_MS = RECORDING_MAX_SECONDS * 1000
TOO_LONG = (
    "The recording stopped at 15 minutes, the longest a recording can be. "
    "What you said until then is kept."
)
TOO_BIG = (
    "The recording stopped at 30 MB, the largest a recording can be. "
    "What you said until then is kept."
)


class RecordingError(PracticeError):
    """A recording request refused without writing; the message is for the user."""


class RecordingClosed(RecordingError):
    """The recording no longer takes audio or marks."""


@dataclass(frozen=True)
class ChunkReceipt:
    """What became of an uploaded chunk: stored, or refused by a limit (`refused` says why)."""

    chunk: RecordingChunk | None
    recording: Recording
    refused: str = ""


def locked_recording(recording: Recording) -> Recording:
    return Recording.objects.select_for_update().get(pk=recording.pk)


def clean_mime_type(mime_type: str) -> str:
    mime_type = (mime_type or "").strip().lower()
    if len(mime_type) > MIME_MAX or not mime_type.startswith(RECORDING_MIME_TYPES):
        raise RecordingError("This browser offers no audio format Story Bank can keep.")
    return mime_type


@transaction.atomic
def recording_open(*, answer: Answer, mime_type: str) -> tuple[Recording, int]:
    """The running answer's recording and the segment number its next recorder run uses.

    Opening it again (a reload while the clock runs) returns the same recording
    and a new segment, so the chunks of both runs are kept and joined in order.
    """
    answer = locked(answer)
    require_active(answer.session)
    if answer.state != Answer.State.RUNNING:
        raise RecordingError("Press Start first: a recording runs while the clock does.")
    mime_type = clean_mime_type(mime_type)
    recording, created = Recording.objects.get_or_create(
        answer=answer,
        defaults={"owner": answer.session.owner, "story": answer.story, "mime_type": mime_type},
    )
    if recording.status != Recording.Status.RECORDING:
        raise RecordingClosed("This answer's recording is closed.")
    if created:
        return recording, 0
    last = recording.chunks.order_by("-segment").values_list("segment", flat=True).first()
    segment = 0 if last is None else last + 1
    if segment > SEGMENT_MAX:
        raise RecordingError("This recording was restarted too many times; press Done.")
    return recording, segment


def require_recording(recording: Recording) -> None:
    if recording.status != Recording.Status.RECORDING:
        raise RecordingClosed("This recording is closed: it takes no more audio or marks.")


@transaction.atomic
def recording_chunk_add(
    *,
    recording: Recording,
    segment: int,
    sequence: int,
    data: bytes,
    recorded_ms: int | None = None,
) -> ChunkReceipt:
    """Store one chunk; the same (segment, sequence) sent again is the chunk already kept.

    `recorded_ms` is the browser recorder's clock at the end of the chunk, from the
    start of the recording. A chunk past 15 minutes or 30 MB is refused, and the
    recording is closed with what arrived before it.
    """
    recording = locked_recording(recording)
    if not (0 <= segment <= SEGMENT_MAX and 0 <= sequence <= SEQUENCE_MAX):
        raise RecordingError("That chunk number is out of range.")
    if recorded_ms is not None and not 0 <= recorded_ms <= 10 * RECORDING_MAX_MS:
        raise RecordingError("The recorded time of that chunk is out of range.")
    existing = recording.chunks.filter(segment=segment, sequence=sequence).first()
    if existing is not None:
        return ChunkReceipt(existing, recording)
    require_recording(recording)
    if not data:
        raise RecordingError("That chunk was empty.")
    refused = ""
    if recording.size_bytes + len(data) > RECORDING_MAX_BYTES:
        refused = TOO_BIG
    elif recorded_ms is not None and recorded_ms > RECORDING_MAX_MS:
        refused = TOO_LONG
    if refused:
        return ChunkReceipt(None, recording_close(recording=recording, problem=refused), refused)
    chunk = RecordingChunk(
        recording=recording, segment=segment, sequence=sequence, size_bytes=len(data)
    )
    name = recording_path(recording, f"chunks/{segment:03d}-{sequence:05d}.part")
    chunk.data.save(name, ContentFile(data), save=False)
    chunk.full_clean(exclude=["recording"])
    chunk.save()
    recording.size_bytes += len(data)
    recording.recorded_ms = max(recording.recorded_ms, recorded_ms or 0)
    recording.save(update_fields=["size_bytes", "recorded_ms"])
    return ChunkReceipt(chunk, recording)


@transaction.atomic
def recording_mark_add(*, recording: Recording, section: str, at_ms: int) -> Recording:
    """Add a section tap, keeping the marks in time order (the same tap twice is one mark)."""
    recording = locked_recording(recording)
    require_recording(recording)
    if section not in MARK_SECTIONS:
        raise RecordingError("Mark one of Situation, Task, Action, Result or Learning.")
    if not 0 <= at_ms <= RECORDING_MAX_MS:
        raise RecordingError("A mark must fall inside the 15 minutes a recording can last.")
    mark = {"section": section, "at_ms": at_ms}
    if mark not in recording.marks:
        if len(recording.marks) >= MARKS_MAX:
            raise RecordingError("This recording has as many marks as it can keep.")
        recording.marks = sorted([*recording.marks, mark], key=lambda m: m["at_ms"])
        recording.save(update_fields=["marks"])
    return recording


def spooled_segments(recording: Recording):
    """Each segment's chunks, byte-concatenated into a temporary file, in order."""
    chunks = recording.chunks.order_by("segment", "sequence")
    for _, segment in itertools.groupby(chunks, key=lambda chunk: chunk.segment):
        with tempfile.TemporaryFile() as spool:
            for chunk in segment:
                with chunk.data.open("rb") as data:
                    for block in data.chunks():
                        spool.write(block)
            spool.seek(0)
            yield spool


@transaction.atomic
def recording_close(*, recording: Recording, problem: str = "") -> Recording:
    """Join the chunks into the recording's audio and queue its analysis.

    Closing twice changes nothing. With no decodable audio the recording is
    marked failed, with the reason in words; the chunks go either way (their
    files are deleted after the commit, see practice/apps.py).
    """
    recording = locked_recording(recording)
    if recording.status != Recording.Status.RECORDING:
        return recording
    recording.closed_at = timezone.now()
    recording.problem = problem
    with tempfile.TemporaryFile() as joined:
        try:
            recording.recorded_ms = joining.join_segments(spooled_segments(recording), joined)
        except joining.JoinError as error:
            recording.status = Recording.Status.FAILED
            recording.problem = str(error)
            recording.size_bytes = 0
        else:
            joined.seek(0)
            name = f"answer.{joining.JOINED_EXTENSION}"
            recording.audio.save(name, File(joined, name=name), save=False)
            recording.size_bytes = recording.audio.size
            recording.mime_type = joining.JOINED_MIME
            recording.status = Recording.Status.ANALYSING
    recording.full_clean(exclude=["owner", "answer", "story"])
    recording.save()
    recording.chunks.all().delete()
    if recording.status == Recording.Status.ANALYSING:
        from practice.tasks import analyse_recording_task

        recording_id = recording.pk
        transaction.on_commit(lambda: analyse_recording_task.enqueue(recording_id))
    return recording


@transaction.atomic
def recording_analyse(*, recording: Recording) -> Recording:
    """Measure the delivery (practice/delivery.py) and keep the figures, or why it failed."""
    recording = locked_recording(recording)
    if recording.status != Recording.Status.ANALYSING:
        return recording
    try:
        with recording.audio.open("rb") as audio:
            figures = delivery.analyse(audio, marks=recording.marks)
    except delivery.AudioError as error:
        recording.status, recording.problem = Recording.Status.FAILED, str(error)[:300]
    except Exception:
        logger.exception("Analysing recording %s failed", recording.pk)
        recording.status = Recording.Status.FAILED
        recording.problem = "The analysis failed unexpectedly; the audio still plays."
    else:
        recording.status, recording.figures = Recording.Status.ANALYSED, figures
    recording.analysed_at = timezone.now()
    recording.save(update_fields=["status", "problem", "figures", "analysed_at"])
    return recording


@transaction.atomic
def recording_best_take_set(*, recording: Recording, on: bool = True) -> Recording:
    """Make this the story's best take (the story's previous one stops being it), or unset it."""
    recording = locked_recording(recording)
    if on and recording.story_id is None:
        raise RecordingError("This answer was told without a story from your bank.")
    if on and not recording.audio:
        raise RecordingError("Only a recording with audio can be a best take.")
    if on:
        others = Recording.objects.select_for_update().filter(
            story_id=recording.story_id, is_best_take=True
        )
        others.exclude(pk=recording.pk).update(is_best_take=False)
    recording.is_best_take = on
    recording.save(update_fields=["is_best_take"])
    return recording


@transaction.atomic
def recording_delete(*, recording: Recording) -> None:
    """Delete the recording; its audio and chunk files go after the commit (practice/apps.py)."""
    recording.delete()


# --- Loops ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterviewerSpec:
    """One interviewer as a form or a loop file gives it: a name or role, and principles."""

    name: str = ""
    principles: tuple[Principle, ...] = ()


class LoopError(PracticeError):
    """A loop change that cannot be made; the message is for the user."""


def interviewers_check(interviewers: list[InterviewerSpec]) -> None:
    if not interviewers:
        raise LoopError("A loop has at least one interviewer.")
    if len(interviewers) > LOOP_INTERVIEWERS_MAX:
        raise LoopError(f"A loop has at most {LOOP_INTERVIEWERS_MAX} interviewers.")
    for spec in interviewers:
        if len(spec.name) > INTERVIEWER_NAME_MAX:
            raise LoopError(f"An interviewer's name is at most {INTERVIEWER_NAME_MAX} characters.")


def interviewers_write(loop: Loop, interviewers: list[InterviewerSpec]) -> None:
    """The loop's interviewers become `interviewers`, in order; those kept by position
    keep their pins where the principle is still theirs."""
    kept = {i.position: i for i in loop.interviewers.all()}
    for position, spec in enumerate(interviewers, start=1):
        interviewer = kept.pop(position, None) or Interviewer(loop=loop, position=position)
        interviewer.name = spec.name.strip()
        interviewer.full_clean()
        interviewer.save()
        interviewer.principles.set(spec.principles)
        interviewer.pins.exclude(principle__in=spec.principles).delete()
    Interviewer.objects.filter(pk__in=[i.pk for i in kept.values()]).delete()


@transaction.atomic
def loop_create(
    *,
    user,
    level: Level,
    interviewers: list[InterviewerSpec],
    company: str = "",
    interview_date: date | None = None,
) -> Loop:
    """A new loop of `user` with its interviewers (see selectors.loop_proposed_split for a
    typical split when the principles are unknown)."""
    interviewers_check(interviewers)
    loop = Loop(owner=user, company=company.strip(), interview_date=interview_date, level=level)
    loop.full_clean()
    loop.save()
    interviewers_write(loop, interviewers)
    return loop


@transaction.atomic
def loop_update(
    *,
    loop: Loop,
    level: Level,
    interviewers: list[InterviewerSpec],
    company: str = "",
    interview_date: date | None = None,
) -> Loop:
    """Change the loop's details and interviewers; pins to a slot that is gone go too."""
    interviewers_check(interviewers)
    loop = Loop.objects.select_for_update().get(pk=loop.pk)
    loop.company, loop.interview_date, loop.level = company.strip(), interview_date, level
    loop.full_clean()
    loop.save()
    interviewers_write(loop, interviewers)
    return loop


def require_own_story(loop: Loop, story: Story) -> None:
    if story.owner_id != loop.owner_id or story.deleted_at is not None:
        raise LoopError("That story is not in your bank.")


@transaction.atomic
def loop_pin(
    *, loop: Loop, interviewer: Interviewer, principle: Principle, story: Story
) -> LoopPin:
    """Pin `story` to the interviewer's principle: it becomes that slot's primary.

    A story is a primary once per loop, so its pin elsewhere in the loop moves
    here; the slot's earlier pin goes; a pinned story is no longer excluded.
    """
    require_own_story(loop, story)
    if interviewer.loop_id != loop.pk:
        raise LoopError("That interviewer is not in this loop.")
    if not interviewer.principles.filter(pk=principle.pk).exists():
        raise LoopError(f"{interviewer.label} does not probe {principle.name}.")
    Loop.objects.select_for_update().get(pk=loop.pk)
    LoopPin.objects.filter(loop=loop, story=story).delete()
    LoopPin.objects.filter(interviewer=interviewer, principle=principle).delete()
    LoopExclusion.objects.filter(loop=loop, story=story).delete()
    pin = LoopPin(loop=loop, interviewer=interviewer, principle=principle, story=story)
    pin.full_clean()
    pin.save()
    return pin


@transaction.atomic
def loop_unpin(*, loop: Loop, interviewer: Interviewer, principle: Principle) -> None:
    """The slot is planned freely again."""
    LoopPin.objects.filter(loop=loop, interviewer=interviewer, principle=principle).delete()


@transaction.atomic
def loop_exclude(*, loop: Loop, story: Story) -> LoopExclusion:
    """Never plan `story` in this loop (its pin, if any, goes)."""
    require_own_story(loop, story)
    Loop.objects.select_for_update().get(pk=loop.pk)
    LoopPin.objects.filter(loop=loop, story=story).delete()
    exclusion, _ = LoopExclusion.objects.get_or_create(loop=loop, story=story)
    return exclusion


@transaction.atomic
def loop_include(*, loop: Loop, story: Story) -> None:
    """Plan `story` again in this loop."""
    LoopExclusion.objects.filter(loop=loop, story=story).delete()


@transaction.atomic
def loop_delete(*, loop: Loop) -> None:
    """The loop, its interviewers, pins and exclusions; the stories stay."""
    loop.delete()
