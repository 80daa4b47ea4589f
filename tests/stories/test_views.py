"""Story pages through the test client: create, edit, duplicate, delete, tag, list."""

import pytest
from django.urls import reverse

from principles.models import Principle, Theme
from stories.models import Story, StoryTemplate, TemplateField
from tests.factories import STRONG_STORY, StoryFactory

pytestmark = pytest.mark.django_db


def technical_direction_post(**overrides):
    template = StoryTemplate.objects.get(slug="technical-direction")
    data = {f"answer_{f.key}": f"{f.label}: I did a careful thing." for f in template.fields.all()}
    data.update(
        {
            "title": "Multi-provider checkout",
            "metrics": "94% → 99.2% checkout success\n8 weeks",
            "principles": ["dive-deep", "ownership"],
            "core_theme": "technical-complexity",
            "themes": ["leadership-influence"],
            "levels": ["senior"],
            "kind": "technical",
            "status": "draft",
        }
    )
    data.update(overrides)
    return data


def test_template_picker_lists_active_templates(user_client):
    StoryTemplate.objects.filter(slug="crisis").update(is_active=False)
    body = user_client.get(reverse("stories:new")).content.decode()
    assert "Technical direction" in body
    assert "Plain STAR" in body
    assert "Dealing with a crisis" not in body


def test_create_form_shows_template_fields_in_order_with_hints_and_examples(user_client):
    template = StoryTemplate.objects.get(slug="technical-direction")
    response = user_client.get(reverse("stories:create", args=["technical-direction"]))
    body = response.content.decode()
    positions = [body.index(f'name="answer_{f.key}"') for f in template.fields.all()]
    assert positions == sorted(positions)
    first = template.fields.first()
    assert first.hint in body.replace("&#x27;", "'")
    assert "Example:" in body


def test_create_form_pre_ticks_the_templates_suggested_tags(user_client):
    response = user_client.get(reverse("stories:create", args=["mentorship"]))
    form = response.context["form"]
    core_theme = form.initial["core_theme"]
    suggested = {t.slug for t in form.initial["themes"]} | (
        {core_theme.slug} if core_theme else set()
    )
    assert suggested == {"mentorship"}
    assert form.initial["kind"].slug == "people"


def test_create_story_from_template_maps_answers_to_sections(user_client, user):
    response = user_client.post(
        reverse("stories:create", args=["technical-direction"]), technical_direction_post()
    )
    story = Story.objects.get(owner=user)
    assert response.status_code == 302
    assert response["Location"] == story.get_absolute_url()
    template = StoryTemplate.objects.get(slug="technical-direction")
    for field in template.fields.all():
        assert f"{field.label}: I did a careful thing." in getattr(story, field.section)
    assert {p.slug for p in story.principles.all()} == {"dive-deep", "ownership"}
    assert story.kind.slug == "technical"
    assert story.metric_list == ["94% → 99.2% checkout success", "8 weeks"]
    assert story.word_count > 0


