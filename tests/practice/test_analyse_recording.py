"""`manage.py analyse_recording FILE [--marks JSON]`: the figures as JSON, or one line and exit 2."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
# A database nobody listens on: the command must work without one.
NO_DATABASE = "postgres://nobody@127.0.0.1:9/nothing"


def run_command(*args):
    out, err = StringIO(), StringIO()
    call_command("analyse_recording", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_the_figures_as_json(speech_clips):
    truth = speech_clips.story(150, {2: 1.5})
    out, err = run_command(truth.path)
    figures = json.loads(out)
    assert err == ""
    assert figures["version"] == 1
    assert figures["pause_count"] == 1
    assert figures["duration_s"] == pytest.approx(truth.duration_s, abs=0.1)
    assert out.startswith('{\n  "version": 1')  # indented by 2


def test_marks_give_the_section_split(speech_clips):
    truth = speech_clips.story(150)
    marks = json.dumps(
        [{"section": "situation", "at_ms": 0}, {"section": "action", "at_ms": 20000}]
    )
    out, _ = run_command(truth.path, "--marks", marks)
    sections = {group["key"]: group for group in json.loads(out)["sections"]}
    assert sections["situation+task"]["seconds"] == pytest.approx(20.0, abs=0.1)


@pytest.mark.parametrize(
    ("make", "extra", "message"),
    [
        (lambda p: p.write_bytes(b"\x1a\x45\xdf\xa3 not really webm" * 50), [], "not audio"),
        (lambda p: p.write_bytes(b""), [], "empty"),
        (lambda p: None, [], "no such file"),
        (lambda p: p.write_bytes(b"x"), ["--marks", "[{"], "not valid JSON"),
        (
            lambda p: p.write_bytes(b"x"),
            ["--marks", '[{"section": "chorus", "at_ms": 0}]'],
            "chorus",
        ),
    ],
    ids=["garbage", "empty", "missing", "bad-json", "bad-section"],
)
def test_bad_input_is_one_line_and_status_2(tmp_path, make, extra, message):
    path = tmp_path / "answer.webm"
    make(path)
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("analyse_recording", str(path), *extra, stdout=out, stderr=err)
    assert exit_info.value.code == 2
    assert out.getvalue() == ""
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def manage(*args, timeout=120):
    env = {**os.environ, "DATABASE_URL": NO_DATABASE}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "analyse_recording", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


def test_a_real_process_exits_2_with_one_line_on_stderr(tmp_path, speech_clips):
    garbage = tmp_path / "garbage.webm"
    garbage.write_bytes(os.urandom(3000))
    failed = manage(garbage)
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert len(failed.stderr.strip().splitlines()) == 1
    assert "Traceback" not in failed.stderr

    # the positive control: the same process on real audio prints figures, status 0,
    # with no database reachable
    good = manage(speech_clips.story(150).path)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["wpm"] > 100
