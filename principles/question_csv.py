"""The question bank as CSV, for curators who keep it in a spreadsheet.

Columns: text, level, principles, themes, follow_ups, active. Principles and
themes are slugs separated by ";", follow-ups are separated by " | ". Parsing
checks every row and reports each problem with its line number; nothing here
touches the database, so the caller decides whether to save (all or nothing).
"""

import csv
import io
from dataclasses import dataclass, field

COLUMNS = ["text", "level", "principles", "themes", "follow_ups", "active"]
LIST_SEPARATOR = ";"
FOLLOW_UP_SEPARATOR = " | "
MAX_TEXT = 500
MAX_ROWS = 5000
TRUE_WORDS = {"true", "yes", "1", "y", "x", "active", ""}
FALSE_WORDS = {"false", "no", "0", "n", "inactive"}


@dataclass
class QuestionRow:
    line: int
    text: str
    level: str
    principles: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)
    active: bool = True


def split_list(value: str, separator: str = LIST_SEPARATOR) -> list[str]:
    return [item.strip() for item in value.split(separator) if item.strip()]


def write_csv(rows: list[dict]) -> str:
    """rows: dicts with the COLUMNS as keys, lists already joined or not."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                "text": row["text"],
                "level": row["level"],
                "principles": LIST_SEPARATOR.join(row["principles"]),
                "themes": LIST_SEPARATOR.join(row["themes"]),
                "follow_ups": FOLLOW_UP_SEPARATOR.join(row["follow_ups"]),
                "active": "true" if row["active"] else "false",
            }
        )
    return out.getvalue()


def parse_csv(
    text: str, *, levels: set[str], principles: set[str], themes: set[str]
) -> tuple[list[QuestionRow], list[str]]:
    """Return the parsed rows and a list of errors ("Line 4: unknown level 'boss'")."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in ("text", "level") if name not in (reader.fieldnames or [])]
    if missing:
        return [], [
            f"Line 1: missing column(s): {', '.join(missing)}. Expected: {', '.join(COLUMNS)}."
        ]
    rows: list[QuestionRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            errors.append(f"The file has more than {MAX_ROWS} rows; split it into smaller files.")
            break
        if None in raw:  # more cells than columns
            errors.append(f"Line {number}: more cells than there are columns.")
            continue
        row, problems = parse_row(number, raw, levels=levels, principles=principles, themes=themes)
        if row is not None and row.text in seen:
            problems.append(f"same text as line {seen[row.text]}")
        errors.extend(f"Line {number}: {problem}." for problem in problems)
        if row is not None and not problems:
            seen[row.text] = number
            rows.append(row)
    return rows, errors


def parse_row(
    number: int, raw: dict, *, levels: set[str], principles: set[str], themes: set[str]
) -> tuple[QuestionRow | None, list[str]]:
    def cell(name: str) -> str:
        return (raw.get(name) or "").strip()

    problems: list[str] = []
    text = cell("text")
    if not text:
        problems.append("the question text is empty")
    elif len(text) > MAX_TEXT:
        problems.append(f"the question text is longer than {MAX_TEXT} characters")
    if "\x00" in text:
        problems.append("the question text contains a NUL character")
    level = cell("level")
    if level not in levels:
        problems.append(f"bad level {level!r} (expected one of {', '.join(sorted(levels))})")
    row_principles = split_list(cell("principles"))
    problems.extend(
        f"unknown principle slug {slug!r}" for slug in row_principles if slug not in principles
    )
    row_themes = split_list(cell("themes"))
    problems.extend(f"unknown theme slug {slug!r}" for slug in row_themes if slug not in themes)
    active_word = cell("active").lower()
    if active_word not in TRUE_WORDS | FALSE_WORDS:
        problems.append(f"active must be true or false, not {active_word!r}")
    row = QuestionRow(
        line=number,
        text=text,
        level=level,
        principles=row_principles,
        themes=row_themes,
        follow_ups=split_list(cell("follow_ups"), FOLLOW_UP_SEPARATOR.strip()),
        active=active_word not in FALSE_WORDS,
    )
    return row, problems
