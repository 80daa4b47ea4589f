"""Practice history in the bank export: settings, sessions and every answer.

Registered with the stories app's export (see `register`, called from
PracticeConfig.ready()), so a bank moved to another server keeps when each
question was told (the server's instants), for how long, the rating, the
checklist, the notes and which story was told.

Questions are matched by their text (unique in the question bank), levels,
principles and themes by slug. Anything this server lacks is reported before
the import; if the user goes ahead, an answer to a missing question is left
out, a missing principle or theme is dropped from its session, and a session
at a missing level is kept at the user's practice level. The review schedule
is a cache of the rated answers, so it is rebuilt from them, not imported.

An answer told aloud carries its recording (practice/transfer/recordings.py),
whose audio travels in the ZIP export.
"""

from django.db import models
from django.db.models import Prefetch

from practice.models import (
    BAND_MAX_SECONDS,
    BAND_MIN_SECONDS,
    COMPANY_MAX,
    NOTES_MAX,
    Answer,
    PracticeSession,
    PracticeSettings,
    band_is_ordered,
)
from practice.services import schedule_refresh
from practice.transfer.recordings import (
    expected_files,
    has_recording,
    recording_entry,
    recording_files,
    recording_read,
    recordings_import,
    recordings_problems,
)
from principles.models import Level, Principle, Question, Theme
from stories.services import stories_rescore
from stories.targets import PRINCIPLE_SLOTS, PRINCIPLE_SLOTS_MAX
from stories.transfer import DocumentError, FieldReader, instant_text, json_type
from stories.transfer.archive import ExpectedFile
from stories.transfer.services import ArchiveFiles, ExtraSection, SectionFiles, section_register

QUESTION_MAX = Question._meta.get_field("text").max_length
SMALL_MAX = 32767  # PositiveSmallIntegerField
CHECKLIST = ("said_i", "named_obstacle", "gave_number", "said_learning")
# Fields written as they were read; the others name rows, resolved through `found`.
SETTINGS_COPIED = (
    "band_min_seconds",
    "band_max_seconds",
    "questions_per_session",
    "principle_slots",
    "target_company",
)
SESSION_COPIED = (
    "mode",
    "band_min_seconds",
    "band_max_seconds",
    "started_at",
    "finished_at",
    "status",
)
ANSWER_COPIED = (
    "position",
    "started_at",
    "stopped_at",
    "duration_seconds",
    "closed_automatically",
    *CHECKLIST,
    "within_band",
    "rating",
    "rated_at",
    "notes",
)
SETTINGS_KEYS = {"target_level", *SETTINGS_COPIED}
SESSION_KEYS = {"principle", "theme", "level", "answers", *SESSION_COPIED}
ANSWER_KEYS = {"question", "story", "recording", *ANSWER_COPIED}


# --- Export ------------------------------------------------------------------------


def practice_export(user, story_refs: dict[int, str]) -> dict:
    """The user's practice settings and sessions (recordings included), in three queries."""
    settings = PracticeSettings.objects.filter(user=user).select_related("target_level").first()
    sessions = (
        PracticeSession.objects.for_user(user)
        .select_related("level", "principle", "theme")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("question", "recording"))
        )
        .order_by("started_at", "pk")
    )
    return {
        "settings": settings_entry(settings) if settings else None,
        "sessions": [session_entry(session, story_refs) for session in sessions],
    }


def settings_entry(settings: PracticeSettings) -> dict:
    return {
        "target_level": settings.target_level.slug,
        "band_min_seconds": settings.band_min_seconds,
        "band_max_seconds": settings.band_max_seconds,
        "questions_per_session": settings.questions_per_session,
        "principle_slots": settings.principle_slots,
        "target_company": settings.target_company,
    }


