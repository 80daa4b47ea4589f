"""Loops: the services that write them and the plan page's selector (loop_page)."""

import pytest

from config.accounts import account_delete
from practice import selectors, services
from practice.models import Interviewer, Loop, LoopExclusion, LoopPin
from practice.services import InterviewerSpec, LoopError
from principles.models import Level, Principle
from tests.factories import AnswerFactory, StoryFactory

pytestmark = pytest.mark.django_db


def principle(slug):
    return Principle.objects.get(slug=slug)


@pytest.fixture
def senior():
    return Level.objects.get(slug="senior")


@pytest.fixture
def ownership():
    return principle("ownership")


@pytest.fixture
def dive_deep():
    return principle("dive-deep")


def make_loop(user, senior, *parts, names=()):
    specs = [
        InterviewerSpec(name=names[i] if i < len(names) else "", principles=tuple(part))
        for i, part in enumerate(parts)
    ]
    return services.loop_create(user=user, level=senior, interviewers=specs, company="Amazon")


def test_a_loop_is_created_with_its_interviewers_in_order(user, senior, ownership, dive_deep):
    loop = make_loop(user, senior, [ownership], [dive_deep], names=["Hiring manager"])

    assert loop.owner == user and loop.company == "Amazon" and loop.level == senior
    interviewers = list(loop.interviewers.all())
    assert [i.label for i in interviewers] == ["Hiring manager", "Interviewer 2"]
    assert [list(i.principles.all()) for i in interviewers] == [[ownership], [dive_deep]]
    assert list(Loop.objects.for_user(user)) == [loop]


def test_a_loop_needs_an_interviewer_and_nothing_is_written_without_one(user, senior):
    with pytest.raises(LoopError, match="at least one interviewer"):
        services.loop_create(user=user, level=senior, interviewers=[])
    assert not Loop.objects.exists()


def test_a_too_long_company_is_refused_whole(user, senior, ownership):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.loop_create(
            user=user,
            level=senior,
            company="x" * 101,
            interviewers=[InterviewerSpec(principles=(ownership,))],
        )
    assert not Loop.objects.exists()


def test_the_proposed_split_covers_all_sixteen_principles_across_five(db):
    split = selectors.loop_proposed_split(5)
    assert [len(part) for part in split] == [4, 3, 3, 3, 3]
    assert {p.slug for part in split for p in part} == set(
        Principle.objects.values_list("slug", flat=True)
    )


def test_updating_a_loop_keeps_pins_whose_slot_remains(user, senior, ownership, dive_deep):
    loop = make_loop(user, senior, [ownership, dive_deep], [dive_deep])
    first, second = loop.interviewers.all()
    story = StoryFactory(owner=user)
    other = StoryFactory(owner=user)
    services.loop_pin(loop=loop, interviewer=first, principle=ownership, story=story)
    services.loop_pin(loop=loop, interviewer=first, principle=dive_deep, story=other)

    services.loop_update(
        loop=loop,
        level=senior,
        company="Amazon Web Services",
        interviewers=[InterviewerSpec("Bar raiser", (ownership,))],
    )

    loop.refresh_from_db()
    assert loop.company == "Amazon Web Services"
    assert [i.label for i in loop.interviewers.all()] == ["Bar raiser"]
    assert list(LoopPin.objects.values_list("story", flat=True)) == [story.pk]


def test_pinning_a_story_moves_its_pin_and_includes_it_again(user, senior, ownership, dive_deep):
    loop = make_loop(user, senior, [ownership], [dive_deep])
    first, second = loop.interviewers.all()
    story = StoryFactory(owner=user)
    services.loop_exclude(loop=loop, story=story)
    services.loop_pin(loop=loop, interviewer=first, principle=ownership, story=story)
    assert not LoopExclusion.objects.exists()

    services.loop_pin(loop=loop, interviewer=second, principle=dive_deep, story=story)

    assert list(LoopPin.objects.values_list("interviewer", "story")) == [(second.pk, story.pk)]


def test_a_pin_is_refused_for_anothers_story_or_a_principle_the_interviewer_does_not_probe(
    user, other_user, senior, ownership, dive_deep
):
    loop = make_loop(user, senior, [ownership])
    interviewer = loop.interviewers.get()
    with pytest.raises(LoopError, match="not in your bank"):
        services.loop_pin(
            loop=loop,
            interviewer=interviewer,
            principle=ownership,
            story=StoryFactory(owner=other_user),
        )
    with pytest.raises(LoopError, match="does not probe Dive Deep"):
        services.loop_pin(
            loop=loop, interviewer=interviewer, principle=dive_deep, story=StoryFactory(owner=user)
        )
    assert not LoopPin.objects.exists()


