"""Readable differences between two versions of a story (pure, no database).

Word-level, so a changed number in a long paragraph stands out, and section
by section, in the order the story reads.
"""

import difflib
import re
from dataclasses import dataclass

from stories.star import SECTIONS

_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Chunk:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass(frozen=True)
class FieldDiff:
    label: str
    chunks: tuple[Chunk, ...]

    @property
    def changed(self) -> bool:
        return any(chunk.op != "equal" for chunk in self.chunks)


def word_diff(old: str, new: str) -> tuple[Chunk, ...]:
    """`old` → `new` as equal / delete / insert runs of words (whitespace kept)."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    chunks: list[Chunk] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            chunks.append(Chunk("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            chunks.append(Chunk("delete", "".join(a[i1:i2])))
        if j2 > j1:
            chunks.append(Chunk("insert", "".join(b[j1:j2])))
    return tuple(chunks)


def snapshot_diff(old: dict, new: dict) -> list[FieldDiff]:
    """Compare two story snapshots (see services.story_snapshot)."""
    old_sections, new_sections = old.get("sections", {}), new.get("sections", {})
    fields = [("Title", old.get("title", ""), new.get("title", ""))]
    fields += [
        (name.capitalize(), old_sections.get(name, ""), new_sections.get(name, ""))
        for name in SECTIONS
    ]
    fields += [
        ("Key metrics", old.get("metrics", ""), new.get("metrics", "")),
        ("Status", old.get("status", ""), new.get("status", "")),
        ("Kind", old.get("kind") or "", new.get("kind") or ""),
    ]
    for name in ("principles", "themes", "levels"):
        fields.append(
            (name.capitalize(), ", ".join(old.get(name, [])), ", ".join(new.get(name, [])))
        )
    return [FieldDiff(label, word_diff(before, after)) for label, before, after in fields]
