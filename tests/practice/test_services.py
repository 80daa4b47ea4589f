"""Writes for practice: starting a session in each mode against the catalogue."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from practice import services
from practice.models import PracticeSession
from principles.models import Level, Principle, Question, Theme
from tests.factories import (
    AnswerFactory,
    PracticeSessionFactory,
    PracticeSettingsFactory,
    QuestionFactory,
    ReviewScheduleFactory,
    StoryFactory,
    ThemeFactory,
)

# --- Each mode against the catalogue ------------------------------------------------


def drawn_questions(session: PracticeSession) -> list[Question]:
    return [
        a.question for a in session.answers.select_related("question__level").order_by("position")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("target", "allowed"),
    [("staff", {"staff", "senior"}), ("senior", {"senior", "mid"}), ("mid", {"mid"})],
)
def test_by_level_draws_the_target_and_the_level_below(user, target, allowed):
    PracticeSettingsFactory(
        user=user, target_level=Level.objects.get(slug=target), questions_per_session=20
    )
    session = services.session_start(user=user, mode="level", rng=random.Random(3))
    levels = [q.level.slug for q in drawn_questions(session)]
    assert len(levels) == 20 and set(levels) == allowed


@pytest.mark.django_db
def test_by_level_skips_retired_questions(user):
    PracticeSettingsFactory(
        user=user, target_level=Level.objects.get(slug="mid"), questions_per_session=20
    )
    Question.objects.filter(level__slug="mid").exclude(
        pk__in=Question.objects.filter(level__slug="mid").order_by("pk").values("pk")[:2]
    ).update(is_active=False)
    session = services.session_start(user=user, mode="level")
    assert len(drawn_questions(session)) == 2


@pytest.mark.django_db
def test_by_principle_prefers_the_users_levels_and_fills_from_others(user):
    principle = Principle.objects.get(slug="frugality")
    mine = Level.objects.get(slug="staff").with_levels_below()
    at_my_levels = principle.questions.filter(level__in=mine).count()
    total = principle.questions.count()
    assert 0 < at_my_levels < total
    PracticeSettingsFactory(
        user=user, target_level=Level.objects.get(slug="staff"), questions_per_session=total
    )
    session = services.session_start(
        user=user, mode="principle", principle=principle, rng=random.Random(4)
    )
    questions = drawn_questions(session)
    assert len(questions) == total
    assert all(principle in q.principles.all() for q in questions)
    fits = [q.level in mine for q in questions]
    assert fits == [True] * at_my_levels + [False] * (total - at_my_levels)


@pytest.mark.django_db
def test_by_theme_draws_only_that_theme(user):
    theme = Theme.objects.get(slug="mentorship")
    PracticeSettingsFactory(user=user, questions_per_session=8)
    session = services.session_start(user=user, mode="theme", theme=theme)
    assert session.theme == theme
    assert all(theme in q.themes.all() for q in drawn_questions(session))


@pytest.mark.django_db
def test_empty_theme_raises_and_creates_no_session(user):
    theme = ThemeFactory(slug="empty-theme", name="Empty theme")
    with pytest.raises(services.EmptyDraw, match="no questions for “Empty theme”"):
        services.session_start(user=user, mode="theme", theme=theme)
    assert not PracticeSession.objects.exists()


def cover_everything(user, *, except_theme=None, draft_theme=None):
    themes = list(
        Theme.objects.exclude(pk=getattr(except_theme, "pk", None)).exclude(
            pk=getattr(draft_theme, "pk", None)
        )
    )
    StoryFactory(
        owner=user, status="polished", principles=list(Principle.objects.all()), themes=themes
    )
    if draft_theme:
        StoryFactory(owner=user, status="draft", themes=[draft_theme])


@pytest.mark.django_db
def test_weakest_first_draws_themes_with_only_drafts(user):
    mentorship = Theme.objects.get(slug="mentorship")
    cover_everything(user, draft_theme=mentorship)
    PracticeSettingsFactory(user=user, questions_per_session=5)
    session = services.session_start(user=user, mode="weakest", rng=random.Random(5))
    assert all(mentorship in q.themes.all() for q in drawn_questions(session))


@pytest.mark.django_db
def test_weakest_first_puts_a_missing_theme_before_a_draft_one(user):
    mentorship = Theme.objects.get(slug="mentorship")
    conflict = Theme.objects.get(slug="conflict-resolution")
    cover_everything(user, except_theme=conflict, draft_theme=mentorship)
    at_levels = conflict.questions.filter(level__slug__in=["senior", "mid"]).exclude(
        themes=mentorship
    )
    PracticeSettingsFactory(user=user, questions_per_session=at_levels.count())
    session = services.session_start(user=user, mode="weakest")
    assert all(conflict in q.themes.all() for q in drawn_questions(session))


@pytest.mark.django_db
def test_weakest_first_draws_where_past_ratings_are_lowest(user):
    cover_everything(user)
    rated = Principle.objects.get(slug="frugality").questions.filter(level__slug="senior")[0]
    past = PracticeSessionFactory(
        owner=user, started_at=timezone.now() - timedelta(days=30), status="finished"
    )
    AnswerFactory(session=past, question=rated, position=1, answered=True, rating=1)
    for _ in range(3):  # push the rated session out of the "recent" window
        PracticeSessionFactory(owner=user, status="finished")
    PracticeSettingsFactory(user=user, questions_per_session=5)
    session = services.session_start(user=user, mode="weakest", rng=random.Random(6))
    shared = {f"p{p.pk}" for p in rated.principles.all()} | {f"t{t.pk}" for t in rated.themes.all()}
    for question in drawn_questions(session):
        tags = {f"p{p.pk}" for p in question.principles.all()}
        tags |= {f"t{t.pk}" for t in question.themes.all()}
        assert tags & shared, question  # a principle or theme rated 1 before


@pytest.mark.django_db
def test_due_draws_the_longest_overdue_first_and_nothing_not_yet_due(user):
    today = timezone.localdate()
    questions = list(Question.objects.all()[:4])
    for question, offset in zip(questions, [-1, -9, 0, 2], strict=True):
        ReviewScheduleFactory(user=user, question=question, due_on=today + timedelta(days=offset))
    session = services.session_start(user=user, mode="due")
    assert drawn_questions(session) == [questions[1], questions[0], questions[2]]


@pytest.mark.django_db
def test_due_with_nothing_due_raises_a_clear_message(user):
    with pytest.raises(services.EmptyDraw, match="Nothing is due for review yet"):
        services.session_start(user=user, mode="due")
    ReviewScheduleFactory(user=user, due_on=date(2099, 12, 31))
    with pytest.raises(services.EmptyDraw, match="next question is due on 31 December 2099"):
        services.session_start(user=user, mode="due")
    assert not PracticeSession.objects.exists()


@pytest.mark.django_db
def test_questions_from_the_last_sessions_are_drawn_last(user):
    theme = ThemeFactory(slug="tiny-theme")
    level = Level.objects.get(slug="senior")
    fresh, old, older = (QuestionFactory(level=level, themes=[theme]) for _ in range(3))
    for question in (old, older):
        past = PracticeSessionFactory(owner=user, status="finished")
        AnswerFactory(session=past, question=question, position=1, answered=True)
    PracticeSettingsFactory(user=user, questions_per_session=1)
    for seed in range(5):
        session = services.session_start(
            user=user, mode="theme", theme=theme, rng=random.Random(seed)
        )
        assert drawn_questions(session) == [fresh]
        session.delete()


@pytest.mark.django_db
def test_questions_only_drawn_not_answered_are_not_recent(user):
    theme = ThemeFactory(slug="tiny-theme-2")
    level = Level.objects.get(slug="senior")
    skipped, answered = (QuestionFactory(level=level, themes=[theme]) for _ in range(2))
    past = PracticeSessionFactory(owner=user, status="abandoned")
    AnswerFactory(session=past, question=skipped, position=1)  # never started
    AnswerFactory(session=past, question=answered, position=2, answered=True)
    PracticeSettingsFactory(user=user, questions_per_session=2)
    session = services.session_start(user=user, mode="theme", theme=theme, rng=random.Random(0))
    assert drawn_questions(session) == [skipped, answered]


@pytest.mark.django_db
def test_weakest_first_does_not_count_stories_in_the_trash_as_cover(user):
    from stories.services import story_trash

    mentorship = Theme.objects.get(slug="mentorship")
    cover_everything(user, except_theme=mentorship)
    story_trash(story=StoryFactory(owner=user, status="polished", themes=[mentorship]))
    PracticeSettingsFactory(user=user, questions_per_session=5)
    session = services.session_start(user=user, mode="weakest", rng=random.Random(8))
    assert all(mentorship in q.themes.all() for q in drawn_questions(session))


# --- A new answer band judges the bank again ---------------------------------------------


@pytest.mark.django_db
def test_a_new_band_judges_the_whole_bank_again(user, other_user):
    from practice.models import PracticeSettings
    from stories.models import Story

    story = StoryFactory(owner=user)
    trashed = StoryFactory(owner=user)
    Story.with_trash.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    theirs = StoryFactory(owner=other_user)
    assert story.red_flags == [] and story.score >= 80  # fits the guide's 2–3 minutes
    version = story.version

    settings = PracticeSettings.for_user(user)
    settings.band_min_seconds, settings.band_max_seconds = 30, 90
    services.settings_save(settings=settings)

    story.refresh_from_db()
    assert "too_long" in story.red_flags and story.score < 80
    assert "too_long" in Story.with_trash.get(pk=trashed.pk).red_flags
    assert story.version == version  # a verdict, not an edit: no conflict in open tabs
    theirs.refresh_from_db()
    assert theirs.red_flags == []  # another user's bank is untouched


@pytest.mark.django_db
def test_a_story_saved_after_a_band_change_is_judged_by_the_new_band(user):
    from practice.models import PracticeSettings
    from stories.models import StoryTags
    from stories.services import story_save

    settings = PracticeSettings.for_user(user)
    settings.band_min_seconds, settings.band_max_seconds = 30, 90
    services.settings_save(settings=settings)
    story = StoryFactory(owner=user)
    assert "too_long" in story.red_flags

    settings.band_min_seconds, settings.band_max_seconds = 120, 180
    services.settings_save(settings=settings)
    story.refresh_from_db()
    story = story_save(story=story, answers=story.answers, tags=StoryTags.of_story(story))
    assert story.red_flags == []
