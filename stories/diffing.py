"""Readable differences between two versions of a story.

Word-level, so a changed number in a long paragraph stands out, and section
by section, in the order the story reads. Snapshots keep tags by slug and the
status as its stored value; the diff shows their names ("Earn Trust", "Ready"),
which `tag_names` reads from the catalogue in one query. Everything else here
is pure, with no database.
"""

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import CharField, Value

from principles.models import Kind, Level, Principle, Theme
from stories.models import Story
from stories.star import SECTION_LABELS, SECTIONS

# The snapshot keys that hold catalogue slugs, and the catalogue each names.
CATALOGUES = {"principles": Principle, "themes": Theme, "levels": Level, "kind": Kind}
STATUS_LABELS = dict(Story.Status.choices)

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


def tag_names(snapshots: Iterable[Mapping]) -> dict[str, dict[str, str]]:
    """{"themes": {slug: name}, ...} for every tag the snapshots name, in one query."""
    snapshots = list(snapshots)
    wanted = {
        key: {slug for snapshot in snapshots for slug in _slugs(snapshot, key)}
        for key in CATALOGUES
    }
    queries = [
        model.objects.filter(slug__in=wanted[key])
        .annotate(catalogue=Value(key, output_field=CharField()))
        .values_list("catalogue", "slug", "name")
        .order_by()
        for key, model in CATALOGUES.items()
        if wanted[key]
    ]
    names: dict[str, dict[str, str]] = {key: {} for key in CATALOGUES}
    if queries:
        combined = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
        for key, slug, name in combined:
            names[key][slug] = name
    return names


def _slugs(snapshot: Mapping, key: str) -> list[str]:
    value = snapshot.get(key)
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def _named(slugs: list[str], names: Mapping[str, str]) -> str:
    # A tag since removed from the catalogue still reads as words, not as its slug.
    return ", ".join(
        sorted(names.get(slug) or slug.replace("-", " ").capitalize() for slug in slugs)
    )


def snapshot_diff(
    old: dict, new: dict, names: Mapping[str, Mapping[str, str]] | None = None
) -> list[FieldDiff]:
    """Compare two story snapshots (see services.story_snapshot), by name.

    `names` is tag_names' answer for the two snapshots; without it, tags read as
    their slugs made into words.
    """
    names = names or {}
    old_sections, new_sections = old.get("sections", {}), new.get("sections", {})
    fields = [("Title", old.get("title", ""), new.get("title", ""))]
    fields += [
        (SECTION_LABELS[name], old_sections.get(name, ""), new_sections.get(name, ""))
        for name in SECTIONS
    ]
    fields += [
        ("Key metrics", old.get("metrics", ""), new.get("metrics", "")),
        ("Status", _status(old.get("status")), _status(new.get("status"))),
    ]
    for key, label in (
        ("kind", "Kind"),
        ("principles", "Principles"),
        ("themes", "Themes"),
        ("levels", "Levels"),
    ):
        catalogue = names.get(key, {})
        fields.append(
            (label, _named(_slugs(old, key), catalogue), _named(_slugs(new, key), catalogue))
        )
    return [FieldDiff(label, word_diff(before, after)) for label, before, after in fields]


def _status(value: str | None) -> str:
    return STATUS_LABELS.get(value, value or "") if value else ""
