from django import forms

from practice.models import (
    BAND_MAX_SECONDS,
    BAND_MIN_SECONDS,
    NOTES_MAX,
    PracticeSession,
    PracticeSettings,
)
from principles.forms import TagFilterForm, catalogue_choice
from principles.models import Principle, Theme
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
