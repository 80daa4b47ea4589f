"""Story forms: a template's fields in order, then metrics, tags and status."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import QueryDict

from principles.forms import TagFilterForm, catalogue_choice, catalogue_choices
from principles.models import Kind, Level, Principle, Theme
from stories.cue_card import card_lines, draft_cue_card
from stories.models import (
    ANSWER_MAX,
    ANSWERS_MAX,
    CUE_CARD_MAX,
    METRICS_MAX,
    STORY_SORTS,
    TAG_RELATIONS,
    TITLE_MAX,
    Story,
    StoryDraft,
    StoryTags,
    StoryTemplate,
)
from stories.star import SECTIONS, clean_text
from stories.transfer import MAX_DOCUMENT_BYTES, too_big
from stories.transfer.archive import ARCHIVE_MAX_BYTES, is_archive
from stories.transfer.document import size_text

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


def first_error(form: forms.Form) -> str:
    """The form's first error message (the panels that show one say why they stopped)."""
    return next(iter(form.errors.values()))[0]


class AnswerFieldsForm(forms.Form):
    """A form whose answers are fields named `answer_<key>`, each feeding one STAR section:
    the story form (its fields from a template) and the live review (from the post)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answer_specs: list[dict] = []

    def add_answer(self, spec: dict, *, required: bool, initial: str = "", **options) -> None:
        """One answer field; `spec` holds its key, label and section (and what the page shows)."""
        name = ANSWER_PREFIX + spec["key"]
        self.fields[name] = NoNulCharField(
            label=spec["label"],
            required=required,
            initial=initial,
            widget=forms.Textarea(attrs={"rows": 3, "data-section": spec["section"]}),
            **options,
        )
        self.answer_specs.append({**spec, "name": name})

    def answers(self) -> list[dict]:
        """The cleaned answers in the form's order, ready for story_save."""
        return [
            {
                "key": spec["key"],
                "label": spec["label"],
                "section": spec["section"],
                "text": self.cleaned_data.get(spec["name"], "") or "",
            }
            for spec in self.answer_specs
        ]


