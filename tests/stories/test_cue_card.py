"""The cue card drafted from a story's sections, and its bolded metrics."""

import pytest

from stories.cue_card import BULLET_MAX, card_lines, cue_points, draft_cue_card, shorten
from stories.templatetags.story_tags import cue_bullet
from tests.factories import StoryFactory

ORDINARY = {
    "situation": "Our checkout failed for one in ten customers during the holiday sale. "
    "The team was new.",
    "task": "I had to find the cause and fix it within two weeks.",
    "action": "I traced the failures to a payment timeout. I rewrote the retry logic. "
    "Then I added alerts.",
    "result": "Failed checkouts fell by 40% and revenue rose $2M that quarter.",
    "learning": "Measure before you guess.",
}


def test_an_ordinary_story_gives_four_to_six_bullets_in_star_order():
    bullets = draft_cue_card(ORDINARY, ["40%"])
    assert 4 <= len(bullets) <= 6
    assert bullets[0].startswith("Our checkout failed")
    assert bullets[2] == "I traced the failures to a payment timeout"
    assert bullets[3] == "I rewrote the retry logic"
    assert bullets[-1] == "Measure before you guess"


def test_a_short_story_gives_fewer_bullets_but_never_an_empty_one():
    bullets = draft_cue_card({"situation": "A outage.", "task": "  ", "action": "..."}, [])
    assert bullets == ["A outage"]
    assert draft_cue_card({}, []) == []


def test_without_a_result_the_key_metrics_stand_in():
    bullets = draft_cue_card({"action": "I fixed it."}, ["40% fewer failures"])
    assert bullets == ["I fixed it", "40% fewer failures"]


def test_a_long_sentence_is_shortened_at_a_clause_never_mid_word():
    sentence = (
        "I interviewed every support agent about the failures they saw, "
        "then grouped the complaints by payment provider and by time of day to find a pattern"
    )
    short = shorten(sentence)
    assert len(short) <= BULLET_MAX + 1
    assert short == "I interviewed every support agent about the failures they saw\u2026"
    words = shorten("word " * 40).rstrip("\u2026").split()
    assert set(words) == {"word"}


@pytest.mark.django_db
def test_metrics_are_bold_and_the_rest_escaped():
    html = cue_bullet("Cut <b>errors</b> by 40% and won the Acme deal", None)
    assert "&lt;b&gt;errors&lt;/b&gt;" in html
    assert "<strong>40%</strong>" in html
    assert "<strong>Acme deal</strong>" not in html
    story = StoryFactory(metrics="Acme deal\n")
    assert "<strong>Acme deal</strong>" in cue_bullet("won the Acme deal", story)


@pytest.mark.django_db
def test_an_edited_card_wins_over_the_draft():
    blank = dict.fromkeys(["situation", "task", "result", "learning"], "")
    story = StoryFactory(action="I shipped the fix.", metrics="", cue_card="", **blank)
    assert cue_points(story) == ["I shipped the fix"]
    story.cue_card = "- Lead with the outage\n\n* Land the 40%\n"
    assert cue_points(story) == ["Lead with the outage", "Land the 40%"]


@pytest.mark.django_db
def test_saving_a_cue_card_keeps_the_story_version_and_resets_to_the_draft():
    from django.core.exceptions import ValidationError

    from stories.models import CUE_CARD_MAX, Story
    from stories.services import story_cue_card_set

    story = StoryFactory(cue_card="")
    version = story.version
    story_cue_card_set(story=story, text="  Open with the outage\r\n\r\n- Land the 40%  ")
    saved = Story.objects.get(pk=story.pk)
    assert saved.cue_card == "Open with the outage\nLand the 40%"
    assert saved.version == version
    story_cue_card_set(story=story, text="")
    assert cue_points(Story.objects.get(pk=story.pk)) == draft_cue_card(
        story.sections, story.metric_list
    )
    with pytest.raises(ValidationError):
        story_cue_card_set(story=story, text="x" * (CUE_CARD_MAX + 1))


def test_a_decimal_figure_stays_in_its_sentence():
    bullets = draft_cue_card(
        {"result": "Planning fell from 5.5 hours to 40 minutes. Then more."}, []
    )
    assert bullets == ["Planning fell from 5.5 hours to 40 minutes"]


def test_an_edited_card_drops_bullet_marks_but_keeps_a_line_that_starts_with_stars():
    text = "- Set the direction\n* • Cut p99 by 40%\n**0.4%** error rate\n\n•No space bullet"
    assert card_lines(text) == [
        "Set the direction",
        "Cut p99 by 40%",
        "**0.4%** error rate",
        "No space bullet",
    ]


def test_a_figure_with_a_thousands_comma_is_never_cut_in_two():
    result = (
        "Failed payments fell from 5% to 0.4% in four weeks, which kept about $60,000 a month "
        "in orders and cut the complaints to support from two hundred a day to fewer than ten."
    )
    bullets = draft_cue_card({"result": result}, ["$60,000 a month"])
    assert bullets == [
        "Failed payments fell from 5% to 0.4% in four weeks, which kept about $60,000 a month in "
        "orders and cut the complaints to support\u2026"
    ]
    # Positive control: without a figure after it, the cut falls at the clause.
    plain = "I traced every failed payment for a week, then I grouped them by provider and by hour"
    assert shorten(plain, 60) == "I traced every failed payment for a week\u2026"
