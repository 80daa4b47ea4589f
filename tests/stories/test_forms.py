"""The story forms: the live review's posted answers, the autosaved draft, the tag toggle."""

import pytest
from django.http import QueryDict

from stories.forms import DRAFT_MAX_BYTES, DraftForm, ReviewForm, TagToggleForm, first_error
from stories.models import ANSWER_MAX, ANSWERS_MAX, Story


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
