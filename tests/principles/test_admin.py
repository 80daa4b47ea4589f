"""Curating the question bank in the admin: actions and the CSV round trip."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from principles.models import Level, Question
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:principles_question_changelist"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def run_action(staff_client, action, questions):
    return staff_client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [q.pk for q in questions]},
        follow=True,
    )


def test_only_staff_reach_the_admin(user_client):
    response = user_client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_changelist_filters_and_search(staff_client):
    response = staff_client.get(
        reverse(CHANGELIST),
        {"level__id__exact": Level.objects.get(slug="mid").pk, "q": "unblocked"},
    )
    assert response.status_code == 200
    assert "Tell me about a time you unblocked a teammate." in response.content.decode()


def test_deactivate_and_activate_actions(staff_client):
    questions = QuestionFactory.create_batch(2)
    run_action(staff_client, "deactivate", questions)
    assert not Question.objects.filter(pk__in=[q.pk for q in questions], is_active=True).exists()
    run_action(staff_client, "activate", questions)
    assert Question.objects.filter(pk__in=[q.pk for q in questions], is_active=True).count() == 2


def test_move_to_level_action(staff_client):
    questions = QuestionFactory.create_batch(3)
    response = run_action(staff_client, "move_to_staff", questions)
    assert "3 question(s) moved to Staff/Principal" in response.content.decode()
    assert {q.level.slug for q in Question.objects.filter(pk__in=[q.pk for q in questions])} == {
        "staff"
    }


def test_export_all_as_csv_lists_every_question_with_slugs(staff_client):
    response = staff_client.get(reverse("admin:principles_question_export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == Question.objects.count()
    row = next(r for r in rows if r["text"] == "Tell me about a time you unblocked a teammate.")
    assert row["level"] == "mid"
    assert row["active"] == "true"


def upload(staff_client, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return staff_client.post(
        reverse("admin:principles_question_import"),
        {"file": SimpleUploadedFile("questions.csv", data, content_type="text/csv")},
    )


def test_csv_round_trip_changes_nothing_and_creates_no_duplicates(staff_client):
    before = Question.objects.count()
    exported = staff_client.get(reverse("admin:principles_question_export")).content.decode()
    response = upload(staff_client, exported)
    assert response.status_code == 302
    assert Question.objects.count() == before
    assert (
        staff_client.get(reverse("admin:principles_question_export")).content.decode() == exported
    )


def test_csv_import_creates_and_updates(staff_client):
    text = (
        "text,level,principles,themes,follow_ups,active\n"
        "Tell me about a time you cut a cloud bill.,senior,frugality;ownership,customer-impact,How much? | Who agreed?,true\n"
        "Tell me about a time you unblocked a teammate.,senior,,,,false\n"
    )
    response = upload(staff_client, text)
    assert response.status_code == 302
    new = Question.objects.get(text="Tell me about a time you cut a cloud bill.")
    assert {p.slug for p in new.principles.all()} == {"frugality", "ownership"}
    assert new.follow_up_list == ["How much?", "Who agreed?"]
    updated = Question.objects.get(text="Tell me about a time you unblocked a teammate.")
    assert updated.level.slug == "senior" and not updated.is_active


def test_csv_import_refuses_bad_rows_with_line_numbers_and_saves_nothing(staff_client):
    before = Question.objects.count()
    text = (
        "text,level,principles,themes,follow_ups,active\n"
        "A perfectly good new question?,mid,ownership,,,true\n"
        ",mid,,,,true\n"
        "Another question?,boss,,,,true\n"
        "Third question?,senior,not-a-principle,,,true\n"
    )
    response = upload(staff_client, text)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Line 3: the question text is empty." in body
    assert "Line 4: bad level &#x27;boss&#x27;" in body
    assert "Line 5: unknown principle slug &#x27;not-a-principle&#x27;" in body
    assert Question.objects.count() == before
    assert not Question.objects.filter(text="A perfectly good new question?").exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"title,body\nx,y\n", "missing column"),
        (b"text,level\n", "no question rows"),
    ],
)
def test_csv_import_rejects_unusable_files(staff_client, payload, message):
    response = upload(staff_client, payload)
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
