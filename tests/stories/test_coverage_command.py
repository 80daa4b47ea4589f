"""`manage.py coverage EMAIL [--all]`: the coverage matching as JSON, for scripts."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from principles.models import Principle, Theme
from stories.management.commands.coverage import Command
from stories.models import Story
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = StringIO()
    call_command("coverage", *args, stdout=out)
    return json.loads(out.getvalue())


def ready(**kwargs):
    story = StoryFactory(status=Story.Status.READY, **kwargs)
    Story.objects.filter(pk=story.pk).update(score=90)
    return story


def by_slug(items):
    return {item["slug"]: item for item in items}


def test_prints_the_matching_of_ready_stories(user):
    ready(
        owner=user,
        title="Payments fallback",
        core_theme=Theme.objects.get(slug="technical-complexity"),
        themes=list(Theme.objects.all()),
        principles=[Principle.objects.get(slug="ownership")],
    )
    StoryFactory(owner=user, title="Rough draft", core_theme=Theme.objects.get(slug="mentorship"))
    report = run(user.email)
    assert report["user"] == user.email
    assert (report["counted"], report["counting"]) == (1, "ready")
    themes = by_slug(report["themes"])
    assert themes["technical-complexity"] == {
        "slug": "technical-complexity",
        "name": "Technical complexity",
        "story": "Payments fallback",
    }
    assert themes["mentorship"]["story"] is None
    assert (report["themes_covered"], report["themes_total"]) == (1, 8)
    ownership = by_slug(report["principles"])["ownership"]
    assert ownership == {
        "slug": "ownership",
        "name": "Ownership",
        "slots": 2,
        "stories": ["Payments fallback"],
    }
    assert len(report["principles"]) == 16
    assert [level["story"] for level in report["levels"]] == [None, None, None]
    assert report["progress_percent"] == round(50 / 8 + 50 / 8)


def test_all_counts_drafts_too_and_other_users_never_appear(user, other_user):
    StoryFactory(owner=user, title="Rough draft", core_theme=Theme.objects.get(slug="mentorship"))
    ready(owner=other_user, title="Not mine", core_theme=Theme.objects.get(slug="mentorship"))
    report = run(user.email, "--all")
    assert (report["counted"], report["counting"]) == (1, "all")
    assert by_slug(report["themes"])["mentorship"]["story"] == "Rough draft"
    assert "Not mine" not in json.dumps(report)
    assert by_slug(run(other_user.email)["themes"])["mentorship"]["story"] == "Not mine"


def test_unknown_email_is_an_error_with_status_2_from_call_command(user):
    with pytest.raises(CommandError) as error:
        run("nobody@example.com")
    assert error.value.returncode == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["manage.py", "coverage", "nobody@example.com"],
        ["manage.py", "coverage"],
        ["manage.py", "coverage", "a@example.com", "--bogus"],
    ],
)
def test_bad_input_writes_one_line_on_stderr_and_exits_2(argv, capsys, user):
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(argv)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1


def test_a_known_email_from_the_command_line_prints_json(capsys, user):
    Command().run_from_argv(["manage.py", "coverage", user.email])
    captured = capsys.readouterr()
    assert json.loads(captured.out)["user"] == user.email
    assert captured.err == ""
