"""How an answer was told aloud: time, speaking time, pauses, pace and section split.

Pure analysis of the decoded audio, no database. `analyse` turns a recording into
the FIGURES dict (version 1) that the review panel, the charts and
`manage.py analyse_recording` read; `assess` sets those figures against their
targets in words.

The steps, each done by a library made for it:

1. **Decode** (PyAV, FFmpeg in its wheel): any container PyAV reads (WebM/Opus
   from MediaRecorder, Ogg, MP4/AAC, WAV), resampled by `av.AudioResampler` to
   mono 16 kHz signed 16-bit, the format the voice-activity detector takes.
2. **Voice activity** (webrtcvad): one decision per 30 ms frame at
   aggressiveness `VAD_AGGRESSIVENESS`. A stretch of speech frames runs from
   the middle of its first frame to the middle of its last, less the
   detector's overhang at its end (`VAD_OVERHANG_S`); then a silence
   shorter than `BRIDGE_S` (0.3 s, De Jong & Wempe's minimum pause) counts as
   speech, since stop closures and the catch of breath between words are part
   of speaking; then a burst shorter than `MIN_SPEECH_S` (a click, a knock)
   left on its own counts as silence. `speaking_s` is the time left as speech.
   A pause is a silence of at least `PAUSE_MIN_S` (1 s, to the tenth of a
   second it is reported in) between the first and the last speech; the
   silence before the first word and after the last is not a pause.
3. **Syllable nuclei** (Praat through parselmouth), after De Jong, N. H., &
   Wempe, T. (2009). Praat script to detect syllable nuclei and measure speech
   rate automatically. *Behavior Research Methods* 41(2), 385–390. A nucleus is
   a peak of loudness that is loud enough, stands out from its neighbour, and
   is voiced. `SYLLABLE_SCRIPT` below does all the signal work in Praat:

   * the intensity contour (`To Intensity`, pitch floor `INTENSITY_FLOOR_HZ`
     50 Hz, mean subtracted);
   * the threshold: `SILENCE_DB` (−25 dB) below the 99th-percentile intensity,
     not below the maximum, so one shout or a knock on the microphone does not
     raise it (never below the quietest frame);
   * Praat's silence/sounding intervals at that threshold with minimum pause
     `MIN_PAUSE_S` (0.3 s);
   * every maximum of the contour (`To PointProcess (extrema)`) above the
     threshold, kept when the intensity dips at least `MIN_DIP_DB` (2 dB)
     between it and the next peak (two peaks without such a dip are one
     syllable);
   * finally only peaks inside a sounding interval where Praat's pitch track
     (`To Pitch (ac)`, floor `PITCH_FLOOR_HZ`, ceiling `PITCH_CEILING_HZ`) finds
     voicing: a loud unvoiced burst, an "s" or a "t", is no syllable.

   These are the paper's defaults but for one: its pitch track's 30 Hz floor
   needs a 100 ms analysis window, and the pitch track is most of the work.
   `PITCH_FLOOR_HZ` is 60 Hz, still below the lowest adult speaking voices
   (Praat's manual suggests 75 Hz for a male voice); it makes Praat's step
   about 40% faster and found the same syllables, to within two per clip, on
   our test clips, a very low voice (mean pitch 74 Hz) included. A three-minute
   answer takes about a second of CPU time (bench/delivery.py).
4. **Words** = syllables / `SYLLABLES_PER_WORD`; `wpm` = words per minute over
   the spoken span, from the first speech to the last, pauses included (as a
   listener hears the pace).
5. **Sections**: the marks' split of the time against stories.star.TIME_BUDGET;
   **envelope**: 200 points of loudness (RMS per slice, in dB) for the waveform.

A transcript step can be plugged in by `settings.RECORDING_TRANSCRIBER` (see
`transcriber`); none ships, and `transcript` is None without one.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import av
import numpy as np
import parselmouth
import webrtcvad

from practice.timing import mmss
from stories.star import SECTION_LABELS, TIME_BUDGET

FIGURES_VERSION = 1
METHOD = "syllable nuclei (De Jong & Wempe 2009) via Praat/parselmouth; voice activity by webrtcvad"

SAMPLE_RATE = 16_000  # Hz; webrtcvad takes 8, 16, 32 or 48 kHz
FRAME_S = 0.030  # webrtcvad takes 10, 20 or 30 ms frames
FRAME_SAMPLES = round(SAMPLE_RATE * FRAME_S)
# 0 (lenient) .. 3 (strict). 2 ignores a laptop's fan and room hum yet keeps soft word endings.
VAD_AGGRESSIVENESS = 2
# webrtcvad keeps saying "speech" for a few frames after speech stops (its overhang,
# there so that word endings are not clipped): 0.1 s at these settings, measured on
# clips whose speech ends are known to the sample (tests/audio.py). Each stretch's
# end is moved back by it, so pauses are not reported short.
VAD_OVERHANG_S = 0.1
BRIDGE_S = 0.3
MIN_SPEECH_S = 0.1
PAUSE_MIN_S = 1.0
# Pauses are reported to a tenth of a second, so a silence that shows as "1.0 s"
# (0.95 s or more) is a pause of 1 s: 30 ms frames place an edge to a few
# hundredths at best.
PAUSE_RESOLUTION_S = 0.05

# De Jong & Wempe (2009)'s parameters, see the module docstring.
SILENCE_DB = -25.0
MIN_DIP_DB = 2.0
MIN_PAUSE_S = 0.3
INTENSITY_FLOOR_HZ = 50.0
PITCH_FLOOR_HZ = 60.0
PITCH_CEILING_HZ = 450.0
PITCH_TIME_STEP_S = 0.02

# Average syllables per word of English: Flesch's "standard" English, 147 syllables
# per 100 words (Flesch, R. (1948). A new readability yardstick. Journal of Applied
# Psychology 32(3), 221–233; the table of reading-ease levels). An answer told in
# plain words has fewer, a technical one more; without a transcript this is the
# honest middle, and the figure says "words" as an estimate.
SYLLABLES_PER_WORD = 1.47

PACE_TARGET_WPM = (130, 160)
# Pauses of 1-3 s are a speaker taking a breath or letting a number land; one over
# LONG_PAUSE_S is where a listener wonders whether the thread was lost.
LONG_PAUSE_S = 3.0
SPLIT_TOLERANCE_POINTS = 10
ENVELOPE_POINTS = 200
ENVELOPE_RANGE_DB = 30.0  # the envelope spans the loudest 30 dB; quieter is drawn as 0

# The budget's groups of STAR sections: "situation+task" → ("situation", "task").
SECTION_GROUPS = {key: tuple(key.split("+")) for key in TIME_BUDGET}


class AudioError(Exception):
    """The input is no audio we can analyse; the message is one plain line for the user."""


@dataclass(frozen=True)
class Verdict:
    """One figure against its target, in words, for the review panel."""

    key: str
    label: str
    value: str
    target: str
    state: str  # "ok", "warn" or "bad"


# --- Decoding -------------------------------------------------------------------


def decode(source: str | Path | IO[bytes]) -> np.ndarray:
    """The first audio stream of `source` as mono 16 kHz int16 samples.

    A stream cut short (the last chunk of a crashed upload) gives the audio up to
    the cut, and a damaged packet is skipped; input with no decodable audio at all
    raises AudioError.
    """
    if isinstance(source, Path):
        source = str(source)
    if _is_empty(source):
        raise AudioError("This recording is empty.")
    try:
        container = av.open(source, mode="r")
    except FileNotFoundError:
        raise AudioError("The audio file was not found.") from None
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError):
        raise AudioError("This file is not audio that can be decoded.") from None
    with container:
        if not container.streams.audio:
            raise AudioError("This file has no audio in it.")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        pieces: list[np.ndarray] = []
        damaged = 0
        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except (av.FFmpegError, ValueError):
                    damaged += 1  # one damaged packet costs its few milliseconds, no more
                    continue
                for frame in frames:
                    pieces.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
        except (av.FFmpegError, OSError, ValueError):
            damaged += 1  # the container breaks off (an upload cut short): keep what came
        pieces.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
    samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
    if samples.size == 0:
        if damaged:
            raise AudioError("This file is not audio that can be decoded.")
        raise AudioError("This recording holds no audio.")
    return samples.astype(np.int16, copy=False)


def _is_empty(source: str | IO[bytes]) -> bool:
    if isinstance(source, str):
        try:
            return os.path.getsize(source) == 0
        except OSError:
            return False  # av.open says what is wrong
    if source.seekable():
        position = source.tell()
        empty = source.read(1) == b""
        source.seek(position)
        return empty
    return False


# --- Voice activity -------------------------------------------------------------


def speech_segments(samples: np.ndarray) -> list[tuple[float, float]]:
    """(start_s, end_s) of each stretch of speech, smoothed (see the module docstring)."""
    vad = webrtcvad.Vad(VAD_AGGRESSIVENESS)
    frames = len(samples) // FRAME_SAMPLES
    raw = samples[: frames * FRAME_SAMPLES].tobytes()
    step = FRAME_SAMPLES * 2  # bytes per frame
    flags = [vad.is_speech(raw[i * step : (i + 1) * step], SAMPLE_RATE) for i in range(frames)]
    # A frame's decision stands for its middle: a stretch runs from the middle of its
    # first frame to the middle of its last, less the overhang.
    half = FRAME_S / 2
    stretches = [
        [start * FRAME_S + half, max(end * FRAME_S - half - VAD_OVERHANG_S, start * FRAME_S + half)]
        for is_speech, start, end in _runs(flags)
        if is_speech
    ]
    merged: list[list[float]] = []
    for stretch in stretches:
        if merged and stretch[0] - merged[-1][1] < BRIDGE_S:
            merged[-1][1] = max(merged[-1][1], stretch[1])
        else:
            merged.append(stretch)
    return [(start, end) for start, end in merged if end - start >= MIN_SPEECH_S]


def _runs(flags: list[bool]) -> list[tuple[bool, int, int]]:
    """[(flag, first_frame, end_frame), ...] for each run of equal flags."""
    runs: list[tuple[bool, int, int]] = []
    start = 0
    for index in range(1, len(flags) + 1):
        if index == len(flags) or flags[index] != flags[start]:
            runs.append((flags[start], start, index))
            start = index
    return runs


def pauses_between(segments: list[tuple[float, float]]) -> list[dict]:
    """The silences of at least PAUSE_MIN_S between consecutive stretches of speech."""
    return [
        {"start_s": round(before[1], 2), "end_s": round(after[0], 2)}
        for before, after in zip(segments, segments[1:], strict=False)
        if after[0] - before[1] >= PAUSE_MIN_S - PAUSE_RESOLUTION_S
    ]


# --- Syllable nuclei (Praat) ----------------------------------------------------

# De Jong & Wempe's method as a Praat script, written for this project. It prints
# the time of each nucleus, one a line. The arguments are the form's fields, in order.
SYLLABLE_SCRIPT = """
form Syllable nuclei
    real silence_db
    real min_dip_db
    real min_pause_s
    real intensity_floor
    real pitch_floor
    real pitch_ceiling
    real pitch_step