class StoryForm(AnswerFieldsForm):
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
    core_theme = catalogue_choice(
        Theme,
        label="Core theme",
        required=True,
        empty_label="Choose the theme this story is mainly about",
        help_text="The one theme this story is mainly about; in coverage it counts for this theme.",
        error_messages={
            "required": "Choose a core theme: the one theme this story is mainly about.",
            "invalid_choice": "That theme is not in the list; choose one of the themes shown.",
        },
    )
    themes = catalogue_choices(
        Theme,
        label="Other themes it can flex to",
        help_text="Other questions this story can answer; the core theme counts already.",
    )
    levels = catalogue_choices(Level)
    kind = catalogue_choice(Kind, label="Kind of leadership")
    status = forms.ChoiceField(choices=Story.Status.choices, initial=Story.Status.DRAFT)
    # The version the editor started from (optimistic concurrency; see services).
    version = VersionField(required=False)

    def __init__(self, *args, template: StoryTemplate | None, story: Story | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.story = story
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

    @classmethod
    def for_editor(
        cls,
        data: QueryDict | None,
        *,
        template: StoryTemplate | None,
        story: Story | None,
        draft: StoryDraft | None,
    ) -> "StoryForm":
        """The create or edit page's form: the story (or the template's suggestions),
        with the unsaved draft brought back over it."""
        initial = cls.initial_for(template=template, story=story)
        if draft is not None:
            initial |= initial_from_draft(draft.data)
            if story is not None:
                # 0: the draft does not know which version it started from (saving compares).
                initial["version"] = draft.base_version or ""
        return cls(data, template=template, story=story, initial=initial)

    @classmethod
    def for_retry(cls, data: QueryDict, *, story: Story) -> "StoryForm":
        """The edit that lost a conflict, as posted, now saving against the current version."""
        data = data.copy()
        data["version"] = str(story.version)
        form = cls(data, template=story.template, story=story)
        form.is_valid()
        return form

    def _add_answer(self, spec: dict, *, required: bool, hint: str, example: str, initial: str):
        self.add_answer(
            {**spec, "hint": hint, "example": example},
            required=required,
            initial=initial,
            max_length=ANSWER_MAX,
            validators=[MaxLengthValidator(ANSWER_MAX)],
            error_messages={"required": f"“{spec['label']}” is required by this template."},
        )

    def answer_fields_by_section(self) -> list[tuple[str, list]]:
        """[(section, [(bound field, spec), ...]), ...] in STAR order, for the template."""
        grouped = {section: [] for section in SECTIONS}
        for spec in self.answer_specs:
            grouped[spec["section"]].append((self[spec["name"]], spec))
        return [(section, items) for section, items in grouped.items() if items]

    def tags(self) -> StoryTags:
        return StoryTags(
            **{relation: self.cleaned_data.get(relation) or [] for relation in TAG_RELATIONS},
            kind=self.cleaned_data.get("kind"),
            core_theme=self.cleaned_data.get("core_theme"),
        )

    def written(self) -> dict:
        """Everything the user wrote, as story_write takes it."""
        return {
            "title": self.cleaned_data["title"],
            "metrics": self.cleaned_data["metrics"],
            "status": self.cleaned_data["status"],
            "answers": self.answers(),
            "tags": self.tags(),
            "expected_version": self.cleaned_data["version"],
        }

    @classmethod
    def initial_for(cls, *, template: StoryTemplate | None, story: Story | None) -> dict:
        """Initial tags: the story's own, or the template's suggestions for a new story.

        A new story's core theme is the template's (none for Plain STAR: the user
        chooses). A story saved before core themes existed offers its first theme.
        """
        if story is not None:
            tags = StoryTags.of_story(story).with_core_theme()
            return {
                "version": story.version,
                "title": story.title,
                "metrics": story.metrics,
                **tags.as_initial(),
                "status": story.status,
            }
        if template is None:
            return {}
        return StoryTags(
            principles=list(template.principles.all()),
            themes=list(template.themes.all()),
            kind=template.kind,
            core_theme=template.core_theme,
        ).as_initial()


REVIEW_THEMES_MAX = 20


def review_answer_length(text: str) -> None:
    if len(text) > ANSWER_MAX:
        raise ValidationError(
            f"An answer is {len(text):,} characters long; the limit is {ANSWER_MAX:,}. "
            "Shorten it and the coach will review the story again."
        )


class ReviewForm(AnswerFieldsForm):
    """The story form as posted, for the coach's live review.

    Each answer comes as `answer_<key>` with its section in `section_<key>`,
    so no template needs loading to know where text belongs. No more than the
    story form itself accepts: at most ANSWERS_MAX answers (counted before a
    word is read, so an oversized post costs nothing), each at most
    ANSWER_MAX characters after the story form's own cleaning.
    """

    def __init__(self, data: QueryDict):
        super().__init__(data)
        posted = []
        for name in data:
            key = name.removeprefix(ANSWER_PREFIX)
            section = data.get(f"section_{key}", "")
            if name.startswith(ANSWER_PREFIX) and section in SECTIONS:
                posted.append((key, section))
        self.posted_count = len(posted)
        if self.posted_count <= ANSWERS_MAX:
            for key, section in posted:
                spec = {"key": key, "label": key, "section": section}
                self.add_answer(spec, required=False, validators=[review_answer_length])

    def clean(self):
        if self.posted_count > ANSWERS_MAX:
            raise ValidationError(
                f"The coach reviews at most {ANSWERS_MAX} answers; "
                f"this story has {self.posted_count:,}."
            )
        return super().clean()

    def themes(self) -> list[str]:
        """The theme slugs chosen, as posted: the core theme and the others ticked (the
        review ignores any it does not know)."""
        core_theme = self.data.get("core_theme", "")
        return ([core_theme] if core_theme else []) + self.data.getlist("themes")[
            :REVIEW_THEMES_MAX
        ]


MULTI_VALUE_FIELDS = TAG_RELATIONS
DRAFT_MAX_BYTES = 200_000


class DraftForm(forms.Form):
    """The story form as typed, for an autosaved draft: every posted value kept
    as {name: [values]} (`contents`), up to DRAFT_MAX_BYTES.

    PostgreSQL's jsonb refuses NUL characters: they are dropped, as the story
    form drops them.
    """

    version = VersionField(required=False)

    def clean(self):
        contents = {
            name: [value.replace("\x00", "") for value in values]
            for name, values in self.data.lists()
            if name != "csrfmiddlewaretoken"
        }
        if len(repr(contents)) > DRAFT_MAX_BYTES:
            raise ValidationError("Too long to autosave; save the story.")
        self.cleaned_data["contents"] = contents
        return self.cleaned_data

    def base_version(self, story: Story | None) -> int:
        """The version the draft started from; 0 when the form did not say (or for a
        new story): the draft then goes through the conflict page when saved, never
        over newer text."""
        return (self.cleaned_data["version"] or 0) if story else 0


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
        choices=[(key, label) for key, (_, label) in STORY_SORTS.items()],
        required=False,
        initial="updated",
    )


