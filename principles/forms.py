from django import forms

from principles.models import Level, Principle, Theme


def catalogue_choice(model, **options) -> forms.ModelChoiceField:
    """A field choosing one catalogue entry (principle, theme, level, kind) by its slug.

    Catalogue entries are chosen by slug everywhere, so links and filters read
    as words (`?principle=ownership`) and survive a database reload.
    """
    return forms.ModelChoiceField(
        model.objects.all(), to_field_name="slug", **{"required": False, **options}
    )


def catalogue_choices(model, **options) -> forms.ModelMultipleChoiceField:
    """Several catalogue entries by slug, as checkboxes (a story's tags)."""
    options = {"required": False, "widget": forms.CheckboxSelectMultiple, **options}
    return forms.ModelMultipleChoiceField(model.objects.all(), to_field_name="slug", **options)


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label="Filter", max_length=100, required=False)


class TagFilterForm(forms.Form):
    """Filters by level, principle and theme slug, shared by every filtered list.

    Values that make no sense (an unknown slug, say) are dropped, not errors.
    """

    # The search box first, then the tags; a subclass's own fields follow.
    field_order = ["q", "principle", "theme", "level"]

    level = catalogue_choice(Level, empty_label="Any level")
    principle = catalogue_choice(Principle, empty_label="Any principle")
    theme = catalogue_choice(Theme, empty_label="Any theme")

    def valid_filters(self) -> dict:
        """The filters that validated; an unknown slug or an overlong query is ignored."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class QuestionFilterForm(TagFilterForm):
    """Filters for the question bank."""

    q = forms.CharField(label="Search", max_length=200, required=False)
