"""The `storybank/1` document: loading it, checking its stories, naming duplicates. Pure."""

import json
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from stories.models import (
    ANSWER_MAX,
    ANSWERS_MAX,
    CUE_CARD_MAX,
    METRICS_MAX,
    TAG_RELATIONS,
    TITLE_MAX,
    Section,
    Story,
)
from stories.star import SECTIONS, clean_text, sections_from_answers
from stories.transfer.fields import (
    FORMAT,
    SLUG_PATTERN,
    DocumentError,
    FieldReader,
    json_type,
    shown,
)

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_STORIES = 2_000
# An export nests five levels (document → stories → story → answers → answer);
# a document nested far deeper is not one, and would only cost stack and time.
MAX_DEPTH = 20
# The largest number an export holds is a duration in seconds (below 2**31).
MAX_NUMBER_DIGITS = 20
SURROGATE = re.compile("[\ud800-\udfff]")
# How JSON spells one ("\ud83d"): a text without such an escape cannot decode to any.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
REF_MAX = 100
KEY_MAX = 60
LABEL_MAX = 120
STATUSES = [value for value, _ in Story.Status.choices]

TOP_LEVEL_KEYS = {"format", "exported_at", "stories"}
STORY_KEYS = {
    "ref",
    "title",
    "template",
    "status",
    "answers",
    "sections",
    "metrics",
    "cue_card",
    "principles",
    "core_theme",
    "themes",
    "levels",
    "kind",
    "created_at",
    "updated_at",
    "trashed_at",
}
ANSWER_KEYS = {"key", "label", "section", "text"}


