"""Loop pages through the test client: create (with a proposed split), edit, plan,
pin, exclude, the sheet and delete; htmx variants; bad input; query counts."""

import pytest
from django.db import reset_queries
from django.urls import reverse

from practice.models import Interviewer, Loop, LoopExclusion, LoopPin
from principles.models import Level, Principle, Question
from tests.factories import LoopFactory, StoryFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def principle(slug: str) -> Principle:
    return Principle.objects.get(slug=slug)


def loop_post(names=("Hiring manager", "Bar raiser", "", "", ""), principles=None, **fields):
    """The loop form as a browser posts it: five interviewers, principles as given."""
    principles = principles or [[] for _ in names]
    data = {
        "company": "Amazon",
        "interview_date": "2026-12-14",
        "level": "senior",
        "interviewers-TOTAL_FORMS": str(len(names)),
        "interviewers-INITIAL_FORMS": str(len(names)),
    }
    for i, (name, slugs) in enumerate(zip(names, principles, strict=True)):
        data[f"interviewers-{i}-name"] = name
        data[f"interviewers-{i}-principles"] = slugs
    data.update(fields)
    return data


@pytest.fixture
def loop(user):
    """Two interviewers: Ownership and Frugality; then Dive Deep."""
    return LoopFactory(
        owner=user,
        level=Level.objects.get(slug="senior"),
        interviewers=[[principle("ownership"), principle("frugality")], [principle("dive-deep")]],
    )


def story(user, title, *slugs, **fields):
    return StoryFactory(owner=user, title=title, principles=[principle(s) for s in slugs], **fields)


# --- Creating and editing ------------------------------------------------------------


def test_the_new_loop_page_offers_five_interviewers_or_as_many_as_asked(user_client):
    body = user_client.get(reverse("practice:loop-create")).content.decode()
    assert body.count('data-testid="interviewer-row"') == 5
    asked = user_client.get(reverse("practice:loop-create") + "?interviewers=3")
    assert asked.content.decode().count('data-testid="interviewer-row"') == 3
    silly = user_client.get(reverse("practice:loop-create") + "?interviewers=9999")
    assert silly.content.decode().count('data-testid="interviewer-row"') == 8


def test_a_loop_saved_without_principles_gets_a_typical_split_of_all_sixteen(user_client, user):
    response = user_client.post(reverse("practice:loop-create"), loop_post())
    loop = Loop.objects.get(owner=user)
    assert response.status_code == 302 and response["Location"] == loop.get_absolute_url()
    interviewers = list(loop.interviewers.order_by("position"))
    assert [i.name for i in interviewers] == ["Hiring manager", "Bar raiser", "", "", ""]
    split = [set(i.principles.values_list("slug", flat=True)) for i in interviewers]
    assert all(2 <= len(mine) <= 4 for mine in split)
    assert set().union(*split) == set(Principle.objects.values_list("slug", flat=True))
    assert loop.company == "Amazon" and loop.level.slug == "senior"
    assert str(loop.interview_date) == "2026-12-14"


def test_propose_a_typical_split_fills_in_the_form_and_saves_nothing(user_client, user):
    data = loop_post(
        names=("Hiring manager", "Bar raiser"), principles=[["ownership"], []], propose="1"
    )
    response = user_client.post(reverse("practice:loop-create"), data)
    assert response.status_code == 200
    assert not Loop.objects.filter(owner=user).exists()
    formset = response.context["formset"]
    first, second = (form["principles"].value() for form in formset)
    assert first == ["ownership"], "what the user chose is kept"
    assert len(second) >= 2 and "ownership" not in second
    assert "A typical split is filled in below" in response.content.decode()


def test_editing_a_loop_changes_its_interviewers(user_client, loop):
    url = reverse("practice:loop-edit", args=[loop.pk])
    page = user_client.get(url)
    assert page.context["formset"].forms[0]["principles"].value() == ["ownership", "frugality"]
    data = loop_post(names=("Bar raiser",), principles=[["earn-trust", "think-big"]])
    response = user_client.post(url, data)
    assert response.status_code == 302
    interviewers = list(loop.interviewers.all())
    assert [i.name for i in interviewers] == ["Bar raiser"]
    assert set(interviewers[0].principles.values_list("slug", flat=True)) == {
        "earn-trust",
        "think-big",
    }


