from django import forms
from django.http import QueryDict

from practice import planning
from practice.models import (
    BAND_MAX_SECONDS,
    BAND_MIN_SECONDS,
    NOTES_MAX,
    PracticeSession,
    PracticeSettings,
)
from principles.forms import TagFilterForm, catalogue_choice, catalogue_choices
from principles.models import Level, Principle, Theme
from stories.models import Story
from stories.targets import PRINCIPLE_SLOTS_MAX


class PracticeSettingsForm(forms.ModelForm):
    """The user's practice settings; the band rule is the model's (validators and clean)."""

    class Meta:
        model = PracticeSettings
        fields = [
            "target_level",
            "band_min_seconds",
            "band_max_seconds",
            "questions_per_session",
            "principle_slots",
            "target_company",
        ]
        help_texts = {
            "band_min_seconds": (
                "When the clock turns amber: 120 seconds is 2:00. The coach also reads your "
                "band as the length a story should be (at 150 words a minute)."
            ),
            "band_max_seconds": "When the clock turns red: 180 seconds is 3:00.",
            "target_company": "For your own notes, e.g. the company you are preparing for.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_level"].empty_label = None
        for name in ("band_min_seconds", "band_max_seconds"):
            self.fields[name].widget.attrs.update(
                {"min": BAND_MIN_SECONDS, "max": BAND_MAX_SECONDS, "step": 5}
            )
        self.fields["questions_per_session"].widget.attrs.update({"min": 1, "max": 20})
        self.fields["principle_slots"].widget.attrs.update({"min": 1, "max": PRINCIPLE_SLOTS_MAX})


class StartSessionForm(forms.Form):
    """How to draw the questions; a principle or theme when the mode needs one."""

    mode = forms.ChoiceField(
        label="Draw questions",
        choices=PracticeSession.Mode.choices,
        initial=PracticeSession.Mode.LEVEL,
        widget=forms.RadioSelect,
    )
    principle = catalogue_choice(
        Principle, label="Principle (for “By principle”)", empty_label="Choose…"
    )
    theme = catalogue_choice(Theme, label="Theme (for “By theme”)", empty_label="Choose…")

    def clean(self) -> dict:
        data = super().clean()
        mode = data.get("mode")
        if mode == PracticeSession.Mode.PRINCIPLE and not data.get("principle"):
            self.add_error("principle", "Choose the principle to practise.")
        if mode == PracticeSession.Mode.THEME and not data.get("theme"):
            self.add_error("theme", "Choose the theme to practise.")
        return data


