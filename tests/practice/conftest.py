"""Fixtures for the practice tests: a recordings folder of the test's own, and
synthesised speech made once per session."""

import os

import pytest
from django.core.files.storage import FileSystemStorage

from practice.models import Recording
from tests.audio import AudioToolMissing, Clips, require_tools
from tests.practice.recordings import use_storage


@pytest.fixture
def recordings_folder(tmp_path, monkeypatch):
    """The recordings storage, pointed at this test's own folder."""
    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(Recording._meta.get_field("audio"), "storage", storage)
    return tmp_path


@pytest.fixture
def recordings_storage(tmp_path, monkeypatch):
    """The recordings' and their chunks' files in a folder of this test's own."""
    storage = FileSystemStorage(location=tmp_path / "recordings")
    use_storage(monkeypatch, storage)
    return storage


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
