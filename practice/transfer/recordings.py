"""Recordings in the bank export: each answer told aloud carries its recording.

The JSON lists a recording's metadata, its section marks and the analysis
figures under the answer it belongs to. The audio travels only in the ZIP
export, as `recordings/<uuid>.<ext>` (the recording's "audio"): a plain JSON
document keeps the recording without audio, figures and marks intact, so the
history charts survive a move even when the audio does not. An imported
recording belongs to the importing user, keeps its best-take mark and gets a
new uuid when its own is taken on this server; its audio is written through
the recordings storage, and removed again by the bank import if anything fails.
"""

import math
import uuid

from practice.models import MARK_SECTIONS, RECORDING_MAX_BYTES, Answer, Recording
from stories.transfer import FieldReader, instant_text, json_type
from stories.transfer.archive import MEMBER_NAME, ExpectedFile
from stories.transfer.fields import shown
from stories.transfer.services import ArchiveFiles

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


# --- Export ------------------------------------------------------------------------


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


# --- Reading ------------------------------------------------------------------------


def recordings_read(sessions: list[dict]):
    """(where, recording) for each answer of the sessions that has one."""
    for session in sessions:
        for answer in session["answers"]:
            if answer["recording"] is not None:
                yield answer["recording"]["where"], answer["recording"]


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


def expected_files(sessions: list[dict]) -> list[ExpectedFile]:
    """The audio files checked sessions name, each at most RECORDING_MAX_BYTES."""
    return [
        ExpectedFile(name=recording["audio"], max_bytes=RECORDING_MAX_BYTES, where=where)
        for where, recording in recordings_read(sessions)
        if recording["audio"]
    ]


# --- Import ------------------------------------------------------------------------


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
    # Field checks only, as for answers: the database enforces the constraints.
    row.full_clean(
        exclude=["owner", "answer", "story", "audio"],
        validate_unique=False,
        validate_constraints=False,
    )
    return row
