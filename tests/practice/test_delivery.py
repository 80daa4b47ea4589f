"""The delivery analysis against synthesised speech whose truth we know (tests/audio.py).

No database: practice/delivery.py is pure. The clips are espeak-ng sentences from a
STAR story joined by sox with silences of known length, so every pause's position,
the speaking time and the words are known exactly.
"""

import io
import json

import av
import numpy as np
import parselmouth
import pytest
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from parselmouth.praat import call

from practice import delivery
from practice.delivery import AudioError, analyse, assess
from tests.audio import (
    ACCURACY_PAUSES,
    ACCURACY_SPEEDS,
    STORY,
    synthesise,
    transcode,
    with_hiss,
)

PAUSES = ACCURACY_PAUSES


def found_pause_for(truth_start: float, figures: dict) -> dict | None:
    for pause in figures["pauses"]:
        if abs(pause["start_s"] - truth_start) <= 0.3:
            return pause
    return None


@pytest.mark.parametrize("wpm", ACCURACY_SPEEDS)
def test_accuracy_on_a_spoken_story(speech_clips, wpm):
    truth = speech_clips.story(wpm, PAUSES)
    figures = analyse(truth.path)

    # Every inserted pause of 1 s or more is found where it is, and nothing else is:
    # the 0.4 s breaths between the other sentences are no pauses.
    assert len(truth.pauses) == len(PAUSES)
    for start, end in truth.pauses:
        pause = found_pause_for(start, figures)
        assert pause is not None, f"pause at {start:.2f} s not found in {figures['pauses']}"
        assert pause["end_s"] == pytest.approx(end, abs=0.3)
    assert figures["pause_count"] == len(PAUSES)
    assert figures["longest_pause_s"] == pytest.approx(3.0, abs=0.2)

    assert figures["duration_s"] == pytest.approx(truth.duration_s, abs=0.1)
    assert figures["speaking_s"] == pytest.approx(truth.speaking_s, rel=0.10)
    assert figures["wpm"] == pytest.approx(truth.wpm, rel=0.15)
    assert figures["words"] == pytest.approx(truth.words, rel=0.15)


def test_a_clip_without_pauses_reports_none_and_the_same_clip_with_one_finds_it(speech_clips):
    without = analyse(speech_clips.story(150).path)
    assert without["pauses"] == []
    assert without["pause_count"] == 0
    assert without["longest_pause_s"] is None

    truth = speech_clips.story(150, {4: 1.2})
    with_one = analyse(truth.path)
    assert with_one["pause_count"] == 1
    assert with_one["pauses"][0]["start_s"] == pytest.approx(truth.pauses[0][0], abs=0.3)
    assert with_one["longest_pause_s"] == pytest.approx(1.2, abs=0.15)


def test_background_hiss_changes_neither_the_pauses_nor_the_pace(speech_clips):
    truth = with_hiss(
        speech_clips.story(150, PAUSES), speech_clips.folder / "story-150-hiss.wav", volume=0.03
    )
    figures = analyse(truth.path)
    # the hiss is there: the envelope no longer falls to silence inside a pause
    start, end = truth.pauses[-1]
    assert figures["envelope"][int((start + end) / 2 / truth.duration_s * 200)] > 0.03
    assert figures["pause_count"] == len(PAUSES)
    for start, _ in truth.pauses:
        assert found_pause_for(start, figures) is not None
    assert figures["speaking_s"] == pytest.approx(truth.speaking_s, rel=0.10)
    assert figures["wpm"] == pytest.approx(truth.wpm, rel=0.15)


def test_a_very_low_voice_is_still_counted(tmp_path):
    # espeak's lowest pitch: about 55-75 Hz, under Praat's usual 75 Hz floor for men
    truth = synthesise(tmp_path / "low.wav", STORY[:4], wpm=150, voice_pitch=0)
    pitch = parselmouth.Sound(str(truth.path)).to_pitch_ac(pitch_floor=30)
    assert call(pitch, "Get mean", 0, 0, "Hertz") < 80
    figures = analyse(truth.path)
    assert figures["wpm"] == pytest.approx(truth.wpm, rel=0.15)