endform
sound = selected("Sound")
intensity = To Intensity: intensity_floor, 0, "yes"
quietest = Get minimum: 0, 0, "parabolic"
loudest = Get maximum: 0, 0, "parabolic"
loud = Get quantile: 0, 0, 0.99
threshold = max(loud + silence_db, quietest)
# To TextGrid (silences) takes its threshold relative to the maximum.
silences = To TextGrid (silences): threshold - loudest, min_pause_s, 0.1, "silent", "sounding"
selectObject: intensity
matrix = Down to Matrix
contour = To Sound (slice): 1
maxima = To PointProcess (extrema): 1, "yes", "no", "sinc70"
candidates = Get number of points
loud_peaks = 0
for i to candidates
    selectObject: maxima
    t = Get time from index: i
    selectObject: contour
    level = Get value at time: 1, t, "cubic"
    if level > threshold
        loud_peaks += 1
        peak_time[loud_peaks] = t
        peak_level[loud_peaks] = level
    endif
endfor
selectObject: sound
pitch = To Pitch (ac): pitch_step, pitch_floor, 4, "no", 0.03, 0.25, 0.01, 0.35, 0.25, pitch_ceiling
for i to loud_peaks - 1
    selectObject: intensity
    dip = Get minimum: peak_time[i], peak_time[i + 1], "none"
    if peak_level[i] - dip > min_dip_db
        selectObject: silences
        interval = Get interval at time: 1, peak_time[i]
        label$ = Get label of interval: 1, interval
        selectObject: pitch
        f0 = Get value at time: peak_time[i], "Hertz", "linear"
        if label$ = "sounding" and f0 <> undefined
            appendInfoLine: fixed$(peak_time[i], 3)
        endif
    endif
