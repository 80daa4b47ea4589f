"""Files follow their rows: deleting a recording or a chunk, by any path, deletes its file.

A row goes by many paths (its recording, answer, session or the whole account,
each a cascade), so the file is removed by a post_delete receiver, once the
transaction commits: a rolled-back delete keeps both the row and the file.
"""

from django.db import transaction


def delete_file_on_commit(field_file) -> None:
    if not field_file:
        return
    storage, name = field_file.storage, field_file.name
    transaction.on_commit(lambda: storage.delete(name))


def recording_deleted(sender, instance, **kwargs) -> None:
    delete_file_on_commit(instance.audio)


def chunk_deleted(sender, instance, **kwargs) -> None:
    delete_file_on_commit(instance.data)


def connect() -> None:
    from django.db.models.signals import post_delete

    from practice.models import Recording, RecordingChunk

    post_delete.connect(recording_deleted, sender=Recording, dispatch_uid="recording_file")
    post_delete.connect(chunk_deleted, sender=RecordingChunk, dispatch_uid="recording_chunk_file")
