"""Transfer, the database side: moving a whole bank in and out of an account.

`bank_export` writes every story of a user (the trash included, so practice
history that points at a trashed story still has it) as a `storybank/1`
document; `bank_import` reads one into any account, all or nothing. The
format and its checks live beside this module in `stories/transfer/` (no
database there).

Apps above stories add their own part of the document through
`EXTRA_SECTIONS`, registered from their AppConfig.ready(): practice registers
its history there (practice/transfer/), so this app never imports practice.
"""

import contextlib
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO, Any

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from principles.models import Kind, Level, Principle, Theme
from stories.models import TAG_RELATIONS, Story, StoryRevision, StoryTags, StoryTemplate
from stories.services import BULK_BATCH, StoriesInvalid, story_create_many
from stories.transfer import (
    FORMAT,
    DocumentError,
    StoryMatrix,
    StoryRecord,
    bank_markdown,
    document_dumps,
    document_load,
    document_stories,
    instant_text,
    referenced_slugs,
    story_matrix_parse,
    titles_deduplicated,
)
from stories.transfer.archive import BankArchive, ExpectedFile, archive_write
from stories.transfer.fields import shown


class ArchiveFiles:
    """The files of an uploaded ZIP, for a section's importer to store, and what it stored.

    `save(field_file, filename, member)` writes one member through the field's
    storage and remembers it, so that a failed import removes every file it
    wrote (`remove_written`) and leaves no file behind as it leaves no row.
    """

    def __init__(self, archive: BankArchive):
        self.archive = archive
        self.written: list[tuple[Any, str]] = []

    def size(self, member: str) -> int:
        return self.archive.members[member].file_size

    def save(self, field_file, filename: str, member: str) -> None:
        """Store `member` as the field's file. Its name is noted before a byte is written:
        a copy that fails halfway leaves a partial file, which must go too."""
        field, storage = field_file.field, field_file.storage
        # The name the storage will choose (it runs the same two steps).
        name = storage.get_available_name(
            field.generate_filename(field_file.instance, filename), max_length=field.max_length
        )
        self.written.append((storage, name))
        with self.archive.member(member) as reader:
            field_file.save(filename, reader, save=False)
        if field_file.name != name:  # taken meanwhile: the storage chose another
            self.written.append((storage, field_file.name))

    def remove_written(self) -> None:
        for storage, name in reversed(self.written):
            # The import's own error is the one to report.
            with contextlib.suppress(OSError):
                storage.delete(name)
        self.written.clear()


@dataclass(frozen=True)
class SectionFiles:
    """How a section puts files into the ZIP export and finds them again on import.

    listed(user, data) -> [(name inside the ZIP, opener)] for the section's
        exported data, opener() giving a binary file to copy. It may set a
        file's name in `data` to None when the file is gone from storage, so
        the document never lists what the ZIP lacks.
    expected(data) -> the files the section's data (already checked) names,
        each with its size limit, so a missing or oversized file is reported
        before anything is written. The importer then takes `files=` (an
        ArchiveFiles, or None for a plain JSON document).
    """

    listed: Callable[[Any, Any], list[tuple[str, Callable[[], IO[bytes]]]]]
    expected: Callable[[Any], list[ExpectedFile]]


@dataclass(frozen=True)
class ExtraSection:
    """A top-level part of the document owned by another app.

    exporter(user, story_refs) -> JSON data, where story_refs maps story pk → ref.
    importer(user, data, stories) -> a few words for the summary ("3 practice
        sessions"), where stories maps ref → the imported Story. It runs inside
        the import's transaction: raising DocumentError undoes everything.
    check(data, refs) -> (problems, unknown references by kind), run before
        anything is written, so a bad section is reported with the stories'
        problems and unknown references join the confirmation step.
    files: a section that also travels as files in the ZIP export (SectionFiles).
    """

    name: str
    exporter: Callable[[Any, dict[int, str]], Any]
    importer: Callable[..., str]
    check: Callable[[Any, set[str]], tuple[list[str], dict[str, set[str]]]] | None = None
    files: SectionFiles | None = None


EXTRA_SECTIONS: dict[str, ExtraSection] = {}


def section_register(section: ExtraSection) -> None:
    """Add (or replace) an extra section; called from an AppConfig.ready()."""
    EXTRA_SECTIONS[section.name] = section


class UnknownTags(Exception):
    """The document points at tags (or other catalogue entries) this server lacks.

    Nothing was written; importing anyway drops those references only.
    """

    def __init__(self, unknown: dict[str, list[str]]):
        self.unknown = unknown
        listed = "; ".join(f"{kind}: {', '.join(values)}" for kind, values in unknown.items())
        super().__init__(f"Not on this server: {listed}.")