endfor
"""


def syllable_nuclei(samples: np.ndarray) -> list[float]:
    """The times (s) of the syllable nuclei Praat finds in `samples`."""
    if len(samples) < SAMPLE_RATE // 10 or not np.any(samples):
        return []  # Praat's intensity needs a few pitch periods; silence has no peaks
    sound = parselmouth.Sound(samples.astype(np.float64) / 32768.0, sampling_frequency=SAMPLE_RATE)
    try:
        _, output = parselmouth.praat.run(
            sound,
            SYLLABLE_SCRIPT,
            SILENCE_DB,
            MIN_DIP_DB,
            MIN_PAUSE_S,
            INTENSITY_FLOOR_HZ,
            PITCH_FLOOR_HZ,
            PITCH_CEILING_HZ,
            PITCH_TIME_STEP_S,
            capture_output=True,
        )
    except parselmouth.PraatError:
        # Praat refuses a contour without a single peak (e.g. a steady tone).
        return []
    return [float(line) for line in output.split()]


# --- Sections and envelope ------------------------------------------------------


def section_group(section: str) -> str:
    for key, members in SECTION_GROUPS.items():
        if section in members:
            return key
    raise ValueError(f"unknown section {section!r}")


def group_label(key: str) -> str:
    return " + ".join(SECTION_LABELS[name] for name in SECTION_GROUPS[key])


def validated_marks(marks: Iterable[Any] | None) -> list[dict]:
    """Marks as [{"section", "at_ms"}] in time order (other keys are left out);
    ValueError for anything that is not a list of such marks."""
    if marks is None:
        return []
    if not isinstance(marks, list | tuple):
        raise ValueError("marks must be a list")
    checked = []
    for index, mark in enumerate(marks):
        if not isinstance(mark, dict):
            raise ValueError(f"mark {index} must be an object with 'section' and 'at_ms'")
        section, at_ms = mark.get("section"), mark.get("at_ms")
        if section not in SECTION_LABELS:
            raise ValueError(f"mark {index}: unknown section {section!r}")
        if isinstance(at_ms, bool) or not isinstance(at_ms, int | float) or not at_ms >= 0:
            raise ValueError(f"mark {index}: at_ms must be a number of milliseconds >= 0")
        checked.append({"section": section, "at_ms": at_ms})
    return sorted(checked, key=lambda mark: mark["at_ms"])


def sections(marks: list[dict], *, duration_s: float) -> list[dict]:
    """Time per budget group from the marks; each mark runs to the next, the last to the end.

    Percentages are of the marked time (from the first mark to the end), so they add
    up to 100 and compare with the budget even when the first tap came late.
    """
    if not marks:
        return []
    seconds = dict.fromkeys(TIME_BUDGET, 0.0)
    ends = [mark["at_ms"] / 1000 for mark in marks[1:]] + [duration_s]
    for mark, end in zip(marks, ends, strict=True):
        start = min(mark["at_ms"] / 1000, duration_s)
        seconds[section_group(mark["section"])] += max(min(end, duration_s) - start, 0.0)
    total = sum(seconds.values())
    return [
        {
            "key": key,
            "label": group_label(key),
            "seconds": round(seconds[key], 1),
            "percent": round(100 * seconds[key] / total) if total else 0,
            "budget_percent": round(100 * share),
        }
        for key, share in TIME_BUDGET.items()
    ]


def envelope(samples: np.ndarray, points: int = ENVELOPE_POINTS) -> list[float]:
    """Loudness in `points` equal slices: RMS in dB, the loudest slice 1.0, 30 dB down 0.0."""
    if len(samples) == 0:
        return [0.0] * points
    slices = np.array_split(samples.astype(np.float64), points)
    rms = np.array([math.sqrt(float(np.mean(s * s))) if s.size else 0.0 for s in slices])
    top = rms.max()
    if top <= 0:
        return [0.0] * points
    with np.errstate(divide="ignore"):
        db = 20 * np.log10(rms / top)
    scaled = np.clip(1 + db / ENVELOPE_RANGE_DB, 0.0, 1.0)
    return [round(float(value), 3) for value in scaled]


# --- Transcript hook ------------------------------------------------------------


def transcriber() -> Callable[[np.ndarray, int], str] | None:
    """The callable named by settings.RECORDING_TRANSCRIBER, or None when it is empty."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    path = getattr(settings, "RECORDING_TRANSCRIBER", "") if settings.configured else ""
    return import_string(path) if path else None