def test_missing_required_field_is_named_and_nothing_saved(user_client, user):
    template = StoryTemplate.objects.get(slug="technical-direction")
    required = template.fields.filter(required=True).first()
    response = user_client.post(
        reverse("stories:create", args=["technical-direction"]),
        technical_direction_post(**{f"answer_{required.key}": "  "}),
    )
    assert response.status_code == 200
    assert f"“{required.label}” is required by this template." in response.content.decode()
    assert not Story.objects.filter(owner=user).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "x" * 201, "at most 200 characters"),
        ("answer_context", "y" * 5001, "at most 5000 characters"),
        ("principles", ["not-a-principle"], "Select a valid choice"),
        ("kind", "bossing", "Select a valid choice"),
        ("status", "published", "Select a valid choice"),
    ],
)
def test_bad_values_are_refused_with_a_clear_error(user_client, user, field, value, message):
    response = user_client.post(
        reverse("stories:create", args=["technical-direction"]),
        technical_direction_post(**{field: value}),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Story.objects.filter(owner=user).exists()


def test_nul_bytes_are_dropped_not_a_500(user_client, user):
    response = user_client.post(
        reverse("stories:create", args=["plain-star"]),
        {
            "title": "Nul\x00title",
            "answer_situation": "a\x00b",
            "answer_task": "t",
            "answer_action": "a",
            "answer_result": "r",
            "core_theme": "mentorship",
            "status": "draft",
        },
    )
    assert response.status_code == 302
    assert Story.objects.get(owner=user).title == "Nultitle"


def test_retired_or_unknown_template_is_refused(user_client):
    StoryTemplate.objects.filter(slug="crisis").update(is_active=False)
    assert user_client.get(reverse("stories:create", args=["crisis"])).status_code == 404
    assert (
        user_client.post(reverse("stories:create", args=["crisis"]), {"title": "x"}).status_code
        == 404
    )
    assert user_client.get(reverse("stories:create", args=["no-such"])).status_code == 404


def test_edit_keeps_text_of_a_field_removed_from_the_template(user_client, user):
    user_client.post(
        reverse("stories:create", args=["technical-direction"]), technical_direction_post()
    )
    story = Story.objects.get(owner=user)
    removed = TemplateField.objects.get(template__slug="technical-direction", key="buy_in")
    removed_text = story.answer_text("buy_in")
    assert removed_text
    removed.delete()
    StoryTemplate.objects.filter(slug="technical-direction").update(is_active=False)

    page = user_client.get(reverse("stories:edit", args=[story.pk])).content.decode()
    assert removed_text in page
    # The browser posts the kept field back, as it is shown on the form (with its version).
    data = technical_direction_post(
        title="Renamed", answer_buy_in=removed_text, version=story.version
    )
    response = user_client.post(reverse("stories:edit", args=[story.pk]), data)
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "Renamed"
    assert story.answer_text("buy_in") == removed_text
    assert removed_text in story.action + story.situation + story.task + story.result


def test_deleting_a_template_keeps_its_stories_whole(user_client, user):
    user_client.post(
        reverse("stories:create", args=["technical-direction"]), technical_direction_post()
    )
    story = Story.objects.get(owner=user)
    action_before = story.action
    StoryTemplate.objects.get(slug="technical-direction").delete()
    story.refresh_from_db()
    assert story.template is None and story.action == action_before
    body = user_client.get(reverse("stories:edit", args=[story.pk])).content.decode()
    assert "no longer exists" in body
    assert story.answers[0]["text"] in body


def test_duplicate_copies_text_and_tags_as_a_draft(user_client, user):
    principle = Principle.objects.get(slug="ownership")
    story = StoryFactory(owner=user, status="polished", principles=[principle])
    response = user_client.post(reverse("stories:duplicate", args=[story.pk]))
    copy = Story.objects.exclude(pk=story.pk).get(owner=user)
    assert response["Location"] == reverse("stories:edit", args=[copy.pk])
    assert copy.title == f"{story.title} (copy)"
    assert copy.action == story.action and copy.answers == story.answers
    assert copy.status == "draft"
    assert list(copy.principles.all()) == [principle]


def test_delete_asks_for_confirmation_then_deletes(user_client, user):
    story = StoryFactory(owner=user)
    page = user_client.get(reverse("stories:delete", args=[story.pk]))
    assert "Delete “" in page.content.decode()
    assert Story.objects.filter(pk=story.pk).exists()
    user_client.post(reverse("stories:delete", args=[story.pk]))
    assert not Story.objects.filter(pk=story.pk).exists()


def test_inline_tagging_with_htmx_returns_the_tags_partial(user_client, user):
    story = StoryFactory(owner=user)
    url = reverse("stories:tag", args=[story.pk])
    response = user_client.post(
        url,
        {"relation": "principles", "slug": "frugality", "action": "add"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "<html" not in body and 'id="story-tags"' in body
    assert "Remove Frugality" in body
    assert list(story.principles.values_list("slug", flat=True)) == ["frugality"]
    user_client.post(
        url,
        {"relation": "principles", "slug": "frugality", "action": "remove"},
        HTTP_HX_REQUEST="true",
    )
    assert not story.principles.exists()


def test_tagging_failure_theme_updates_the_stored_review(user_client, user):
    story = StoryFactory(owner=user, learning="")
    story.refresh_from_db()
    assert "no_learning" in story.red_flags
    user_client.post(
        reverse("stories:tag", args=[story.pk]),
        {"relation": "themes", "slug": "failure-recovery", "action": "add"},
    )
    story.refresh_from_db()
    assert "no_learning" in story.red_flags
    assert story.score < 100


@pytest.mark.parametrize(
    "data",
    [
        {"relation": "principles", "slug": "no-such", "action": "add"},
        {"relation": "levels", "slug": "senior", "action": "add"},
        {"relation": "themes", "slug": "mentorship", "action": "explode"},
        {},
    ],
)
def test_bad_tag_posts_are_refused_cleanly(user_client, user, data):
    story = StoryFactory(owner=user)
    response = user_client.post(
        reverse("stories:tag", args=[story.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert not story.principles.exists() and not story.themes.exists()


def test_story_page_shows_sections_metrics_and_coach(user_client, user):
    story = StoryFactory(owner=user)
    body = user_client.get(story.get_absolute_url()).content.decode()
    assert STRONG_STORY["action"][:40] in body
    assert "$60k a month kept" in body
    assert 'data-testid="score"' in body


# --- The bank list -----------------------------------------------------------------


def test_bank_filters_by_principle_theme_level_kind_and_status(user_client, user):
    ownership = Principle.objects.get(slug="ownership")
    mentorship = Theme.objects.get(slug="mentorship")
    wanted = StoryFactory(
        owner=user, title="Wanted", principles=[ownership], themes=[mentorship], status="ready"
    )
    StoryFactory(owner=user, title="Other", status="ready")
    response = user_client.get(
        reverse("stories:bank"),
        {"principle": "ownership", "theme": "mentorship", "status": "ready"},
    )
    assert [s.pk for s in response.context["page"]] == [wanted.pk]


def test_bank_search_ranks_title_matches_first(user_client, user):
    StoryFactory(
        owner=user, title="A quiet week", action="I mentioned a migration in passing. " * 3
    )
    best = StoryFactory(owner=user, title="Database migration rescue")
    StoryFactory(
        owner=user,
        title="Unrelated",
        situation="Nothing to see.",
        task="",
        action="Nothing.",
        result="",
        learning="",
    )
    response = user_client.get(reverse("stories:bank"), {"q": "migrations"})
    titles = [s.title for s in response.context["page"]]
    assert titles[0] == best.title
    assert "Unrelated" not in titles


def test_bank_filter_stories_with_red_flags(user_client, user):
    flagged = StoryFactory(owner=user, action="We decided to rewrite it. We shipped it.")
    StoryFactory(owner=user)
    response = user_client.get(reverse("stories:bank"), {"flags": "with"})
    assert [s.pk for s in response.context["page"]] == [flagged.pk]


def test_bank_htmx_returns_the_results_partial(user_client, user):
    StoryFactory(owner=user, title="Visible")
    response = user_client.get(reverse("stories:bank"), {"sort": "title"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "Visible" in body


@pytest.mark.parametrize(
    "params",
    [
        {"principle": "nope"},
        {"sort": "evil"},
        {"page": "x"},
        {"q": "\x00"},
        {"q": "!!&&||"},
        {"status": "??"},
    ],
)
def test_bank_ignores_nonsense_filters(user_client, params):
    assert user_client.get(reverse("stories:bank"), params).status_code == 200


def test_bank_figures_count_status_and_coverage(user_client, user):
    # Coverage counts only ready stories (the draft's principle is not covered);
    # the matching itself is tested in tests/stories/test_coverage.py.
    polished = StoryFactory(
        owner=user, status="polished", themes=[Theme.objects.get(slug="mentorship")]
    )
    Story.objects.filter(pk=polished.pk).update(score=90)
    StoryFactory(owner=user, status="draft", principles=[Principle.objects.get(slug="frugality")])
    figures = user_client.get(reverse("stories:bank")).context["figures"]
    assert figures["total"] == 2
    assert ("Polished", 1) in figures["by_status"] and ("Draft", 1) in figures["by_status"]
    assert figures["themes_covered"] == 1 and figures["principles_covered"] == 0


# --- Coverage (more in tests/stories/test_coverage.py) --------------------------------


def test_coverage_names_gaps_and_links_cells_to_the_filtered_list(user_client, user):
    story = StoryFactory(
        owner=user,
        status="ready",
        principles=[Principle.objects.get(slug="ownership")],
        themes=[Theme.objects.get(slug="mentorship")],
    )
    Story.objects.filter(pk=story.pk).update(score=90)
    body = user_client.get(reverse("stories:coverage")).content.decode()
    assert "No story yet for Frugality" in body
    assert "No story yet for Ownership" not in body
    assert "Ownership: 1 of 2 stories" in body
    assert "Failure and recovery: none yet" in body
    assert f"{reverse('stories:bank')}?principle=ownership" in body
    assert 'data-testid="grid-level"' in body


def test_coverage_can_count_drafts_and_flagged_stories_too(user_client, user):
    StoryFactory(
        owner=user,
        principles=[Principle.objects.get(slug="ownership")],
        action="We did it all. We won.",
    )
    ready = user_client.get(reverse("stories:coverage")).context["coverage"]
    every = user_client.get(reverse("stories:coverage"), {"all": "1"}).context["coverage"]
    assert every.story_count == 1 and ready.story_count == 0
    assert (
        "No story yet for Ownership"
        in user_client.get(reverse("stories:coverage")).content.decode()
    )


def test_story_page_loads_its_practice_card_from_the_practice_app(user_client, user):
    # What the card says is tested with the practice app (tests/practice/test_views.py).
    story = StoryFactory(owner=user)
    page = user_client.get(story.get_absolute_url()).content.decode()
    fragment = reverse("practice:story", args=[story.pk])
    assert f'hx-get="{fragment}" hx-trigger="load"' in page
    assert f'href="{fragment}" data-testid="practice-link"' in page  # works without JavaScript


# --- The live review takes no more than the story form ------------------------------------


def test_an_oversized_live_review_is_refused_unread(user_client):
    from stories.models import ANSWER_MAX

    huge = {f"answer_f{n}": "I " * 10_000 for n in range(120)}
    huge |= {f"section_f{n}": "action" for n in range(120)}
    response = user_client.post(reverse("stories:review"), huge)
    assert response.status_code == 400
    assert "at most 30 answers" in response.content.decode()
    assert len(response.content) < 2_000  # no review, no narrative echoed back

    long = {"answer_a": "x" * (ANSWER_MAX + 1), "section_a": "action"}
    response = user_client.post(reverse("stories:review"), long, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps only a 200 in: the panel says why
    assert 'data-testid="coach-error"' in response.content.decode()
    assert "the limit is 5,000" in response.content.decode()


def test_a_live_review_at_the_story_forms_limits_is_reviewed(user_client):
    from stories.models import ANSWER_MAX, ANSWERS_MAX

    data = {f"answer_f{n}": "We shipped it. " for n in range(ANSWERS_MAX)}
    data |= {f"section_f{n}": "action" for n in range(ANSWERS_MAX)}
    data["answer_f0"] = ("I led it. " * ANSWER_MAX)[:ANSWER_MAX]
    response = user_client.post(reverse("stories:review"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="score"' in response.content.decode()


# --- The user's stories of one principle (the fragment the catalogue page loads) ---


def test_principle_stories_lists_only_your_stories_of_that_principle(user_client, user):
    ownership = Principle.objects.get(slug="ownership")
    mine = StoryFactory(owner=user, title="Payments fallback", principles=[ownership])
    StoryFactory(owner=user, title="Untagged one")
    StoryFactory(title="Someone else's ownership story", principles=[ownership])
    url = reverse("stories:principle", args=["ownership"])
    page = user_client.get(url).content.decode()
    assert "<html" in page and mine.get_absolute_url() in page
    assert "Untagged one" not in page and "Someone else" not in page
    fragment = user_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'data-testid="my-stories"' in fragment
    assert "Payments fallback" in fragment and "Someone else" not in fragment


def test_principle_stories_says_when_there_are_none(user_client):
    body = user_client.get(reverse("stories:principle", args=["frugality"])).content.decode()
    assert "No story of yours is tagged to this principle yet." in body
    assert user_client.get(reverse("stories:principle", args=["no-such"])).status_code == 404


@pytest.mark.parametrize("extra", [1, 50])
def test_principle_stories_query_count_is_fixed(
    user_client, user, django_assert_num_queries, extra
):
    ownership = Principle.objects.get(slug="ownership")
    StoryFactory.create_batch(extra, owner=user, principles=[ownership])
    # session, user, savepoints, the principle, the stories.
    with django_assert_num_queries(6):
        response = user_client.get(
            reverse("stories:principle", args=["ownership"]), HTTP_HX_REQUEST="true"
        )
    assert response.content.decode().count("<li") == extra


def test_bank_page_links_declare_their_htmx_attributes_once_on_the_nav(user_client, user):
    StoryFactory.create_batch(26, owner=user)
    body = user_client.get(reverse("stories:bank"), {"status": "draft"}).content.decode()
    nav = body[
        body.index('<nav aria-label="Pages"') : body.index(
            "</nav>", body.index('aria-label="Pages"')
        )
    ]
    assert 'hx-boost="true"' in nav and 'hx-target="#bank-results"' in nav
    assert nav.count("hx-") == 4, "declared once, inherited by the links"
    assert 'href="?status=draft&amp;page=2"' in nav, "a real link that keeps the filters"
    second = user_client.get(
        reverse("stories:bank"), {"status": "draft", "page": "2"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in second.content.decode() and second.context["page"].number == 2


# --- The live review judges the length against the user's own band ------------------------


def strong_story_post() -> dict:
    data = {}
    for name, text in STRONG_STORY.items():
        data[f"answer_{name}"] = text
        data[f"section_{name}"] = name
    return data


def test_the_live_review_uses_the_users_band(user_client, user):
    from tests.factories import PracticeSettingsFactory

    default = user_client.post(reverse("stories:review"), strong_story_post()).content.decode()
    assert "aim for 300–450 words, 120–180 s" in default
    assert 'data-code="too_long"' not in default  # 341 words fit the guide's band

    PracticeSettingsFactory(user=user, band_min_seconds=30, band_max_seconds=90)
    short = user_client.post(reverse("stories:review"), strong_story_post()).content.decode()
    assert "aim for 75–225 words, 30–90 s" in short
    assert 'data-code="too_long"' in short  # the same story is too long for a 90 s band


# --- The core theme ---------------------------------------------------------------


def test_a_story_created_on_the_form_keeps_its_core_theme_among_its_themes(user_client, user):
    user_client.post(
        reverse("stories:create", args=["technical-direction"]),
        technical_direction_post(core_theme="mentorship"),
    )
    story = Story.objects.get(owner=user)
    assert story.core_theme.slug == "mentorship"
    assert sorted(t.slug for t in story.themes.all()) == ["leadership-influence", "mentorship"]
    bank = user_client.get(reverse("stories:bank"), {"theme": "mentorship"}).content.decode()
    assert story.title in bank


def test_a_plain_star_story_without_a_core_theme_is_not_saved_and_says_why(user_client, user):
    data = {f"answer_{name}": "x" for name in ("situation", "task", "action", "result")}
    data |= {"title": "No theme", "status": "draft"}
    response = user_client.post(reverse("stories:create", args=["plain-star"]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose a core theme: the one theme this story is mainly about." in body
    assert not Story.objects.filter(owner=user).exists()
    data["core_theme"] = "failure-recovery"  # positive control: chosen, it saves
    assert user_client.post(reverse("stories:create", args=["plain-star"]), data).status_code == 302
    assert Story.objects.get(owner=user).core_theme.slug == "failure-recovery"


def test_the_form_offers_the_core_theme_by_name_above_the_other_themes(user_client):
    body = user_client.get(reverse("stories:create", args=["plain-star"])).content.decode()
    assert "Core theme" in body and "Other themes it can flex to" in body
    assert body.index('name="core_theme"') < body.index('name="themes"')
    assert '<option value="mentorship">Mentorship</option>' in body


def test_the_story_page_shows_the_core_theme_beside_the_other_themes(user_client, user):
    story = StoryFactory(
        owner=user,
        themes=[Theme.objects.get(slug="mentorship")],
        core_theme=Theme.objects.get(slug="customer-impact"),
    )
    body = user_client.get(story.get_absolute_url()).content.decode()
    assert "Core theme: <strong>Customer impact</strong>" in body
    assert "Other themes it can flex to" in body and "Remove Mentorship" in body
    # The core theme is changed on the form, not removed with the other tags.
    assert "Remove Customer impact" not in body


def test_another_user_never_sees_a_core_theme(user_client, other_client, user):
    story = StoryFactory(
        owner=user, title="Mine", core_theme=Theme.objects.get(slug="customer-impact")
    )
    for name in ("stories:detail", "stories:edit"):
        url = reverse(name, args=[story.pk])
        assert other_client.get(url).status_code == 404
        assert "Customer impact" in user_client.get(url).content.decode()  # the owner does
