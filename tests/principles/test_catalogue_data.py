"""The data migration gives every new database the whole catalogue."""

import pytest
from django.db.models import Count

from principles.models import Kind, Level, Principle, Question, Theme

pytestmark = pytest.mark.django_db

AMAZON_ORDER = [
    "Customer Obsession",
    "Ownership",
    "Invent and Simplify",
    "Are Right, A Lot",
    "Learn and Be Curious",
    "Hire and Develop the Best",
    "Insist on the Highest Standards",
    "Think Big",
    "Bias for Action",
    "Frugality",
    "Earn Trust",
    "Dive Deep",
    "Have Backbone; Disagree and Commit",
    "Deliver Results",
    "Strive to be Earth's Best Employer",
    "Success and Scale Bring Broad Responsibility",
]

GUIDE_QUESTIONS = {
    "mid": [
        "Tell me about a time you took ownership beyond your role.",
        "Have you ever improved a process that wasn't your responsibility?",
        "Tell me about a time you unblocked a teammate.",
    ],
    "senior": [
        "Tell me about a time you drove a major technical decision.",
        "Describe a time you influenced a team's roadmap.",
        "Tell me about a technical initiative you championed.",
    ],
    "staff": [
        "Tell me about a time you changed how your organization worked.",
        "Describe your approach to technical strategy.",
        "Tell me about the most impactful technical decision you've made.",
    ],
}


def test_sixteen_principles_in_amazons_order_with_guidance():
    principles = list(Principle.objects.order_by("order"))
    assert [p.name for p in principles] == AMAZON_ORDER
    assert [p.order for p in principles] == list(range(1, 17))
    for principle in principles:
        assert principle.demonstrate and principle.guidance
        assert len(principle.strong_signal_list) >= 3
        assert len(principle.weak_signal_list) >= 3


def test_eight_themes_four_kinds_three_ordered_levels():
    assert Theme.objects.count() == 8
    assert {t.slug for t in Theme.objects.all()} >= {
        "failure-recovery",
        "mentorship",
        "ambiguity-pivoting",
    }
    assert [k.slug for k in Kind.objects.all()] == ["technical", "project", "people", "influence"]
    assert [level.slug for level in Level.objects.all()] == ["mid", "senior", "staff"]


def test_question_bank_covers_every_principle_theme_and_level():
    assert Question.objects.count() >= 96
    per_principle = Principle.objects.annotate(n=Count("questions"))
    assert min(p.n for p in per_principle) >= 4, [(p.name, p.n) for p in per_principle if p.n < 4]
    per_theme = Theme.objects.annotate(n=Count("questions"))
    assert min(t.n for t in per_theme) >= 6
    per_level = Level.objects.annotate(n=Count("questions"))
    assert min(level.n for level in per_level) >= 25


def test_the_guides_nine_questions_sit_at_their_levels():
    for level, texts in GUIDE_QUESTIONS.items():
        for text in texts:
            assert Question.objects.get(text=text).level.slug == level


def test_staff_level_reaches_down_to_senior():
    staff = Level.objects.get(slug="staff")
    assert [level.slug for level in staff.with_levels_below()] == ["staff", "senior"]
    assert [level.slug for level in Level.objects.get(slug="mid").with_levels_below()] == ["mid"]