# --- The figures ----------------------------------------------------------------


def analyse(source: str | Path | IO[bytes], *, marks: list[dict] | None = None) -> dict:
    """The FIGURES of one recording (see the module docstring and the contract).

    Raises AudioError for input that holds no decodable audio, ValueError for
    malformed marks (checked first, before any decoding).
    """
    checked_marks = validated_marks(marks)
    samples = decode(source)
    duration_s = len(samples) / SAMPLE_RATE
    segments = speech_segments(samples)
    speaking_s = sum(end - start for start, end in segments)
    pauses = pauses_between(segments)
    if segments:
        span_s = segments[-1][1] - segments[0][0]
        first, last = segments[0][0], segments[-1][1]
        # Count only nuclei in the spoken span: a cough before the first word is no syllable.
        syllables = sum(1 for t in syllable_nuclei(samples) if first - 0.1 <= t <= last + 0.1)
    else:
        span_s, syllables = 0.0, 0
    words = syllables / SYLLABLES_PER_WORD
    wpm = round(words * 60 / span_s, 1) if segments and span_s > 0 else None
    lengths = [pause["end_s"] - pause["start_s"] for pause in pauses]
    transcribe = transcriber()
    return {
        "version": FIGURES_VERSION,
        "method": METHOD,
        "duration_s": round(duration_s, 1),
        "speaking_s": round(float(speaking_s), 1),
        "pauses": pauses,
        "pause_count": len(pauses),
        "longest_pause_s": round(max(lengths), 1) if lengths else None,
        "syllables": syllables,
        "words": round(words),
        "wpm": wpm,
        "sections": sections(checked_marks, duration_s=duration_s),
        "envelope": envelope(samples),
        "transcript": transcribe(samples, SAMPLE_RATE) if transcribe else None,
    }


