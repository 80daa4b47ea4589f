"""The scope corpus is well formed and the eval (bench/scope_eval.py) measures it right.

The corpus is what `make scope-eval` reports the scope rules' accuracy on, so a
malformed story or a wrong tally would make those figures lie. Pure: no database.
"""

import json
import re
from collections import Counter

import pytest

from bench import scope_eval
from stories.scope import LEVELS

MIN_STORIES = 60


@pytest.fixture(scope="module")
def corpus():
    return scope_eval.load_corpus()


def test_corpus_has_sixty_stories_a_blind_third_and_every_level(corpus):
    assert len(corpus) >= MIN_STORIES
    splits = Counter(story["split"] for story in corpus)
    assert set(splits) == set(scope_eval.SPLITS)
    assert splits["blind"] * 3 >= len(corpus) - 1, "about a third held out"
    for split in scope_eval.SPLITS:
        levels = Counter(story["level"] for story in corpus if story["split"] == split)
        assert set(levels) == set(LEVELS) and min(levels.values()) >= 5, split


def test_every_story_is_real_prose_of_150_to_350_words(corpus):
    ids = Counter(story["id"] for story in corpus)
    assert [story_id for story_id, count in ids.items() if count > 1] == []
    for story in corpus:
        words = len(re.findall(r"\w+(?:['-]\w+)*", story["text"]))
        assert 150 <= words <= 350, (story["id"], words)
        assert story["level"] in LEVELS, story["id"]
    openings = Counter(story["text"][:40] for story in corpus)
    assert max(openings.values()) == 1, "no two stories open alike"


def test_evaluate_counts_accuracy_per_level_and_confusion():
    stories = [
        {"id": "a", "level": "mid"},
        {"id": "b", "level": "mid"},
        {"id": "c", "level": "senior"},
        {"id": "d", "level": "staff"},
    ]
    result = scope_eval.evaluate(stories, {"a": "mid", "b": "senior", "c": "senior", "d": "senior"})
    assert result["accuracy"] == 0.5
    assert result["per_level"] == {"mid": 0.5, "senior": 1.0, "staff": 0.0}
    assert result["confusion"]["mid"] == {"mid": 1, "senior": 1, "staff": 0}
    assert result["confusion"]["staff"]["senior"] == 1


def test_a_malformed_line_names_its_file_and_line(tmp_path):
    (tmp_path / "x.jsonl").write_text('{"id": "ok", "split": "tune"}\n{not json\n')
    with pytest.raises(SystemExit, match=r"x\.jsonl:2: not JSON"):
        scope_eval.load_corpus(tmp_path)


def test_the_report_prints_both_splits_with_a_confusion_table(capsys):
    assert scope_eval.main([]) == 0
    out = capsys.readouterr().out
    for group in ("tune:", "blind:", "all:"):
        assert group in out
    assert "per level: mid" in out and "labelled, read as" in out


def test_json_report_and_the_rules_reach_the_target_on_both_splits(capsys):
    assert scope_eval.main(["--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tune"]["accuracy"] >= 0.8
    assert report["blind"]["accuracy"] >= 0.8, "the honest figure: never fitted on"