class TagToggleForm(forms.Form):
    """Tag or untag a story with one principle or theme from its page; the tag must exist."""

    MODELS = {"principles": Principle, "themes": Theme}

    relation = forms.ChoiceField(choices=[(relation, relation) for relation in MODELS])
    slug = forms.SlugField(max_length=80)
    action = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")])

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            model = self.MODELS[cleaned["relation"]]
            cleaned["tag"] = model.objects.filter(slug=cleaned["slug"]).first()
            if cleaned["tag"] is None:
                raise ValidationError("That tag does not exist.")
        return cleaned

    def toggle(self) -> dict:
        """As story_toggle_tag takes it."""
        return {
            "relation": self.cleaned_data["relation"],
            "tag": self.cleaned_data["tag"],
            "add": self.cleaned_data["action"] == "add",
        }


class CueCardForm(forms.Form):
    """The story's cue card as the user edits it: one bullet a line.

    Saving the draft unchanged keeps the card drafted (""), so it still follows
    the sections when they change; a blank card is a reset to the draft too.
    """

    text = NoNulCharField(
        label="Cue card bullets",
        required=False,
        max_length=CUE_CARD_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"One bullet a line, at most {CUE_CARD_MAX} characters in all.",
        error_messages={
            "max_length": (
                f"A cue card holds at most {CUE_CARD_MAX} characters; "
                "this one has %(show_value)d. Shorten a bullet or two."
            )
        },
    )

    def __init__(self, *args, story: Story, **kwargs):
        super().__init__(*args, auto_id="cue_card_%s", **kwargs)
        self.story = story

    def clean_text(self) -> str:
        lines = card_lines(self.cleaned_data["text"])
        if lines == draft_cue_card(self.story.sections, self.story.metric_list):
            return ""
        return "\n".join(lines)


# --- Transfer (stories/views/transfer.py) ---------------------------------------------


class TransferUploadForm(forms.Form):
    """One file to import: a Story Bank export ("json") or a story matrix ("csv").

    The export field also takes the ZIP export with recordings, told apart by
    its first bytes (not its name): that one comes back as the uploaded file,
    left on disk by Django's upload handler, rather than read into memory.
    """

    LABELS = {
        "json": "Story Bank export (.json) or the export with recordings (.zip)",
        "csv": "Story matrix (.csv, UTF-8)",
    }

    file = forms.FileField(max_length=255)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, prefix=kind, **kwargs)
        self.kind = kind
        self.fields["file"].label = self.LABELS[kind]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        head = upload.read(4)
        upload.seek(0)
        if self.kind == "json" and is_archive(head):
            if upload.size > ARCHIVE_MAX_BYTES:
                raise ValidationError(
                    f"The ZIP is {size_text(upload.size)}; an import can be at most "
                    f"{size_text(ARCHIVE_MAX_BYTES)}."
                )
            return upload
        if upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(too_big(upload.size))
        return upload.read()


class TransferConfirmForm(forms.Form):
    """The go-ahead for an upload kept on the server, named by its token."""

    # secrets.token_urlsafe output only, so a posted value never makes an odd cache key.
    token = forms.RegexField(r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)
