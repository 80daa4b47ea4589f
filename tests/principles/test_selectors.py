"""Page reads of the catalogue: its search, and the levels probing a principle."""

import pytest

from principles import selectors
from principles.models import Kind, Level, Principle, Theme
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_catalogue_without_terms_is_everything():
    found = selectors.catalogue_page(terms="")
    assert found["principles"].count() == Principle.objects.count() == 16
    assert found["themes"].count() == Theme.objects.count()
    assert found["kinds"].count() == Kind.objects.count()


def test_catalogue_matches_principles_on_their_guidance_and_the_rest_on_descriptions():
    frugality = Principle.objects.get(slug="frugality")
    theme = Theme.objects.first()
    theme.description = "Stories of a zebra-striped budget."
    theme.save()
    by_guidance = selectors.catalogue_page(terms=frugality.guidance[:30].upper())
    assert frugality in by_guidance["principles"]
    by_description = selectors.catalogue_page(terms="ZEBRA-striped")
    assert list(by_description["themes"]) == [theme]
    assert not by_description["principles"].exists()
    assert not by_description["kinds"].exists()


def test_levels_probing_lists_only_levels_with_active_questions_in_order():
    principle = Principle.objects.get(slug="frugality")
    level = Level.objects.order_by("order").first()
    retired = QuestionFactory(level=level, principles=[principle], is_active=False)
    levels = selectors.principle_levels(principle=principle)
    assert [lv.order for lv in levels] == sorted(lv.order for lv in levels)
    assert levels and all(lv.probing for lv in levels)
    probing = [question for lv in levels for question in lv.probing]
    assert retired not in probing
    assert all(principle in question.principles.all() for question in probing)
