"""Synthesised spoken answers with a known ground truth, for the delivery tests.

espeak-ng speaks each sentence (`-s WPM`), sox trims the synthesiser's own
leading and trailing silence and joins the sentences with silences of known
length, so we know exactly where the speech is: every sentence's start and end,
every inserted pause, and the word count of the text. PyAV transcodes a clip to
WebM/Opus, the format the browser uploads.

The browser test uses `spoken_answer_wav` for Chromium's fake microphone, which
wants a 16-bit PCM WAV file.

    truth = spoken_answer_wav(tmp_path / "answer.wav", seconds=20, pauses=[1.5])
    truth.pauses  # [(start_s, end_s)], truth.speaking_s, truth.wpm, truth.words
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import wave
from dataclasses import dataclass, field
from pathlib import Path

import av

RATE = 16_000
# Between two sentences: a speaker's ordinary breath, shorter than a pause (1 s).
SENTENCE_GAP_S = 0.4
LEAD_S = 0.5  # silence before the first word (the user presses Start, then speaks)
TAIL_S = 0.7  # and after the last one

# A STAR story told aloud, written for these tests: real prose with commas, numbers
# and long and short words, one sentence a line.
STORY = (
    "Last spring our payments team was losing almost a fifth of new customers at the "
    "checkout page.",
    "I owned the checkout service, so my manager asked me to find the cause and fix it "
    "before the summer sale.",
    "I started by reading six weeks of session logs, and I noticed that most of the people "
    "who gave up were using older phones.",
    "On those phones the card form took nearly nine seconds to appear, because it loaded a "
    "large fraud library first.",
    "I proposed that we load the form straight away and run the fraud check only when the "
    "customer pressed pay.",
    "The security lead was worried that this would let more stolen cards through, so we "
    "agreed on a two week trial behind a switch.",
    "I wrote the change, added a dashboard for failed payments, and met the support team "
    "every morning to read the complaints together.",
    "After the trial, the form appeared in under two seconds, fraud stayed flat, and "
    "completed orders rose by eleven percent.",
    "We turned the switch on for everyone a week before the sale, which brought in about "
    "four hundred thousand pounds of extra revenue.",
    "What I learned is to measure the slowest customers first, and to turn a disagreement "
    "into a small experiment that both sides trust.",
)


# The accuracy clips (tests/practice/test_delivery.py, bench/delivery.py --accuracy):
# the whole STORY at each espeak speed, with pauses of 1.0 to 3.0 s after five of
# its ten sentences.
ACCURACY_SPEEDS = (110, 130, 150, 170, 190)
ACCURACY_PAUSES = {1: 1.0, 3: 1.5, 5: 2.0, 7: 2.5, 8: 3.0}


class AudioToolMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Truth:
    """What a synthesised clip holds, known because we assembled it."""

    path: Path
    duration_s: float
    speech: list[tuple[float, float]]  # (start_s, end_s) of each sentence
    pauses: list[tuple[float, float]]  # the inserted pauses of 1 s or more
    words: int
    sentence_ends: list[float] = field(default_factory=list)

    @property
    def speaking_s(self) -> float:
        return sum(end - start for start, end in self.speech)

    @property
    def span_s(self) -> float:
        """From the first word to the last, pauses included."""
        return self.speech[-1][1] - self.speech[0][0] if self.speech else 0.0

    @property
    def wpm(self) -> float:
        return self.words * 60 / self.span_s


def require_tools() -> None:
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        raise AudioToolMissing(
            f"{' and '.join(missing)} not found: 'apt-get install espeak-ng sox' "
            "(the audio tests synthesise their speech)"
        )


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()


def silence_wav(path: Path, seconds: float, *, rate: int = RATE) -> Path:
    if not path.exists():
        _run(
            "sox",
            "-n",
            "-r",
            str(rate),
            "-c",
            "1",
            "-b",
            "16",
            str(path),
            "trim",
            "0",
            f"{seconds}",
        )
    return path


def sentence_wav(
    folder: Path, text: str, *, wpm: int, rate: int = RATE, voice_pitch: int = 50
) -> Path:
    """One sentence spoken by espeak-ng at `-s wpm` (`-p voice_pitch`, 0-99, default 50),
    its own silences trimmed off."""
    key = hashlib.sha1(f"{wpm}:{rate}:{voice_pitch}:{text}".encode()).hexdigest()[:16]
    trimmed = folder / f"sentence-{key}.wav"
    if not trimmed.exists():
        raw = folder / f"sentence-{key}.raw.wav"
        _run("espeak-ng", "-s", str(wpm), "-p", str(voice_pitch), "-w", str(raw), text)
        # silence 1 … reverse silence 1 … reverse: cut the quiet start, then the quiet end.
        _run(
            "sox", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(trimmed),
            "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse",
        )  # fmt: skip
        raw.unlink()
    return trimmed


def parts_folder(path: Path) -> Path:
    """Where the sentences and silences a clip is made of are kept (and reused)."""
    folder = path.parent / "parts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def synthesise(
    path: Path,
    sentences: list[str] | tuple[str, ...],
    *,
    wpm: int = 150,
    pauses: dict[int, float] | None = None,
    lead_s: float = LEAD_S,
    tail_s: float = TAIL_S,
    gap_s: float = SENTENCE_GAP_S,
    rate: int = RATE,
    voice_pitch: int = 50,
) -> Truth:
    """`sentences` spoken at espeak's `-s wpm`; `pauses` maps a sentence index to the
    silence (s) after it, instead of the ordinary `gap_s` between sentences."""
    require_tools()
    path = Path(path)
    folder = parts_folder(path)
    pauses = pauses or {}
    pieces: list[Path] = [silence_wav(folder / f"silence-{lead_s}-{rate}.wav", lead_s, rate=rate)]
    speech, inserted = [], []
    clock = lead_s
    for index, text in enumerate(sentences):
        spoken = sentence_wav(folder, text, wpm=wpm, rate=rate, voice_pitch=voice_pitch)
        length = wav_seconds(spoken)
        pieces.append(spoken)
        speech.append((clock, clock + length))
        clock += length
        if index == len(sentences) - 1:
            silence = tail_s
        else:
            silence = pauses.get(index, gap_s)
            if silence >= 1.0:
                inserted.append((clock, clock + silence))
        pieces.append(silence_wav(folder / f"silence-{silence}-{rate}.wav", silence, rate=rate))
        clock += silence
    _run("sox", *map(str, pieces), str(path))
    words = sum(len(text.split()) for text in sentences)
    return Truth(
        path=path,
        duration_s=wav_seconds(path),
        speech=speech,
        pauses=inserted,
        words=words,
        sentence_ends=[end for _, end in speech],
    )


def spoken_answer_wav(
    path: Path, *, seconds: float = 20, pauses: list[float] | tuple[float, ...] = (1.5,), wpm=150
) -> Truth:
    """A spoken STAR answer of about `seconds` (16-bit PCM WAV, 16 kHz mono).

    Sentences of STORY (repeated if needed) until the speech lasts `seconds`; the
    `pauses` (s) fall after evenly spaced sentences, the first after sentence one.
    """
    require_tools()
    folder = parts_folder(Path(path))
    chosen: list[str] = []
    spoken = 0.0
    while spoken < seconds or len(chosen) < len(pauses) + 1:
        text = STORY[len(chosen) % len(STORY)]
        chosen.append(text)
        spoken += wav_seconds(sentence_wav(folder, text, wpm=wpm)) + SENTENCE_GAP_S
    step = max((len(chosen) - 1) // max(len(pauses), 1), 1)
    at = {min(i * step, len(chosen) - 2): length for i, length in enumerate(pauses)}
    return synthesise(path, chosen, wpm=wpm, pauses=at)


def with_hiss(truth: Truth, target: Path, *, volume: float = 0.03) -> Truth:
    """The clip with pink noise mixed under it (a laptop fan, a quiet room), same truth.

    sox -m halves both inputs; at the default the hiss sits about 25 dB below the loudest speech.
    """
    noise = target.with_name(target.stem + ".noise.wav")
    _run(
        "sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(noise),
        "synth", f"{truth.duration_s}", "pinknoise", "vol", str(volume),
    )  # fmt: skip
    _run("sox", "-m", str(truth.path), str(noise), str(target))
    noise.unlink()
    return Truth(
        path=target,
        duration_s=wav_seconds(target),
        speech=truth.speech,
        pauses=truth.pauses,
        words=truth.words,
        sentence_ends=truth.sentence_ends,
    )


def transcode(source: Path, target: Path, *, codec: str = "libopus", rate: int = 48_000) -> Path:
    """`source` re-encoded by PyAV: WebM/Opus as a browser's MediaRecorder uploads it
    (`.webm`), or another container by `target`'s suffix (e.g. `.m4a` with codec "aac")."""
    with av.open(str(source)) as inp, av.open(str(target), mode="w") as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        for frame in inp.decode(audio=0):
            for converted in resampler.resample(frame):
                for packet in stream.encode(converted):
                    out.mux(packet)
        for converted in resampler.resample(None):
            for packet in stream.encode(converted):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return target


class Clips:
    """Synthesised clips made once per test session (see the `speech_clips` fixture)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._made: dict[tuple, Truth] = {}

    def story(self, wpm: int, pauses: dict[int, float] | None = None) -> Truth:
        """The whole STORY at `wpm`, with `pauses` {sentence index: seconds}."""
        key = ("story", wpm, tuple(sorted((pauses or {}).items())))
        if key not in self._made:
            name = f"story-{wpm}-" + "-".join(f"{i}x{s}" for i, s in key[2]) + ".wav"
            self._made[key] = synthesise(self.folder / name, STORY, wpm=wpm, pauses=pauses)
        return self._made[key]

    def webm(self, truth: Truth) -> Path:
        target = truth.path.with_suffix(".webm")
        if not target.exists():
            transcode(truth.path, target)
        return target