@dataclass
class ImportResult:
    stories: list[Story] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    extras: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        count = len(self.stories)
        parts = [f"Imported {count} stor{'y' if count == 1 else 'ies'}"]
        parts += [extra for extra in self.extras if extra]
        text = ", ".join(parts) + "."
        if self.renamed:
            text += f" {len(self.renamed)} renamed because the title was taken: " + "; ".join(
                f"“{old}” → “{new}”" for old, new in self.renamed[:5]
            )
            text += "…" if len(self.renamed) > 5 else "."
        return text


CATALOGUE_MODELS = {
    "templates": StoryTemplate,
    "principles": Principle,
    "themes": Theme,
    "levels": Level,
    "kinds": Kind,
}


# --- Export ------------------------------------------------------------------------


def story_ref(story: Story) -> str:
    """A story's name inside a document: stable across exports of the same bank."""
    return f"story-{story.pk}"


def stories_for_export(user):
    """All of the user's stories, the trash included, oldest first, in four queries."""
    return (
        Story.with_trash.filter(owner=user)
        .select_related("template", "kind", "core_theme")
        .prefetch_related("principles", "themes", "levels")
        .order_by("created_at", "pk")
    )


def story_entry(story: Story, ref: str) -> dict:
    return {
        "ref": ref,
        "title": story.title,
        "template": story.template.slug if story.template else None,
        "status": story.status,
        "answers": [
            {
                "key": answer.get("key", ""),
                "label": answer.get("label", ""),
                "section": answer.get("section", ""),
                "text": answer.get("text", ""),
            }
            for answer in story.answers
        ],
        "sections": story.sections,
        "metrics": story.metrics,
        # The user's edited cue card; "" means it is drafted from the sections.
        "cue_card": story.cue_card,
        "principles": [p.slug for p in story.principles.all()],
        "core_theme": story.core_theme.slug if story.core_theme else None,
        "themes": [t.slug for t in story.themes.all()],
        "levels": [level.slug for level in story.levels.all()],
        "kind": story.kind.slug if story.kind else None,
        "created_at": instant_text(story.created_at),
        "updated_at": instant_text(story.updated_at),
        "trashed_at": instant_text(story.deleted_at),
    }


def bank_export(*, user) -> dict:
    """The user's whole bank as a `storybank/1` document, in a fixed number of queries."""
    stories = list(stories_for_export(user))
    refs = {story.pk: story_ref(story) for story in stories}
    document: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": instant_text(timezone.now()),
        "stories": [story_entry(story, refs[story.pk]) for story in stories],
    }
    for name, section in EXTRA_SECTIONS.items():
        document[name] = section.exporter(user, refs)
    return document


def bank_export_archive(*, user, target: IO[bytes]) -> None:
    """The bank as a ZIP written into `target`: the JSON document and every section's files.

    Files are copied from storage in chunks, so the ZIP can be far larger than memory.
    """
    document = bank_export(user=user)
    listed = [
        (name, opener)
        for section_name, section in EXTRA_SECTIONS.items()
        if section.files is not None
        for name, opener in section.files.listed(user, document[section_name])
    ]
    archive_write(target, document_text=document_dumps(document), files=files_opened(listed))


def files_opened(listed: Iterable[tuple[str, Callable[[], IO[bytes]]]]) -> Iterator:
    """Open each file only when the ZIP gets to it, so one is open at a time."""
    for name, opener in listed:
        yield name, opener()


def catalogue_names() -> dict[str, dict[str, str]]:
    """{kind of tag: {slug: name}} for every tag a document can name."""
    return {
        kind: dict(model.objects.values_list("slug", "name"))
        for kind, model in CATALOGUE_MODELS.items()
    }


def bank_export_markdown(*, user) -> str:
    """The bank as one Markdown document (stories in the trash left out)."""
    stories = [story_entry(story, "") for story in stories_for_export(user)]
    return bank_markdown(stories, names=catalogue_names(), exported_at=timezone.localtime())


# --- Import ------------------------------------------------------------------------


def catalogue_rows(slugs: dict[str, set[str]]) -> dict[str, dict[str, Any]]:
    """{kind: {slug: row}} for the slugs that exist here: one query per kind."""
    return {
        kind: {row.slug: row for row in CATALOGUE_MODELS[kind].objects.filter(slug__in=wanted)}
        for kind, wanted in slugs.items()
    }


