"""STAND-IN: replaced by helper A (practice/delivery.py per the shared contract).

Only the contract's names and signatures, so the recording flow runs before
the real analysis lands. Its numbers are not tested anywhere.
"""

from dataclasses import dataclass

import av

PAUSE_MIN_S = 1.0
PACE_TARGET_WPM = (130, 160)
SYLLABLES_PER_WORD = 1.5


class AudioError(Exception):
    """Undecodable, empty or silent input; the message is for the user."""


@dataclass(frozen=True)
class Verdict:
    key: str
    label: str
    value: str
    target: str
    state: str


def analyse(source, *, marks: list[dict] | None = None) -> dict:
    try:
        with av.open(source if isinstance(source, str) else source) as container:
            samples, rate = 0, 48000
            for frame in container.decode(audio=0):
                samples += frame.samples
                rate = frame.sample_rate
    except (av.FFmpegError, IndexError, ValueError) as error:
        raise AudioError("The audio could not be read.") from error
    if not samples:
        raise AudioError("The recording holds no audio.")
    return {
        "version": 1,
        "method": "stand-in",
        "duration_s": round(samples / rate, 1),
        "speaking_s": round(samples / rate, 1),
        "pauses": [],
        "pause_count": 0,
        "longest_pause_s": None,
        "syllables": 0,
        "words": 0,
        "wpm": None,
        "sections": [],
        "envelope": [0.5] * 200,
        "transcript": None,
    }


def assess(figures: dict, *, band_min: int, band_max: int) -> list[Verdict]:
    return [
        Verdict("time", "Time", f"{figures['duration_s']} s", f"{band_min}–{band_max} s", "ok"),
        Verdict("pace", "Pace", f"{figures['wpm']} wpm", "130–160 wpm", "ok"),
        Verdict("pauses", "Pauses", str(figures["pause_count"]), "few", "ok"),
        Verdict("split", "Split", "—", "20/60/20", "ok"),
    ]