def size_text(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    return f"{size / (1024 * 1024):.1f} MB" if size >= 100 * 1024 else f"{size / 1024:.0f} KB"


def too_big(size: int) -> str:
    return (
        f"The file is {size_text(size)}; an import can be at most "
        f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB. Split the bank into smaller files."
    )


def document_load(raw: bytes | str) -> dict:
    """Parse an uploaded document: size cap, UTF-8, JSON, an object. Raises DocumentError.

    Everything JSON allows but no export holds is refused here, before any
    check reads a field: numbers too long to convert, nesting deeper than a
    document's, and escaped halves of characters that no text can be saved with.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError([too_big(len(data))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError(
            ["The file is not UTF-8 text, so it is not a Story Bank export (a .json file)."]
        ) from None
    try:
        document = json.loads(text, parse_int=number_read)
    except json.JSONDecodeError as error:
        raise DocumentError(
            [
                f"The file is not valid JSON: {error.msg} at line {error.lineno}, "
                f"column {error.colno}. Was it changed after it was exported?"
            ]
        ) from None
    except RecursionError:
        raise DocumentError([too_deep()]) from None
    if not isinstance(document, dict):
        raise DocumentError(
            [
                f"The file holds {json_type(document)}, not a Story Bank export "
                f"(an object with “format”: “{FORMAT}”)."
            ]
        )
    document_scan(document, surrogates=SURROGATE_ESCAPE.search(text) is not None)
    return document


def number_read(digits: str) -> int:
    """A JSON integer; one too long for any field is refused before Python converts it
    (past 4,300 digits int() itself refuses, with an error no user should see)."""
    length = len(digits.lstrip("-"))
    if length > MAX_NUMBER_DIGITS:
        raise DocumentError(
            [
                f"The file holds a number {length:,} digits long; no field of a Story Bank "
                f"export holds a number longer than {MAX_NUMBER_DIGITS} digits."
            ]
        )
    return int(digits)


def too_deep() -> str:
    return (
        f"The file is not a Story Bank export: it is nested too deeply (an export "
        f"nests lists and objects at most {MAX_DEPTH} levels deep)."
    )


def document_scan(document: dict, *, surrogates: bool = True) -> None:
    """Refuse nesting deeper than MAX_DEPTH and lone surrogates, naming where.

    A JSON escape such as "\\ud800" decodes to half of a character: PostgreSQL
    (and the page showing the problem) cannot encode it, so it is refused with
    its place in the file. Iterative, so no nesting can overflow the stack.
    `surrogates=False` (the text has no such escape) skips reading every text.
    """
    pending: list[tuple[object, tuple, int]] = [(document, (), 1)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise DocumentError([too_deep()])
            items = value.items() if isinstance(value, dict) else enumerate(value, start=1)
            for key, item in items:
                if surrogates and isinstance(key, str) and SURROGATE.search(key):
                    raise DocumentError([surrogate_found(path, "a field name")])
                if surrogates or isinstance(item, dict | list):
                    pending.append((item, (*path, key), depth + 1))
        elif isinstance(value, str) and SURROGATE.search(value):
            raise DocumentError([surrogate_found(path, "a text")])


def surrogate_found(path: tuple, what: str) -> str:
    place = " → ".join(f"item {part}" if isinstance(part, int) else f"“{part}”" for part in path)
    return (
        f"The file holds an escaped half of a character (a lone UTF-16 surrogate such as "
        f"\\ud800) in {what}{f' at {place}' if place else ''}. No text can hold it: was the "
        "file edited by hand or cut in the middle of an emoji? Fix that text and import again."
    )


def document_dumps(document: Mapping) -> str:
    """The document as text: readable (indented, unicode kept) and stable for diffs."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True)
class StoryRecord:
    """One story of a document, checked and ready to save."""

    title: str
    answers: list[dict]
    ref: str | None = None
    template: str | None = None
    status: str = Story.Status.DRAFT
    metrics: str = ""
    cue_card: str = ""
    principles: list[str] = field(default_factory=list)
    # The slug of the one theme the story is mainly about; None: its first theme.
    core_theme: str | None = None
    themes: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    kind: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    trashed_at: datetime | None = None

    @property
    def sections(self) -> dict[str, str]:
        return sections_from_answers(self.answers)


def document_stories(document: Mapping, *, sections: Collection[str] = ()) -> list[StoryRecord]:
    """Check a document's format and stories; raise DocumentError listing every problem.

    `sections` names the extra top-level sections this server reads (e.g.
    "practice"); any other top-level key is refused, as it would be lost.
    """
    version = document.get("format")
    if version is None:
        raise DocumentError(
            [f"This is not a Story Bank export: it has no “format” (expected “{FORMAT}”)."]
        )
    if version != FORMAT:
        raise DocumentError(
            [f"The format {shown(version)} is not one this server reads; it reads “{FORMAT}”."]
        )
    problems: list[str] = []
    for name in sorted(set(document) - TOP_LEVEL_KEYS - set(sections)):
        problems.append(
            f"The document has a section this server does not know, “{name}”; "
            "importing it here would lose it."
        )
    stories = document.get("stories")
    if not isinstance(stories, list):
        raise DocumentError([*problems, "The document has no “stories” list."])
    if len(stories) > MAX_STORIES:
        raise DocumentError(
            [
                f"The document holds {len(stories):,} stories; an import can hold at most "
                f"{MAX_STORIES:,}. Split it into smaller files."
            ]
        )
    records = []
    refs: set[str] = set()
    for index, item in enumerate(stories, start=1):
        record = story_record(item, index=index, problems=problems)
        if record is None:
            continue
        if record.ref is not None:
            if record.ref in refs:
                problems.append(
                    f"{story_where(item, index)}, “ref”: {shown(record.ref)} is used by an "
                    "earlier story; each story needs its own."
                )
            refs.add(record.ref)
        records.append(record)
    if problems:
        raise DocumentError(problems)
    return records


def story_where(item, index: int) -> str:
    title = item.get("title") if isinstance(item, dict) else None
    if isinstance(title, str) and title.strip():
        return f"Story {index} ({shown(title.strip())})"
    return f"Story {index}"


def story_record(item, *, index: int, problems: list[str]) -> StoryRecord | None:
    where = story_where(item, index)
    if not isinstance(item, dict):
        problems.append(
            f"{where}: must be an object with a title and answers, not {json_type(item)}."
        )
        return None
    before = len(problems)
    reader = FieldReader(item, where, problems)
    reader.reject_unknown(STORY_KEYS)
    ref = reader.text("ref", max_length=REF_MAX).strip() or None
    title = clean_text(reader.text("title", max_length=TITLE_MAX, required=True))
    answers = answers_read(reader)
    answers = answers_or_sections(reader, answers)
    record = StoryRecord(
        ref=ref,
        title=title,
        template=reader.slug("template"),
        status=reader.choice("status", STATUSES, default=Story.Status.DRAFT),
        answers=answers,
        metrics=reader.text("metrics", max_length=METRICS_MAX),
        # Absent from exports made before cue cards: drafted from the sections then.
        cue_card=reader.text("cue_card", max_length=CUE_CARD_MAX),
        principles=reader.slugs("principles"),
        core_theme=reader.slug("core_theme"),
        themes=reader.slugs("themes"),
        levels=reader.slugs("levels"),
        kind=reader.slug("kind"),
        created_at=reader.instant("created_at"),
        updated_at=reader.instant("updated_at"),
        trashed_at=reader.instant("trashed_at"),
    )
    return record if len(problems) == before else None


def answers_read(reader: FieldReader) -> list[dict]:
    answers: list[dict] = []
    keys: set[str] = set()
    given = reader.objects("answers")
    if len(given) > ANSWERS_MAX:
        reader.problem("answers", f"there are {len(given):,}; a story holds at most {ANSWERS_MAX}.")
        return answers
    for position, answer in enumerate(given, start=1):
        where = f"{reader.where}, answer {position}"
        if not isinstance(answer, dict):
            reader.problems.append(
                f"{where}: must be an object with key, label, section and text, "
                f"not {json_type(answer)}."
            )
            continue
        fields = FieldReader(answer, where, reader.problems)
        fields.reject_unknown(ANSWER_KEYS)
        key = fields.text("key", max_length=KEY_MAX, required=True)
        if key and not SLUG_PATTERN.fullmatch(key):
            fields.problem("key", f"{shown(key)} is not a slug (letters, digits and hyphens).")
        elif key in keys:
            fields.problem("key", f"{shown(key)} is used by an earlier answer of this story.")
        keys.add(key)
        answers.append(
            {
                "key": key,
                "label": fields.text("label", max_length=LABEL_MAX) if "label" in answer else key,
                "section": fields.choice("section", SECTIONS),
                "text": fields.text("text", max_length=ANSWER_MAX),
            }
        )
    return answers


def answers_or_sections(reader: FieldReader, answers: list[dict]) -> list[dict]:
    """The answers, checked against the sections the document shows.

    Sections are derived from answers, so when both are given they must agree:
    an edit made to the sections alone would otherwise be dropped without a
    word. A story given only as sections becomes one answer per section.
    """
    given = reader.data.get("sections")
    if given is None:
        return answers
    if (
        not isinstance(given, dict)
        or set(given) - set(SECTIONS)
        or not all(isinstance(text, str) for text in given.values())
    ):
        reader.problem(
            "sections", f"must be an object of texts keyed {', '.join(SECTIONS)}, if given."
        )
        return answers
    if not answers:
        return section_answers({name: given.get(name, "") for name in SECTIONS}, reader)
    derived = sections_from_answers(answers)
    # Exports written before answers were joined as prose carry the plain join.
    legacy = sections_from_answers(answers, prose=False)
    for name in SECTIONS:
        if clean_text(given.get(name, "")) not in (derived[name], legacy[name]):
            reader.problem(
                "sections",
                f"the {name} does not match the answers it is made from. Sections are "
                "derived from the answers: edit the answers, or leave “sections” out.",
            )
            break
    return answers


def section_answers(sections: Mapping[str, str], reader: FieldReader | None = None) -> list[dict]:
    """One answer per non-empty STAR section, as the plain STAR template writes them."""
    answers = []
    for name in SECTIONS:
        text = (sections.get(name) or "").replace("\x00", "")
        if len(text) > ANSWER_MAX and reader is not None:
            reader.problem(
                "sections", f"the {name} is {len(text):,} characters; the limit is {ANSWER_MAX:,}."
            )
        if text.strip():
            answers.append(
                {"key": name, "label": Section(name).label, "section": name, "text": text}
            )
    return answers


def referenced_slugs(records: Iterable[StoryRecord]) -> dict[str, set[str]]:
    """Every catalogue slug the stories point at, by kind, to compare with this server's.

    A core theme is a theme like the others here; the import refuses one this
    server lacks (`bank_check`), where other unknown tags may be dropped.
    """
    found: dict[str, set[str]] = {
        "templates": set(),
        "principles": set(),
        "themes": set(),
        "levels": set(),
        "kinds": set(),
    }
    for record in records:
        if record.template:
            found["templates"].add(record.template)
        if record.kind:
            found["kinds"].add(record.kind)
        if record.core_theme:
            found["themes"].add(record.core_theme)
        for relation in TAG_RELATIONS:
            found[relation].update(getattr(record, relation))
    return found


def titles_deduplicated(titles: Iterable[str], *, taken: Iterable[str]) -> list[str]:
    """Each title, or "title (2)", "title (3)"… where it is already in use: both are kept."""
    used = set(taken)
    counters: Counter[str] = Counter()
    result = []
    for title in titles:
        candidate = title
        while candidate in used:
            counters[title] += 1
            suffix = f" ({counters[title] + 1})"
            candidate = title[: TITLE_MAX - len(suffix)].rstrip() + suffix
        used.add(candidate)
        result.append(candidate)
    return result
