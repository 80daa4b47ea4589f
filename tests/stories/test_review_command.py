"""The review_story command's JSON contract and its errors."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from tests.factories import STRONG_STORY


def run(path, stdin=None):
    out = io.StringIO()
    if stdin is not None:
        old = sys.stdin
        sys.stdin = io.StringIO(stdin)
    try:
        call_command("review_story", path, stdout=out)
    finally:
        if stdin is not None:
            sys.stdin = old
    return json.loads(out.getvalue())


def test_one_story_gives_findings_word_count_time_and_score(tmp_path):
    path = tmp_path / "story.json"
    path.write_text(json.dumps({"action": "We decided to rewrite it. We shipped it."}))
    result = run(str(path))
    assert set(result) == {"findings", "word_count", "speaking_seconds", "score"}
    codes = [f["code"] for f in result["findings"]]
    assert "we_not_i" in codes
    assert set(result["findings"][0]) == {"code", "section", "severity", "message", "suggestion"}
    assert result["word_count"] == 8


def test_a_list_gives_a_list_in_the_same_order_from_stdin():
    stories = [STRONG_STORY, {"result": "Things went well.", "themes": ["failure-recovery"]}]
    result = run("-", stdin=json.dumps(stories))
    assert result[0]["findings"] == [] and result[0]["score"] == 100
    flags = {f["code"]: f["severity"] for f in result[1]["findings"]}
    assert flags["vague_outcome"] == "warning"
    assert flags["no_learning"] == "error"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "Expecting property name"),
        ('{"action": 42}', "'action' must be a string"),
        ('[{"task": "x"}, "oops"]', "item 1: expected a JSON object"),
        ('{"themes": "failure-recovery"}', "'themes' must be a list"),
        ('{"conclusion": "x"}', "unknown key"),
        ("42", "expected a JSON object"),
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr(payload, message):
    completed = subprocess.run(
        [sys.executable, "manage.py", "review_story", "-"],
        input=payload,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "STORYBANK_TESTING": "true"},
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_missing_file_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("review_story", "/no/such/file.json")
    assert exit_info.value.code == 2
    assert "No such file" in capsys.readouterr().err
