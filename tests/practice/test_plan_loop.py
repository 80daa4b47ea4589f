"""manage.py plan_loop EMAIL LOOP.json: the plan as JSON, bad input as one line and status 2."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from principles.models import Principle
from tests.factories import StoryFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, document) -> str:
    path = tmp_path / "loop.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def plan_loop(email, path) -> dict:
    out = StringIO()
    call_command("plan_loop", email, path, stdout=out)
    return json.loads(out.getvalue())


def tagged(user, title, *slugs):
    return StoryFactory(
        owner=user, title=title, principles=list(Principle.objects.filter(slug__in=slugs))
    )


@pytest.mark.django_db
def test_the_plan_lists_each_slot_with_primary_backup_fit_and_the_gaps(tmp_path, user):
    tagged(user, "Payments fallback", "ownership", "dive-deep")
    tagged(user, "On-call handover", "ownership")
    loop = {
        "company": "Amazon",
        "level": "senior",
        "interviewers": [
            {"name": "Hiring manager", "principles": ["ownership"]},
            {"name": "Bar raiser", "principles": ["dive-deep", "frugality"]},
        ],
    }

    result = plan_loop(user.email, write(tmp_path, loop))

    slots = {(s["interviewer"], s["principle"]): s for s in result["slots"]}
    # Greedy would give the better story to Ownership and leave Dive Deep empty.
    assert slots["Hiring manager", "ownership"]["primary"] == "On-call handover"
    assert slots["Hiring manager", "ownership"]["backup"] == "Payments fallback"
    assert slots["Bar raiser", "dive-deep"]["primary"] == "Payments fallback"
    assert slots["Bar raiser", "dive-deep"]["fit"] > 0
    assert slots["Bar raiser", "frugality"] | {"explanation": ""} == {
        "interviewer": "Bar raiser",
        "principle": "frugality",
        "primary": None,
        "backup": None,
        "fit": 0,
        "explanation": "",
    }
    assert result["gaps"] == [
        {
            "interviewer": "Bar raiser",
            "principle": "frugality",
            "new_story": {"principle": "frugality"},
            "reuse": None,
            "explanation": "Frugality for Bar raiser: no story of yours fits yet. "
            "Write one tagged Frugality.",
        }
    ]


@pytest.mark.django_db
def test_the_plan_finds_the_assignment_where_greedy_fails_on_a_bigger_bank(tmp_path, user):
    # A chain: each story fits its principle and the next; the first is the best story
    # for every principle, so slot by slot the last principle would be left with nothing.
    slugs = ["ownership", "dive-deep", "frugality", "think-big", "bias-for-action"]
    StoryFactory(
        owner=user,
        title="Fits everything",
        principles=list(Principle.objects.filter(slug__in=slugs)),
    )
    for slug in slugs[:-1]:
        tagged(user, f"Only {slug}", slug)
    loop = {"level": "senior", "interviewers": [{"principles": [slug]} for slug in slugs]}

    result = plan_loop(user.email, write(tmp_path, loop))

    primaries = [s["primary"] for s in result["slots"]]
    assert None not in primaries and len(set(primaries)) == len(slugs)
    assert primaries[-1] == "Fits everything"
    assert result["gaps"] == []


@pytest.mark.django_db
def test_without_principles_the_typical_split_is_planned(tmp_path, user):
    loop = {"level": "senior", "interviewers": [{}, {}, {}, {}, {}]}

    result = plan_loop(user.email, write(tmp_path, loop))

    assert len(result["slots"]) == 16
    assert len(result["gaps"]) == 16  # an empty bank: every slot a gap, none filled


BAD = [
    ("{not json", "not valid JSON"),
    ("[]", "must be a JSON object"),
    ({"interviewers": [{}]}, '"level" must be one of'),
    ({"level": "emperor", "interviewers": [{}]}, "got 'emperor'"),
    ({"level": "senior"}, '"interviewers" must be a list of 1 to 8'),
    ({"level": "senior", "interviewers": []}, '"interviewers" must be a list'),
    ({"level": "senior", "interviewers": [{}] * 9}, "1 to 8"),
    ({"level": "senior", "interviewers": ["x"]}, "interviewer 1 must be an object"),
    ({"level": "senior", "interviewers": [{"name": 3}]}, 'interviewer 1: "name" must be text'),
    (
        {"level": "senior", "interviewers": [{"principles": "ownership"}]},
        '"principles" must be a list',
    ),
    (
        {"level": "senior", "interviewers": [{}, {"principles": ["ownership", "nope"]}]},
        "interviewer 2: no principle has the slug 'nope'",
    ),
    ({"level": "senior", "company": "x" * 101, "interviewers": [{}]}, '"company" must be text'),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("document", "message"), BAD)
def test_bad_input_is_one_line_on_stderr_and_status_2(tmp_path, user, document, message):
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("plan_loop", user.email, write(tmp_path, document), stdout=out, stderr=err)
    assert exit_info.value.code == 2
    assert out.getvalue() == ""
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "path", "message"),
    [
        ("nobody@example.com", None, "no account has the email"),
        (None, "/no/such/loop.json", "cannot read /no/such/loop.json"),
    ],
)
def test_an_unknown_account_or_file_is_one_line_and_status_2(tmp_path, user, email, path, message):
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "plan_loop",
            email or user.email,
            path or write(tmp_path, {"level": "senior", "interviewers": [{}]}),
            stderr=err,
        )
    assert exit_info.value.code == 2
    assert message in err.getvalue() and len(err.getvalue().strip().splitlines()) == 1


def manage(*args):
    # The same server as this test run, its test database (where this test's rows are).
    url = urlsplit(settings.DATABASE_URL)._replace(path=f"/{connection.settings_dict['NAME']}")
    env = {**os.environ, "DATABASE_URL": urlunsplit(url), "STORYBANK_TESTING": "true"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "plan_loop", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


@pytest.mark.django_db(transaction=True)
def test_a_real_process_exits_2_with_one_line_and_plans_a_good_file(tmp_path):
    from tests.conftest import load_reference_data

    load_reference_data()
    user = UserFactory()
    tagged(user, "Payments fallback", "ownership")

    bad = manage(user.email, write(tmp_path, {"level": "senior", "interviewers": "two"}))
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr

    # The positive control: the same process plans a good file.
    loop = {"level": "senior", "interviewers": [{"principles": ["ownership"]}]}
    good = manage(user.email, write(tmp_path, loop))
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["slots"][0]["primary"] == "Payments fallback"