def bank_check(
    *, document: dict, archive: BankArchive | None = None
) -> tuple[list[StoryRecord], dict[str, list[str]]]:
    """Every problem of the document (DocumentError), else its stories and unknown references.

    With an archive (a ZIP upload), also every file the document lists that
    the ZIP lacks or that is too big, and every file of the ZIP nobody lists.
    Reads the catalogue; writes nothing.
    """
    records = document_stories(document, sections=EXTRA_SECTIONS.keys())
    slugs = referenced_slugs(records)
    rows = catalogue_rows(slugs)
    unknown = {kind: wanted - set(rows[kind]) for kind, wanted in slugs.items()}
    refs = {record.ref for record in records if record.ref}
    problems = core_theme_problems(records, known=rows["themes"])
    for name, section in EXTRA_SECTIONS.items():
        if document.get(name) is not None and section.check is not None:
            section_problems, section_unknown = section.check(document[name], refs)
            problems += section_problems
            for kind, values in section_unknown.items():
                unknown.setdefault(kind, set()).update(values)
    if archive is not None and not problems:
        expected = [
            file
            for name, section in EXTRA_SECTIONS.items()
            if section.files is not None and document.get(name) is not None
            for file in section.files.expected(document[name])
        ]
        problems += archive.problems(expected)
    if problems:
        raise DocumentError(problems)
    return records, {kind: sorted(values) for kind, values in unknown.items() if values}


def core_theme_problems(records: list[StoryRecord], *, known: dict[str, Theme]) -> list[str]:
    """A core theme this server lacks cannot be dropped like another tag (the story would
    be about something else): each one is a problem naming the story."""
    missing = [
        (index, record)
        for index, record in enumerate(records, start=1)
        if record.core_theme and record.core_theme not in known
    ]
    if not missing:
        return []
    themes = ", ".join(Theme.objects.values_list("slug", flat=True))
    return [
        f"Story {index} ({shown(record.title)}), “core_theme”: {shown(record.core_theme)} is "
        f"not a theme on this server; use one of {themes}, or leave it out to use the "
        "story's first theme."
        for index, record in missing
    ]


def bank_import(
    *,
    user,
    document: dict,
    confirm_unknown_tags: bool = False,
    archive: BankArchive | None = None,
) -> ImportResult:
    """Import a checked document into `user`'s bank: every story and section, or nothing.

    With an archive (a ZIP export), the sections' files are stored too; if
    anything fails, the files already written are removed with the rows.
    """
    files = ArchiveFiles(archive) if archive is not None else None
    try:
        with transaction.atomic():
            return bank_import_rows(
                user=user, document=document, confirm_unknown_tags=confirm_unknown_tags, files=files
            )
    except BaseException:
        if files is not None:
            files.remove_written()
        raise


def bank_import_rows(
    *, user, document: dict, confirm_unknown_tags: bool, files: ArchiveFiles | None
) -> ImportResult:
    """The rows of an import (bank_import's transaction around them).

    Stories are written by `story_create_many`, so sections, the coach's
    verdict, the search vector and a first revision are exactly as if typed
    in, in a fixed number of queries however many stories the document holds
    (2,000 stories must fit in one request). A title already in use (in the
    bank or earlier in the document) is kept with " (2)", " (3)"… added.
    Unknown tags raise UnknownTags unless confirmed.
    """
    records, unknown = bank_check(
        document=document, archive=files.archive if files is not None else None
    )
    if unknown and not confirm_unknown_tags:
        raise UnknownTags(unknown)
    rows = catalogue_rows(referenced_slugs(records))
    taken = Story.with_trash.filter(owner=user).values_list("title", flat=True)
    titles = titles_deduplicated([record.title for record in records], taken=taken)
    stories = [
        Story(
            owner=user,
            title=title,
            template=rows["templates"].get(record.template),
            metrics=record.metrics,
            cue_card=record.cue_card,
            status=record.status,
        )
        for record, title in zip(records, titles, strict=True)
    ]
    tags = [record_tags(record, rows) for record in records]
    try:
        story_create_many(
            stories=stories,
            answers=[record.answers for record in records],
            tags=tags,
            kind=StoryRevision.Kind.IMPORT,
        )
    except StoriesInvalid as invalid:
        raise DocumentError(
            f"Story {index + 1} (“{records[index].title}”): {'; '.join(error.messages)}"
            for index, error in invalid.errors.items()
        ) from None
    times_keep(stories, records)
    result = ImportResult(stories=stories, skipped=unknown)
    result.renamed = [
        (record.title, title)
        for record, title in zip(records, titles, strict=True)
        if title != record.title
    ]
    refs = {record.ref: story for record, story in zip(records, stories, strict=True) if record.ref}
    for name, section in EXTRA_SECTIONS.items():
        if document.get(name) is None:
            continue
        if section.files is not None:
            result.extras.append(section.importer(user, document[name], refs, files=files))
        else:
            result.extras.append(section.importer(user, document[name], refs))
    return result