# --- Against the targets --------------------------------------------------------


def assess(figures: dict, *, band_min: int, band_max: int) -> list[Verdict]:
    """The figures against their targets, one Verdict each for time, pace, pauses, split.

    The rules, as the review panel states them:
    * time: inside the user's band is ok; up to 10% of the band's edge outside is
      warn; further out is bad.
    * pace: PACE_TARGET_WPM (130–160) is ok; within 10 wpm of it warn; else bad.
      No speech at all is bad.
    * pauses: none over LONG_PAUSE_S (3 s) is ok; one or two over it (none over
      twice that) warn; more, or any over 6 s, bad.
    * split: every group within ±10 points of its budget share is ok; within ±20
      warn; further out bad. Without marks: warn, "not marked".
    """
    return [
        _time_verdict(figures, band_min, band_max),
        _pace_verdict(figures),
        _pauses_verdict(figures),
        _split_verdict(figures),
    ]


def _time_verdict(figures: dict, band_min: int, band_max: int) -> Verdict:
    seconds = figures["duration_s"]
    if band_min <= seconds <= band_max:
        state = "ok"
    elif band_min * 0.9 <= seconds <= band_max * 1.1:
        state = "warn"
    else:
        state = "bad"
    return Verdict("time", "Time", mmss(seconds), f"{mmss(band_min)}–{mmss(band_max)}", state)


def _pace_verdict(figures: dict) -> Verdict:
    low, high = PACE_TARGET_WPM
    target = f"{low}–{high} wpm"
    wpm = figures["wpm"]
    if wpm is None:
        return Verdict("pace", "Pace", "no speech heard", target, "bad")
    if low <= wpm <= high:
        state = "ok"
    elif low - 10 <= wpm <= high + 10:
        state = "warn"
    else:
        state = "bad"
    return Verdict("pace", "Pace", f"{round(wpm)} wpm", target, state)


def _pauses_verdict(figures: dict) -> Verdict:
    lengths = [pause["end_s"] - pause["start_s"] for pause in figures["pauses"]]
    long_ones = [length for length in lengths if length > LONG_PAUSE_S]
    if not long_ones:
        state = "ok"
    elif len(long_ones) <= 2 and max(long_ones) <= 2 * LONG_PAUSE_S:
        state = "warn"
    else:
        state = "bad"
    count = len(lengths)
    if count == 0:
        value = "no pauses of 1 s or more"
    else:
        value = (
            f"{count} pause{'s' if count != 1 else ''} of 1 s or more, longest {max(lengths):.1f} s"
        )
    return Verdict("pauses", "Pauses", value, f"none over {LONG_PAUSE_S:.0f} s", state)


def _split_verdict(figures: dict) -> Verdict:
    budget = " / ".join(f"{round(share * 100)}" for share in TIME_BUDGET.values())
    target = f"{budget} (±{SPLIT_TOLERANCE_POINTS})"
    groups = figures["sections"]
    if not groups:
        return Verdict("split", "Section split", "not marked", target, "warn")
    worst = max(abs(group["percent"] - group["budget_percent"]) for group in groups)
    if worst <= SPLIT_TOLERANCE_POINTS:
        state = "ok"
    elif worst <= 2 * SPLIT_TOLERANCE_POINTS:
        state = "warn"
    else:
        state = "bad"
    value = " / ".join(str(group["percent"]) for group in groups)
    return Verdict("split", "Section split", value, target, state)
