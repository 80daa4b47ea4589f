"""Practice forms: the settings form holds the band to the model's rule."""

import pytest

from practice.forms import PracticeSettingsForm, StartSessionForm
from practice.models import BAND_MAX_SECONDS, BAND_MIN_SECONDS, PracticeSettings
from principles.models import Level
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def settings_form(**changes) -> PracticeSettingsForm:
    data = {
        "target_level": Level.objects.get(slug="senior").pk,
        "band_min_seconds": 120,
        "band_max_seconds": 180,
        "questions_per_session": 5,
        "principle_slots": 2,
        **changes,
    }
    return PracticeSettingsForm(data, instance=PracticeSettings(user=UserFactory()))


def test_a_good_band_is_accepted():
    assert settings_form().is_valid()


@pytest.mark.parametrize(("low", "high"), [(180, 120), (150, 150)])
def test_a_band_that_does_not_end_after_it_starts_gets_one_message(low, high):
    form = settings_form(band_min_seconds=low, band_max_seconds=high)
    assert not form.is_valid()
    assert form.errors["band_max_seconds"] == [
        "The band must end after it starts (e.g. 120 to 180)."
    ]


def test_the_band_inputs_offer_the_models_range():
    field = settings_form()["band_min_seconds"].as_widget()
    assert f'min="{BAND_MIN_SECONDS}"' in field and f'max="{BAND_MAX_SECONDS}"' in field


def test_start_form_needs_the_principle_or_theme_its_mode_draws_by():
    assert not StartSessionForm({"mode": "principle"}).is_valid()
    assert not StartSessionForm({"mode": "theme"}).is_valid()
    assert StartSessionForm({"mode": "level"}).is_valid()


@pytest.mark.parametrize("slots", [0, 6])
def test_stories_per_principle_outside_one_to_five_is_refused(slots):
    assert settings_form(principle_slots=2).is_valid()  # the positive control
    form = settings_form(principle_slots=slots)
    assert not form.is_valid()
    assert "principle_slots" in form.errors
