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

An answer told aloud carries its recording: the metadata, the section marks
and the analysis figures. The audio itself travels only in the ZIP export
(`recordings/<uuid>.<ext>`, listed as the recording's "audio"); a plain JSON
document keeps the recording without audio, figures and marks intact, so the
history charts survive a move even when the audio does not. An imported
recording belongs to the importing user, keeps its best-take mark and gets a
new uuid when its own is taken on this server.
"""

import math
import uuid

from django.db import models
from django.db.models import Prefetch

from practice.models import (
    BAND_MAX_SECONDS,
    BAND_MIN_SECONDS,
    COMPANY_MAX,
    MARK_SECTIONS,
    NOTES_MAX,
    RECORDING_MAX_BYTES,
    Answer,
    PracticeSession,
    PracticeSettings,
    Recording,
    band_is_ordered,
)
from practice.services import schedule_refresh
from principles.models import Level, Principle, Question, Theme
from stories.services import stories_rescore
from stories.targets import PRINCIPLE_SLOTS, PRINCIPLE_SLOTS_MAX
from stories.transfer import DocumentError, FieldReader, instant_text, json_type
from stories.transfer.archive import MEMBER_NAME, ExpectedFile
from stories.transfer.fields import shown
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
RECORDING_KEYS = {
    "uuid",
    "mime_type",
    "size_bytes",
    "recorded_ms",
    "marks",
    "status",
    "problem",
    "figures",
    "is_best_take",
    "created_at",
    "closed_at",
    "analysed_at",
    "audio",
}
PROBLEM_MAX = Recording._meta.get_field("problem").max_length
MIME_MAX = Recording._meta.get_field("mime_type").max_length
RECORDED_MS_MAX = 2**31 - 1
AUDIO_FOLDER = "recordings"
# File name endings of the containers browsers record in (the ZIP member's name only).
AUDIO_EXTENSIONS = {
    "audio/webm": "webm",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
}
# A recording cut off before it was analysed cannot resume on another server.
UNFINISHED = (Recording.Status.RECORDING, Recording.Status.ANALYSING)
UNFINISHED_PROBLEM = "It was still being recorded or analysed when it was exported."


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


def has_recording(answer: Answer) -> bool:
    try:
        return answer.recording is not None
    except Recording.DoesNotExist:
        return False


def audio_member(recording_uuid, mime_type: str) -> str:
    """The recording's file inside the ZIP export: recordings/<uuid>.<ext>."""
    container = mime_type.split(";")[0].strip().lower()
    return f"{AUDIO_FOLDER}/{recording_uuid}.{AUDIO_EXTENSIONS.get(container, 'audio')}"


def recording_entry(recording: Recording) -> dict:
    return {
        "uuid": str(recording.uuid),
        "mime_type": recording.mime_type,
        "size_bytes": recording.size_bytes,
        "recorded_ms": recording.recorded_ms,
        "marks": recording.marks,
        "status": recording.status,
        "problem": recording.problem,
        "figures": recording.figures,
        "is_best_take": recording.is_best_take,
        "created_at": instant_text(recording.created_at),
        "closed_at": instant_text(recording.closed_at),
        "analysed_at": instant_text(recording.analysed_at),
        # Its name in the ZIP export; None when there is no audio (still recording).
        "audio": audio_member(recording.uuid, recording.mime_type) if recording.audio else None,
    }


def exported_recordings(data: dict):
    """Every recording entry of an exported (or checked) practice section."""
    for session in data.get("sessions") or []:
        for answer in session.get("answers") or []:
            if answer.get("recording"):
                yield answer["recording"]


def recording_files(user, data: dict) -> list[tuple[str, object]]:
    """(name in the ZIP, opener) for each exported recording's audio, in one query.

    A file missing from storage is left out and its entry loses its "audio",
    so the ZIP never lists what it does not hold.
    """
    entries = [entry for entry in exported_recordings(data) if entry["audio"]]
    rows = {
        str(row.uuid): row
        for row in Recording.objects.for_user(user).filter(
            uuid__in=[entry["uuid"] for entry in entries]
        )
    }
    files = []
    for entry in entries:
        row = rows.get(entry["uuid"])
        if row is None or not row.audio or not row.audio.storage.exists(row.audio.name):
            entry["audio"] = None
            continue
        files.append((entry["audio"], audio_opener(row)))
    return files


def audio_opener(recording: Recording):
    return lambda: recording.audio.storage.open(recording.audio.name, "rb")


def recording_files_expected(data) -> list[ExpectedFile]:
    """The audio files a checked practice section names, each at most RECORDING_MAX_BYTES."""
    _, sessions, _ = practice_read(data, refs=None)
    return [
        ExpectedFile(name=recording["audio"], max_bytes=RECORDING_MAX_BYTES, where=where)
        for where, recording in recordings_read(sessions)
        if recording["audio"]
    ]


def recordings_read(sessions: list[dict]):
    """(where, recording) for each answer of the sessions that has one."""
    for session in sessions:
        for answer in session["answers"]:
            if answer["recording"] is not None:
                yield answer["recording"]["where"], answer["recording"]


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


def recordings_problems(sessions: list[dict]) -> list[str]:
    """What no single recording shows: a uuid or file used twice, two best takes of a story."""
    problems = []
    uuids: set[uuid.UUID] = set()
    files: set[str] = set()
    best_takes: set[str] = set()
    for session in sessions:
        for answer in session["answers"]:
            recording = answer["recording"]
            if recording is None:
                continue
            where = recording["where"]
            if recording["uuid"] in uuids:
                problems.append(f"{where}, “uuid”: an earlier recording has the same uuid.")
            uuids.add(recording["uuid"])
            if recording["audio"] and recording["audio"] in files:
                problems.append(f"{where}, “audio”: an earlier recording has the same file.")
            files.add(recording["audio"])
            if recording["is_best_take"] and answer["story"]:
                if answer["story"] in best_takes:
                    problems.append(
                        f"{where}, “is_best_take”: the story already has a best take in "
                        "this document; a story has one."
                    )
                best_takes.add(answer["story"])
    return problems


def recording_read(item, answer_where: str, problems: list[str]) -> dict | None:
    """An answer's recording, checked; None when the answer has none."""
    if item is None:
        return None
    if not isinstance(item, dict):
        problems.append(f"{answer_where}, “recording”: must be an object, not {json_type(item)}.")
        return None
    where = f"{answer_where}, recording"
    reader = FieldReader(item, where, problems)
    reader.reject_unknown(RECORDING_KEYS)
    before = len(problems)
    recording_uuid = None
    text = reader.text("uuid", max_length=36, required=True)
    try:
        recording_uuid = uuid.UUID(text) if text else None
    except ValueError:
        reader.problem("uuid", f"{shown(text)} is not a uuid.")
    mime_type = reader.text("mime_type", max_length=MIME_MAX, required=True)
    if mime_type and not mime_type.startswith("audio/"):
        reader.problem("mime_type", f"{shown(mime_type)} is not an audio type (audio/…).")
    audio = reader.text("audio", max_length=200).strip() or None
    if audio and not (audio.startswith(f"{AUDIO_FOLDER}/") and MEMBER_NAME.fullmatch(audio)):
        reader.problem(
            "audio", f"{shown(audio)} is not a file name of the export ({AUDIO_FOLDER}/…)."
        )
    recording = {
        "where": where,
        "uuid": recording_uuid,
        "mime_type": mime_type,
        "size_bytes": reader.integer("size_bytes", minimum=0, maximum=RECORDING_MAX_BYTES) or 0,
        "recorded_ms": reader.integer("recorded_ms", minimum=0, maximum=RECORDED_MS_MAX) or 0,
        "marks": marks_read(reader),
        "status": reader.choice("status", Recording.Status.values),
        "problem": reader.text("problem", max_length=PROBLEM_MAX),
        "figures": figures_read(reader),
        "is_best_take": reader.boolean("is_best_take"),
        "created_at": reader.instant("created_at"),
        "closed_at": reader.instant("closed_at"),
        "analysed_at": reader.instant("analysed_at"),
        "audio": audio,
    }
    return recording if len(problems) == before else None


def marks_read(reader: FieldReader) -> list[dict]:
    """The section marks: {"section", "at_ms"} objects in time order."""
    marks = []
    for number, mark in enumerate(reader.objects("marks"), start=1):
        if (
            not isinstance(mark, dict)
            or set(mark) != {"section", "at_ms"}
            or mark["section"] not in MARK_SECTIONS
            or not whole(mark["at_ms"], maximum=RECORDED_MS_MAX)
        ):
            reader.problem(
                "marks",
                f"mark {number} must be {{“section”: one of {', '.join(MARK_SECTIONS)}, "
                "“at_ms”: a whole number of milliseconds}.",
            )
            return []
        if marks and mark["at_ms"] < marks[-1]["at_ms"]:
            reader.problem("marks", f"mark {number} comes before the mark ahead of it.")
            return []
        marks.append({"section": mark["section"], "at_ms": mark["at_ms"]})
    return marks


FIGURE_NUMBERS = (
    "version",
    "duration_s",
    "speaking_s",
    "pause_count",
    "longest_pause_s",
    "syllables",
    "words",
    "wpm",
)
FIGURE_TEXTS = ("method", "transcript")
ENVELOPE_MAX = 10_000
SECTION_TEXTS = ("key", "label")
SECTION_NUMBERS = ("seconds", "percent", "budget_percent")


def figures_read(reader: FieldReader) -> dict | None:
    """The analysis figures, held to the shape the review and the charts read.

    A figure may be missing or null (an older analysis); one of the wrong
    type would break the page drawing it, so it is refused.
    """
    figures = reader.data.get("figures")
    if figures is None:
        return None
    wrong = figures_wrong(figures)
    if wrong:
        reader.problem("figures", f"{wrong} is not what an analysis writes.")
        return None
    return figures


def figures_wrong(figures) -> str | None:
    """The first figure of the wrong shape, in words, or None."""
    if not isinstance(figures, dict):
        return f"{json_type(figures)} instead of an object"
    for name in FIGURE_NUMBERS:
        if figures.get(name) is not None and not number(figures[name]):
            return f"“{name}”"
    for name in FIGURE_TEXTS:
        if figures.get(name) is not None and not isinstance(figures[name], str):
            return f"“{name}”"
    pauses = figures.get("pauses") or []
    if not isinstance(pauses, list) or not all(
        isinstance(p, dict) and number(p.get("start_s")) and number(p.get("end_s")) for p in pauses
    ):
        return "“pauses”"
    sections = figures.get("sections") or []
    if not isinstance(sections, list) or not all(
        isinstance(section, dict)
        and all(isinstance(section.get(name), str) for name in SECTION_TEXTS)
        and all(number(section.get(name)) for name in SECTION_NUMBERS)
        for section in sections
    ):
        return "“sections”"
    envelope = figures.get("envelope") or []
    if (
        not isinstance(envelope, list)
        or len(envelope) > ENVELOPE_MAX
        or not all(number(point) and 0 <= point <= 1 for point in envelope)
    ):
        return "“envelope”"
    return None


def number(value) -> bool:
    """A finite JSON number (true/false are not numbers here; NaN and Infinity are refused)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def whole(value, *, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum


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
    recordings = recordings_import(
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
    if recordings:
        text += f" with {len(recordings)} recording{'' if len(recordings) == 1 else 's'}"
        if files is None:
            text += " (figures only: the audio travels in the ZIP export)"
    return text


def recordings_import(user, pairs: list[tuple[Answer, dict]], files: ArchiveFiles | None):
    """Create the recordings of the imported answers, storing their audio from `files`.

    A uuid already used on this server (the same bank imported twice) is
    replaced by a new one. Files are written before the rows; if anything
    later fails, the bank import removes them.
    """
    taken = set(
        Recording.objects.filter(uuid__in=[read["uuid"] for _, read in pairs]).values_list(
            "uuid", flat=True
        )
    )
    rows = []
    for answer, read in pairs:
        row = recording_row(user, answer, read, taken)
        if files is not None and read["audio"]:
            row.size_bytes = files.size(read["audio"])
            extension = read["audio"].rpartition(".")[2] if "." in read["audio"] else "audio"
            files.save(row.audio, f"audio.{extension}", read["audio"])
        rows.append(row)
    Recording.objects.bulk_create(rows)
    # created_at is auto_now_add, which ignores the value given when a row is inserted.
    dated = []
    for row, (_, read) in zip(rows, pairs, strict=True):
        if read["created_at"] is not None:
            row.created_at = read["created_at"]
            dated.append(row)
    Recording.objects.bulk_update(dated, ["created_at"], batch_size=500)
    return rows


def recording_row(user, answer: Answer, read: dict, taken: set) -> Recording:
    status, problem = read["status"], read["problem"]
    if status in UNFINISHED:
        status, problem = Recording.Status.FAILED, UNFINISHED_PROBLEM
    row = Recording(
        uuid=read["uuid"] if read["uuid"] not in taken else uuid.uuid4(),
        owner=user,
        answer=answer,
        story=answer.story,
        mime_type=read["mime_type"],
        size_bytes=read["size_bytes"],
        recorded_ms=read["recorded_ms"],
        marks=read["marks"],
        status=status,
        problem=problem,
        figures=read["figures"],
        is_best_take=read["is_best_take"],
        closed_at=read["closed_at"],
        analysed_at=read["analysed_at"],
    )
    fields_check(row, exclude=["owner", "answer", "story", "audio"])
    return row


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
