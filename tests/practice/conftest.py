"""Fixtures for the practice tests."""

import pytest
from django.core.files.storage import FileSystemStorage

from practice.models import Recording


@pytest.fixture
def recordings_folder(tmp_path, monkeypatch):
    """The recordings storage, pointed at this test's own folder."""
    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(Recording._meta.get_field("audio"), "storage", storage)
    return tmp_path
