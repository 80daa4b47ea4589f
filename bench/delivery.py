"""How long the delivery analysis takes on a three-minute answer (target: at most 2 s).

    make bench-delivery                      # or: .venv/bin/python bench/delivery.py
    BENCH_DELIVERY_RUNS=20 make bench-delivery
    .venv/bin/python bench/delivery.py --accuracy   # also the accuracy clips, one a line

Synthesises a spoken STAR answer of a little over three minutes with espeak-ng and
sox (tests/audio.py: the story's sentences at espeak's 150 wpm with four pauses of
1.2 to 3 s), transcodes it to WebM/Opus as the browser uploads it, and runs
`practice.delivery.analyse` on that file BENCH_DELIVERY_RUNS times (default 7) after
one warm-up run. Prints the median and the slowest run, the time of each stage of
one run, the CPU time per run (the wall time a quiet machine would show) and how
the figures compare with the clip's known truth. Exits 1 when the slowest run's
wall time is over the target. The clip is kept in var/bench/delivery/.

No Django settings and no database: the analysis is pure.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from practice import delivery  # noqa: E402  (needs ROOT on the path)
from tests.audio import (  # noqa: E402
    ACCURACY_PAUSES,
    ACCURACY_SPEEDS,
    Clips,
    spoken_answer_wav,
    transcode,
)

TARGET_S = 2.0
SPOKEN_S = 185  # a little over three minutes of speech, pauses on top
PAUSES = (1.2, 2.0, 1.5, 3.0)


def clip(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    truth = spoken_answer_wav(folder / "answer.wav", seconds=SPOKEN_S, pauses=PAUSES)
    webm = transcode(truth.path, folder / "answer.webm")
    return truth, webm


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def accuracy(folder: Path) -> None:
    """The test suite's accuracy clips: what was found against what was inserted."""
    folder.mkdir(parents=True, exist_ok=True)
    clips = Clips(folder)
    for wpm in ACCURACY_SPEEDS:
        truth = clips.story(wpm, ACCURACY_PAUSES)
        for source in (truth.path, clips.webm(truth)):
            figures = delivery.analyse(source)
            errors = [
                min((abs(p["start_s"] - start) for p in figures["pauses"]), default=float("inf"))
                for start, _ in truth.pauses
            ]
            found = sum(error <= 0.3 for error in errors)
            print(
                f"espeak -s {wpm} {source.suffix:5} (truth {truth.wpm:.0f} wpm): "
                f"pauses {found}/{len(truth.pauses)} found, {figures['pause_count']} reported, "
                f"start off by <= {max(errors):.2f} s; speaking "
                f"{100 * (figures['speaking_s'] / truth.speaking_s - 1):+.1f}%; pace "
                f"{figures['wpm']:.0f} wpm ({100 * (figures['wpm'] / truth.wpm - 1):+.1f}%)"
            )


def main() -> int:
    runs = int(os.environ.get("BENCH_DELIVERY_RUNS", "7"))
    if "--accuracy" in sys.argv[1:]:
        accuracy(ROOT / "var" / "bench" / "delivery" / "accuracy")
    truth, webm = clip(ROOT / "var" / "bench" / "delivery")
    print(
        f"clip: {truth.duration_s:.1f} s of audio ({webm.stat().st_size / 1024:.0f} KiB WebM/Opus), "
        f"{truth.words} words, {len(truth.pauses)} pauses; cpus: {os.cpu_count()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    figures, _ = timed(delivery.analyse, webm)  # warm-up: imports, Praat's first run
    times, cpu_times = [], []
    for _ in range(runs):
        cpu_start = time.process_time()
        times.append(timed(delivery.analyse, webm)[1])
        cpu_times.append(time.process_time() - cpu_start)

    samples, decode_s = timed(delivery.decode, webm)
    segments, vad_s = timed(delivery.speech_segments, samples)
    _, praat_s = timed(delivery.syllable_nuclei, samples)
    _, envelope_s = timed(delivery.envelope, samples)
    print(
        f"stages of one run: decode {decode_s:.2f} s, voice activity {vad_s:.2f} s, "
        f"syllable nuclei (Praat) {praat_s:.2f} s, envelope {envelope_s:.2f} s"
    )
    found = sum(
        1
        for start, _ in truth.pauses
        if any(abs(p["start_s"] - start) <= 0.3 for p in figures["pauses"])
    )
    print(
        f"figures vs truth: pauses {found}/{len(truth.pauses)} found "
        f"({figures['pause_count']} reported), speaking {figures['speaking_s']:.1f} s vs "
        f"{truth.speaking_s:.1f} s ({100 * (figures['speaking_s'] / truth.speaking_s - 1):+.1f}%), "
        f"pace {figures['wpm']:.0f} vs {truth.wpm:.0f} wpm "
        f"({100 * (figures['wpm'] / truth.wpm - 1):+.1f}%)"
    )
    median, slowest = statistics.median(times), max(times)
    verdict = "ok" if slowest <= TARGET_S else "OVER TARGET"
    print(
        f"analyse() over {runs} runs: median {median:.2f} s, max {slowest:.2f} s "
        f"(target <= {TARGET_S:.0f} s): {verdict}"
    )
    # CPU time is what a quiet machine's wall time would be: the analysis never waits.
    print(f"CPU time per run: median {statistics.median(cpu_times):.2f} s")
    return 0 if slowest <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
