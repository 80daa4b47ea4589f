"""The CSV story matrix people keep in spreadsheets, read into an import document. Pure."""

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass

from stories.models import ANSWER_MAX, METRICS_MAX, TITLE_MAX, Section, Story
from stories.star import SECTIONS, clean_text
from stories.transfer.document import MAX_DOCUMENT_BYTES, MAX_STORIES, STATUSES, too_big
from stories.transfer.fields import FORMAT, DocumentError, shown

# Stories made from a spreadsheet are written as the plain STAR template's five fields.
CSV_TEMPLATE = "plain-star"
CSV_SECTION_COLUMNS = ("title", *SECTIONS)
CSV_OPTIONAL_COLUMNS = ("metrics", "status", "principles", "themes")
MARKED = {"x", "✓", "✔", "yes", "y", "1", "true"}
UNMARKED = {"", "no", "n", "0", "false", "-"}


@dataclass(frozen=True)
class StoryMatrix:
    """A parsed spreadsheet: a document ready for import, and the columns left unread."""

    document: dict
    ignored_columns: list[str]


def tag_key(text: str) -> str:
    """How names are compared: any case, any spacing, either apostrophe."""
    text = text.replace("’", "'").casefold()
    return re.sub(r"\s*;\s*", ";", " ".join(text.split()))


def tag_lookup(catalogue: Mapping[str, str]) -> dict[str, str]:
    """{slug: name} → {slug or name, as compared: slug}."""
    lookup = {}
    for slug, name in catalogue.items():
        lookup[tag_key(slug)] = slug
        lookup[tag_key(name)] = slug
    return lookup


