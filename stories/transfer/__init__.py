"""Transfer: a whole bank exported from one account and imported into another.

The modules imported here are the `storybank/1` document itself: its format,
import checks, Markdown and the CSV story matrix. Pure functions, no database.
The database side (export, import, preview, the registry other apps add
sections through) is `stories.transfer.services`. A bank travels as one JSON
document::

    {"format": "storybank/1", "exported_at": "…", "stories": [...], "practice": {...}}

Each story carries its answers (key, label, section, text), the STAR sections
derived from them, its tags by slug and a `ref` that other sections (practice
history) use to point at it. Every check here collects *all* the problems it
finds, each naming the story (by position and title) and the field, so a user
can fix a file in one go; nothing is imported while any problem remains.

Split by topic: `fields` (reading typed fields, DocumentError), `document`
(the JSON format and its checks), `markdown` and `matrix` (the CSV import),
`archive` (the ZIP export with recordings: the document plus the files
sections list), `services` (the database).
"""

from stories.transfer.document import (
    MAX_DOCUMENT_BYTES,
    MAX_STORIES,
    StoryRecord,
    document_dumps,
    document_load,
    document_stories,
    referenced_slugs,
    titles_deduplicated,
    too_big,
)
from stories.transfer.fields import (
    FORMAT,
    DocumentError,
    FieldReader,
    instant_text,
    json_type,
)
from stories.transfer.markdown import bank_markdown
from stories.transfer.matrix import StoryMatrix, story_matrix_parse

__all__ = [
    "FORMAT",
    "MAX_DOCUMENT_BYTES",
    "MAX_STORIES",
    "DocumentError",
    "FieldReader",
    "StoryMatrix",
    "StoryRecord",
    "bank_markdown",
    "document_dumps",
    "document_load",
    "document_stories",
    "instant_text",
    "json_type",
    "referenced_slugs",
    "story_matrix_parse",
    "titles_deduplicated",
    "too_big",
]