def test_the_silence_before_the_first_word_and_after_the_last_is_no_pause(speech_clips, tmp_path):
    truth = synthesise(tmp_path / "long-ends.wav", STORY[:2], wpm=150, lead_s=2.5, tail_s=3.0)
    figures = analyse(truth.path)
    assert figures["pauses"] == []
    assert figures["duration_s"] == pytest.approx(truth.duration_s, abs=0.1)
    # ...while the pace is over the spoken span, not the whole recording.
    assert figures["wpm"] == pytest.approx(truth.wpm, rel=0.15)


@pytest.mark.parametrize(
    ("suffix", "codec", "rate"),
    [(".webm", "libopus", 48_000), (".ogg", "libopus", 48_000), (".m4a", "aac", 44_100)],
)
def test_compressed_uploads_give_the_figures_of_the_wav(speech_clips, suffix, codec, rate):
    truth = speech_clips.story(150, PAUSES)
    wav = analyse(truth.path)
    target = truth.path.with_name(truth.path.stem + suffix)
    if not target.exists():
        transcode(truth.path, target, codec=codec, rate=rate)
    with open(target, "rb") as upload:  # a file object, as the storage hands it over
        compressed = analyse(upload)
    assert compressed["duration_s"] == pytest.approx(wav["duration_s"], abs=0.1)
    assert compressed["speaking_s"] == pytest.approx(wav["speaking_s"], rel=0.03)
    assert compressed["wpm"] == pytest.approx(wav["wpm"], rel=0.05)
    assert compressed["pause_count"] == wav["pause_count"]
    for ours, theirs in zip(compressed["pauses"], wav["pauses"], strict=True):
        assert ours["start_s"] == pytest.approx(theirs["start_s"], abs=0.1)


def test_a_file_from_djangos_storage_api_is_read_as_it_is(speech_clips, tmp_path):
    truth = speech_clips.story(150, PAUSES)
    storage = FileSystemStorage(location=tmp_path)
    with speech_clips.webm(truth).open("rb") as upload:
        name = storage.save("answer.webm", File(upload))
    with storage.open(name, "rb") as stored:
        figures = analyse(stored)
    assert figures["pause_count"] == len(PAUSES)
    assert figures["duration_s"] == pytest.approx(truth.duration_s, abs=0.1)


