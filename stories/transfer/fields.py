"""Reading a JSON document's fields with problems that say where they are. Pure."""

import json
import re
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

FORMAT = "storybank/1"
SLUG_MAX = 80
SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]+")


class DocumentError(ValueError):
    """A document that cannot be imported; `problems` says where and why, one line each."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        """The first problem, and how many more there are: one line for a terminal."""
        more = len(self.problems) - 1
        if more <= 0:
            return self.problems[0] if self.problems else "The document cannot be imported."
        return f"{self.problems[0]} (and {more} more problem{'s' if more > 1 else ''})"


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def shown(value, limit: int = 40) -> str:
    """A value quoted for a message, cut short so one bad field cannot flood the page.

    Only text and scalars are spelled out: a list or an object may be nested
    hundreds of levels deep (json.dumps would overflow the stack on it), and
    its type says enough.
    """
    if isinstance(value, list | dict):
        return json_type(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def instant_text(value: datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC, to the microsecond, so a round trip is exact."""
    return value.astimezone(UTC).isoformat() if value else None


class FieldReader:
    """Reads the fields of one JSON object, noting each problem with where it is.

    Every method returns a usable value even when it notes a problem, so one
    pass over a document finds all its problems.
    """

    def __init__(self, data: Mapping, where: str, problems: list[str]):
        self.data = data
        self.where = where
        self.problems = problems

    def problem(self, name: str, message: str) -> None:
        self.problems.append(f"{self.where}, “{name}”: {message}")

    def reject_unknown(self, allowed: Collection[str]) -> None:
        """A field this version does not read would be dropped silently: refuse it instead."""
        for name in sorted(set(self.data) - set(allowed)):
            self.problems.append(
                f"{self.where}: “{name}” is not a field of {FORMAT}, so it would be lost. "
                "Remove it or move its text into an answer."
            )

    def text(self, name: str, *, max_length: int, required: bool = False) -> str:
        value = self.data.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problem(name, f"must be text, not {json_type(value)}.")
            return ""
        value = value.replace("\x00", "")  # PostgreSQL refuses NUL; the forms drop it too
        if required and not value.strip():
            self.problem(name, "is required and is empty.")
        if len(value) > max_length:
            self.problem(name, f"is {len(value):,} characters long; the limit is {max_length:,}.")
        return value

    def given(self, name: str, *, required: bool) -> Any:
        """The field's value, or None when it is missing or empty (a problem if required)."""
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.problem(name, "is required and is empty.")
            return None
        return value

    def slug(self, name: str, *, required: bool = False) -> str | None:
        value = self.given(name, required=required)
        if value is None:
            return None
        if not is_slug(value):
            self.problem(name, f"{shown(value)} is not a slug (letters, digits and hyphens).")
            return None
        return value

    def slugs(self, name: str) -> list[str]:
        found: list[str] = []
        for item in self.listed(name, "a list of slugs"):
            if not is_slug(item):
                self.problem(name, f"{shown(item)} is not a slug (letters, digits and hyphens).")
            elif item not in found:
                found.append(item)
        return found

    def choice(self, name: str, choices: Collection[str], *, default: str | None = None) -> str:
        value = self.data.get(name)
        if value is None or value == "":
            if default is None:
                self.problem(name, f"is required; use one of {', '.join(choices)}.")
                return ""
            return default
        if value not in choices:
            self.problem(name, f"{shown(value)} is not one of {', '.join(choices)}.")
            return default or ""
        return value

    def instant(self, name: str, *, required: bool = False) -> datetime | None:
        value = self.given(name, required=required)
        if value is None:
            return None
        parsed = None
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.problem(
                name, f"{shown(value)} is not a date and time with a time zone (ISO 8601)."
            )
            return None
        return parsed

    def integer(
        self, name: str, *, minimum: int, maximum: int, required: bool = False
    ) -> int | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self.problem(name, "is required and is empty.")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, f"must be a whole number, not {json_type(value)}.")
            return None
        if not minimum <= value <= maximum:
            self.problem(name, f"{value} is not between {minimum} and {maximum}.")
            return None
        return value

    def boolean(self, name: str, *, nullable: bool = False) -> bool | None:
        value = self.data.get(name)
        if value is None:
            return None if nullable else False
        if not isinstance(value, bool):
            self.problem(name, f"must be true or false, not {json_type(value)}.")
            return None if nullable else False
        return value

    def objects(self, name: str) -> list:
        return self.listed(name, "a list")

    def listed(self, name: str, what: str) -> list:
        """The field's list, empty when it is missing or (a problem) not `what`."""
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(name, f"must be {what}, not {json_type(value)}.")
            return []
        return value


def is_slug(value) -> bool:
    return isinstance(value, str) and len(value) <= SLUG_MAX and bool(SLUG_PATTERN.fullmatch(value))
