"""The cue card on the story page: shown, edited (htmx and plain), reset, and private."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from stories.cue_card import draft_cue_card
from stories.models import CUE_CARD_MAX, Story
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


def cue_url(story) -> str:
    return reverse("stories:cue_card", args=[story.pk])


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_story_page_shows_the_drafted_card_with_its_metrics_in_bold(user_client, user):
    story = StoryFactory(owner=user, cue_card="")
    html = page(user_client.get(story.get_absolute_url()))
    assert "Cue card" in html and 'id="story-cue-card"' in html
    assert "Drafted from your sections" in html
    draft = draft_cue_card(story.sections, story.metric_list)
    assert 4 <= len(draft) <= 6
    for bullet in draft:
        assert escape(bullet)[:30] in html
    assert "<strong>" in html.split('data-testid="cue-card"')[1].split("</ul>")[0]
    assert "Reset to the draft" not in html  # nothing to reset yet


def test_a_saved_card_is_shown_as_the_users_own_with_a_reset(user_client, user):
    story = StoryFactory(owner=user, cue_card="Open with the outage\nLand the 40% drop")
    html = page(user_client.get(story.get_absolute_url()))
    assert "Drafted from your sections" not in html
    assert "Your own card" in html
    assert "<li>Open with the outage</li>" in html
    assert "Land the <strong>40%</strong> drop" in html
    assert "Reset to the draft" in html


def test_a_story_with_nothing_written_says_there_is_nothing_to_draft(user_client, user):
    blank = dict.fromkeys(["situation", "task", "action", "result", "learning"], "")
    story = StoryFactory(owner=user, metrics="", cue_card="", **blank)
    html = page(user_client.get(story.get_absolute_url()))
    assert "Nothing to draft from yet" in html
    assert "Nothing to draft from yet" not in page(  # positive control
        user_client.get(StoryFactory(owner=user).get_absolute_url())
    )


def test_edit_opens_the_form_as_a_fragment_prefilled_with_the_card(user_client, user):
    story = StoryFactory(owner=user, cue_card="")
    html = page(user_client.get(cue_url(story), {"edit": ""}, HTTP_HX_REQUEST="true"))
    assert "<html" not in html and 'id="story-cue-card"' in html
    assert 'data-testid="cue-card-form"' in html
    first = draft_cue_card(story.sections, story.metric_list)[0]
    textarea = html.split("<textarea")[1].split("</textarea>")[0]
    assert escape(first) in textarea
    assert f'maxlength="{CUE_CARD_MAX}"' in textarea


def test_edit_without_javascript_is_the_whole_story_page_with_the_form(user_client, user):
    story = StoryFactory(owner=user, title="Checkout rescue")
    html = page(user_client.get(cue_url(story), {"edit": ""}))
    assert '<h1 class="mb-1">Checkout rescue</h1>' in html
    assert 'data-testid="cue-card-form"' in html
    assert 'data-testid="cue-card-form"' not in page(user_client.get(cue_url(story)))


def test_saving_by_htmx_returns_the_card_and_keeps_the_story_version(user_client, user):
    story = StoryFactory(owner=user, cue_card="")
    version = story.version
    text = "- Lead with the outage\r\n\r\n* Land the 40% drop\r\n"
    html = page(user_client.post(cue_url(story), {"text": text}, HTTP_HX_REQUEST="true"))
    assert "<li>Lead with the outage</li>" in html and "Your own card" in html
    assert 'data-testid="cue-card-form"' not in html
    saved = Story.objects.get(pk=story.pk)
    assert saved.cue_card == "Lead with the outage\nLand the 40% drop"
    assert saved.version == version


def test_saving_without_javascript_redirects_to_the_story_with_a_message(user_client, user):
    story = StoryFactory(owner=user, cue_card="")
    response = user_client.post(cue_url(story), {"text": "One bullet"})
    assert response.status_code == 302 and response.url == story.get_absolute_url()
    html = page(user_client.get(response.url))
    assert "Cue card saved." in html and "<li>One bullet</li>" in html


def test_a_card_over_the_limit_is_refused_with_a_clear_error_and_nothing_saved(user_client, user):
    story = StoryFactory(owner=user, cue_card="Kept bullet")
    too_long = "word " * (CUE_CARD_MAX // 5 + 20)
    for headers in ({"HTTP_HX_REQUEST": "true"}, {}):
        html = page(user_client.post(cue_url(story), {"text": too_long}, **headers))
        assert f"A cue card holds at most {CUE_CARD_MAX} characters; this one has" in html
        assert 'data-testid="cue-card-form"' in html
    assert Story.objects.get(pk=story.pk).cue_card == "Kept bullet"


def test_a_card_just_at_the_limit_is_saved(user_client, user):
    story = StoryFactory(owner=user, cue_card="")
    text = ("x" * 99 + "\n") * (CUE_CARD_MAX // 100 - 1) + "y" * 99
    assert len(text) <= CUE_CARD_MAX
    # The browser posts CRLF line ends; they count as one character, as the textarea counts them.
    response = user_client.post(cue_url(story), {"text": text.replace("\n", "\r\n")})
    assert response.status_code == 302
    assert Story.objects.get(pk=story.pk).cue_card == text


def test_saving_the_draft_unchanged_keeps_it_drafted(user_client, user):
    story = StoryFactory(owner=user, cue_card="")
    draft = "\n".join(draft_cue_card(story.sections, story.metric_list))
    user_client.post(cue_url(story), {"text": draft})
    assert Story.objects.get(pk=story.pk).cue_card == ""
    user_client.post(cue_url(story), {"text": draft + "\nMy own last line"})
    assert Story.objects.get(pk=story.pk).cue_card.endswith("My own last line")


def test_reset_goes_back_to_the_draft(user_client, user):
    story = StoryFactory(owner=user, cue_card="My own card")
    html = page(user_client.post(cue_url(story), {"reset": "1"}, HTTP_HX_REQUEST="true"))
    assert Story.objects.get(pk=story.pk).cue_card == ""
    assert "Drafted from your sections" in html and "My own card" not in html
    story.cue_card = "Mine again"
    story.save()
    response = user_client.post(cue_url(story), {"reset": "1", "text": "ignored"})
    assert response.status_code == 302
    assert "drafted from your sections again" in page(user_client.get(response.url))
    assert Story.objects.get(pk=story.pk).cue_card == ""


def test_another_users_story_cue_card_is_404_and_unchanged(user_client, other_client, user):
    story = StoryFactory(owner=user, cue_card="Private bullet")
    assert "Private bullet" in page(user_client.get(cue_url(story)))  # the owner sees it
    assert other_client.get(cue_url(story), {"edit": ""}).status_code == 404
    assert other_client.post(cue_url(story), {"text": "Taken over"}).status_code == 404
    assert other_client.post(cue_url(story), {"reset": "1"}).status_code == 404
    assert Story.objects.get(pk=story.pk).cue_card == "Private bullet"


def test_an_anonymous_visitor_is_sent_to_sign_in(client, user):
    story = StoryFactory(owner=user)
    response = client.post(cue_url(story), {"text": "x"})
    assert response.status_code == 302 and "login" in response.url
    assert Story.objects.get(pk=story.pk).cue_card == story.cue_card


def test_the_cue_card_url_refuses_other_methods(user_client, user):
    story = StoryFactory(owner=user)
    assert user_client.put(cue_url(story)).status_code == 405
    assert user_client.delete(cue_url(story)).status_code == 405


def test_nul_characters_are_dropped_not_an_error(user_client, user):
    story = StoryFactory(owner=user, cue_card="")
    response = user_client.post(cue_url(story), {"text": "Open\x00 strong"})
    assert response.status_code == 302
    assert Story.objects.get(pk=story.pk).cue_card == "Open strong"


@pytest.mark.parametrize("size", [1, 6])
def test_the_cue_card_fragment_query_count_is_fixed(
    user_client, user, size, django_assert_num_queries
):
    story = StoryFactory(owner=user, cue_card="\n".join(f"Bullet {n}" for n in range(size)))
    # Login session + user, the request's savepoint and its release, the story.
    with django_assert_num_queries(5):
        html = page(user_client.get(cue_url(story), HTTP_HX_REQUEST="true"))
    assert html.count("<li>Bullet") == size
    # Saving adds the one-column update.
    with django_assert_num_queries(6):
        page(user_client.post(cue_url(story), {"text": "New"}, HTTP_HX_REQUEST="true"))
