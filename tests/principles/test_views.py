"""Catalogue pages: index with htmx filter, a principle, the question bank."""

import pytest
from django.urls import reverse

from principles.models import Level, Principle
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_index_shows_all_sixteen_principles_themes_and_kinds(user_client):
    response = user_client.get(reverse("principles:index"))
    body = response.content.decode()
    assert body.count('data-testid="principle-card"') == 16
    assert "Failure and recovery" in body
    assert "Influence without authority" in body


def test_index_filter_by_text_returns_only_the_partial_for_htmx(user_client):
    response = user_client.get(reverse("principles:index"), {"q": "frugal"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert body.count('data-testid="principle-card"') == 1
    assert "Frugality" in body


def test_index_filter_without_htmx_renders_whole_page(user_client):
    body = user_client.get(reverse("principles:index"), {"q": "zzzz-nothing"}).content.decode()
    assert "<html" in body
    assert "No principle matches" in body


def test_principle_page_groups_active_questions_by_level(user_client):
    principle = Principle.objects.get(slug="ownership")
    hidden = QuestionFactory(text="A retired ownership question?", principles=[principle])
    hidden.is_active = False
    hidden.save()
    response = user_client.get(reverse("principles:detail", args=["ownership"]))
    body = response.content.decode()
    assert "Ownership" in body
    assert "Tell me about a time you took ownership beyond your role." in body
    assert "A retired ownership question?" not in body
    for level in Level.objects.all():
        if principle.questions.filter(level=level, is_active=True).exists():
            assert f">{level.name}</h3>" in body


def test_unknown_principle_is_404(user_client):
    assert user_client.get(reverse("principles:detail", args=["no-such"])).status_code == 404


def test_question_bank_filters_by_level_principle_and_theme(user_client):
    response = user_client.get(
        reverse("principles:questions"),
        {"level": "staff", "principle": "think-big", "theme": "leadership-influence"},
    )
    page = response.context["page"]
    assert page.paginator.count > 0
    for question in page:
        assert question.level.slug == "staff"
        assert "think-big" in {p.slug for p in question.principles.all()}
        assert "leadership-influence" in {t.slug for t in question.themes.all()}


def test_question_bank_full_text_search_stems_words(user_client):
    # "roadmaps" matches "roadmap" through English stemming.
    response = user_client.get(reverse("principles:questions"), {"q": "roadmaps"})
    texts = [q.text for q in response.context["page"]]
    assert "Describe a time you influenced a team's roadmap." in texts


def test_question_bank_paginates(user_client):
    first = user_client.get(reverse("principles:questions"))
    assert len(first.context["page"]) == 20
    second = user_client.get(reverse("principles:questions"), {"page": 2})
    assert {q.pk for q in first.context["page"]}.isdisjoint({q.pk for q in second.context["page"]})


@pytest.mark.parametrize(
    "params",
    [
        {"level": "boss"},
        {"principle": "no-such", "theme": "?"},
        {"page": "abc"},
        {"page": "99999"},
        {"q": "x" * 5000},
        {"q": "\x00"},
        {"q": "&|!():*"},
    ],
)
def test_question_bank_ignores_nonsense_filters(user_client, params):
    response = user_client.get(reverse("principles:questions"), params)
    assert response.status_code == 200


def test_question_bank_htmx_returns_partial(user_client):
    response = user_client.get(
        reverse("principles:questions"), {"level": "mid"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="question-results"' in body


def test_catalogue_pages_need_login(client):
    for url in (
        reverse("principles:index"),
        reverse("principles:questions"),
        reverse("principles:detail", args=["ownership"]),
    ):
        assert client.get(url).status_code == 302


def test_wrong_method_is_405(user_client):
    assert user_client.post(reverse("principles:questions")).status_code == 405


@pytest.mark.parametrize("extra", [0, 60])
def test_question_bank_query_count_is_fixed(user_client, django_assert_num_queries, extra):
    principle = Principle.objects.get(slug="frugality")
    for _ in range(extra):
        QuestionFactory(principles=[principle])
    # session, user, savepoints, the filter's choices (3), the principle,
    # count, page, and one prefetch each for principles and themes.
    with django_assert_num_queries(12):
        user_client.get(reverse("principles:questions"), {"principle": "frugality"})


@pytest.mark.parametrize("extra", [0, 60])
def test_principle_page_query_count_is_fixed(user_client, django_assert_num_queries, extra):
    principle = Principle.objects.get(slug="frugality")
    shown_before = principle.questions.active().count()
    for n in range(extra):
        QuestionFactory(text=f"Extra frugality question {n}?", principles=[principle])
    # session, user, savepoints, the principle, the levels, their questions and the
    # questions' themes: the same however many questions there are.
    with django_assert_num_queries(8):
        response = user_client.get(reverse("principles:detail", args=["frugality"]))
    body = response.content.decode()
    assert body.count('data-testid="question"') == shown_before + extra
    assert ("Extra frugality question 59?" in body) == (extra == 60)


def test_principle_page_loads_your_stories_from_the_stories_app(user_client):
    body = user_client.get(reverse("principles:detail", args=["ownership"])).content.decode()
    url = reverse("stories:principle", args=["ownership"])
    assert f'hx-get="{url}"' in body and 'hx-trigger="load"' in body
    assert f'href="{url}"' in body, "a real link for a browser without JavaScript"
