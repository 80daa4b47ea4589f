"""A question's best stories and "Practise this question" (practice:question-stories,
practice:question-start)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practice import services
from practice.models import PracticeSession
from principles.models import Question
from tests.factories import (
    PrincipleFactory,
    QuestionFactory,
    StoryFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def question(db):
    principle = PrincipleFactory(slug="quokka-care", name="Quokka Care")
    theme = ThemeFactory(slug="zebra-crossing", name="Zebra crossing")
    return QuestionFactory(
        text="Tell me about a quokka rescue.", principles=[principle], themes=[theme]
    )


def story(owner, title, *, principles=(), themes=(), text="We tuned the bassoon."):
    return StoryFactory(
        owner=owner,
        title=title,
        situation=text,
        task="",
        action="",
        result="",
        learning="",
        metrics="",
        principles=list(principles),
        themes=list(themes),
    )


def fragment(client, question):
    url = reverse("practice:question-stories", args=[question.pk])
    return body(client.get(url, HTTP_HX_REQUEST="true"))


def test_the_best_stories_come_first_graded_and_only_the_users_own(
    user, user_client, other_user, question
):
    principle, theme = question.principles.get(), question.themes.get()
    story(user, "Partial harbour", principles=[principle])
    story(user, "Strong harbour", principles=[principle], themes=[theme])
    story(user, "Stretch harbour", text="The quokka slept.")
    story(user, "Unrelated harbour")
    story(other_user, "Someone else's harbour", principles=[principle], themes=[theme])
    card = fragment(user_client, question)
    assert (
        card.index("Strong harbour") < card.index("Partial harbour") < card.index("Stretch harbour")
    )
    assert "Strong: shares Quokka Care and Zebra crossing." in card
    assert "Partial: shares Quokka Care." in card
    assert "Stretch: mentions ‘quokka’, but no principle" in card
    assert "Unrelated harbour" not in card
    # The other user's story fits as well as the owner's strong one, which shows.
    assert "Someone else&#x27;s harbour" not in card and "Someone else's harbour" not in card
    assert "Practise this question" in card
    assert "<h1" not in card


def test_at_most_five_stories(user, user_client, question):
    principle = question.principles.get()
    for n in range(7):
        story(user, f"Harbour {n}", principles=[principle])
    assert fragment(user_client, question).count('data-testid="question-story"') == 5


def test_no_story_fits_yet_but_the_question_can_still_be_practised(user, user_client, question):
    story(user, "Unrelated harbour")
    card = fragment(user_client, question)
    assert 'data-testid="no-question-stories"' in card
    assert reverse("practice:question-start", args=[question.pk]) in card
    # Positive control: a fitting story replaces the note.
    story(user, "Strong harbour", principles=[question.principles.get()])
    card = fragment(user_client, question)
    assert "Strong harbour" in card and 'data-testid="no-question-stories"' not in card


def test_the_full_page_shows_the_question(user, user_client, question):
    page = body(user_client.get(reverse("practice:question-stories", args=[question.pk])))
    assert "<h1" in page and question.text in page


def test_the_question_bank_loads_each_questions_stories_with_a_plain_link(user_client):
    page = body(user_client.get(reverse("principles:questions")))
    first = Question.objects.active().with_tags().first()
    url = reverse("practice:question-stories", args=[first.pk])
    assert f'hx-get="{url}" hx-trigger="load"' in page
    assert f'href="{url}"' in page


def test_practise_this_question_opens_a_session_of_that_one_question(user, user_client, question):
    response = user_client.post(reverse("practice:question-start", args=[question.pk]))
    session = PracticeSession.objects.get(owner=user)
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    assert [a.question_id for a in session.answers.all()] == [question.pk]
    assert session.focus == "By principle: Quokka Care"
    page = body(user_client.get(session.get_absolute_url()))
    assert question.text in page


def test_a_question_without_tags_opens_a_session_by_level(user):
    untagged = QuestionFactory(text="Tell me about a narwhal.")
    session = services.session_start_for_question(user=user, question=untagged)
    assert session.mode == PracticeSession.Mode.LEVEL
    assert session.answers.get().question == untagged


def test_an_inactive_or_missing_question_is_404_and_starts_nothing(user_client, question):
    Question.objects.filter(pk=question.pk).update(is_active=False)
    for url in (
        reverse("practice:question-stories", args=[question.pk]),
        reverse("practice:question-stories", args=[987654321]),
    ):
        assert user_client.get(url).status_code == 404
    start = reverse("practice:question-start", args=[question.pk])
    assert user_client.post(start).status_code == 404
    assert not PracticeSession.objects.exists()
    # Positive control: active again, the same URL starts the session.
    Question.objects.filter(pk=question.pk).update(is_active=True)
    assert user_client.post(start).status_code == 302
    assert PracticeSession.objects.count() == 1


def test_a_visitor_logs_in_and_wrong_methods_are_405(user_client, question):
    client = Client()
    stories_url = reverse("practice:question-stories", args=[question.pk])
    start = reverse("practice:question-start", args=[question.pk])
    for response in (client.get(stories_url), client.post(start)):
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not PracticeSession.objects.exists()
    assert user_client.post(stories_url).status_code == 405
    assert user_client.get(start).status_code == 405
    assert user_client.get(stories_url).status_code == 200


def test_a_fixed_number_of_queries_whatever_the_banks_size(
    user, user_client, question, django_assert_num_queries
):
    principle, theme = question.principles.get(), question.themes.get()
    story(user, "Harbour 0", principles=[principle], themes=[theme])
    with CaptureQueriesContext(connection) as small:
        fragment(user_client, question)
    for n in range(1, 50):
        story(user, f"Harbour {n}", principles=[principle], themes=[theme])
    with django_assert_num_queries(len(small.captured_queries)):
        card = fragment(user_client, question)
    assert card.count('data-testid="question-story"') == 5
