"""Recordings for the story page and history tests: FIGURES-shaped figures and real audio.

Built here rather than through the recording flow, so these pages are tested on
their own: `figures_for(...)` has the shape of `practice/delivery.py`'s output
(see the issue-15 contract) and `stored_recording(...)` saves a real WAV file to
the recordings storage (the `recordings_folder` fixture of tests/practice/conftest.py
points it at the test's own temporary folder).
"""

from django.core.files.base import ContentFile

from practice.models import Recording
from tests.factories import RecordingFactory, wav_bytes

SECTION_LABELS = {
    "situation+task": "Situation + Task",
    "action": "Action",
    "result+learning": "Result + Learning",
}
BUDGET = {"situation+task": 20, "action": 60, "result+learning": 20}


def figures_for(
    *,
    duration_s: float = 150.0,
    wpm: float | None = 142.0,
    pause_count: int = 2,
    split: tuple[int, int, int] | None = (20, 60, 20),
) -> dict:
    """A version-1 figures dict: `split` is the S+T / A / R+L percentages (None: no marks)."""
    pauses = [{"start_s": 10.0 + 20 * i, "end_s": 11.5 + 20 * i} for i in range(pause_count)]
    sections = []
    if split is not None:
        sections = [
            {
                "key": key,
                "label": SECTION_LABELS[key],
                "seconds": round(duration_s * percent / 100, 1),
                "percent": percent,
                "budget_percent": BUDGET[key],
            }
            for key, percent in zip(SECTION_LABELS, split, strict=True)
        ]
    return {
        "version": 1,
        "method": "syllable nuclei (De Jong & Wempe 2009) via Praat/parselmouth; "
        "voice activity by webrtcvad",
        "duration_s": duration_s,
        "speaking_s": round(duration_s * 0.85, 1),
        "pauses": pauses,
        "pause_count": pause_count,
        "longest_pause_s": 1.5 if pause_count else None,
        "syllables": 400,
        "words": 270,
        "wpm": wpm,
        "sections": sections,
        "envelope": [0.5] * 200,
        "transcript": None,
    }


def stored_recording(*, figures: dict | None = None, **kwargs) -> Recording:
    """An analysed recording (unless told otherwise) with a real WAV in the storage."""
    kwargs.setdefault("status", Recording.Status.ANALYSED)
    kwargs.setdefault("mime_type", "audio/wav")
    if figures is None and kwargs["status"] == Recording.Status.ANALYSED:
        figures = figures_for()
    recording = RecordingFactory(figures=figures, **kwargs)
    audio = wav_bytes(0.5)
    recording.audio.save("audio.wav", ContentFile(audio), save=False)
    recording.size_bytes = len(audio)
    duration = (figures or {}).get("duration_s")
    recording.recorded_ms = round(duration * 1000) if isinstance(duration, float) else 500
    recording.save(update_fields=["audio", "size_bytes", "recorded_ms"])
    return recording