def test_an_interviewer_ticked_remove_is_left_out(user_client, user):
    data = loop_post(names=("Keep", "Drop"), principles=[["ownership"], ["frugality"]])
    data["interviewers-1-DELETE"] = "on"
    user_client.post(reverse("practice:loop-create"), data)
    assert list(Interviewer.objects.filter(loop__owner=user).values_list("name", flat=True)) == [
        "Keep"
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"level": "no-such-level"},
        {"interview_date": "not a date"},
        {"company": "x" * 101},
        {"interviewers-0-principles": ["no-such-principle"]},
        {"interviewers-0-name": "y" * 101},
        {"interviewers-TOTAL_FORMS": "500", "interviewers-INITIAL_FORMS": "500"},
        {"interviewers-TOTAL_FORMS": "many"},
        {"interviewers-0-DELETE": "on", "interviewers-1-DELETE": "on"},
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_saved(user_client, user, changes):
    data = loop_post(names=("A", "B"), principles=[["ownership"], ["frugality"]], **changes)
    response = user_client.post(reverse("practice:loop-create"), data)
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    assert not Loop.objects.filter(owner=user).exists()
    # Positive control: the same post without the bad part saves.
    good = loop_post(names=("A", "B"), principles=[["ownership"], ["frugality"]])
    assert user_client.post(reverse("practice:loop-create"), good).status_code == 302


def test_the_loops_page_lists_only_the_users_own_loops(user_client, loop, other_user):
    LoopFactory(owner=other_user, company="Someone else's loop")
    body = user_client.get(reverse("practice:loops")).content.decode()
    assert loop.get_absolute_url() in body
    assert "2 interviewers" in body
    assert "Someone else" not in body


