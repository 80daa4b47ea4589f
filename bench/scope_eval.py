"""Measure the scope rules (stories/scope.py) against the labelled corpus in bench/scope_corpus.

    make scope-eval                                    # or: .venv/bin/python bench/scope_eval.py
    .venv/bin/python bench/scope_eval.py --split tune --misses   # each mistake with its scores
    .venv/bin/python bench/scope_eval.py --json

Each story in the corpus (JSON lines: id, split, level, text) is labelled with the level
its scope fits. The tuning set ("tune") is what the thresholds were fitted on; the blind
set ("blind") was written before any rule existed and is never used to fit them, so its
figure is the honest one. For each split and overall the script prints the accuracy,
the accuracy per level (the recall of that level) and a confusion table.

Pure Python: neither Django settings nor a database is touched. The exit status is 0
whatever the figures; the script reports, it does not judge.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stories.scope import LEVELS, scope_reading  # noqa: E402  (needs ROOT on the path)

CORPUS_DIR = ROOT / "bench" / "scope_corpus"
SPLITS = ("tune", "blind")


def load_corpus(directory: Path = CORPUS_DIR) -> list[dict]:
    """Every story of every *.jsonl file in `directory`, in file then line order."""
    stories = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    stories.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise SystemExit(f"{path.name}:{number}: not JSON ({error.msg})") from None
    return stories


def evaluate(stories: list[dict], predicted: dict[str, str]) -> dict:
    """Accuracy overall and per level, and the confusion table {expected: {predicted: n}}."""
    confusion = {level: dict.fromkeys(LEVELS, 0) for level in LEVELS}
    for story in stories:
        confusion[story["level"]][predicted[story["id"]]] += 1
    right = sum(confusion[level][level] for level in LEVELS)
    per_level = {
        level: (row[level] / sum(row.values()) if sum(row.values()) else None)
        for level, row in confusion.items()
    }
    return {
        "stories": len(stories),
        "accuracy": right / len(stories) if stories else None,
        "per_level": per_level,
        "confusion": confusion,
    }


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def print_result(title: str, result: dict) -> None:
    print(f"\n{title}: {result['stories']} stories, accuracy {_figure(result['accuracy'])}")
    print("  per level: " + ", ".join(f"{k} {_figure(v)}" for k, v in result["per_level"].items()))
    print(f"  {'labelled, read as':<20}" + "".join(f"{level:>8}" for level in LEVELS))
    for level, row in result["confusion"].items():
        print(f"  {level:<20}" + "".join(f"{row[other]:>8}" for other in LEVELS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", action="store_true", help="list each mistake with its scores")
    args = parser.parse_args(argv)

    stories = load_corpus()
    readings = {story["id"]: scope_reading(story["text"]) for story in stories}
    predicted = {story_id: reading[0] for story_id, reading in readings.items()}
    groups = [*SPLITS, "all"] if args.split == "all" else [args.split]
    results = {
        group: evaluate(
            [story for story in stories if group == "all" or story["split"] == group], predicted
        )
        for group in groups
    }

    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    if args.misses:
        for story in stories:
            if args.split in ("all", story["split"]) and predicted[story["id"]] != story["level"]:
                reads_as, score, kinds = readings[story["id"]]
                scores = " ".join(f"{name}={kind.score}" for name, kind in kinds.items())
                print(
                    f"{story['id']:<18} {story['level']:>6} -> {reads_as:<6} {score:>2}  {scores}"
                )
        return 0
    print(f"Scope rules on {len(stories)} labelled stories ({CORPUS_DIR.relative_to(ROOT)})")
    for group, result in results.items():
        print_result(group, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
