"""Stories are private (404 for anyone else) and pages run a fixed number of queries."""

import pytest
from django.urls import reverse

from principles.models import Level, Principle, Theme
from stories import selectors
from stories.models import Story
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db

STORY_URLS = [
    ("get", "stories:detail", {}),
    ("get", "stories:edit", {}),
    ("post", "stories:edit", {"title": "Stolen"}),
    ("post", "stories:tag", {"relation": "principles", "slug": "ownership", "action": "add"}),
    ("post", "stories:duplicate", {}),
    ("get", "stories:delete", {}),
    ("post", "stories:delete", {}),
]


@pytest.mark.parametrize(("method", "name", "data"), STORY_URLS)
@pytest.mark.parametrize("htmx", [False, True])
def test_another_user_gets_404_on_every_story_url(other_client, user, method, name, data, htmx):
    story = StoryFactory(owner=user, title="Mine")
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = getattr(other_client, method)(reverse(name, args=[story.pk]), data, **headers)
    assert response.status_code == 404
    story.refresh_from_db()
    assert story.title == "Mine"
    assert not story.principles.exists()
    assert Story.objects.count() == 1


@pytest.mark.parametrize(("method", "name", "data"), STORY_URLS)
def test_anonymous_visitor_is_sent_to_login(client, user, method, name, data):
    story = StoryFactory(owner=user)
    response = getattr(client, method)(reverse(name, args=[story.pk]), data)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_other_users_stories_never_appear_in_lists_search_or_coverage(
    other_client, user_client, user
):
    StoryFactory(
        owner=user, title="Secret migration", principles=[Principle.objects.get(slug="ownership")]
    )
    # A principle's stories are the stories app's fragment now (the principle page
    # only loads it), so that is the URL to probe; the owner sees the story on each.
    for url, params in [
        (reverse("stories:bank"), {}),
        (reverse("stories:bank"), {"q": "secret migration"}),
        (reverse("stories:coverage"), {}),
        (reverse("stories:principle", args=["ownership"]), {}),
    ]:
        assert "Secret migration" in user_client.get(url, params).content.decode()
        assert "Secret migration" not in other_client.get(url, params).content.decode()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("stories:duplicate", "get"),
        ("stories:tag", "get"),
        ("stories:review", "get"),
        ("stories:bank", "post"),
    ],
)
def test_wrong_method_is_405(user_client, user, name, method):
    story = StoryFactory(owner=user)
    url = (
        reverse(name, args=[story.pk])
        if name in ("stories:duplicate", "stories:tag")
        else reverse(name)
    )
    assert getattr(user_client, method)(url).status_code == 405


def make_bank(user, size):
    principles = list(Principle.objects.all()[:4])
    themes = list(Theme.objects.all()[:3])
    levels = list(Level.objects.all()[:2])
    return [
        StoryFactory(owner=user, principles=principles, themes=themes, levels=levels)
        for _ in range(size)
    ]


@pytest.mark.parametrize("size", [1, 100])
def test_bank_list_query_count_is_fixed(user_client, user, django_assert_num_queries, size):
    make_bank(user, size)
    # session, user, savepoints (2), filter choices (4 selects), count, page,
    # 3 prefetches, figures (9: the bank's stories, their tag ids (3), the three
    # catalogue lists, the user's targets (one query of three columns))
    with django_assert_num_queries(21):
        response = user_client.get(reverse("stories:bank"))
    assert response.context["page"].paginator.count == size


def make_counted_bank(user, size):
    """Stories coverage counts (ready), so the matching has work to do."""
    stories = make_bank(user, size)
    Story.objects.filter(pk__in=[s.pk for s in stories]).update(status="ready", score=90)
    return stories


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("params", [{}, {"all": "1"}])
def test_coverage_query_count_is_fixed(user_client, user, django_assert_num_queries, size, params):
    make_counted_bank(user, size)
    # session, user, savepoints (2), stories, their tag ids (3), principles,
    # themes, levels, the user's targets (one query of three columns)
    with django_assert_num_queries(12):
        response = user_client.get(reverse("stories:coverage"), params)
    assert response.context["coverage"].story_count == size
    assert response.context["coverage"].principles.filled_slots == min(4 * 2, 3 * size)


@pytest.mark.parametrize("size", [3, 30])
def test_bank_figures_query_count_is_fixed(user, django_assert_num_queries, size):
    make_counted_bank(user, size)
    with django_assert_num_queries(8):  # stories, tag ids (3), catalogue (3), targets
        figures = selectors.bank_figures(user=user)
    assert figures["counted"] == size and figures["themes_covered"] == min(3, size)


@pytest.mark.parametrize("size", [1, 100])
def test_story_page_query_count_is_fixed(user_client, user, django_assert_num_queries, size):
    stories = make_bank(user, size)
    # session, user, savepoints (2), story + 3 tag prefetches, all principles,
    # all themes (for inline tagging), the user's band (for the review); the practice card
    # is the practice app's fragment
    with django_assert_num_queries(11):
        response = user_client.get(stories[-1].get_absolute_url())
    assert response.status_code == 200


def test_live_review_endpoint_makes_no_writes_and_few_queries(
    user_client, django_assert_max_num_queries
):
    data = {
        "answer_a": "We decided to rewrite it.",
        "section_a": "action",
        "themes": ["failure-recovery"],
    }
    with django_assert_max_num_queries(5) as captured:  # + the user's band
        response = user_client.post(reverse("stories:review"), data, HTTP_HX_REQUEST="true")
    assert not any(
        q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) for q in captured.captured_queries
    )
    body = response.content.decode()
    assert 'data-code="we_not_i"' in body
    assert "<html" not in body