def session_entry(session: PracticeSession, story_refs: dict[int, str]) -> dict:
    return {
        "mode": session.mode,
        "principle": session.principle.slug if session.principle else None,
        "theme": session.theme.slug if session.theme else None,
        "level": session.level.slug,
        "band_min_seconds": session.band_min_seconds,
        "band_max_seconds": session.band_max_seconds,
        "started_at": instant_text(session.started_at),
        "finished_at": instant_text(session.finished_at),
        "status": session.status,
        "answers": [
            answer_entry(answer, story_refs)
            for answer in sorted(session.answers.all(), key=lambda a: a.position)
        ],
    }


def answer_entry(answer: Answer, story_refs: dict[int, str]) -> dict:
    return {
        "position": answer.position,
        "question": answer.question.text,
        # Only the user's own stories have a ref: nothing of anyone else's can leak.
        "story": story_refs.get(answer.story_id),
        "started_at": instant_text(answer.started_at),
        "stopped_at": instant_text(answer.stopped_at),
        "duration_seconds": answer.duration_seconds,
        "closed_automatically": answer.closed_automatically,
        **{name: getattr(answer, name) for name in CHECKLIST},
        "within_band": answer.within_band,
        "rating": answer.rating,
        "rated_at": instant_text(answer.rated_at),
        "notes": answer.notes,
        "recording": recording_entry(answer.recording) if has_recording(answer) else None,
    }


# --- Reading a document's practice section --------------------------------------------


def practice_read(data, refs: set[str] | None) -> tuple[dict | None, list[dict], list[str]]:
    """(settings, sessions, problems): the section checked field by field, no database.

    `refs` are the document's story refs (None: answers' stories are not checked).
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        return None, [], [f"“practice” must be an object, not {json_type(data)}."]
    reader = FieldReader(data, "Practice", problems)
    reader.reject_unknown({"settings", "sessions"})
    settings = None
    if data.get("settings") is not None:
        settings = settings_read(data["settings"], problems)
    sessions = [
        session_read(item, index, refs, problems)
        for index, item in enumerate(reader.objects("sessions"), start=1)
    ]
    sessions = [s for s in sessions if s is not None]
    problems += recordings_problems(sessions)
    return settings, sessions, problems


def band_read(reader: FieldReader) -> tuple[int | None, int | None]:
    """The answer band of settings or a session, held to the model's band rule."""
    low, high = BAND_MIN_SECONDS, BAND_MAX_SECONDS
    band_min = reader.integer("band_min_seconds", minimum=low, maximum=high, required=True)
    band_max = reader.integer("band_max_seconds", minimum=low, maximum=high, required=True)
    if band_min is not None and band_max is not None and not band_is_ordered(band_min, band_max):
        reader.problem("band_max_seconds", "the band must end after it starts.")
    return band_min, band_max


def settings_read(data, problems: list[str]) -> dict | None:
    if not isinstance(data, dict):
        problems.append(f"Practice settings: must be an object, not {json_type(data)}.")
        return None
    reader = FieldReader(data, "Practice settings", problems)
    reader.reject_unknown(SETTINGS_KEYS)
    band_min, band_max = band_read(reader)
    return {
        "target_level": reader.slug("target_level", required=True),
        "band_min_seconds": band_min,
        "band_max_seconds": band_max,
        "questions_per_session": reader.integer(
            "questions_per_session", minimum=1, maximum=20, required=True
        ),
        # Absent from exports made before it existed: the default then applies.
        "principle_slots": reader.integer("principle_slots", minimum=1, maximum=PRINCIPLE_SLOTS_MAX)
        or PRINCIPLE_SLOTS,
        "target_company": reader.text("target_company", max_length=COMPANY_MAX),
    }


