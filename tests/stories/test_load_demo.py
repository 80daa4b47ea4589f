import pytest
from django.core.management import call_command

from practice.models import Answer, PracticeSession, ReviewSchedule
from principles.models import Theme
from stories.demo import DEMO_EMAIL
from stories.models import Story

pytestmark = pytest.mark.django_db


def test_load_demo_creates_a_living_bank_once(capsys, client):
    call_command("load_demo")
    output = capsys.readouterr().out
    assert DEMO_EMAIL in output and "password" in output
    stories = Story.objects.filter(owner__email=DEMO_EMAIL)
    assert stories.count() == 8
    assert {t for s in stories for t in s.themes.values_list("slug", flat=True)} >= {
        "technical-complexity",
        "failure-recovery",
        "mentorship",
        "ambiguity-pivoting",
    }
    assert stories.filter(status="draft").exists() and stories.filter(status="polished").exists()
    assert stories.exclude(red_flags=[]).exists(), "some drafts should show the coach's red flags"
    assert stories.filter(red_flags=[]).exists()

    sessions = PracticeSession.objects.filter(owner__email=DEMO_EMAIL)
    assert sessions.count() == 3
    assert Answer.objects.filter(session__in=sessions, rating__isnull=False).count() == 6
    assert ReviewSchedule.objects.filter(user__email=DEMO_EMAIL).count() == 6

    call_command("load_demo")
    assert Story.objects.filter(owner__email=DEMO_EMAIL).count() == 8
    assert PracticeSession.objects.filter(owner__email=DEMO_EMAIL).count() == 3

    password = output.split("with the password ")[1].split()[0]
    assert client.login(username="demo", password=password)


def test_the_demo_banks_eight_stories_have_eight_different_core_themes():
    call_command("load_demo")
    stories = Story.objects.filter(owner__email=DEMO_EMAIL).select_related("core_theme")
    core_themes = [story.core_theme.slug for story in stories]
    assert len(core_themes) == 8
    assert set(core_themes) == set(Theme.objects.values_list("slug", flat=True))
    # Each core theme is also among its story's themes, so the theme filters find it.
    for story in stories:
        assert story.themes.filter(pk=story.core_theme_id).exists(), story.title
