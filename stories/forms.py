"""Story forms: a template's fields in order, then metrics, tags and status."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import QueryDict

from principles.forms import TagFilterForm, catalogue_choice, catalogue_choices
from principles.models import Kind, Level, Principle, Theme
from stories.models import (
    ANSWER_MAX,
    ANSWERS_MAX,
    METRICS_MAX,
    TITLE_MAX,
    Story,
    StoryTemplate,
)
from stories.star import SECTIONS, clean_text
from stories.transfer import MAX_DOCUMENT_BYTES, too_big

ANSWER_PREFIX = "answer_"


# Story.version is a PositiveIntegerField: PostgreSQL's integer.
VERSION_MAX = 2_147_483_647


def parse_version(value) -> int | None:
    """A posted story version: a whole number from 1 up, else None (unknown).

    An edit whose starting version is unknown ("", "0", "abc", "-1", too big)
    must never fall back to the story's current version: that would save
    over whatever another tab stored meanwhile without a word.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,10}", text):
        return None
    number = int(text)
    return number if 1 <= number <= VERSION_MAX else None


class VersionField(forms.Field):
    """The hidden version an edit started from; never a form error (the user could not
    see or fix it), just None when unknown, which the edit view treats as a conflict."""

    widget = forms.HiddenInput

    def to_python(self, value) -> int | None:
        return parse_version(value)