def session_read(item, index: int, refs: set[str] | None, problems: list[str]) -> dict | None:
    where = f"Practice session {index}"
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object, not {json_type(item)}.")
        return None
    reader = FieldReader(item, where, problems)
    reader.reject_unknown(SESSION_KEYS)
    band_min, band_max = band_read(reader)
    session = {
        "mode": reader.choice("mode", PracticeSession.Mode.values),
        "principle": reader.slug("principle"),
        "theme": reader.slug("theme"),
        "level": reader.slug("level", required=True),
        "band_min_seconds": band_min,
        "band_max_seconds": band_max,
        "started_at": reader.instant("started_at", required=True),
        "finished_at": reader.instant("finished_at"),
        "status": reader.choice("status", PracticeSession.Status.values),
    }
    answers = []
    positions: set[int] = set()
    questions: set[str] = set()
    for number, answer in enumerate(reader.objects("answers"), start=1):
        read = answer_read(answer, f"{where}, answer {number}", refs, problems)
        if read is None:
            continue
        if read["position"] in positions:
            problems.append(f"{where}, answer {number}: position {read['position']} is taken.")
        if read["question"] in questions:
            problems.append(f"{where}, answer {number}: the question is already in this session.")
        positions.add(read["position"])
        questions.add(read["question"])
        answers.append(read)
    session["answers"] = answers
    return session


def answer_read(item, where: str, refs: set[str] | None, problems: list[str]) -> dict | None:
    if not isinstance(item, dict):
        problems.append(f"{where}: must be an object, not {json_type(item)}.")
        return None
    reader = FieldReader(item, where, problems)
    reader.reject_unknown(ANSWER_KEYS)
    answer = {
        "position": reader.integer("position", minimum=1, maximum=SMALL_MAX, required=True),
        "question": reader.text("question", max_length=QUESTION_MAX, required=True),
        "story": reader.text("story", max_length=200).strip() or None,
        "started_at": reader.instant("started_at"),
        "stopped_at": reader.instant("stopped_at"),
        "duration_seconds": reader.integer("duration_seconds", minimum=0, maximum=2**31 - 1),
        "closed_automatically": reader.boolean("closed_automatically"),
        **{name: reader.boolean(name) for name in CHECKLIST},
        "within_band": reader.boolean("within_band", nullable=True),
        "rating": reader.integer("rating", minimum=1, maximum=5),
        "rated_at": reader.instant("rated_at"),
        "notes": reader.text("notes", max_length=NOTES_MAX),
    }
    answer["recording"] = recording_read(item.get("recording"), where, problems)
    if answer["story"] is not None and refs is not None and answer["story"] not in refs:
        reader.problem("story", f"no story in this document has the ref “{answer['story']}”.")
    started, stopped = answer["started_at"], answer["stopped_at"]
    if stopped is not None and (started is None or stopped < started):
        reader.problem("stopped_at", "an answer stops after it starts.")
    if answer["rating"] is not None and stopped is None:
        reader.problem("rating", "only an answer that was stopped can be rated.")
    return answer


def practice_check(data, refs: set[str]) -> tuple[list[str], dict[str, set[str]]]:
    """Problems in the section, and the levels, tags and questions this server lacks."""
    settings, sessions, problems = practice_read(data, refs)
    if problems:
        return problems, {}
    wanted = wanted_references(settings, sessions)
    found = references_found(wanted)
    return [], {
        "levels": wanted["levels"] - set(found["levels"]),
        "principles": wanted["principles"] - set(found["principles"]),
        "themes": wanted["themes"] - set(found["themes"]),
        "practice questions": wanted["questions"] - set(found["questions"]),
    }


def wanted_references(settings: dict | None, sessions: list[dict]) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {"levels": set(), "principles": set(), "themes": set()}
    wanted["questions"] = {a["question"] for s in sessions for a in s["answers"]}
    if settings:
        wanted["levels"].add(settings["target_level"])
    for session in sessions:
        wanted["levels"].add(session["level"])
        for name in ("principle", "theme"):
            if session[name]:
                wanted[f"{name}s"].add(session[name])
    return wanted


def references_found(wanted: dict[str, set[str]]) -> dict[str, dict]:
    return {
        "levels": {row.slug: row for row in Level.objects.filter(slug__in=wanted["levels"])},
        "principles": {
            row.slug: row for row in Principle.objects.filter(slug__in=wanted["principles"])
        },
        "themes": {row.slug: row for row in Theme.objects.filter(slug__in=wanted["themes"])},
        "questions": {
            row.text: row for row in Question.objects.filter(text__in=wanted["questions"])
        },
    }


# --- Import ------------------------------------------------------------------------