def test_a_webm_cut_short_by_a_crash_gives_the_figures_of_what_arrived(speech_clips):
    truth = speech_clips.story(150, PAUSES)
    data = speech_clips.webm(truth).read_bytes()
    figures = analyse(io.BytesIO(data[: len(data) // 2]))
    assert 0.3 * truth.duration_s < figures["duration_s"] < 0.7 * truth.duration_s
    assert figures["wpm"] == pytest.approx(truth.wpm, rel=0.15)


def test_a_damaged_stretch_in_the_middle_costs_only_that_stretch(speech_clips):
    truth = speech_clips.story(150, PAUSES)
    data = bytearray(speech_clips.webm(truth).read_bytes())
    middle = len(data) // 2
    data[middle : middle + 3000] = b"\x55" * 3000
    figures = analyse(io.BytesIO(bytes(data)))
    assert 0.8 * truth.duration_s < figures["duration_s"] < truth.duration_s
    assert figures["wpm"] == pytest.approx(truth.wpm, rel=0.15)


def test_figures_are_version_1_json(speech_clips):
    figures = analyse(speech_clips.story(150, PAUSES).path)
    assert json.loads(json.dumps(figures)) == figures
    assert figures["version"] == 1
    assert "De Jong & Wempe" in figures["method"]
    assert figures["transcript"] is None
    assert figures["sections"] == []
    assert set(figures) == {
        "version", "method", "duration_s", "speaking_s", "pauses", "pause_count",
        "longest_pause_s", "syllables", "words", "wpm", "sections", "envelope", "transcript",
    }  # fmt: skip


def test_the_envelope_follows_the_loudness(speech_clips):
    truth = speech_clips.story(150, PAUSES)
    figures = analyse(truth.path)
    envelope = figures["envelope"]
    assert len(envelope) == delivery.ENVELOPE_POINTS
    assert max(envelope) == 1.0
    assert min(envelope) >= 0.0

    def level_at(seconds):
        return envelope[int(seconds / truth.duration_s * len(envelope))]

    start, end = truth.pauses[-1]  # the 3 s pause
    speech_start, speech_end = truth.speech[0]
    assert level_at((start + end) / 2) < 0.1
    assert level_at((speech_start + speech_end) / 2) > 0.5


# --- Sections from marks ---------------------------------------------------------------


def test_sections_split_the_time_by_the_marks(speech_clips):
    truth = speech_clips.story(150, PAUSES)
    duration = truth.duration_s
    marks = [
        {"section": "situation", "at_ms": 0},
        {"section": "task", "at_ms": 8000},
        {"section": "action", "at_ms": 16000},
        {"section": "result", "at_ms": 60000},
        {"section": "learning", "at_ms": 70000},
    ]
    figures = analyse(truth.path, marks=marks)
    by_key = {group["key"]: group for group in figures["sections"]}
    assert list(by_key) == ["situation+task", "action", "result+learning"]
    assert by_key["situation+task"]["seconds"] == pytest.approx(16.0, abs=0.1)
    assert by_key["action"]["seconds"] == pytest.approx(44.0, abs=0.1)
    assert by_key["result+learning"]["seconds"] == pytest.approx(duration - 60, abs=0.1)
    assert by_key["action"]["percent"] == round(100 * 44 / duration)
    assert by_key["situation+task"]["label"] == "Situation + Task"
    assert [group["budget_percent"] for group in figures["sections"]] == [20, 60, 20]


def test_sections_count_from_the_first_mark_and_sort_the_marks(speech_clips):
    truth = speech_clips.story(150)
    duration = truth.duration_s
    marks = [{"section": "action", "at_ms": 30000}, {"section": "situation", "at_ms": 10000}]
    groups = {g["key"]: g for g in analyse(truth.path, marks=marks)["sections"]}
    assert groups["situation+task"]["seconds"] == pytest.approx(20.0, abs=0.1)
    assert groups["action"]["seconds"] == pytest.approx(duration - 30, abs=0.1)
    assert groups["result+learning"]["seconds"] == 0
    assert sum(g["percent"] for g in groups.values()) in (99, 100, 101)


@pytest.mark.parametrize(
    "marks",
    [
        [{"section": "chorus", "at_ms": 0}],
        [{"section": "action", "at_ms": -5}],
        [{"section": "action", "at_ms": "soon"}],
        [{"section": "action"}],
        ["action"],
        {"section": "action", "at_ms": 0},
    ],
)
def test_malformed_marks_are_refused_before_any_work(marks):
    with pytest.raises(ValueError):
        analyse("/nonexistent/never-read.webm", marks=marks)


# --- Input that is no speech -----------------------------------------------------------


def test_garbage_bytes_are_an_audio_error(tmp_path):
    path = tmp_path / "noise.webm"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8).tobytes())
    with pytest.raises(AudioError, match="not audio"):
        analyse(path)
    with pytest.raises(AudioError, match="not audio"):
        analyse(io.BytesIO(path.read_bytes()))


def test_an_empty_file_is_an_audio_error(tmp_path):
    path = tmp_path / "empty.webm"
    path.write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        analyse(path)
    with pytest.raises(AudioError, match="empty"):
        analyse(io.BytesIO(b""))


def test_a_file_with_no_audio_stream_is_an_audio_error(tmp_path):
    path = tmp_path / "picture-only.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        black = np.zeros((48, 64, 3), dtype=np.uint8)
        for _ in range(5):
            for packet in stream.encode(av.VideoFrame.from_ndarray(black, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    with pytest.raises(AudioError, match="no audio"):
        analyse(path)


def test_a_missing_file_is_an_audio_error(tmp_path):
    with pytest.raises(AudioError, match="not found"):
        analyse(tmp_path / "gone.webm")


def test_pure_silence_is_a_clear_result_not_a_crash(tmp_path):
    path = tmp_path / "silence.wav"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=16_000, layout="mono")
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 16_000), dtype=np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = 16_000
        for _ in range(5):
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    figures = analyse(path)
    assert figures["duration_s"] == pytest.approx(5.0, abs=0.05)
    assert figures["speaking_s"] == 0
    assert figures["wpm"] is None
    assert figures["syllables"] == 0 and figures["words"] == 0
    assert figures["pauses"] == [] and figures["longest_pause_s"] is None
    assert figures["envelope"] == [0.0] * delivery.ENVELOPE_POINTS


# --- The transcript hook ---------------------------------------------------------------

heard = {}


def fake_transcriber(samples, rate):
    heard["seconds"] = len(samples) / rate
    return "I owned the checkout service."


def test_the_transcript_hook_stores_the_transcribers_text(speech_clips, settings):
    truth = speech_clips.story(150)
    settings.RECORDING_TRANSCRIBER = "tests.practice.test_delivery.fake_transcriber"
    figures = analyse(truth.path)
    assert figures["transcript"] == "I owned the checkout service."
    assert heard["seconds"] == pytest.approx(truth.duration_s, abs=0.1)

    settings.RECORDING_TRANSCRIBER = ""
    assert analyse(truth.path)["transcript"] is None


# --- assess ----------------------------------------------------------------------------


def figures_with(**changes) -> dict:
    figures = {
        "duration_s": 150.0,
        "wpm": 145.0,
        "pauses": [{"start_s": 10.0, "end_s": 11.5}],
        "sections": [
            {"key": "situation+task", "percent": 22, "budget_percent": 20},
            {"key": "action", "percent": 58, "budget_percent": 60},
            {"key": "result+learning", "percent": 20, "budget_percent": 20},
        ],
    }
    figures.update(changes)
    return figures


def verdicts(**changes) -> dict:
    return {v.key: v for v in assess(figures_with(**changes), band_min=120, band_max=180)}


def test_assess_says_every_figure_against_its_target_in_words():
    result = verdicts()
    assert list(result) == ["time", "pace", "pauses", "split"]
    assert {v.state for v in result.values()} == {"ok"}
    assert (result["time"].value, result["time"].target) == ("2:30", "2:00–3:00")
    assert (result["pace"].value, result["pace"].target) == ("145 wpm", "130–160 wpm")
    assert result["pauses"].value == "1 pause of 1 s or more, longest 1.5 s"
    assert result["pauses"].target == "none over 3 s"
    assert (result["split"].value, result["split"].target) == ("22 / 58 / 20", "20 / 60 / 20 (±10)")


@pytest.mark.parametrize(
    ("duration", "state"), [(119.0, "warn"), (190.0, "warn"), (100.0, "bad"), (200.0, "bad")]
)
def test_assess_time_outside_the_band(duration, state):
    assert verdicts(duration_s=duration)["time"].state == state


@pytest.mark.parametrize(
    ("wpm", "state"), [(130.0, "ok"), (160.0, "ok"), (125.0, "warn"), (168.0, "warn"), (110.0, "bad"), (190.0, "bad")]
)  # fmt: skip
def test_assess_pace(wpm, state):
    assert verdicts(wpm=wpm)["pace"].state == state


def test_assess_pace_without_speech_is_bad_and_says_so():
    verdict = verdicts(wpm=None)["pace"]
    assert verdict.state == "bad"
    assert verdict.value == "no speech heard"


def pause(start, length):
    return {"start_s": start, "end_s": start + length}


@pytest.mark.parametrize(
    ("pauses", "state"),
    [
        ([], "ok"),
        ([pause(5, 2.9), pause(20, 1.0)], "ok"),
        ([pause(5, 3.5)], "warn"),
        ([pause(5, 3.5), pause(30, 4.0)], "warn"),
        ([pause(5, 3.5), pause(30, 4.0), pause(60, 3.2)], "bad"),
        ([pause(5, 7.0)], "bad"),
    ],
)
def test_assess_pauses(pauses, state):
    assert verdicts(pauses=pauses)["pauses"].state == state


def test_assess_pauses_says_when_there_were_none():
    assert verdicts(pauses=[])["pauses"].value == "no pauses of 1 s or more"


@pytest.mark.parametrize(
    ("percents", "state"), [((30, 50, 20), "ok"), ((35, 45, 20), "warn"), ((45, 35, 20), "bad")]
)
def test_assess_split(percents, state):
    sections = [
        {"key": key, "percent": percent, "budget_percent": budget}
        for key, percent, budget in zip(
            ("situation+task", "action", "result+learning"), percents, (20, 60, 20), strict=True
        )
    ]
    assert verdicts(sections=sections)["split"].state == state


def test_assess_split_without_marks_says_not_marked():
    verdict = verdicts(sections=[])["split"]
    assert (verdict.value, verdict.state) == ("not marked", "warn")
