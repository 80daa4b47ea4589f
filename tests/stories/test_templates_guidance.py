"""The seeded templates agree with the coach (issue 13): what they suggest, how long
each answer should be, and how their answers read once joined into a story."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from stories.models import Story, StoryTemplate
from stories.review import THIN_ACTION_SHARE, review_story
from stories.star import SPOKEN_BAND, TIME_BUDGET, sections_from_answers

pytestmark = pytest.mark.django_db

CORE_THEMES = {
    "technical-direction": "technical-complexity",
    "mentorship": "mentorship",
    "cross-team-alignment": "cross-team-collaboration",
    "crisis": "technical-complexity",
    "failure-recovery": "failure-recovery",
    "conflict-resolution": "conflict-resolution",
    "customer-impact": "customer-impact",
    "ambiguity-pivoting": "ambiguity-pivoting",
}
ALL_TEMPLATES = [*CORE_THEMES, "plain-star"]


def template(slug: str) -> StoryTemplate:
    return (
        StoryTemplate.objects.select_related("core_theme")
        .prefetch_related("themes", "principles", "fields")
        .get(slug=slug)
    )


def filled_with_examples(story_template: StoryTemplate, *, skip_section: str = "") -> dict:
    answers = [
        {"key": field.key, "section": field.section, "text": field.example}
        for field in story_template.fields.all()
        if field.section != skip_section
    ]
    return sections_from_answers(answers)


# --- What each template suggests ------------------------------------------------------------


def test_plain_star_suggests_no_theme_no_principle_and_no_core_theme(user_client):
    plain = template("plain-star")
    assert plain.core_theme is None
    assert list(plain.themes.all()) == [] and list(plain.principles.all()) == []
    form = user_client.get(reverse("stories:create", args=["plain-star"])).context["form"]
    assert list(form.initial["themes"]) == [] and list(form.initial["principles"]) == []


@pytest.mark.parametrize(("slug", "core"), CORE_THEMES.items())
def test_every_other_template_suggests_one_core_theme_and_at_most_two_others(slug, core):
    story_template = template(slug)
    assert story_template.core_theme.slug == core
    themes = {theme.slug for theme in story_template.themes.all()}
    assert core in themes
    assert len(themes - {core}) <= 2


def test_the_crisis_template_no_longer_implies_a_failure_story():
    crisis = template("crisis")
    assert crisis.core_theme.slug != "failure-recovery"
    assert "failure-recovery" not in {theme.slug for theme in crisis.themes.all()}


def review_page_for_empty_form(client, slug: str) -> str:
    """What the coach panel says about the template's form as it first opens."""
    form = client.get(reverse("stories:create", args=[slug])).context["form"]
    data = {"themes": [theme.slug for theme in form.initial["themes"]]}
    core_theme = form.initial.get("core_theme")
    if core_theme:  # posted by the select, as the browser does
        data["core_theme"] = getattr(core_theme, "slug", core_theme)
    for spec in form.answer_specs:
        data[spec["name"]] = ""
        data[f"section_{spec['key']}"] = spec["section"]
    response = client.post(reverse("stories:review"), data)
    assert response.status_code == 200
    return response.content.decode()


def test_an_empty_crisis_form_shows_no_failure_story_error(user_client):
    failure = review_page_for_empty_form(user_client, "failure-recovery")
    assert "This is a failure story" in failure  # the coach does say it where it applies
    crisis = review_page_for_empty_form(user_client, "crisis")
    assert 'data-testid="coach"' in crisis
    assert "This is a failure story" not in crisis


# --- How much each answer should say ---------------------------------------------------------


@pytest.mark.parametrize("slug", ALL_TEMPLATES)
def test_word_targets_give_the_action_the_share_the_coach_expects(slug):
    fields = list(template(slug).fields.all())
    assert all(field.target_words > 0 for field in fields)
    total = sum(field.target_words for field in fields)
    action = sum(field.target_words for field in fields if field.section == "action")
    assert SPOKEN_BAND.min_words <= total <= SPOKEN_BAND.max_words
    assert abs(action / total - TIME_BUDGET["action"]) <= 0.05


def test_the_form_shows_about_how_many_words_under_each_field(user_client):
    mentorship = template("mentorship")
    body = user_client.get(reverse("stories:create", args=["mentorship"])).content.decode()
    assert body.count('data-testid="target-words"') == mentorship.fields.count()
    for field in mentorship.fields.all():
        assert f"About {field.target_words} words." in body