def practice_import(user, data, stories: dict, *, files: ArchiveFiles | None = None) -> str:
    """Write the section's settings, sessions, answers and recordings for `user`; rebuild
    schedules.

    Called inside the bank import's transaction, after `practice_check` passed.
    Existing settings are kept: an import adds history, it does not change
    how the user practises now. With `files` (a ZIP import) each recording's
    audio is stored through the recordings storage; without, recordings keep
    their figures and marks and have no audio.
    """
    settings, sessions, problems = practice_read(data, set(stories))
    if problems:  # checked before; refused again rather than half-imported
        raise DocumentError(problems)
    found = references_found(wanted_references(settings, sessions))
    if settings and settings["target_level"] in found["levels"]:
        settings_import(user, settings, found)
    if any(session["level"] not in found["levels"] for session in sessions):
        found["levels"][None] = PracticeSettings.for_user(user).target_level
    rows = [session_row(user, session, found) for session in sessions]
    PracticeSession.objects.bulk_create(rows)
    pairs = [
        (answer_row(row, answer, found, stories), answer)
        for row, session in zip(rows, sessions, strict=True)
        for answer in session["answers"]
        if answer["question"] in found["questions"]
    ]
    answers = [answer for answer, _ in pairs]
    Answer.objects.bulk_create(answers)
    imported = recordings_import(
        user,
        [(answer, read["recording"]) for answer, read in pairs if read["recording"]],
        files,
    )
    for question_id in sorted({a.question_id for a in answers if a.rating is not None}):
        schedule_refresh(user=user, question_id=question_id)
    count = len(rows)
    if not count:
        return ""
    text = f"{count} practice session{'' if count == 1 else 's'}"
    if imported:
        text += f" with {len(imported)} recording{'' if len(imported) == 1 else 's'}"
        if files is None:
            text += " (figures only: the audio travels in the ZIP export)"
    return text


def copied(read: dict, names: tuple[str, ...]) -> dict:
    return {name: read[name] for name in names}


def settings_import(user, settings: dict, found: dict) -> None:
    if PracticeSettings.objects.filter(user=user).exists():
        return
    row = PracticeSettings(
        user=user,
        target_level=found["levels"][settings["target_level"]],
        **copied(settings, SETTINGS_COPIED),
    )
    row.full_clean(exclude=["user", "target_level"])
    row.save()
    # The stories of this import were judged against the default band.
    band = row.targets().band
    if band != PracticeSettings(user=user).targets().band:
        stories_rescore(owner=user, band=band)


def fields_check(row: models.Model, *, exclude: list[str]) -> None:
    """Field checks only: foreign keys are resolved by the caller and the database
    enforces the constraints, which practice_read has already explained."""
    row.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def session_row(user, session: dict, found: dict) -> PracticeSession:
    row = PracticeSession(
        owner=user,
        principle=found["principles"].get(session["principle"]),
        theme=found["themes"].get(session["theme"]),
        # A level this server lacks (the user confirmed): the user's own practice level.
        level=found["levels"].get(session["level"]) or found["levels"][None],
        **copied(session, SESSION_COPIED),
    )
    fields_check(row, exclude=["owner", "principle", "theme", "level"])
    return row


def answer_row(session: PracticeSession, answer: dict, found: dict, stories: dict) -> Answer:
    row = Answer(
        session=session,
        question=found["questions"][answer["question"]],
        story=stories.get(answer["story"]) if answer["story"] else None,
        **copied(answer, ANSWER_COPIED),
    )
    fields_check(row, exclude=["session", "question", "story"])
    return row


def recording_files_expected(data) -> list[ExpectedFile]:
    """The audio files a checked practice section names (see recordings.expected_files)."""
    _, sessions, _ = practice_read(data, refs=None)
    return expected_files(sessions)


def register() -> None:
    section_register(
        ExtraSection(
            name="practice",
            exporter=practice_export,
            importer=practice_import,
            check=practice_check,
            files=SectionFiles(listed=recording_files, expected=recording_files_expected),
        )
    )
