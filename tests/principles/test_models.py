"""The catalogue's models: the question bank's filters (QuestionQuerySet.filtered)."""

import pytest

from principles.models import Level, Principle, Question, Theme
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_filtered_without_filters_is_every_question_in_level_order():
    questions = Question.objects.all()
    assert list(questions.filtered({})) == list(questions)


def test_filtered_keeps_only_questions_matching_every_filter():
    staff = Level.objects.get(slug="staff")
    think_big = Principle.objects.get(slug="think-big")
    influence = Theme.objects.get(slug="leadership-influence")
    match = QuestionFactory(level=staff, principles=[think_big], themes=[influence])
    other_level = QuestionFactory(
        level=Level.objects.get(slug="mid"), principles=[think_big], themes=[influence]
    )
    no_theme = QuestionFactory(level=staff, principles=[think_big])
    filters = {"level": staff, "principle": think_big, "theme": influence}
    found = set(Question.objects.filtered(filters))
    assert match in found
    assert other_level not in found
    assert no_theme not in found
    assert all(question.level == staff for question in found)


def test_filtered_search_stems_and_ranks_best_match_first():
    roadmap = Question.objects.get(text="Describe a time you influenced a team's roadmap.")
    found = list(Question.objects.filtered({"q": "  roadmaps  "}))
    assert roadmap in found
    assert [question.rank for question in found] == sorted(
        (question.rank for question in found), reverse=True
    )


def test_filtered_blank_search_filters_nothing():
    assert Question.objects.filtered({"q": "   "}).count() == Question.objects.count()
