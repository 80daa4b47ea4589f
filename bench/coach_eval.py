"""Measure the story coach against the labelled corpus in tests/stories/coach_corpus.

    make coach-eval                                # or: .venv/bin/python bench/coach_eval.py
    .venv/bin/python bench/coach_eval.py --split holdout --verbose
    .venv/bin/python bench/coach_eval.py --json
    .venv/bin/python bench/coach_eval.py --misses                  # each mistake, one a line

For each red-flag code the corpus labels, the script counts true positives, false
positives and false negatives of `stories.review.review_story`, per split (dev,
holdout) and over the whole corpus, and prints precision and recall ("n/a" when the
coach never raised the code, or the corpus never labels it). It also times the reviews:
the slowest and the mean over the corpus (best of 3 runs of each story), and the best of 50 runs of two 450-word stories: a typical one, and an easy win
with no obstacle, the slowest case because no rule stops at its first match.

The coach is pure Python and needs neither Django settings nor a database, so none is
touched. The exit status is 0 whatever the figures; the script reports, it does not judge.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stories.review import review_story  # noqa: E402  (needs ROOT on the path)

CORPUS_DIR = ROOT / "tests" / "stories" / "coach_corpus"
CODES = (
    "we_not_i",
    "over_crediting",
    "no_obstacle",
    "vague_outcome",
    "no_learning",
    "thin_action",
)
SPLITS = ("dev", "holdout")
TIMING_WORDS = 450
TIMING_RUNS = 50


@dataclass
class Tally:
    """Confusion counts of one code over a set of stories."""

    tp: list[str] = field(default_factory=list)
    fp: list[str] = field(default_factory=list)
    fn: list[str] = field(default_factory=list)

    @staticmethod
    def _ratio(hits: int, total: int) -> float | None:
        return hits / total if total else None

    @property
    def precision(self) -> float | None:
        return self._ratio(len(self.tp), len(self.tp) + len(self.fp))

    @property
    def recall(self) -> float | None:
        return self._ratio(len(self.tp), len(self.tp) + len(self.fn))

    def to_dict(self) -> dict:
        return {
            "tp": len(self.tp),
            "fp": len(self.fp),
            "fn": len(self.fn),
            "precision": self.precision,
            "recall": self.recall,
            "false_positives": self.fp,
            "false_negatives": self.fn,
        }


def load_corpus(directory: Path = CORPUS_DIR) -> list[dict]:
    stories = []
    for path in sorted(directory.glob("*.json")):
        stories.extend(json.loads(path.read_text(encoding="utf-8")))
    return stories


STORY_RUNS = 3


def review(story: dict) -> tuple[set[str], float]:
    """The codes the coach raises for one story, and the best of STORY_RUNS review times."""
    best = float("inf")
    for _ in range(STORY_RUNS):
        start = time.perf_counter()
        codes = review_story(story["sections"], story.get("themes") or ())
        best = min(best, time.perf_counter() - start)
    return set(codes.codes), best


def tally(stories: Iterable[dict], predicted: dict[str, set[str]]) -> dict[str, Tally]:
    tallies = {code: Tally() for code in CODES}
    for story in stories:
        expected, raised = set(story["labels"]), predicted[story["id"]]
        for code, counts in tallies.items():
            if code in expected and code in raised:
                counts.tp.append(story["id"])
            elif code in raised:
                counts.fp.append(story["id"])
            elif code in expected:
                counts.fn.append(story["id"])
    return tallies


# How a story of N words divides over its sections: Action carries half.
SHARES = {"situation": 0.15, "task": 0.1, "action": 0.5, "result": 0.15, "learning": 0.1}


def spread(sentences: dict[str, str], words: int) -> dict[str, str]:
    """Repeat each section's sentence until the story has about `words` words in SHARES."""
    sections = {}
    for name, sentence in sentences.items():
        target = round(words * SHARES[name])
        tokens = (sentence * (target // len(sentence.split()) + 1)).split()
        sections[name] = " ".join(tokens[:target])
    return sections


def story_of_length(words: int) -> dict[str, str]:
    """A plausible story of exactly `words` words, spread over the five sections."""
    sentences = {
        "situation": "Our checkout service failed for a third of requests during the sale. ",
        "task": "I had two days to find the cause and stop the losses for customers. ",
        "action": "I traced the errors, I rolled back the config and I added a canary stage. ",
        "result": "Errors fell from 30% to 0.2% and we saved about $40,000 in that week. ",
        "learning": "Since then I always canary config changes, however small they look. ",
    }
    return spread(sentences, words)


def easy_win_of_length(words: int) -> dict[str, str]:
    """A story of `words` words with no obstacle: the slowest case, as no rule stops early."""
    sentences = {
        "situation": "Support asked for a weekly digest of new features for our customers. ",
        "task": "I picked up the ticket and I was the main engineer on the digest. ",
        "action": "I built the digest job on the scheduler and reused the email templates. "
        "My manager liked it and the team turned it on for everyone the next Monday. ",
        "result": "Support now sends one digest instead of forty emails and saves an hour. ",
        "learning": "Next time I would ask support for the list of features much earlier. ",
    }
    return spread(sentences, words)


def time_story(sections: dict[str, str], runs: int = TIMING_RUNS) -> float:
    """The best of `runs` review times, in seconds (the least disturbed by the machine)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        review_story(sections)
        best = min(best, time.perf_counter() - start)
    return best


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def print_table(title: str, tallies: dict[str, Tally], verbose: bool) -> None:
    print(f"\n{title}")
    print(f"  {'code':<16}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
    for code, counts in tallies.items():
        print(
            f"  {code:<16}{len(counts.tp):>5}{len(counts.fp):>5}{len(counts.fn):>5}"
            f"{_figure(counts.precision):>11}{_figure(counts.recall):>8}"
        )
    if verbose:
        for code, counts in tallies.items():
            if counts.fp:
                print(f"  {code} raised wrongly: {', '.join(counts.fp)}")
            if counts.fn:
                print(f"  {code} missed: {', '.join(counts.fn)}")


def print_misses(stories: list[dict], predicted: dict[str, set[str]], split: str | None) -> None:
    """One line per mistake: "fp" (raised, not labelled) or "fn" (labelled, not raised)."""
    count = 0
    for story in stories:
        if split and story["split"] != split:
            continue
        expected, raised = set(story["labels"]), predicted[story["id"]]
        for code in CODES:
            kind = "fp" if code in raised - expected else "fn" if code in expected - raised else ""
            if kind:
                count += 1
                print(f"{kind}  {code:<16}{story['id']:<22}{story['split']}")
    print(f"{count} mistakes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--verbose", action="store_true", help="list the mistaken story ids")
    parser.add_argument(
        "--misses",
        action="store_true",
        help="list every false positive and false negative: story id, code, split",
    )
    args = parser.parse_args(argv)

    stories = load_corpus()
    predicted: dict[str, set[str]] = {}
    seconds: list[tuple[float, str]] = []
    for story in stories:
        predicted[story["id"]], elapsed = review(story)
        seconds.append((elapsed, story["id"]))

    groups = list(SPLITS) + ["all"] if args.split == "all" else [args.split]
    results = {}
    for group in groups:
        chosen = [story for story in stories if group == "all" or story["split"] == group]
        results[group] = (len(chosen), tally(chosen, predicted))

    slowest, slowest_id = max(seconds)
    timing = {
        "slowest_ms": slowest * 1000,
        "slowest_story": slowest_id,
        "mean_ms": sum(elapsed for elapsed, _ in seconds) / len(seconds) * 1000,
        f"story_{TIMING_WORDS}_words_ms": time_story(story_of_length(TIMING_WORDS)) * 1000,
        f"easy_win_{TIMING_WORDS}_words_ms": time_story(easy_win_of_length(TIMING_WORDS)) * 1000,
    }

    if args.json:
        report = {
            group: {
                "stories": count,
                "codes": {code: counts.to_dict() for code, counts in tallies.items()},
            }
            for group, (count, tallies) in results.items()
        }
        print(json.dumps({"splits": report, "timing": timing}, indent=2))
        return 0

    if args.misses:
        print_misses(stories, predicted, None if args.split == "all" else args.split)
        return 0

    print(f"Story coach on {len(stories)} labelled stories ({CORPUS_DIR.relative_to(ROOT)})")
    for group, (count, tallies) in results.items():
        print_table(f"{group} ({count} stories)", tallies, args.verbose)
    print(
        f"\nReview time: slowest {timing['slowest_ms']:.2f} ms ({slowest_id}), "
        f"mean {timing['mean_ms']:.2f} ms, "
        f"{TIMING_WORDS}-word story {timing[f'story_{TIMING_WORDS}_words_ms']:.2f} ms, "
        f"{TIMING_WORDS}-word easy win (no rule stops early) "
        f"{timing[f'easy_win_{TIMING_WORDS}_words_ms']:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