def test_deleting_a_loop_keeps_the_stories(user_client, user, loop):
    kept = story(user, "Payments fallback", "ownership")
    response = user_client.post(reverse("practice:loop-delete", args=[loop.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("practice:loops")
    assert not Loop.objects.filter(pk=loop.pk).exists()
    assert user.stories.filter(pk=kept.pk).exists()


# --- The plan page --------------------------------------------------------------------


def slot_html(body: str, principle_slug: str) -> str:
    """The part of the plan page for one principle's slot."""
    start = body.index(f'data-principle="{principle_slug}"')
    end = body.find('data-testid="slot"', start + 1)
    return body[start : end if end > 0 else len(body)]


def test_the_plan_gives_each_slot_a_story_or_a_named_gap_with_its_ways_out(user_client, user, loop):
    story(user, "Payments fallback", "ownership")
    story(user, "Cloud bill halved", "frugality")
    body = user_client.get(loop.get_absolute_url()).content.decode()
    assert "Payments fallback" in slot_html(body, "ownership")
    assert "Cloud bill halved" in slot_html(body, "frugality")
    gap = slot_html(body, "dive-deep")
    assert "Gap:" in gap
    new_story = reverse("stories:new") + "?principle=dive-deep"
    assert f'href="{new_story}"' in gap
    assert "Write a new story" in gap
    assert "1 gap in this loop" in body


def test_a_gap_names_a_story_already_told_to_another_interviewer(user_client, user, loop):
    story(user, "Payments fallback", "ownership", "dive-deep")
    body = user_client.get(loop.get_absolute_url()).content.decode()
    ownership, dive_deep = slot_html(body, "ownership"), slot_html(body, "dive-deep")
    gap, told = (dive_deep, "1") if "Gap:" not in ownership else (ownership, "2")
    assert f"reuse “Payments fallback” (told to Interviewer {told})" in gap
    assert 'data-testid="write-new"' in gap


def test_every_choice_is_explained(user_client, user, loop):
    story(user, "Payments fallback", "ownership")
    body = user_client.get(loop.get_absolute_url()).content.decode()
    assert "Ownership for Interviewer 1: ‘Payments fallback’ — tagged Ownership" in body.replace(
        "&#x27;", "'"
    )


# --- Pins and exclusions ---------------------------------------------------------------


def test_pinning_a_story_plans_the_rest_again_and_redirects_without_js(user_client, user, loop):
    first = story(user, "Payments fallback", "ownership")
    second = story(user, "On-call rota", "ownership")
    pin = {"interviewer": "1", "principle": "ownership"}
    before = user_client.get(loop.get_absolute_url()).content.decode()
    planned = (
        first
        if "Payments fallback" in slot_html(before, "ownership").split("Backup")[0]
        else second
    )
    other = second if planned == first else first
    response = user_client.post(
        reverse("practice:loop-pin", args=[loop.pk]), {**pin, "story": other.pk}
    )
    assert response.status_code == 302 and response["Location"] == loop.get_absolute_url()
    assert LoopPin.objects.get(loop=loop).story == other
    after = user_client.get(loop.get_absolute_url()).content.decode()
    primary = slot_html(after, "ownership").split("Backup")[0]
    assert other.title in primary and "pinned" in primary
    # Unpinning (no story chosen) lets the planner choose again.
    user_client.post(reverse("practice:loop-pin", args=[loop.pk]), {**pin, "story": ""})
    assert not LoopPin.objects.filter(loop=loop).exists()


def test_htmx_gets_only_the_plan_made_again_at_once(user_client, user, loop):
    pinned = story(user, "Payments fallback", "ownership")
    data = {"interviewer": "1", "principle": "ownership", "story": pinned.pk}
    response = user_client.post(reverse("practice:loop-pin", args=[loop.pk]), data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="loop-plan"')
    assert "<html" not in body
    assert "Pinned “Payments fallback”" in body, "the message comes with the plan"
    assert "pinned" in slot_html(body, "ownership")


def test_pinning_someone_elses_story_or_to_a_principle_not_probed_changes_nothing(
    user_client, user, loop, other_user
):
    theirs = StoryFactory(owner=other_user, title="Their story")
    mine = story(user, "Mine", "ownership")
    url = reverse("practice:loop-pin", args=[loop.pk])
    for data in (
        {"interviewer": "1", "principle": "ownership", "story": theirs.pk},
        {"interviewer": "1", "principle": "dive-deep", "story": mine.pk},
        {"interviewer": "7", "principle": "ownership", "story": mine.pk},
        {"interviewer": "1", "principle": "ownership", "story": "abc"},
    ):
        response = user_client.post(url, data, follow=True)
        assert response.status_code == 200
        assert "Nothing was pinned" in response.content.decode()
    assert not LoopPin.objects.exists()
    user_client.post(url, {"interviewer": "1", "principle": "ownership", "story": mine.pk})
    assert LoopPin.objects.get().story == mine


def test_excluding_a_story_plans_without_it_and_including_it_brings_it_back(
    user_client, user, loop
):
    left_out = story(user, "Payments fallback", "ownership")
    url = reverse("practice:loop-exclude", args=[loop.pk])
    response = user_client.post(url, {"story": left_out.pk, "action": "exclude"}, **HTMX)
    body = response.content.decode()
    assert LoopExclusion.objects.filter(loop=loop, story=left_out).exists()
    assert "Gap:" in slot_html(body, "ownership")
    assert "Plan it again" in body
    response = user_client.post(url, {"story": left_out.pk, "action": "include"})
    assert response.status_code == 302
    assert not LoopExclusion.objects.exists()
    body = user_client.get(loop.get_absolute_url()).content.decode()
    assert "Payments fallback" in slot_html(body, "ownership")


# --- The loop sheet ---------------------------------------------------------------------


def test_the_sheet_has_one_page_per_interviewer_with_stories_metrics_and_probes(
    user_client, user, loop
):
    story(user, "Payments fallback", "ownership", metrics="5% → 0.4% failed payments")
    senior = Question.objects.active().filter(level__slug="senior").exclude(follow_ups="")
    probe = senior.filter(principles__slug="ownership").order_by("pk").first().follow_up_list[0]
    body = user_client.get(reverse("practice:loop-sheet", args=[loop.pk])).content.decode()
    pages = body.split('data-testid="sheet-page"')[1:]
    assert len(pages) == 2
    assert "Interviewer 1" in pages[0] and "Interviewer 2" in pages[1]
    assert (
        "Payments fallback" in pages[0] and "<strong>5% → 0.4% failed payments</strong>" in pages[0]
    )
    assert f"<li>{probe}</li>" in pages[0].replace("&#x27;", "'")
    assert f"<li>{probe}</li>" not in pages[1].replace("&#x27;", "'")
    assert "Dive Deep" in pages[1] and "Gap:" in pages[1]
    assert "css/print.css" in body


# --- Query counts ------------------------------------------------------------------------


def bank(user, size):
    slugs = ["ownership", "frugality", "dive-deep", "earn-trust"]
    for n in range(size):
        story(user, f"Story {n}", slugs[n % len(slugs)])


@pytest.mark.parametrize("name", ["practice:loop", "practice:loop-sheet"])
def test_the_loop_page_and_sheet_run_a_fixed_number_of_queries(
    user_client, user, loop, name, django_assert_num_queries, django_assert_max_num_queries
):
    url = reverse(name, args=[loop.pk])
    bank(user, 1)
    user_client.get(url)  # warm the session and the catalogue caches
    # A request empties the query log as it starts (request_started), so each count
    # starts from an empty log too.
    reset_queries()
    with django_assert_max_num_queries(40) as small:
        assert user_client.get(url).status_code == 200
    queries = len(small.captured_queries)  # read now: the log is a window on a list
    assert "Gap:" in small_body(user_client, url), "one story cannot fill three slots"
    bank(user, 49)
    reset_queries()
    with django_assert_num_queries(queries):
        body = user_client.get(url).content.decode()
    assert "Gap:" not in body, "fifty stories fill them all"


def small_body(client, url) -> str:
    return client.get(url).content.decode()
