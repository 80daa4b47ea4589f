"""The questions a story answers best, graded strong, partial or stretch (practice:story-questions)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practice import ranking
from practice.ranking import QuestionCard, RankedStory, StoryCard
from tests.factories import PrincipleFactory, QuestionFactory, StoryFactory, ThemeFactory


def body(response) -> str:
    return response.content.decode()


def ranked(score: int, principles=()) -> RankedStory:
    return RankedStory(
        story_id=1,
        score=score,
        shared_principle_ids=frozenset(principles),
        shared_theme_ids=frozenset(),
        matched_words=(),
    )


# --- The grade (pure) ---------------------------------------------------------------


def test_grade_thresholds():
    assert ranking.grade(ranked(5, principles=[1])) == "strong"
    # As much fit without one of the question's principles is only partial.
    assert ranking.grade(ranked(7)) == "partial"
    assert ranking.grade(ranked(4, principles=[1])) == "partial"
    assert ranking.grade(ranked(3, principles=[1])) == "partial"
    assert ranking.grade(ranked(2)) == "stretch"
    assert ranking.grade(ranked(1)) == "stretch"
    assert ranking.grade(ranked(0)) is None


def test_grade_reason_says_the_grade_and_what_a_stretch_lacks():
    assert ranking.grade_reason("strong", "shares Ownership") == "Strong: shares Ownership."
    stretch = ranking.grade_reason("stretch", "mentions ‘outage’")
    assert stretch.startswith("Stretch: mentions ‘outage’")
    assert "no principle of the question" in stretch


def test_questions_for_story_best_first_without_the_unrelated_and_within_the_limit():
    story = StoryCard(
        id=1,
        title="Night shift",
        text="We rolled back the outage.",
        principle_ids=frozenset({10}),
        theme_ids=frozenset({20}),
    )
    questions = {
        1: QuestionCard("Tell me about an outage.", principle_ids=frozenset({10})),
        2: QuestionCard(
            "Describe a rollback.", principle_ids=frozenset({10}), theme_ids=frozenset({20})
        ),
        3: QuestionCard("Tell me about a hiring decision."),
        4: QuestionCard("Tell me about an outage you caused."),
    }
    matches = ranking.questions_for_story(story, questions)
    assert [(m.question_id, m.grade) for m in matches] == [
        (2, "strong"),  # principle + theme = 5 ('rolled' is not 'rollback')
        (1, "partial"),  # principle + 'outage' = 4
        (4, "stretch"),  # 'outage' alone
    ]
    assert [m.question_id for m in ranking.questions_for_story(story, questions, limit=1)] == [2]


def test_the_story_grade_uses_the_same_scoring_as_the_practice_suggestions():
    story = StoryCard(id=1, title="Night outage", text="outage", principle_ids=frozenset({10}))
    question = QuestionCard("Tell me about an outage.", principle_ids=frozenset({10}))
    [match] = ranking.questions_for_story(story, {7: question})
    [suggested] = ranking.rank_stories(question, [story])
    assert match.ranked == suggested


# --- The fragment -------------------------------------------------------------------


@pytest.fixture
def tagged(db):
    """A principle and a theme of this test's own, and questions at each grade."""
    principle = PrincipleFactory(slug="quokka-care", name="Quokka Care")
    theme = ThemeFactory(slug="zebra-crossing", name="Zebra crossing")
    return {
        "principle": principle,
        "theme": theme,
        "strong": QuestionFactory(
            text="Tell me about a quokka rescue.", principles=[principle], themes=[theme]
        ),
        "partial": QuestionFactory(text="Describe a walrus moment.", principles=[principle]),
        "stretch": QuestionFactory(text="Tell me about a xylophone and a tuba."),
        "unrelated": QuestionFactory(text="Tell me about a narwhal."),
    }


def quay_story(owner, tagged, **changes):
    fields = {
        "title": "Zanzibar quay",
        "situation": "We tuned the xylophone and the tuba.",
        "task": "",
        "action": "",
        "result": "",
        "learning": "",
        "metrics": "",
        "principles": [tagged["principle"]],
        "themes": [tagged["theme"]],
    }
    return StoryFactory(owner=owner, **{**fields, **changes})


