"""How long the loop planner takes: 100 stories against 15 slots (target: at most 50 ms).

    make bench-planner                       # or: .venv/bin/python bench/planner.py
    BENCH_PLANNER_RUNS=200 make bench-planner

Builds a bank of 100 stories of about 400 words each (seeded, so every run plans the
same bank), tagged with one to three of the sixteen principles and up to three of
eight themes, with readiness scores, red flags and practice ratings, and a five-
interviewer loop of three principles each (15 slots). Times `practice.planning.plan`
BENCH_PLANNER_RUNS times (default 50), each run *cold*: the ranking's per-process
word cache is cleared first, as for a bank whose stories all changed since the last
plan. Prints the median and the slowest run, cold and warm, in wall and CPU time
(CPU time is what a quiet machine's wall time would be), and exits 1 when the
slowest cold run's wall time is over the target.

No Django settings and no database: the planner is pure. The page's database reads
are counted by tests/practice/test_loop_services.py (a fixed number of queries).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from practice import planning, ranking  # noqa: E402  (needs ROOT on the path)

TARGET_MS = 50.0
STORIES = 100
INTERVIEWERS = 5
PRINCIPLES_EACH = 3
# The catalogue's sixteen principles, in its order, from the seed the site loads.
PRINCIPLES = [
    p["name"]
    for p in sorted(
        json.loads((ROOT / "principles" / "seed" / "catalogue-v1.json").read_text())["principles"],
        key=lambda p: p["order"],
    )
]
WORDS_TEXT = (
    "service team customer latency outage migration budget deadline review design rollout "
    "database queue cache incident postmortem metric dashboard alert engineer manager "
    "product roadmap quarter launch feature experiment result revenue cost percent hours "
    "weeks months decision trade-off risk proposal stakeholder partner vendor contract "
    "test coverage pipeline deploy release flag regression bug fix refactor mentor hire "
    "interview feedback conflict disagreement escalation priority scope estimate plan "
    "schema index query throughput capacity region failover backup restore audit security"
)
WORDS = WORDS_TEXT.split()
FLAGS = ["thin_action", "no_learning", "vague_outcome", "we_not_i", "no_obstacle"]


SYLLABLES = [
    "ba",
    "co",
    "de",
    "fi",
    "gu",
    "ka",
    "lo",
    "me",
    "ni",
    "po",
    "ra",
    "su",
    "te",
    "vi",
    "wo",
    "xa",
    "ze",
]


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    """The bench's words, the frequent first: a 400-word story then has about 250
    distinct words, as a real one does (a story repeats its common words)."""
    made = {"".join(rng.sample(SYLLABLES, rng.randint(2, 4))) for _ in range(size)}
    return WORDS + sorted(made)


def story_text(rng: random.Random, words: list[str], length: int = 400) -> str:
    # Zipf-like: word n is drawn about 1/n as often as the first.
    weights = [1 / (n + 1) for n in range(len(words))]
    return " ".join(rng.choices(words, weights=weights, k=length))


def bank(rng: random.Random) -> list[planning.PlanStory]:
    stories = []
    words = vocabulary(rng)
    for pk in range(1, STORIES + 1):
        text = story_text(rng, words)
        themes = frozenset(rng.sample(range(100, 108), rng.randint(0, 3)))
        stories.append(
            planning.PlanStory(
                card=ranking.StoryCard(
                    id=pk,
                    title=f"Story {pk}: {' '.join(rng.sample(WORDS, 3))}",
                    text=f"{text} {pk}",
                    status=rng.choice(["draft", "ready", "polished"]),
                    score=rng.randint(20, 100),
                    principle_ids=frozenset(rng.sample(range(1, 17), rng.randint(1, 3))),
                    theme_ids=themes,
                    level_ids=frozenset(rng.sample([1, 2, 3], rng.randint(0, 2))),
                    core_theme_id=min(themes) if themes else None,
                ),
                red_flags=tuple(rng.sample(FLAGS, rng.choice([0, 0, 1, 2]))),
                rating=rng.choice([None, 2.0, 3.0, 3.5, 4.0, 4.5, 5.0]),
            )
        )
    return stories


def slots(rng: random.Random) -> list[planning.Slot]:
    chosen = rng.sample(range(1, 17), INTERVIEWERS * PRINCIPLES_EACH)
    return [
        planning.Slot(
            interviewer_position=index // PRINCIPLES_EACH + 1,
            interviewer_label=f"Interviewer {index // PRINCIPLES_EACH + 1}",
            principle_slug=f"principle-{pk}",
            principle_name=PRINCIPLES[pk - 1],
            principle_id=pk,
            theme_ids=frozenset(rng.sample(range(100, 108), 2)),
            demonstrate="Taking responsibility for results beyond the team's own service",
        )
        for index, pk in enumerate(chosen)
    ]


def run_once(loop, stories, *, cold: bool) -> tuple[float, float, planning.Plan]:
    """(wall ms, CPU ms, the plan) of one planning."""
    if cold:
        ranking.keywords.cache_clear()
        ranking.surface_words.cache_clear()
        ranking.spellings.cache_clear()
    themes = {n: f"Theme {n}" for n in range(100, 108)}
    wall, cpu = time.perf_counter(), time.process_time()
    result = planning.plan(loop, stories, level_id=2, theme_names=themes)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, result


def summary(name: str, runs: list[tuple[float, float, planning.Plan]]) -> float:
    wall = [run[0] for run in runs]
    cpu = [run[1] for run in runs]
    print(
        f"  {name}: wall median {statistics.median(wall):.1f} ms, max {max(wall):.1f} ms; "
        f"CPU median {statistics.median(cpu):.1f} ms, max {max(cpu):.1f} ms"
    )
    return max(wall)


def main() -> int:
    runs = int(os.environ.get("BENCH_PLANNER_RUNS", "50"))
    rng = random.Random(14)
    stories, loop = bank(rng), slots(rng)
    run_once(loop, stories, cold=True)  # warm-up: imports, SciPy's first call
    print(f"planner: {STORIES} stories x {len(loop)} slots, {runs} runs each")
    slowest = summary(
        "cold (word caches cleared)", [run_once(loop, stories, cold=True) for _ in range(runs)]
    )
    summary("warm", [run_once(loop, stories, cold=False) for _ in range(runs)])
    *_, result = run_once(loop, stories, cold=False)
    filled = len(result.slots) - len(result.gaps)
    print(f"  plan: {filled} slots filled, {len(result.gaps)} gaps, total fit {result.total_fit}")
    print(f"  target: at most {TARGET_MS:.0f} ms (the slowest cold run, wall time)")
    if slowest > TARGET_MS:
        print(f"FAIL: the slowest cold run took {slowest:.1f} ms")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
