"""Fixtures for the practice tests."""

import pytest
from django.core.files.storage import FileSystemStorage

from practice.models import Recording
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
