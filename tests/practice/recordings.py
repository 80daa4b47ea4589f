"""Shared pieces of the recording tests: a storage of the test's own and audio to upload.

The audio is made here with PyAV (a tone with silences), cut into chunks the
way MediaRecorder slices one run's stream: the pieces only play joined.
"""

import io

import av
import numpy as np

from practice.models import Recording, RecordingChunk

RATE = 48_000


def tone(seconds: float, *, freq: float = 220.0, gap: float = 0.0) -> np.ndarray:
    """`seconds` of a tone, then `gap` seconds of silence, as 16-bit mono samples."""
    t = np.arange(int(RATE * seconds)) / RATE
    sound = (0.3 * np.sin(2 * np.pi * freq * t) * 32767).astype(np.int16)
    return np.concatenate([sound, np.zeros(int(RATE * gap), dtype=np.int16)])


def webm(samples: np.ndarray, container_format: str = "webm") -> bytes:
    """The samples as one Opus WebM (or Ogg) stream, as a browser's recorder would produce."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container_format) as container:
        stream = container.add_stream("libopus", rate=RATE, layout="mono")
        for start in range(0, len(samples), 960):
            frame = av.AudioFrame.from_ndarray(
                samples[None, start : start + 960], format="s16", layout="mono"
            )
            frame.sample_rate = RATE
            frame.pts = start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def pieces(data: bytes, count: int) -> list[bytes]:
    """`data` cut into `count` byte slices (only the first holds the container header)."""
    size = -(-len(data) // count)
    return [data[i : i + size] for i in range(0, len(data), size)]


def decoded_seconds(file) -> float:
    with av.open(file) as container:
        return sum(frame.samples for frame in container.decode(audio=0)) / RATE


def use_storage(monkeypatch, storage) -> None:
    monkeypatch.setattr(Recording._meta.get_field("audio"), "storage", storage)
    monkeypatch.setattr(RecordingChunk._meta.get_field("data"), "storage", storage)


def stored_files(storage, folder: str = "") -> list[str]:
    """Every file under `folder` of the storage, as paths relative to it."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    found = [f"{folder}/{name}".lstrip("/") for name in files]
    for directory in directories:
        found += stored_files(storage, f"{folder}/{directory}".lstrip("/"))
    return found


# Figures shaped as the contract's version 1 (practice/delivery.py), for pages to render.
FIGURES = {
    "version": 1,
    "method": "test",
    "duration_s": 150.0,
    "speaking_s": 130.0,
    "pauses": [{"start_s": 40.0, "end_s": 41.5}],
    "pause_count": 1,
    "longest_pause_s": 1.5,
    "syllables": 480,
    "words": 320,
    "wpm": 142.0,
    "sections": [],
    "envelope": [0.5] * 200,
    "transcript": None,
}