@pytest.mark.django_db
def test_the_story_page_lists_its_questions_graded_with_the_reason(user_client, user, tagged):
    story = quay_story(user, tagged)
    card = body(
        user_client.get(
            reverse("practice:story-questions", args=[story.pk]), HTTP_HX_REQUEST="true"
        )
    )
    strong = card.index(tagged["strong"].text)
    partial = card.index(tagged["partial"].text)
    stretch = card.index(tagged["stretch"].text)
    assert strong < partial < stretch  # best first
    assert "Strong: shares Quokka Care and Zebra crossing." in card
    assert "Partial: shares Quokka Care." in card
    assert "Stretch: mentions ‘tuba’ and ‘xylophone’, but no principle" in card
    assert tagged["unrelated"].text not in card
    start = reverse("practice:question-start", args=[tagged["strong"].pk])
    assert f'action="{start}"' in card  # each question can be practised from here
    assert "<h1" not in card and "<html" not in card


@pytest.mark.django_db
def test_the_full_page_opens_without_javascript(user_client, user, tagged):
    story = quay_story(user, tagged)
    page = body(user_client.get(reverse("practice:story-questions", args=[story.pk])))
    assert "<h1" in page and tagged["strong"].text in page
    assert story.get_absolute_url() in page


@pytest.mark.django_db
def test_a_story_with_nothing_in_common_says_so(user_client, user, tagged):
    story = quay_story(user, tagged, title="Qwzx", situation="Qwzx vbnm.", principles=[], themes=[])
    card = body(
        user_client.get(
            reverse("practice:story-questions", args=[story.pk]), HTTP_HX_REQUEST="true"
        )
    )
    assert 'data-testid="no-story-questions"' in card
    assert tagged["strong"].text not in card
    # Positive control: tagging it brings the question in.
    story.principles.set([tagged["principle"]])
    card = body(user_client.get(reverse("practice:story-questions", args=[story.pk])))
    assert tagged["strong"].text in card


@pytest.mark.django_db
def test_the_story_page_loads_the_questions_card_with_a_plain_link(user_client, user, tagged):
    story = quay_story(user, tagged)
    page = body(user_client.get(story.get_absolute_url()))
    url = reverse("practice:story-questions", args=[story.pk])
    assert f'hx-get="{url}" hx-trigger="load"' in page
    assert f'href="{url}"' in page


@pytest.mark.django_db
def test_another_users_story_is_404_and_a_visitor_logs_in(client, other_client, user, tagged):
    story = quay_story(user, tagged)
    url = reverse("practice:story-questions", args=[story.pk])
    assert other_client.get(url).status_code == 404
    assert other_client.get(url, HTTP_HX_REQUEST="true").status_code == 404
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    client.force_login(user)
    assert client.get(url).status_code == 200  # the owner opens the same URL


@pytest.mark.django_db
def test_post_is_405(user_client, user, tagged):
    story = quay_story(user, tagged)
    assert user_client.post(reverse("practice:story-questions", args=[story.pk])).status_code == 405


@pytest.mark.django_db
def test_a_fixed_number_of_queries_whatever_the_question_banks_size(
    user_client, user, tagged, django_assert_num_queries
):
    story = quay_story(user, tagged)
    url = reverse("practice:story-questions", args=[story.pk])
    with CaptureQueriesContext(connection) as small:
        user_client.get(url, HTTP_HX_REQUEST="true")
    for n in range(50):
        QuestionFactory(
            text=f"Tell me about quokka number {n}.",
            principles=[tagged["principle"]],
            themes=[tagged["theme"]],
        )
    with django_assert_num_queries(len(small.captured_queries)):
        card = body(user_client.get(url, HTTP_HX_REQUEST="true"))
    assert card.count('data-testid="story-question"') == ranking.QUESTIONS_FOR_A_STORY
