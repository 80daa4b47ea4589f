"""Fixtures of the practice tests."""

import pytest
from django.core.files.storage import FileSystemStorage

from tests.practice.recordings import use_storage


@pytest.fixture
def recordings_storage(tmp_path, monkeypatch):
    """The recordings' files in a folder of this test's own (the fields read it at access)."""
    storage = FileSystemStorage(location=tmp_path / "recordings")
    use_storage(monkeypatch, storage)
    return storage