def test_excluding_a_pinned_story_unpins_it_and_include_undoes_it(user, senior, ownership):
    loop = make_loop(user, senior, [ownership])
    interviewer = loop.interviewers.get()
    story = StoryFactory(owner=user)
    services.loop_pin(loop=loop, interviewer=interviewer, principle=ownership, story=story)

    services.loop_exclude(loop=loop, story=story)
    services.loop_exclude(loop=loop, story=story)  # twice is once

    assert not LoopPin.objects.exists()
    assert LoopExclusion.objects.filter(loop=loop, story=story).count() == 1
    services.loop_include(loop=loop, story=story)
    assert not LoopExclusion.objects.exists()


def test_deleting_a_loop_keeps_the_stories(user, senior, ownership):
    loop = make_loop(user, senior, [ownership])
    story = StoryFactory(owner=user)
    services.loop_exclude(loop=loop, story=story)

    services.loop_delete(loop=loop)

    assert not Loop.objects.exists() and not Interviewer.objects.exists()
    assert not LoopExclusion.objects.exists()
    story.refresh_from_db()


def test_a_loop_goes_with_its_account(user, other_user, senior, ownership):
    make_loop(user, senior, [ownership])
    theirs = make_loop(other_user, senior, [ownership])

    account_delete(user=user)

    assert list(Loop.objects.all()) == [theirs]


# --- loop_page ------------------------------------------------------------------------------


def test_the_loop_page_plans_each_interviewer_with_reasons_pins_and_exclusions(
    user, senior, ownership, dive_deep
):
    loop = make_loop(user, senior, [ownership], [dive_deep], names=["Hiring manager", "Bar raiser"])
    payments = StoryFactory(owner=user, title="Payments fallback", principles=[ownership])
    AnswerFactory(session__owner=user, story=payments, answered=True, rating=5)
    AnswerFactory(session__owner=user, story=payments, answered=True, rating=4)
    dive = StoryFactory(owner=user, title="Latency hunt", principles=[dive_deep, ownership])
    StoryFactory(owner=StoryFactory().owner, title="Not mine", principles=[dive_deep])

    page = selectors.loop_page(loop)

    (hiring, bar) = page["interviewers"]
    assert hiring.interviewer.label == "Hiring manager"
    assert hiring.slots[0].primary.title == "Payments fallback"
    assert "rated 4.5 in practice" in hiring.slots[0].explanation
    assert hiring.slots[0].explanation.startswith(
        "Ownership for Hiring manager: ‘Payments fallback’ — tagged Ownership"
    )
    assert bar.slots[0].primary.title == "Latency hunt"
    assert page["gaps"] == []

    services.loop_exclude(loop=loop, story=dive)
    page = selectors.loop_page(loop)
    (_, bar) = page["interviewers"]
    assert bar.slots[0].is_gap
    assert bar.slots[0].gap_ways.principle_slug == "dive-deep"
    assert page["excluded_stories"] == [dive]

    services.loop_include(loop=loop, story=dive)
    services.loop_pin(
        loop=loop, interviewer=loop.interviewers.first(), principle=ownership, story=dive
    )
    (hiring, bar) = selectors.loop_page(loop)["interviewers"]
    assert hiring.slots[0].primary.title == "Latency hunt" and hiring.slots[0].pinned
    assert bar.slots[0].is_gap
    assert bar.slots[0].gap_ways.reuse_title == "Latency hunt"


def bank(user, size, principles):
    for n in range(size):
        story = StoryFactory(owner=user, principles=[principles[n % len(principles)]])
        AnswerFactory(session__owner=user, story=story, answered=True)


@pytest.mark.parametrize("size", [1, 50])
def test_the_loop_page_runs_a_fixed_number_of_queries(
    user, senior, ownership, dive_deep, size, django_assert_num_queries
):
    loop = make_loop(user, senior, [ownership, dive_deep], [dive_deep])
    bank(user, size, [ownership, dive_deep])
    services.loop_exclude(loop=loop, story=StoryFactory(owner=user))
    loop = Loop.objects.get(pk=loop.pk)

    with django_assert_num_queries(12):
        page = selectors.loop_page(loop)

    assert page["bank_size"] == size + 1
    filled = [s for i in page["interviewers"] for s in i.slots if s.primary]
    assert len(filled) == min(3, size)