class UserStoryField(forms.ModelChoiceField):
    """One of the user's own stories; anyone else's id is simply not a valid choice."""

    def __init__(self, user, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(Story.objects.for_user(user), **kwargs)

    def label_from_instance(self, obj: Story) -> str:
        return obj.title


class StartAnswerForm(forms.Form):
    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["story"] = UserStoryField(user, label="Story to tell")


RATING_CHOICES = [
    (1, "1 – it fell apart"),
    (2, "2 – weak"),
    (3, "3 – acceptable"),
    (4, "4 – good"),
    (5, "5 – ready for the interview"),
]


class RateAnswerForm(forms.Form):
    said_i = forms.BooleanField(label='I said "I" rather than "we"', required=False)
    named_obstacle = forms.BooleanField(label="I named the obstacle", required=False)
    gave_number = forms.BooleanField(label="I gave a number in the result", required=False)
    said_learning = forms.BooleanField(label="I said what I learned", required=False)
    rating = forms.TypedChoiceField(
        label="Overall", choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label="Notes: what to say differently next time",
        max_length=NOTES_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, story_choices=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["story"] = UserStoryField(
            user, label="Story told", empty_label="No story from my bank"
        )
        if story_choices is not None:
            # Best fits first, and no second query to list them.
            self.fields["story"].choices = [("", "No story from my bank"), *story_choices]


class HistoryFilterForm(TagFilterForm):
    """Filters for the history page (by principle, theme and level)."""

    field_order = ["principle", "theme", "level"]


# --- Loops: the loop form, its interviewers, and the plan's overrides ----------------

INTERVIEWERS_DEFAULT = 5  # an Amazon loop: four or five interviews
INTERVIEWERS_MAX = 8
LOOP_TEXT_MAX = 100


class LoopForm(forms.Form):
    """The loop itself: company, date and the level it is for."""

    company = forms.CharField(
        max_length=LOOP_TEXT_MAX, required=False, help_text="Free text, e.g. “Amazon”."
    )
    interview_date = forms.DateField(
        label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    level = catalogue_choice(
        Level,
        label="Target level",
        required=True,
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the levels shown."},
    )

    def clean_company(self) -> str:
        return " ".join(self.cleaned_data["company"].split())


class InterviewerForm(forms.Form):
    """One interviewer: an optional name or role and the principles they will probe."""

    name = forms.CharField(
        label="Name or role",
        max_length=LOOP_TEXT_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Hiring manager, Bar raiser"}),
    )
    principles = catalogue_choices(Principle, label="Principles they will probe")

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class BaseInterviewerFormSet(forms.BaseFormSet):
    """Every row shown is an interviewer (a blank row is one whose name and principles
    are still unknown); a row is dropped only by ticking its Remove box."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for form in self.forms:
            form.empty_permitted = False
            form.use_required_attribute = False

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.interviewers():
            raise forms.ValidationError("A loop needs at least one interviewer.")

    def interviewers(self) -> list[dict]:
        """[{"name", "principles": [Principle, ...]}] in the order shown, removed rows left out."""
        return [
            {
                "name": form.cleaned_data.get("name", ""),
                "principles": list(form.cleaned_data.get("principles") or []),
            }
            for form in self.forms
            if not (self.can_delete and self._should_delete_form(form))
        ]


InterviewerFormSet = forms.formset_factory(
    InterviewerForm,
    formset=BaseInterviewerFormSet,
    extra=0,
    max_num=INTERVIEWERS_MAX,
    validate_max=True,
    absolute_max=INTERVIEWERS_MAX,
    can_delete=True,
)


def interviewer_formset(data=None, *, initial: list[dict] | None = None, count: int | None = None):
    """The interviewers' rows: the posted ones, the loop's own, or `count` blank rows."""
    if initial is None:
        initial = [{} for _ in range(count or INTERVIEWERS_DEFAULT)]
    formset = InterviewerFormSet(data, initial=initial, prefix="interviewers")
    return formset


def with_proposed_split(interviewers: list[dict], principles: list) -> list[dict]:
    """Interviewers whose principles were left empty get a typical split of the principles
    no one else probes (planning.propose_split); the others keep theirs."""
    empty = [row for row in interviewers if not row["principles"]]
    if not empty:
        return interviewers
    taken = {p.slug for row in interviewers for p in row["principles"]}
    by_slug = {p.slug: p for p in principles}
    free = [p.slug for p in principles if p.slug not in taken]
    split = planning.propose_split(free, len(empty)) if free else [[] for _ in empty]
    for row, slugs in zip(empty, split, strict=True):
        row["principles"] = [by_slug[slug] for slug in slugs]
    return interviewers


def as_formset_data(loop_data: dict, interviewers: list[dict]) -> dict:
    """A loop form's and its interviewers' values as posted data (to show a proposal)."""
    data = {
        "company": loop_data.get("company", ""),
        "interview_date": loop_data.get("interview_date") or "",
        "level": loop_data["level"].slug if loop_data.get("level") else "",
        "interviewers-TOTAL_FORMS": str(len(interviewers)),
        "interviewers-INITIAL_FORMS": str(len(interviewers)),
    }
    post = QueryDict(mutable=True)
    post.update(data)
    for i, row in enumerate(interviewers):
        post[f"interviewers-{i}-name"] = row["name"]
        post.setlist(f"interviewers-{i}-principles", [p.slug for p in row["principles"]])
    return post


class LoopPinForm(forms.Form):
    """Pin one of the user's stories to an interviewer's principle, or (no story) unpin it."""

    principle = catalogue_choice(Principle, required=True)

    def __init__(self, *args, loop, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.loop = loop
        # By position, as the plan's slots name their interviewer.
        self.fields["interviewer"] = forms.ModelChoiceField(
            loop.interviewers.all(), to_field_name="position"
        )
        self.fields["story"] = UserStoryField(user, label="Story to tell")

    def clean(self) -> dict:
        data = super().clean()
        interviewer, principle = data.get("interviewer"), data.get("principle")
        if (
            interviewer
            and principle
            and not interviewer.principles.filter(pk=principle.pk).exists()
        ):
            raise forms.ValidationError(
                f"{interviewer} does not probe {principle.name} in this loop."
            )
        return data


class LoopExcludeForm(forms.Form):
    """Never plan this story in this loop (exclude), or plan it again (include)."""

    action = forms.ChoiceField(choices=[("exclude", "Exclude"), ("include", "Include")])

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["story"] = UserStoryField(user, required=True, label="Story")
