"""The recording flow on an S3-compatible store (moto), chosen through STORAGES["recordings"].

Upload in chunks, join, serve a byte range and delete: the same views, with the
files in a bucket instead of var/recordings.
"""

import boto3
import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from moto import mock_aws

from practice.models import Recording
from tests.factories import AnswerFactory, PracticeSessionFactory, StoryFactory
from tests.practice.recordings import decoded_seconds, pieces, tone, use_storage, webm

pytestmark = pytest.mark.django_db

BUCKET = "story-bank-recordings"
S3_RECORDINGS = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": BUCKET,
        "region_name": "eu-west-1",
        "access_key": "testing",
        "secret_key": "testing",
        "default_acl": "private",
        "file_overwrite": True,
    },
}


@pytest.fixture
def bucket(monkeypatch):
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        with override_settings(STORAGES={**settings.STORAGES, "recordings": S3_RECORDINGS}):
            use_storage(monkeypatch, storages["recordings"])
            yield client


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_upload_join_serve_and_delete_on_s3(
    user_client, user, bucket, django_capture_on_commit_callbacks
):
    assert type(storages["recordings"]).__name__ == "S3Storage"
    story = StoryFactory(owner=user)
    answer = AnswerFactory(
        session=PracticeSessionFactory(owner=user), story=story, started_at=timezone.now()
    )
    opened = user_client.post(
        reverse("practice:recording-open", args=[answer.session_id, answer.pk]),
        {"mime_type": "audio/webm;codecs=opus"},
    ).json()
    for sequence, piece in enumerate(pieces(webm(tone(2)), 3)):
        response = user_client.post(
            f"{opened['chunk_url']}{sequence}/?recorded_ms={(sequence + 1) * 1000}",
            data=piece,
            content_type="audio/webm",
        )
        assert response.status_code == 201
    assert len(keys(bucket)) == 3  # the chunks, in the bucket

    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(reverse("practice:answer-stop", args=[answer.session_id, answer.pk]))
    recording = Recording.objects.get(uuid=opened["uuid"])
    assert keys(bucket) == [recording.audio.name]
    stored = bucket.get_object(Bucket=BUCKET, Key=recording.audio.name)["Body"]
    assert decoded_seconds(stored) == pytest.approx(2.0, abs=0.05)

    audio_url = reverse("practice:recording-audio", args=[recording.uuid])
    whole = b"".join(user_client.get(audio_url).streaming_content)
    part = user_client.get(audio_url, HTTP_RANGE="bytes=10-29")
    assert part.status_code == 206 and b"".join(part.streaming_content) == whole[10:30]

    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(reverse("practice:recording-delete", args=[recording.uuid]))
    assert keys(bucket) == []
