"""Fixtures for the practice tests: synthesised speech, made once per session."""

import os

import pytest

from tests.audio import AudioToolMissing, Clips, require_tools


@pytest.fixture(scope="session")
def speech_clips(tmp_path_factory) -> Clips:
    """espeak-ng + sox clips with a known ground truth (tests/audio.py), cached per session."""
    try:
        require_tools()
    except AudioToolMissing as missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    return Clips(tmp_path_factory.mktemp("speech"))
