"""The history page's spoken-delivery charts, from analysed recordings' figures."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from practice.models import Recording
from principles.models import Principle, Question
from tests.factories import AnswerFactory, PracticeSessionFactory, PracticeSettingsFactory
from tests.practice.delivery_data import figures_for, stored_recording

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("recordings_folder")]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def spoken(user, *, when=T0, question=None, status=Recording.Status.ANALYSED, **figures):
    session = PracticeSessionFactory(owner=user, started_at=when, status="finished")
    extra = {"question": question} if question is not None else {}
    answer = AnswerFactory(session=session, position=1, answered=True, **extra)
    recording = stored_recording(
        answer=answer,
        status=status,
        figures=figures_for(**figures) if status == Recording.Status.ANALYSED else None,
    )
    Recording.objects.filter(pk=recording.pk).update(created_at=when)
    return recording


def history(client, **params) -> str:
    response = client.get(reverse("practice:history"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_no_analysed_recordings_is_an_honest_empty_state(user_client, user):
    spoken(user, status=Recording.Status.ANALYSING)  # not analysed yet: nothing to chart
    page = history(user_client)
    assert 'data-testid="no-delivery"' in page and "No analysed recordings yet" in page
    assert 'id="chart-pace"' not in page
    spoken(user, when=T0 + timedelta(hours=1))
    page = history(user_client)
    assert 'data-testid="no-delivery"' not in page
    assert 'id="chart-pace"' in page and 'id="chart-pauses"' in page and 'id="chart-split"' in page


def test_the_charts_show_each_recordings_pace_pauses_and_split(user_client, user):
    spoken(user, when=T0, wpm=118.0, pause_count=5, split=(35, 45, 20))
    spoken(user, when=T0 + timedelta(days=1), wpm=148.6, pause_count=2, split=(19, 62, 19))
    page = history(user_client)
    assert (
        "2 recordings, 1 inside the target of 130 to 160 words per minute; the latest: 149." in page
    )
    assert "the latest had 2 pauses of a second or longer, the fewest was 2." in page
    assert "the latest: Situation + Task 19%, Action 62%, Result + Learning 19%" in page
    assert "<td>02 Mar 2026 09:00</td><td>118</td><td>under</td>" in page


def test_two_recordings_on_one_day_have_distinct_labels(user_client, user):
    spoken(user, when=T0, wpm=140.0)
    spoken(user, when=T0 + timedelta(hours=4, minutes=30), wpm=150.0)
    page = history(user_client)
    assert ">02 Mar 09:00</text>" in page and ">02 Mar 13:30</text>" in page


def test_a_recording_without_marks_or_speech_is_left_out_of_that_chart_only(user_client, user):
    spoken(user, when=T0, wpm=None, split=None, pause_count=0)
    page = history(user_client)
    assert "No analysed recording with speech yet." in page
    assert "No analysed recording with section marks yet." in page
    assert "the latest had 0 pauses" in page  # the pauses chart still has it


def test_malformed_figures_do_not_break_the_page(user_client, user):
    recording = spoken(user, when=T0)
    Recording.objects.filter(pk=recording.pk).update(
        figures={"wpm": "fast", "pause_count": [3], "sections": [{"key": "action"}, "x"]}
    )
    negative = spoken(user, when=T0 + timedelta(hours=1))
    Recording.objects.filter(pk=negative.pk).update(
        figures={"wpm": -5, "pause_count": -1, "sections": {"action": 60}}
    )
    spoken(user, when=T0 + timedelta(days=1), wpm=150.0)
    page = history(user_client)
    assert "1 recording, 1 inside the target" in page
    assert "1 recording; the latest had 2 pauses" in page
    assert "1 recording with section marks" in page


def test_another_users_recordings_are_not_charted(user_client, other_client, user, other_user):
    spoken(other_user, wpm=199.0)
    assert "No analysed recordings yet" in history(user_client)
    assert "the latest: 199." in history(other_client)  # positive control


def test_the_history_filters_apply_to_the_recordings(user_client, user):
    principle = Principle.objects.first()
    tagged = Question.objects.filter(principles=principle).first()
    other = Question.objects.exclude(principles=principle).first()
    spoken(user, when=T0, question=tagged, wpm=141.0)
    spoken(user, when=T0 + timedelta(days=1), question=other, wpm=171.0)
    page = history(user_client, principle=principle.slug)
    assert "1 recording, 1 inside the target of 130 to 160 words per minute; the latest: 141." in (
        page
    )
    assert "2 recordings, 1 inside the target" in history(user_client)  # unfiltered: both


def test_the_htmx_results_fragment_carries_the_charts(user_client, user):
    spoken(user, wpm=150.0)
    response = user_client.get(reverse("practice:history"), HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert "<html" not in fragment and 'id="chart-pace"' in fragment
    assert fragment.count('data-testid="chart"') == 6  # three for answers, three for delivery


@pytest.mark.parametrize("size", [1, 30])
def test_the_history_query_count_is_fixed_with_recordings(
    user_client, user, size, django_assert_num_queries
):
    PracticeSettingsFactory(user=user)
    for i in range(size):
        spoken(user, when=T0 + timedelta(hours=i), wpm=120.0 + i)
    # Login (2), savepoint (2), settings, answer count and page, sessions, three
    # chart queries, the recordings' figures, the story count and the three filter menus.
    with django_assert_num_queries(16):
        page = history(user_client)
    assert f"{size} recording{'s' if size != 1 else ''}, " in page