class NoNulCharField(forms.CharField):
    """PostgreSQL refuses NUL characters in text; drop them rather than fail."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value) if value else value


class StoryForm(forms.Form):
    """Built from a template's fields; also keeps answers to fields the template no longer has.

    Each answer field is named `answer_<key>`. An answer whose field was
    removed from the template in the admin still appears (with the label it
    was written under), so no text is ever hidden or lost on the next save.
    """

    title = NoNulCharField(
        max_length=TITLE_MAX, help_text="A short name you will recognise in a list."
    )
    metrics = NoNulCharField(
        label="Key metrics to memorise",
        max_length=METRICS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, e.g. “Checkout success 94% → 99.2%”.",
    )
    principles = catalogue_choices(Principle)
    themes = catalogue_choices(Theme)
    levels = catalogue_choices(Level)
    kind = catalogue_choice(Kind, label="Kind of leadership")
    status = forms.ChoiceField(choices=Story.Status.choices, initial=Story.Status.DRAFT)
    # The version the editor started from (optimistic concurrency; see services).
    version = VersionField(required=False)

    def __init__(self, *args, template: StoryTemplate | None, story: Story | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.story = story
        self.answer_specs: list[dict] = []
        written = {a["key"]: a for a in (story.answers if story else []) if a.get("key")}
        template_fields = list(template.fields.all()) if template else []
        for field in template_fields:
            self._add_answer(
                {"key": field.key, "label": field.label, "section": field.section},
                required=field.required,
                hint=field.hint,
                example=field.example,
                initial=written.pop(field.key, {}).get("text", ""),
            )
        for answer in written.values():  # answers to fields the template no longer has
            if answer.get("section") in SECTIONS:
                self._add_answer(
                    {
                        "key": answer["key"],
                        "label": answer.get("label") or answer["key"],
                        "section": answer["section"],
                    },
                    required=False,
                    hint="This field is no longer in the template; your text is kept.",
                    example="",
                    initial=answer.get("text", ""),
                )

    def _add_answer(self, spec: dict, *, required: bool, hint: str, example: str, initial: str):
        name = ANSWER_PREFIX + spec["key"]
        self.fields[name] = NoNulCharField(
            label=spec["label"],
            required=required,
            initial=initial,
            max_length=ANSWER_MAX,
            validators=[MaxLengthValidator(ANSWER_MAX)],
            widget=forms.Textarea(attrs={"rows": 3, "data-section": spec["section"]}),
            error_messages={"required": f"“{spec['label']}” is required by this template."},
        )
        self.answer_specs.append({**spec, "name": name, "hint": hint, "example": example})

    def answer_fields_by_section(self) -> list[tuple[str, list]]:
        """[(section, [(bound field, spec), ...]), ...] in STAR order, for the template."""
        grouped = {section: [] for section in SECTIONS}
        for spec in self.answer_specs:
            grouped[spec["section"]].append((self[spec["name"]], spec))
        return [(section, items) for section, items in grouped.items() if items]

    def answers(self) -> list[dict]:
        """The cleaned answers in template order, ready for story_save."""
        return [
            {
                "key": spec["key"],
                "label": spec["label"],
                "section": spec["section"],
                "text": self.cleaned_data.get(spec["name"], "") or "",
            }
            for spec in self.answer_specs
        ]

    def tags(self) -> dict:
        return {
            name: self.cleaned_data.get(name) or [] for name in ("principles", "themes", "levels")
        } | {"kind": self.cleaned_data.get("kind")}

    @classmethod
    def initial_for(cls, *, template: StoryTemplate | None, story: Story | None) -> dict:
        """Initial tags: the story's own, or the template's suggestions for a new story."""
        if story is not None:
            return {
                "version": story.version,
                "title": story.title,
                "metrics": story.metrics,
                "principles": list(story.principles.all()),
                "themes": list(story.themes.all()),
                "levels": list(story.levels.all()),
                "kind": story.kind,
                "status": story.status,
            }
        if template is None:
            return {}
        return {
            "principles": list(template.principles.all()),
            "themes": list(template.themes.all()),
            "kind": template.kind,
        }


REVIEW_THEMES_MAX = 20


def review_answers(data: QueryDict) -> list[dict]:
    """The answers the live review reads from the story form as posted.

    No more than the story form itself accepts: at most ANSWERS_MAX answers,
    each at most ANSWER_MAX characters (after the form's own cleaning).
    Anything larger raises ValidationError before the coach reads a word, so
    an oversized post costs nothing.
    """
    posted = []
    for name in data:
        key = name.removeprefix(ANSWER_PREFIX)
        section = data.get(f"section_{key}", "")
        if name.startswith(ANSWER_PREFIX) and section in SECTIONS:
            posted.append((key, section))
    if len(posted) > ANSWERS_MAX:
        raise ValidationError(
            f"The coach reviews at most {ANSWERS_MAX} answers; this story has {len(posted):,}."
        )
    answers = []
    for key, section in posted:
        text = clean_text(data.get(ANSWER_PREFIX + key))
        if len(text) > ANSWER_MAX:
            raise ValidationError(
                f"An answer is {len(text):,} characters long; the limit is {ANSWER_MAX:,}. "
                "Shorten it and the coach will review the story again."
            )
        answers.append({"key": key, "section": section, "text": text})
    return answers


MULTI_VALUE_FIELDS = ("principles", "themes", "levels")
DRAFT_MAX_BYTES = 200_000


def initial_from_draft(data: dict) -> dict:
    """A saved draft (the form's POST as {name: [values]}) as initial form values."""
    initial = {}
    for name, values in data.items():
        if not isinstance(values, list):
            continue
        initial[name] = (
            [str(v) for v in values]
            if name in MULTI_VALUE_FIELDS
            else str(values[-1])
            if values
            else ""
        )
    initial.pop("version", None)
    return initial


class BankFilterForm(TagFilterForm):
    """The bank's filters. Values that make no sense are dropped, never an error."""

    SORTS = {
        "updated": ("-updated_at", "Recently edited"),
        "created": ("-created_at", "Newest first"),
        "title": ("title", "Title A–Z"),
        "score": ("-score", "Readiness score"),
        "relevance": ("-rank", "Best match (with search)"),
    }

    q = forms.CharField(label="Search", max_length=200, required=False)
    kind = catalogue_choice(Kind, empty_label="Any kind")
    status = forms.ChoiceField(choices=[("", "Any status"), *Story.Status.choices], required=False)
    flags = forms.ChoiceField(
        label="Red flags",
        choices=[
            ("", "With or without"),
            ("with", "With red flags"),
            ("without", "Without red flags"),
        ],
        required=False,
    )
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (_, label) in SORTS.items()],
        required=False,
        initial="updated",
    )


class TagToggleForm(forms.Form):
    relation = forms.ChoiceField(choices=[("principles", "principles"), ("themes", "themes")])
    slug = forms.SlugField(max_length=80)
    action = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")])


# --- Transfer (stories/views/transfer.py) ---------------------------------------------


class TransferUploadForm(forms.Form):
    """One file to import: a Story Bank export ("json") or a story matrix ("csv")."""

    LABELS = {"json": "Story Bank export (.json)", "csv": "Story matrix (.csv, UTF-8)"}

    file = forms.FileField(max_length=255)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, prefix=kind, **kwargs)
        self.fields["file"].label = self.LABELS[kind]

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(too_big(upload.size))
        return upload.read()


class TransferConfirmForm(forms.Form):
    """The go-ahead for an upload kept on the server, named by its token."""

    # secrets.token_urlsafe output only, so a posted value never makes an odd cache key.
    token = forms.RegexField(r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)
