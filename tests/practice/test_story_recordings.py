"""A story's recordings on its practice card (practice:story): the list and the best take."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from practice.models import Recording
from principles.models import Question
from tests.factories import AnswerFactory, PracticeSessionFactory, StoryFactory
from tests.practice.delivery_data import figures_for, stored_recording

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("recordings_folder")]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def told(user, story, *, question=None, position=1, when=T0):
    session = PracticeSessionFactory(owner=user, started_at=when)
    extra = {"question": question} if question is not None else {}
    return AnswerFactory(session=session, story=story, answered=True, position=position, **extra)


def recording_of(user, story, *, when=T0, **kwargs) -> Recording:
    recording = stored_recording(answer=told(user, story, when=when), **kwargs)
    Recording.objects.filter(pk=recording.pk).update(created_at=when)
    recording.refresh_from_db()
    return recording


def card(client, story) -> str:
    response = client.get(reverse("practice:story", args=[story.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_card_lists_each_recording_with_its_figures_and_a_link(user_client, user):
    story = StoryFactory(owner=user)
    recording = recording_of(
        user, story, figures=figures_for(duration_s=165.0, wpm=142.4, pause_count=3)
    )
    page = card(user_client, story)
    assert page.count('data-testid="recording"') == 1
    assert "2 Mar 2026, 09:00" in page
    assert "2:45" in page and "142 wpm" in page and "3 pauses" in page
    assert ">Analysed<" in page
    assert reverse("practice:recording", args=[recording.uuid]) in page
    assert recording.answer.question.text[:40] in page


def test_a_recording_not_yet_analysed_shows_its_state_and_recorded_length(user_client, user):
    story = StoryFactory(owner=user)
    recording = recording_of(user, story, status=Recording.Status.ANALYSING)
    Recording.objects.filter(pk=recording.pk).update(recorded_ms=73_000)
    page = card(user_client, story)
    assert ">Being analysed<" in page
    assert "1:13" in page
    assert "wpm" not in page and "pause" not in page


def test_broken_figures_do_not_break_the_card(user_client, user):
    story = StoryFactory(owner=user)
    recording_of(user, story, figures={"wpm": "fast", "pause_count": None, "duration_s": [1]})
    recording_of(user, story, when=T0 + timedelta(days=1), figures=figures_for(wpm=151.0))
    page = card(user_client, story)
    assert page.count('data-testid="recording"') == 2
    assert "151 wpm" in page  # the good one still shows its pace
    assert page.count(" wpm") == 1


def test_only_this_storys_recordings_are_listed_newest_first(user_client, user):
    story, other_story = StoryFactory(owner=user), StoryFactory(owner=user)
    recording_of(user, story, when=T0, figures=figures_for(wpm=120.0))
    recording_of(user, story, when=T0 + timedelta(days=2), figures=figures_for(wpm=150.0))
    recording_of(user, other_story, when=T0 + timedelta(days=1), figures=figures_for(wpm=99.0))
    page = card(user_client, story)
    assert page.count('data-testid="recording"') == 2
    assert page.index("150 wpm") < page.index("120 wpm")
    assert "99 wpm" not in page
    assert "99 wpm" in card(user_client, other_story)  # positive control


def test_the_best_take_is_badged_and_the_others_offer_to_become_it(user_client, user):
    story = StoryFactory(owner=user)
    best = recording_of(user, story, is_best_take=True, figures=figures_for(wpm=140.0))
    other = recording_of(user, story, when=T0 + timedelta(days=1))
    page = card(user_client, story)
    assert page.count('data-testid="best-take"') == 1
    best_item = page.split('data-testid="recording"')[2]  # newest first: `best` is second
    assert "Best take" in best_item and "Mark as best take" not in best_item
    assert page.count("Mark as best take") == 1
    action = reverse("practice:recording-best-take", args=[other.uuid])
    assert f'action="{action}"' in page and f'hx-post="{action}"' in page
    assert 'hx-target="#story-practice"' in page
    assert reverse("practice:recording-best-take", args=[best.uuid]) not in page


def test_no_recordings_says_so_until_there_is_one(user_client, user):
    story = StoryFactory(owner=user)
    assert 'data-testid="no-recordings"' in card(user_client, story)
    recording_of(user, story)
    page = card(user_client, story)
    assert 'data-testid="no-recordings"' not in page
    assert 'data-testid="recording"' in page


def test_the_full_page_lists_the_recordings_too(user_client, user):
    story = StoryFactory(owner=user, title="Outage night")
    recording_of(user, story)
    page = user_client.get(reverse("practice:story", args=[story.pk])).content.decode()
    assert "<h1" in page and 'data-testid="recording"' in page


def test_another_users_story_and_recordings_stay_hidden(user_client, other_client, user):
    story = StoryFactory(owner=user)
    recording = recording_of(user, story)
    assert reverse("practice:recording", args=[recording.uuid]) in card(user_client, story)
    response = other_client.get(reverse("practice:story", args=[story.pk]))
    assert response.status_code == 404
    assert str(recording.uuid) not in response.content.decode()


def test_the_recording_audio_is_a_real_file_in_the_storage(user, recordings_folder):
    recording = recording_of(user, StoryFactory(owner=user))
    path = recordings_folder / recording.audio.name
    assert path.read_bytes()[:4] == b"RIFF" and recording.size_bytes == path.stat().st_size


@pytest.mark.parametrize("size", [1, 50])
def test_the_card_query_count_is_fixed(user_client, user, size, django_assert_num_queries):
    story = StoryFactory(owner=user)
    session = PracticeSessionFactory(owner=user)
    for position, question in enumerate(Question.objects.all()[:size], start=1):
        answer = AnswerFactory(
            session=session, question=question, position=position, story=story, answered=True
        )
        stored_recording(answer=answer)
    url = reverse("practice:story", args=[story.pk])
    # Login session + user, the request's savepoint and its release, the story, the stats
    # and the recordings with their questions.
    with django_assert_num_queries(7):
        page = user_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert page.count('data-testid="recording"') == size