def record_tags(record: StoryRecord, rows: dict) -> StoryTags:
    """A record's tags as catalogue rows (those this server lacks left out), as saves take them."""
    return StoryTags(
        **{
            relation: [
                rows[relation][slug] for slug in getattr(record, relation) if slug in rows[relation]
            ]
            for relation in TAG_RELATIONS
        },
        kind=rows["kinds"].get(record.kind),
        core_theme=rows["themes"].get(record.core_theme),
    )


TIME_FIELDS = {"created_at": "created_at", "updated_at": "updated_at", "deleted_at": "trashed_at"}


def times_keep(stories: list[Story], records: list[StoryRecord]) -> None:
    """Give the stories the document's times (and trash), in one UPDATE per batch.

    auto_now fields ignore assigned values when a row is inserted; bulk_update
    writes the values as they are.
    """
    changed = []
    for story, record in zip(stories, records, strict=True):
        times = {name: getattr(record, field) for name, field in TIME_FIELDS.items()}
        if any(value is not None for value in times.values()):
            for name, value in times.items():
                if value is not None:
                    setattr(story, name, value)
            changed.append(story)
    if changed:
        Story.with_trash.bulk_update(changed, list(TIME_FIELDS), batch_size=BULK_BATCH)


def story_matrix_read(raw: bytes) -> StoryMatrix:
    """Parse a CSV story matrix against this server's principles and themes."""
    names = catalogue_names()
    return story_matrix_parse(raw, principles=names["principles"], themes=names["themes"])


def upload_document(raw: bytes, *, kind: str) -> dict:
    """The document an upload holds: a JSON export ("json") or a CSV story matrix ("csv")."""
    return document_load(raw) if kind == "json" else story_matrix_read(raw).document


def import_preview(*, user, document: dict) -> list[dict]:
    """What an import would create, with final titles and tag names; writes nothing."""
    records, _ = bank_check(document=document)
    taken = Story.with_trash.filter(owner=user).values_list("title", flat=True)
    titles = titles_deduplicated([record.title for record in records], taken=taken)
    names = catalogue_names()
    return [
        {
            "title": title,
            "renamed_from": record.title if title != record.title else None,
            "status": dict(Story.Status.choices).get(record.status, record.status),
            "sections": record.sections,
            "metrics": record.metrics,
            "principles": [names["principles"].get(s, s) for s in record.principles],
            "core_theme": names["themes"].get(record.core_theme) if record.core_theme else None,
            "themes": [names["themes"].get(s, s) for s in record.themes],
        }
        for record, title in zip(records, titles, strict=True)
    ]


# --- Uploads waiting for the go-ahead ------------------------------------------------

PENDING_SECONDS = 30 * 60


def pending_key(user, token: str) -> str:
    return f"storybank:pending-import:{user.pk}:{token}"


def pending_storage():
    """Where an uploaded ZIP waits for the go-ahead (STORAGES["transfer"]), shared by all nodes."""
    return storages["transfer"]


def pending_upload_store(*, user, raw: bytes | IO[bytes]) -> str:
    """Keep an upload for half an hour under a random token bound to `user`; return the token.

    The file stays on the server, never in the page, so what is confirmed is
    what was uploaded; the shared cache lets any worker take the go-ahead. A
    ZIP (a file, not bytes) is too big for the cache: it is saved in the
    transfer storage and the cache holds its name.
    """
    token = secrets.token_urlsafe(24)
    if isinstance(raw, bytes):
        cache.set(pending_key(user, token), raw, PENDING_SECONDS)
        return token
    pending_archives_expire(user)
    name = pending_storage().save(f"pending/{user.pk}/{token}.zip", File(raw))
    cache.set(pending_key(user, token), {"archive": name}, PENDING_SECONDS)
    return token


def pending_upload_take(*, user, token: str) -> bytes | IO[bytes] | None:
    """The upload the user confirms, once: the second of two clicks finds nothing.

    A ZIP comes back as a temporary file (removed from the transfer storage),
    which the caller closes.
    """
    key = pending_key(user, token)
    raw = cache.get(key)
    if raw is None or not cache.delete(key):
        return None
    if isinstance(raw, bytes):
        return raw
    storage = pending_storage()
    local = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    try:
        with storage.open(raw["archive"], "rb") as stored:
            shutil.copyfileobj(stored, local, 1024 * 1024)
    except FileNotFoundError:
        local.close()
        return None
    storage.delete(raw["archive"])
    local.seek(0)
    return local


def pending_archives_expire(user) -> None:
    """Remove the user's waiting ZIPs older than the wait (never confirmed, never taken)."""
    storage = pending_storage()
    folder = f"pending/{user.pk}"
    try:
        _, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    oldest = timezone.now() - timedelta(seconds=PENDING_SECONDS)
    for name in names:
        path = f"{folder}/{name}"
        if storage.get_modified_time(path) < oldest:
            storage.delete(path)