def csv_text(raw: bytes) -> str:
    """Decode a spreadsheet export, or say in words how to save it properly."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentError([too_big(len(raw))])
    how = "In your spreadsheet, save it as “CSV UTF-8 (comma delimited)” and upload that file."
    if raw.startswith(b"PK\x03\x04"):
        raise DocumentError([f"This is a spreadsheet workbook (.xlsx), not a CSV file. {how}"])
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError([f"The file is UTF-16 text, not UTF-8. {how}"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start : error.start + 1].hex().upper()
        raise DocumentError(
            [
                f"The file is not UTF-8: byte 0x{byte} on line {line} is not valid UTF-8 "
                f"(it was probably saved as Windows-1252 or Latin-1). {how}"
            ]
        ) from None
    if "\x00" in text:
        raise DocumentError([f"The file holds NUL characters, so it is not a CSV text file. {how}"])
    return text


# The csv module's own cap on one cell (csv.field_size_limit(), 131,072 characters):
# far above any cell a story holds (5,000 characters), so a cell past it is a broken file.
CELL_LIMIT = csv.field_size_limit()


def csv_reader(text: str, delimiter: str):
    # newline="": the reader itself ends rows at CR, LF or CRLF, mixed as they come,
    # and keeps line breaks inside quoted cells.
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def csv_rows(text: str) -> list[list[str]]:
    """All rows, read with whichever of comma, semicolon or tab the header uses."""

    def required_found(delimiter: str) -> int:
        try:
            header = next(csv_reader(text, delimiter), [])
        except csv.Error:
            return -1  # unreadable with this delimiter; reported below if all are
        return len({cell.strip().casefold() for cell in header} & set(CSV_SECTION_COLUMNS))

    delimiter = max([",", ";", "\t"], key=required_found)
    reader = csv_reader(text, delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as error:
        raise DocumentError([csv_unreadable(error, line=reader.line_num or 1)]) from None
    return rows


def csv_unreadable(error: csv.Error, *, line: int) -> str:
    if "field larger than field limit" in str(error):
        return (
            f"The file is not a readable CSV file: a cell on line {line} is longer than "
            f"{CELL_LIMIT:,} characters (a story's answer can be at most {ANSWER_MAX:,}). "
            "Is a closing double quote missing?"
        )
    return f"The file is not a readable CSV file: {error} (line {line})."


def story_matrix_parse(
    raw: bytes, *, principles: Mapping[str, str], themes: Mapping[str, str]
) -> StoryMatrix:
    """Read a CSV story matrix (one row per story) into an import document.

    Columns: title, situation, task, action, result, learning; optionally
    metrics and status; tags either as one column per principle or theme
    (header = its name or slug, cells marked with x) or as `principles` /
    `themes` columns of names or slugs separated by semicolons. `principles`
    and `themes` map this server's slugs to names. Problems name the row (as a
    spreadsheet numbers it, the header being row 1) and the column.
    """
    rows = csv_rows(csv_text(raw))
    while rows and not any(cell.strip() for cell in rows[0]):
        rows.pop(0)
    if not rows:
        raise DocumentError(["The file is empty: the first row must name the columns."])
    header = [cell.strip() for cell in rows[0]]
    lookups = {"principles": tag_lookup(principles), "themes": tag_lookup(themes)}
    columns, marks, ignored = csv_columns(header, lookups)
    data_rows = [
        (number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)
    ]
    if len(data_rows) > MAX_STORIES:
        raise DocumentError(
            [
                f"The file has {len(data_rows):,} stories; an import can hold at most "
                f"{MAX_STORIES:,}. Split it into smaller files."
            ]
        )
    problems: list[str] = []
    suspicious = [
        header[index] for index in ignored if looks_marked(data_rows, index) and header[index]
    ]
    for name in suspicious:
        problems.append(
            f"Column “{name}” is marked with x but is not a principle or theme on this "
            "server: check its spelling against the catalogue."
        )
    for number, row in data_rows:
        if any(cell.strip() for cell in row[len(header) :]):
            problems.append(
                f"Row {number} has more cells than the first row has columns, so some text "
                "has no column: is there a comma inside a text? Put such texts in double "
                "quotes (a spreadsheet does this when it saves a CSV file)."
            )
    stories = [
        csv_story(number, row, header, columns, marks, lookups, problems)
        for number, row in data_rows
    ]
    if not data_rows:
        problems.append("The file has a header row but no stories below it.")
    if problems:
        raise DocumentError(problems)
    document = {"format": FORMAT, "stories": stories}
    unread = [
        header[index] or f"column {index + 1} (no name)"
        for index in ignored
        if header[index] or any(cell(row, index) for _, row in data_rows)
    ]
    return StoryMatrix(document=document, ignored_columns=unread)


def csv_columns(
    header: list[str], lookups: Mapping[str, Mapping[str, str]]
) -> tuple[dict[str, int], list[tuple[str, str, int]], list[int]]:
    """Classify the header: named columns, x-marked tag columns, and columns left unread."""
    columns: dict[str, int] = {}
    marks: list[tuple[str, str, int]] = []
    ignored: list[int] = []
    problems = []
    seen: dict[str, str] = {}
    for index, cell in enumerate(header):
        key = tag_key(cell)
        if not key:
            ignored.append(index)
            continue
        if key in seen:
            problems.append(f"Column “{cell}” appears twice (as “{seen[key]}” too).")
            continue
        seen[key] = cell
        if key in CSV_SECTION_COLUMNS or key in CSV_OPTIONAL_COLUMNS:
            columns[key] = index
        elif key in lookups["principles"]:
            marks.append(("principles", lookups["principles"][key], index))
        elif key in lookups["themes"]:
            marks.append(("themes", lookups["themes"][key], index))
        else:
            ignored.append(index)
    missing = [name for name in CSV_SECTION_COLUMNS if name not in columns]
    if missing:
        found = ", ".join(f"“{cell}”" for cell in header if cell) or "none"
        problems.append(
            f"The file has no column {', '.join(f'“{name}”' for name in missing)}. The first row "
            f"must name the columns {', '.join(CSV_SECTION_COLUMNS)} (and optionally metrics, "
            f"status, principles, themes, or one column per principle or theme marked with x). "
            f"Columns found: {found}."
        )
    if problems:
        raise DocumentError(problems)
    return columns, marks, ignored


def cell(row: list[str], index: int | None) -> str:
    return clean_text(row[index]) if index is not None and index < len(row) else ""


def looks_marked(rows: list[tuple[int, list[str]]], index: int) -> bool:
    values = {cell(row, index).casefold() for _, row in rows}
    return bool(values & MARKED) and values <= MARKED | UNMARKED


def csv_story(
    number: int,
    row: list[str],
    header: list[str],
    columns: Mapping[str, int],
    marks: list[tuple[str, str, int]],
    lookups: Mapping[str, Mapping[str, str]],
    problems: list[str],
) -> dict:
    def problem(column: str, message: str) -> None:
        problems.append(f"Row {number}, column “{column}”: {message}")

    title = cell(row, columns["title"])
    if not title:
        problem(header[columns["title"]], "every story needs a title.")
    elif len(title) > TITLE_MAX:
        problem(header[columns["title"]], f"the title is longer than {TITLE_MAX} characters.")
    sections = {}
    for name in SECTIONS:
        sections[name] = cell(row, columns[name])
        if len(sections[name]) > ANSWER_MAX:
            problem(header[columns[name]], f"is longer than {ANSWER_MAX:,} characters.")
    metrics = cell(row, columns.get("metrics"))
    if len(metrics) > METRICS_MAX:
        problem(header[columns["metrics"]], f"is longer than {METRICS_MAX:,} characters.")
    status = csv_status(cell(row, columns.get("status")))
    if status is None:
        problem(
            header[columns["status"]],
            f"{shown(cell(row, columns['status']))} is not a status; use "
            f"{', '.join(STATUSES)} (or leave it empty for draft).",
        )
    tags: dict[str, list[str]] = {"principles": [], "themes": []}
    for relation in ("principles", "themes"):
        if relation in columns:
            value = cell(row, columns[relation])
            for slug, unknown in split_tags(value, lookups[relation]):
                if unknown is not None:
                    hint = " Separate several with semicolons." if "," in unknown else ""
                    problem(
                        header[columns[relation]],
                        f"{shown(unknown)} is not a {relation[:-1]} on this server "
                        f"(use its name or slug).{hint}",
                    )
                elif slug not in tags[relation]:
                    tags[relation].append(slug)
    for relation, slug, index in marks:
        value = cell(row, index).casefold()
        if value in MARKED and slug not in tags[relation]:
            tags[relation].append(slug)
        elif value not in MARKED | UNMARKED:
            problem(
                header[index],
                f"mark a {relation[:-1]} with x or leave the cell empty, not {shown(value)}.",
            )
    return {
        "title": title,
        "template": CSV_TEMPLATE,
        "status": status or Story.Status.DRAFT,
        "answers": [
            {"key": name, "label": Section(name).label, "section": name, "text": sections[name]}
            for name in SECTIONS
        ],
        "metrics": metrics,
        "principles": tags["principles"],
        "themes": tags["themes"],
    }


def csv_status(value: str) -> str | None:
    if not value:
        return Story.Status.DRAFT
    wanted = value.casefold()
    for status, label in Story.Status.choices:
        if wanted in (status, label.casefold()):
            return status
    return None


def split_tags(value: str, lookup: Mapping[str, str]) -> list[tuple[str | None, str | None]]:
    """Names or slugs separated by semicolons → [(slug, None) | (None, unknown text)].

    A name may itself hold a semicolon ("Have Backbone; Disagree and Commit"),
    so the longest run of parts that names a tag wins.
    """
    parts = [part.strip() for part in value.split(";")]
    found: list[tuple[str | None, str | None]] = []
    start = 0
    while start < len(parts):
        if not parts[start]:
            start += 1
            continue
        for end in range(len(parts), start, -1):
            slug = lookup.get(tag_key(";".join(parts[start:end])))
            if slug is not None:
                found.append((slug, None))
                start = end
                break
        else:
            found.append((None, parts[start]))
            start += 1
    return found
