from django import forms

from principles.models import Level, Principle, Theme


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label="Filter", max_length=100, required=False)


class TagFilterForm(forms.Form):
    """Filters by level, principle and theme slug, shared by every filtered list.

    Values that make no sense (an unknown slug, say) are dropped, not errors.
    """

    level = forms.ModelChoiceField(
        Level.objects.all(), to_field_name="slug", required=False, empty_label="Any level"
    )
    principle = forms.ModelChoiceField(
        Principle.objects.all(), to_field_name="slug", required=False, empty_label="Any principle"
    )
    theme = forms.ModelChoiceField(
        Theme.objects.all(), to_field_name="slug", required=False, empty_label="Any theme"
    )

    def valid_filters(self) -> dict:
        """The filters that validated; an unknown slug or an overlong query is ignored."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class QuestionFilterForm(TagFilterForm):
    """Filters for the question bank."""

    q = forms.CharField(label="Search", max_length=200, required=False)