def test_a_field_without_a_target_shows_no_word_hint(user_client):
    """Negative case; the test above is its positive control on the same page."""
    mentorship = template("mentorship")
    mentorship.fields.update(target_words=0)
    body = user_client.get(reverse("stories:create", args=["mentorship"])).content.decode()
    assert 'data-testid="target-words"' not in body
    assert "words." not in body.split('id="story-form"', 1)[1].split("Key metrics", 1)[0]


# --- Filled in as guided, the coach agrees ----------------------------------------------------


@pytest.mark.parametrize("slug", ALL_TEMPLATES)
def test_a_template_filled_with_its_own_examples_has_no_thin_action_and_no_error(slug):
    story_template = template(slug)
    review = review_story(
        filled_with_examples(story_template),
        themes=[theme.slug for theme in story_template.themes.all()],
    )
    assert "thin_action" not in review.codes
    assert [f.code for f in review.findings if f.severity == "error"] == []


def test_the_coach_does_flag_a_thin_action_in_the_same_examples():
    """Positive control: with the Action's examples cut to one, the coach sees it."""
    mentorship = template("mentorship")
    sections = filled_with_examples(mentorship)
    sections["action"] = "I set up weekly sessions."
    assert "thin_action" in review_story(sections).codes


def test_the_mentorship_action_is_well_over_the_thin_action_line():
    sections = filled_with_examples(template("mentorship"))
    words = {name: len(text.split()) for name, text in sections.items()}
    told = sum(words[name] for name in ("situation", "task", "action", "result"))
    assert words["action"] / told >= THIN_ACTION_SHARE + 0.15


# --- Readable prose on the story page and in the export ---------------------------------------


def test_a_guided_mentorship_story_reads_as_paragraphs_not_glued_fragments(user_client, user):
    mentorship = template("mentorship")
    data = {f"answer_{field.key}": field.example for field in mentorship.fields.all()}
    data["answer_timeline"] = "about five months, January to June"
    data.update(
        {
            "title": "Design notes mentoring",
            "themes": ["mentorship"],
            "core_theme": "mentorship",
            "status": "draft",
        }
    )
    response = user_client.post(reverse("stories:create", args=["mentorship"]), data)
    assert response.status_code == 302, response.content.decode()[:400]
    story = Story.objects.get(owner=user)
    assert "\n\nAbout five months, January to June." in story.action
    assert "needed few changes. About" not in story.action
    page = user_client.get(story.get_absolute_url()).content.decode()
    assert "About five months, January to June." in page
    export = user_client.get(reverse("stories:transfer_export_markdown")).content.decode()
    assert "\n\nAbout five months, January to June." in export


# --- The migration ---------------------------------------------------------------------------


def test_the_template_migration_can_run_again_without_changing_anything():
    migration = importlib.import_module("stories.migrations.0005_template_guidance")
    before = list(
        StoryTemplate.objects.order_by("slug").values_list(
            "slug", "core_theme__slug", "fields__key", "fields__target_words", "fields__order"
        )
    )
    migration.update_templates(django_apps, None)
    after = list(
        StoryTemplate.objects.order_by("slug").values_list(
            "slug", "core_theme__slug", "fields__key", "fields__target_words", "fields__order"
        )
    )
    assert sorted(after, key=str) == sorted(before, key=str)
    assert StoryTemplate.objects.get(slug="mentorship").fields.count() == 8


# --- Words, not codes -------------------------------------------------------------------------


def test_the_bank_list_names_red_flags_instead_of_printing_their_codes(user_client, user):
    from stories.review import flag_label
    from tests.factories import StoryFactory

    story = StoryFactory(
        owner=user,
        title="Faster builds",
        situation="Builds were slow.",
        task="",
        action="We made them faster together.",
        result="It went well.",
        learning="",
    )
    story.refresh_from_db()
    assert "we_not_i" in story.red_flags and "vague_outcome" in story.red_flags
    body = user_client.get(reverse("stories:bank")).content.decode()
    names = ", ".join(flag_label(code) for code in story.red_flags)
    assert f"Red flags: {names}" in body.replace("&#x27;", "'")
    for code in story.red_flags:
        assert code not in body


def test_the_story_page_heads_each_section_by_its_name(user_client, user):
    from tests.factories import StoryFactory

    story = StoryFactory(owner=user)
    body = user_client.get(story.get_absolute_url()).content.decode()
    for name in ("Situation", "Task", "Action", "Result", "Learning"):
        assert f'<h2 class="h5">{name}</h2>' in body
    assert '<h2 class="h5">situation</h2>' not in body
