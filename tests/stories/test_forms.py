"""The story forms: the live review's posted answers, the autosaved draft, the tag toggle,
and the story form's core theme."""

import pytest
from django.http import QueryDict

from principles.models import Theme
from stories.forms import (
    DRAFT_MAX_BYTES,
    DraftForm,
    ReviewForm,
    StoryForm,
    TagToggleForm,
    first_error,
)
from stories.models import ANSWER_MAX, ANSWERS_MAX, Story, StoryDraft, StoryTemplate
from tests.factories import StoryFactory


def posted(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in values.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def test_review_form_reads_answers_by_their_posted_section_and_cleans_them():
    form = ReviewForm(
        posted(
            answer_a=" We shipped\r\nit\x00. ", section_a="action", answer_b="x", section_b="nope"
        )
    )
    assert form.is_valid()
    assert [(a["key"], a["section"], a["text"]) for a in form.answers()] == [
        ("a", "action", "We shipped\nit.")
    ]


def test_review_form_refuses_more_answers_than_a_story_holds_before_reading_any():
    count = ANSWERS_MAX + 1
    data = posted(**{f"answer_f{n}": "x" * (ANSWER_MAX + 1) for n in range(count)})
    data.update(posted(**{f"section_f{n}": "action" for n in range(count)}))
    form = ReviewForm(data)
    assert not form.is_valid()
    assert (
        first_error(form) == f"The coach reviews at most {ANSWERS_MAX} answers; this story has 31."
    )
    assert form.answer_specs == []  # no answer field was built, so none was read


def test_review_form_names_an_overlong_answer_and_accepts_one_at_the_limit():
    form = ReviewForm(posted(answer_a="x" * (ANSWER_MAX + 1), section_a="result"))
    assert not form.is_valid()
    assert "is 5,001 characters long; the limit is 5,000" in first_error(form)
    assert ReviewForm(posted(answer_a="x" * ANSWER_MAX, section_a="result")).is_valid()


def test_review_form_keeps_at_most_twenty_themes():
    form = ReviewForm(posted(themes=[f"t{n}" for n in range(30)]))
    assert form.is_valid() and form.themes() == [f"t{n}" for n in range(20)]


def test_draft_form_keeps_every_value_without_nuls_or_the_csrf_token():
    form = DraftForm(posted(title="a\x00b", themes=["x", "y"], csrfmiddlewaretoken="secret"))
    assert form.is_valid()
    assert form.cleaned_data["contents"] == {"title": ["ab"], "themes": ["x", "y"]}


def test_draft_form_refuses_a_draft_too_large_to_keep():
    form = DraftForm(posted(answer_action="x" * DRAFT_MAX_BYTES))
    assert not form.is_valid()
    assert first_error(form) == "Too long to autosave; save the story."


@pytest.mark.parametrize(("version", "expected"), [("3", 3), ("", 0), ("abc", 0), ("0", 0)])
def test_draft_form_base_version_is_zero_when_unknown(version, expected):
    form = DraftForm(posted(version=version))
    assert form.is_valid()
    assert form.base_version(Story(version=9)) == expected
    assert form.base_version(None) == 0


@pytest.mark.django_db
def test_tag_toggle_form_finds_the_tag_or_refuses():
    form = TagToggleForm({"relation": "themes", "slug": "mentorship", "action": "add"})
    assert form.is_valid()
    assert form.toggle()["tag"].slug == "mentorship" and form.toggle()["add"] is True
    assert not TagToggleForm({"relation": "themes", "slug": "no-such", "action": "add"}).is_valid()


# --- The core theme on the story form --------------------------------------------


def story_post(template, **values) -> QueryDict:
    """The story form as a browser posts it: every answer, a title and a status."""
    answers = {f"answer_{field.key}": "I did it." for field in template.fields.all()}
    return posted(**answers, title="Payments fallback", status="draft", **values)


@pytest.mark.django_db
def test_a_new_storys_core_theme_defaults_from_its_template():

    template = StoryTemplate.objects.get(slug="mentorship")
    template.core_theme = Theme.objects.get(slug="mentorship")
    template.save()
    form = StoryForm.for_editor(None, template=template, story=None, draft=None)
    assert form["core_theme"].value() == "mentorship"
    # Not ticked a second time among the other themes it can flex to.
    assert "mentorship" not in {t.slug for t in form.initial["themes"]}
    assert form.fields["core_theme"].label == "Core theme"
    assert form.fields["themes"].label == "Other themes it can flex to"


@pytest.mark.django_db
def test_plain_star_leaves_the_core_theme_for_the_user_to_choose():

    template = StoryTemplate.objects.get(slug="plain-star")
    assert template.core_theme is None
    form = StoryForm.for_editor(None, template=template, story=None, draft=None)
    assert form["core_theme"].value() is None
    names = [label for _, label in form.fields["core_theme"].choices]
    assert names[0] == "Choose the theme this story is mainly about"
    assert names[1:] == [
        "Technical complexity",
        "Leadership and influence",
        "Conflict resolution",
        "Failure and recovery",
        "Mentorship",
        "Customer impact",
        "Cross-team collaboration",
        "Ambiguity and pivoting",
    ]


@pytest.mark.django_db
def test_the_core_theme_is_required_in_plain_words_and_saved_when_chosen():

    template = StoryTemplate.objects.get(slug="plain-star")
    missing = StoryForm(story_post(template), template=template)
    assert not missing.is_valid()
    assert missing.errors["core_theme"] == [
        "Choose a core theme: the one theme this story is mainly about."
    ]
    chosen = StoryForm(story_post(template, core_theme="mentorship"), template=template)
    assert chosen.is_valid(), chosen.errors
    assert chosen.tags().core_theme.slug == "mentorship"
    unknown = StoryForm(story_post(template, core_theme="moonshots"), template=template)
    assert not unknown.is_valid()
    assert "choose one of the themes shown" in unknown.errors["core_theme"][0]


@pytest.mark.django_db
def test_editing_a_story_without_a_core_theme_offers_its_first_theme_tag():

    themes = Theme.objects.filter(slug__in=["ambiguity-pivoting", "mentorship"])
    story = StoryFactory(themes=list(themes))
    assert story.core_theme is None
    form = StoryForm.for_editor(None, template=story.template, story=story, draft=None)
    # Mentorship comes first in the catalogue; it is offered as the core theme.
    assert form["core_theme"].value() == "mentorship"
    assert [t.slug for t in form.initial["themes"]] == ["ambiguity-pivoting"]
    # A story with a core theme of its own keeps it (positive control).
    story = StoryFactory(themes=list(themes), core_theme=themes.get(slug="ambiguity-pivoting"))
    form = StoryForm.for_editor(None, template=story.template, story=story, draft=None)
    assert form["core_theme"].value() == "ambiguity-pivoting"


@pytest.mark.django_db
def test_an_autosaved_draft_brings_back_the_core_theme_chosen():

    template = StoryTemplate.objects.get(slug="plain-star")
    form = DraftForm(posted(title="Half written", core_theme="customer-impact"))
    assert form.is_valid()
    draft = StoryDraft(template=template, data=form.cleaned_data["contents"])
    editor = StoryForm.for_editor(None, template=template, story=None, draft=draft)
    assert editor["core_theme"].value() == "customer-impact"


def test_the_live_review_counts_the_core_theme_among_the_themes():
    form = ReviewForm(posted(core_theme="failure-recovery", themes=["mentorship"]))
    assert form.is_valid() and form.themes() == ["failure-recovery", "mentorship"]
    assert ReviewForm(posted(themes=["mentorship"])).themes() == ["mentorship"]
