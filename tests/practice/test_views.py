"""Practice pages through the test client, with the server's clock under test control."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from practice.models import Answer, PracticeSession, PracticeSettings, ReviewSchedule
from principles.models import Level, Principle, Question, Theme
from tests.factories import (
    AnswerFactory,
    PracticeSessionFactory,
    PracticeSettingsFactory,
    ReviewScheduleFactory,
    StoryFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def start_session(client, **data) -> PracticeSession:
    response = client.post(reverse("practice:start"), {"mode": "level", **data})
    assert response.status_code == 302, response.content.decode()[:500]
    return PracticeSession.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])


def answer_url(name: str, answer: Answer) -> str:
    return reverse(f"practice:answer-{name}", args=[answer.session_id, answer.pk])


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def two_questions(user):
    return PracticeSettingsFactory(user=user, questions_per_session=2)


# --- The whole flow ---------------------------------------------------------------


def test_full_session_with_server_times(user_client, user, two_questions):
    story = StoryFactory(owner=user, title="Checkout fallback", status="polished")
    with time_machine.travel(T0, tick=False) as clock:
        session = start_session(user_client)
        first, second = session.answers.order_by("position")

        page = body(user_client.get(session.get_absolute_url()))
        assert "Question 1 of 2" in page
        assert escape(first.question.text) in page
        assert "Checkout fallback" in page
        assert (
            "Situation + Task ≈ 20%" in page
            and 'Action ≈ 60% <span class="text-body-secondary">(1:30)' in page
        )

        user_client.post(answer_url("start", first), {"story": story.pk})
        clock.shift(timedelta(seconds=150))
        page = body(user_client.get(session.get_absolute_url()))
        assert 'data-started-at-ms="1772442000000"' in page  # T0, from the server
        assert ">2:30</p>" in page  # rendered from the server clock, before any script
        user_client.post(answer_url("stop", first))
        first.refresh_from_db()
        assert (first.started_at, first.stopped_at) == (T0, T0 + timedelta(seconds=150))
        assert first.duration_seconds == 150 and first.within_band is True
        page = body(user_client.get(session.get_absolute_url()))
        assert "Inside the band of 2:00–3:00." in page

        user_client.post(
            answer_url("rate", first),
            {
                "rating": "4",
                "said_i": "on",
                "gave_number": "on",
                "story": story.pk,
                "notes": "Lead with $60k",
            },
        )
        page = body(user_client.get(session.get_absolute_url()))
        assert "Question 2 of 2" in page and escape(second.question.text) in page

        clock.shift(timedelta(seconds=30))
        user_client.post(answer_url("start", second), {"story": ""})
        clock.shift(timedelta(seconds=200))
        user_client.post(answer_url("stop", second))
        user_client.post(answer_url("rate", second), {"rating": "2"})
        page = body(user_client.get(session.get_absolute_url()))
        assert "All 2 questions answered" in page
        user_client.post(reverse("practice:finish", args=[session.pk]))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.rating, first.said_i, first.named_obstacle, first.story) == (
        4,
        True,
        False,
        story,
    )
    assert first.notes == "Lead with $60k"
    assert (second.duration_seconds, second.within_band, second.story) == (200, False, None)
    session.refresh_from_db()
    assert session.status == "finished"
    assert session.finished_at == T0 + timedelta(seconds=380)

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        summary = body(user_client.get(session.get_absolute_url()))
    assert "Session summary" in summary
    assert summary.count('data-testid="summary-row"') == 2
    assert "2:30" in summary and "3:20" in summary
    assert "inside band" in summary and "over band" in summary
    assert "4/5" in summary and "2/5" in summary
    assert "Checkout fallback" in summary and "Lead with $60k" in summary
    # First pass: due again the next day, in both cases (a lapse also comes back tomorrow).
    assert summary.count('<td class="text-nowrap">3 Mar 2026</td>') == 2
    assert "Nothing is due for review today." in summary
    assert "This session's questions come back from 3 Mar 2026." in summary
    schedules = ReviewSchedule.objects.filter(user=user)
    assert {s.due_on for s in schedules} == {date(2026, 3, 3)}

    history = body(user_client.get(reverse("practice:history")))
    assert "2:30" in history and "3:20" in history
    assert "2 timed answers, 1 inside the band of 2:00 to 3:00" in history
    assert "1 of 1 story practised at least once." in history


def test_summary_says_what_is_due_next(user_client, user, two_questions):
    ReviewScheduleFactory(user=user, due_on=date(2026, 3, 1))
    with time_machine.travel(T0, tick=False):
        session = start_session(user_client)
        user_client.post(reverse("practice:finish", args=[session.pk]))
        page = body(user_client.get(session.get_absolute_url()))
    assert "1 question due for review today." in page
    assert "Practise the due questions" in page


def test_session_page_reload_keeps_the_server_start(user_client, two_questions):
    with time_machine.travel(T0, tick=False) as clock:
        session = start_session(user_client)
        answer = session.answers.get(position=1)
        user_client.post(answer_url("start", answer))
        clock.shift(timedelta(seconds=125))
        page = body(user_client.get(session.get_absolute_url()))
        assert 'data-started-at-ms="1772442000000"' in page
        assert 'data-server-now-ms="1772442125000"' in page
        assert "timer-amber" in page  # 2:05 is inside the band
        clock.shift(timedelta(seconds=60))
        assert "timer-red" in body(user_client.get(session.get_absolute_url()))


# --- Pressing things twice, out of order, or too late ------------------------------


def test_pressing_start_twice_keeps_the_first_instant(user_client, two_questions):
    with time_machine.travel(T0, tick=False) as clock:
        session = start_session(user_client)
        answer = session.answers.get(position=1)
        user_client.post(answer_url("start", answer))
        clock.shift(timedelta(seconds=40))
        response = user_client.post(answer_url("start", answer))
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.started_at == T0 and answer.stopped_at is None


def test_pressing_done_twice_keeps_the_first_stop(user_client, two_questions):
    with time_machine.travel(T0, tick=False) as clock:
        session = start_session(user_client)
        answer = session.answers.get(position=1)
        user_client.post(answer_url("start", answer))
        clock.shift(timedelta(seconds=100))
        user_client.post(answer_url("stop", answer))
        clock.shift(timedelta(seconds=100))
        response = user_client.post(answer_url("stop", answer))
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.duration_seconds == 100 and answer.stopped_at == T0 + timedelta(seconds=100)
    assert answer.within_band is False


def test_start_after_done_changes_nothing(user_client, two_questions):
    with time_machine.travel(T0, tick=False) as clock:
        session = start_session(user_client)
        answer = session.answers.get(position=1)
        user_client.post(answer_url("start", answer))
        clock.shift(timedelta(seconds=130))
        user_client.post(answer_url("stop", answer))
        clock.shift(timedelta(seconds=50))
        response = user_client.post(answer_url("start", answer), follow=True)
    assert "already been answered" in body(response)
    answer.refresh_from_db()
    assert (answer.started_at, answer.duration_seconds) == (T0, 130)


@pytest.mark.parametrize("started", [False, True])
def test_rating_before_done_is_refused_without_writing(user_client, user, two_questions, started):
    session = start_session(user_client)
    answer = session.answers.get(position=1)
    if started:
        user_client.post(answer_url("start", answer))
    response = user_client.post(answer_url("rate", answer), {"rating": "5"}, follow=True)
    expected = "Press Done to stop the clock" if started else "Answer this question before rating"
    assert expected in body(response)
    answer.refresh_from_db()
    assert answer.rating is None and answer.stopped_at is None
    assert not ReviewSchedule.objects.filter(user=user).exists()


def test_done_before_start_is_refused(user_client, two_questions):
    session = start_session(user_client)
    answer = session.answers.get(position=1)
    response = user_client.post(answer_url("stop", answer), follow=True)
    assert "Press Start before Done" in body(response)
    answer.refresh_from_db()
    assert answer.stopped_at is None


def test_a_later_question_cannot_start_before_the_current_one(user_client, two_questions):
    session = start_session(user_client)
    second = session.answers.get(position=2)
    response = user_client.post(answer_url("start", second), follow=True)
    assert "Finish question 1 before starting this one." in body(response)
    second.refresh_from_db()
    assert second.started_at is None


@pytest.mark.parametrize("action", ["finish", "abandon"])
def test_ending_a_session_closes_a_running_answer(user_client, two_questions, action):
    with time_machine.travel(T0, tick=False) as clock:
        session = start_session(user_client)
        answer = session.answers.get(position=1)
        user_client.post(answer_url("start", answer))
        clock.shift(timedelta(seconds=400))
        user_client.post(reverse(f"practice:{action}", args=[session.pk]))
    answer.refresh_from_db()
    session.refresh_from_db()
    assert session.status == {"finish": "finished", "abandon": "abandoned"}[action]
    assert answer.closed_automatically is True
    assert answer.stopped_at == T0 + timedelta(seconds=400) == session.finished_at
    assert (answer.duration_seconds, answer.within_band) == (400, False)
    summary = body(user_client.get(session.get_absolute_url()))
    assert "Left running: closed when the session ended" in summary
    assert "Not answered" in summary  # the second question was never started


def test_finishing_twice_keeps_the_first_finish(user_client, two_questions):
    with time_machine.travel(T0, tick=False) as clock:
        session = start_session(user_client)
        user_client.post(reverse("practice:finish", args=[session.pk]))
        clock.shift(timedelta(minutes=5))
        user_client.post(reverse("practice:finish", args=[session.pk]))
        user_client.post(reverse("practice:abandon", args=[session.pk]))
    session.refresh_from_db()
    assert (session.status, session.finished_at) == ("finished", T0)


def test_a_finished_session_takes_no_more_answers(user_client, two_questions):
    session = start_session(user_client)
    answer = session.answers.get(position=1)
    user_client.post(reverse("practice:finish", args=[session.pk]))
    for name in ("start", "stop"):
        response = user_client.post(answer_url(name, answer), follow=True)
        assert response.status_code == 200
    assert "This session is finished" in body(response)
    answer.refresh_from_db()
    assert answer.started_at is None


def test_rerating_is_refused_once_finished_but_allowed_while_active(user_client, user):
    PracticeSettingsFactory(user=user, questions_per_session=1)
    with time_machine.travel(T0, tick=False) as clock:
        session = start_session(user_client)
        answer = session.answers.get()
        user_client.post(answer_url("start", answer))
        clock.shift(timedelta(seconds=150))
        user_client.post(answer_url("stop", answer))
        user_client.post(answer_url("rate", answer), {"rating": "1"})
        user_client.post(answer_url("rate", answer), {"rating": "5"})
        schedule = ReviewSchedule.objects.get(user=user)
        # Rebuilt from the answer, not applied twice: one pass, due tomorrow.
        assert (schedule.repetitions, schedule.due_on) == (1, date(2026, 3, 3))
        user_client.post(reverse("practice:finish", args=[session.pk]))
        response = user_client.post(answer_url("rate", answer), {"rating": "2"}, follow=True)
    assert "This session is finished" in body(response)
    answer.refresh_from_db()
    assert answer.rating == 5


# --- Starting: modes, empty draws, settings -----------------------------------------


def test_home_shows_settings_due_count_and_recent_sessions(user_client, user):
    PracticeSettingsFactory(
        user=user, target_level=Level.objects.get(slug="staff"), target_company="Acme"
    )
    ReviewScheduleFactory(user=user, due_on=timezone.localdate() - timedelta(days=1))
    ReviewScheduleFactory(user=user, due_on=timezone.localdate())
    ReviewScheduleFactory(user=user, due_on=timezone.localdate() + timedelta(days=3))
    PracticeSessionFactory(owner=user, status="finished")
    page = body(user_client.get(reverse("practice:home")))
    assert "Staff/Principal" in page and "Acme" in page and "2:00–3:00" in page
    assert "2 questions due today" in page
    assert "By level" in page and "Due for review" in page
    assert 'href="/practice/settings/"' in page
    assert 'href="/practice/history/"' in page
    assert page.count('href="/practice/sessions/') == 1


def test_new_user_gets_default_settings_without_a_write(user_client, user):
    page = body(user_client.get(reverse("practice:home")))
    assert "Senior" in page and "2:00–3:00" in page and "5 per session" in page
    assert not PracticeSettings.objects.filter(user=user).exists()


def test_start_by_level_uses_the_target_and_the_level_below(user_client, user):
    PracticeSettingsFactory(
        user=user, target_level=Level.objects.get(slug="staff"), questions_per_session=20
    )
    session = start_session(user_client)
    levels = set(session.answers.values_list("question__level__slug", flat=True))
    assert levels <= {"staff", "senior"}
    assert session.answers.count() == 20
    assert session.answers.values("question").distinct().count() == 20
    assert (session.band_min_seconds, session.band_max_seconds, session.level.slug) == (
        120,
        180,
        "staff",
    )


def test_start_by_principle_draws_only_that_principle(user_client, user):
    PracticeSettingsFactory(user=user, questions_per_session=6)
    session = start_session(user_client, mode="principle", principle="dive-deep")
    assert session.principle.slug == "dive-deep"
    assert session.answers.count() == 6
    for answer in session.answers.all():
        assert "dive-deep" in {p.slug for p in answer.question.principles.all()}


def test_start_by_theme_with_no_questions_says_so_and_creates_nothing(user_client):
    theme = ThemeFactory(slug="quiet-theme", name="Quiet theme")
    response = user_client.post(reverse("practice:start"), {"mode": "theme", "theme": theme.slug})
    assert response.status_code == 200
    assert "There are no questions for “Quiet theme” yet." in body(response)
    assert not PracticeSession.objects.exists()


def test_start_due_with_nothing_due_says_when_the_next_one_is(user_client, user):
    ReviewScheduleFactory(user=user, due_on=date(2099, 1, 5))
    response = user_client.post(reverse("practice:start"), {"mode": "due"})
    assert "Nothing is due for review today. The next question is due on 5 January 2099." in body(
        response
    )
    assert not PracticeSession.objects.exists()


def test_start_due_draws_only_due_questions(user_client, user):
    due = ReviewScheduleFactory(user=user, due_on=timezone.localdate())
    ReviewScheduleFactory(user=user, due_on=timezone.localdate() + timedelta(days=2))
    session = start_session(user_client, mode="due")
    assert list(session.answers.values_list("question", flat=True)) == [due.question_id]


@pytest.mark.parametrize(
    "data",
    [
        {"mode": "bogus"},
        {"mode": "principle"},
        {"mode": "principle", "principle": "no-such-principle"},
        {"mode": "theme", "theme": "'; drop table"},
        {},
        {"mode": "level\x00"},
    ],
)
def test_malformed_start_is_refused_without_a_session(user_client, data):
    response = user_client.post(reverse("practice:start"), data)
    assert response.status_code == 200
    assert "Start a session" in body(response)
    assert 'class="invalid-feedback' in body(response) or "is-invalid" in body(response)
    assert not PracticeSession.objects.exists()


def test_settings_save_and_are_used_for_the_next_session(user_client, user):
    response = user_client.post(
        reverse("practice:settings"),
        {
            "target_level": Level.objects.get(slug="mid").pk,
            "band_min_seconds": 90,
            "band_max_seconds": 150,
            "questions_per_session": 3,
            "principle_slots": 2,
            "target_company": "Initech",
        },
    )
    assert response.status_code == 302
    saved = PracticeSettings.objects.get(user=user)
    assert (saved.band_min_seconds, saved.band_max_seconds, saved.target_company) == (
        90,
        150,
        "Initech",
    )
    session = start_session(user_client)
    assert session.answers.count() == 3
    assert set(session.answers.values_list("question__level__slug", flat=True)) == {"mid"}
    assert (session.band_min_seconds, session.band_max_seconds) == (90, 150)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"band_min_seconds": 180, "band_max_seconds": 120}, "The band must end after it starts"),
        ({"band_min_seconds": 150, "band_max_seconds": 150}, "The band must end after it starts"),
        ({"band_min_seconds": 10}, "greater than or equal to 30"),
        ({"band_max_seconds": 1000}, "less than or equal to 900"),
        ({"questions_per_session": 0}, "greater than or equal to 1"),
        ({"questions_per_session": 21}, "less than or equal to 20"),
        ({"principle_slots": 6}, "less than or equal to 5"),
        ({"target_company": "x" * 201}, "at most 200 characters"),
        ({"band_min_seconds": "two"}, "Enter a whole number"),
        ({"target_level": 99999}, "Select a valid choice"),
    ],
)
def test_settings_refuse_bad_values(user_client, user, changes, message):
    data = {
        "target_level": Level.objects.get(slug="senior").pk,
        "band_min_seconds": 120,
        "band_max_seconds": 180,
        "questions_per_session": 5,
        "principle_slots": 2,
        **changes,
    }
    response = user_client.post(reverse("practice:settings"), data)
    assert response.status_code == 200
    assert message in body(response)
    assert not PracticeSettings.objects.filter(user=user).exists()


# --- Rating: bad input ----------------------------------------------------------------


@pytest.fixture
def stopped_answer(user_client, two_questions):
    with time_machine.travel(T0, tick=False) as clock:
        session = start_session(user_client)
        answer = session.answers.get(position=1)
        user_client.post(answer_url("start", answer))
        clock.shift(timedelta(seconds=150))
        user_client.post(answer_url("stop", answer))
    return answer


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"rating": "9"},
        {"rating": "0"},
        {"rating": "abc"},
        {"rating": "3", "notes": "x" * 2001},
        {"rating": "3", "story": "abc"},
        {"rating": "3", "story": "999999"},
        {"rating": "3", "notes": "nul\x00byte"},
    ],
)
def test_malformed_rating_is_refused_without_writing(user_client, user, stopped_answer, data):
    response = user_client.post(answer_url("rate", stopped_answer), data)
    assert response.status_code == 200
    assert "The rating was not saved" in body(response)
    stopped_answer.refresh_from_db()
    assert stopped_answer.rating is None
    assert not ReviewSchedule.objects.filter(user=user).exists()


def test_rating_with_someone_elses_story_is_refused(user_client, other_user, stopped_answer):
    theirs = StoryFactory(owner=other_user)
    response = user_client.post(
        answer_url("rate", stopped_answer), {"rating": "4", "story": theirs.pk}
    )
    assert "Select a valid choice" in body(response)
    stopped_answer.refresh_from_db()
    assert stopped_answer.rating is None and stopped_answer.story is None


def test_starting_with_someone_elses_story_is_refused(user_client, other_user, two_questions):
    theirs = StoryFactory(owner=other_user, title="Their secret story")
    session = start_session(user_client)
    answer = session.answers.get(position=1)
    response = user_client.post(answer_url("start", answer), {"story": theirs.pk}, follow=True)
    assert "That story is not in your bank" in body(response)
    assert "Their secret story" not in body(response)
    answer.refresh_from_db()
    assert answer.started_at is None


# --- htmx --------------------------------------------------------------------------------


def test_htmx_start_returns_the_panel_with_a_running_clock(user_client, two_questions):
    session = start_session(user_client)
    answer = session.answers.get(position=1)
    response = user_client.post(answer_url("start", answer), HTTP_HX_REQUEST="true")
    page = body(response)
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="session-panel"' in page and "data-practice-timer" in page
    assert ">Done</button>" in page


def test_htmx_error_is_shown_inside_the_panel(user_client, two_questions):
    session = start_session(user_client)
    answer = session.answers.get(position=1)
    response = user_client.post(answer_url("rate", answer), {"rating": "3"}, HTTP_HX_REQUEST="true")
    page = body(response)
    assert "<html" not in page
    assert "Answer this question before rating it" in page


def test_htmx_history_filter_returns_the_results_only(user_client):
    response = user_client.get(
        reverse("practice:history"), {"level": "staff"}, HTTP_HX_REQUEST="true"
    )
    page = body(response)
    assert "<html" not in page and 'id="history-results"' in page


# --- Isolation, login, methods -----------------------------------------------------------


@pytest.fixture
def someone_elses(other_user):
    session = PracticeSessionFactory(owner=other_user)
    answer = AnswerFactory(session=session, position=1)
    return session, answer


def session_urls(session, answer) -> list[tuple[str, str]]:
    a = [session.pk, answer.pk]
    return [
        ("get", reverse("practice:session", args=[session.pk])),
        ("post", reverse("practice:finish", args=[session.pk])),
        ("post", reverse("practice:abandon", args=[session.pk])),
        ("post", reverse("practice:answer-start", args=a)),
        ("post", reverse("practice:answer-stop", args=a)),
        ("post", reverse("practice:answer-rate", args=a)),
    ]


def test_another_users_session_and_answers_are_404(user_client, someone_elses):
    session, answer = someone_elses
    for method, url in session_urls(session, answer):
        response = getattr(user_client, method)(url, {"rating": "5"} if method == "post" else {})
        assert response.status_code == 404, url
    session.refresh_from_db()
    answer.refresh_from_db()
    assert session.status == "active" and answer.started_at is None and answer.rating is None


def test_an_answer_of_another_session_is_404_even_for_its_owner(user_client, user, two_questions):
    mine = start_session(user_client)
    other = PracticeSessionFactory(owner=user)
    stray = AnswerFactory(session=other, position=1)
    url = reverse("practice:answer-start", args=[mine.pk, stray.pk])
    assert user_client.post(url).status_code == 404
    stray.refresh_from_db()
    assert stray.started_at is None


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/practice/sessions/999999/"),
        ("post", "/practice/sessions/999999/answers/1/start/"),
        ("post", "/practice/sessions/0/finish/"),
        ("get", "/practice/sessions/abc/"),
        ("post", "/practice/sessions/1/answers/abc/stop/"),
        ("post", "/practice/sessions/99999999999999999999999/abandon/"),
    ],
)
def test_bad_ids_are_404(user_client, user, method, url):
    PracticeSessionFactory(owner=user)  # the user has a session, just not these
    assert getattr(user_client, method)(url).status_code == 404


def test_pages_need_login(client, someone_elses):
    session, answer = someone_elses
    urls = [
        ("get", reverse("practice:home")),
        ("get", reverse("practice:settings")),
        ("get", reverse("practice:history")),
        ("post", reverse("practice:start")),
        ("get", reverse("practice:story", args=[StoryFactory(owner=session.owner).pk])),
        *session_urls(session, answer),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "practice:start", []),
        ("post", "practice:home", []),
        ("post", "practice:history", []),
        ("put", "practice:settings", []),
        ("post", "practice:session", ["session"]),
        ("get", "practice:finish", ["session"]),
        ("get", "practice:abandon", ["session"]),
        ("get", "practice:answer-start", ["session", "answer"]),
        ("get", "practice:answer-stop", ["session", "answer"]),
        ("get", "practice:answer-rate", ["session", "answer"]),
        ("delete", "practice:answer-rate", ["session", "answer"]),
        ("post", "practice:story", ["story"]),
    ],
)
def test_wrong_method_is_405(user_client, user, method, name, args):
    session = PracticeSessionFactory(owner=user)
    answer = AnswerFactory(session=session, position=1)
    story = StoryFactory(owner=user)
    values = {"session": session.pk, "answer": answer.pk, "story": story.pk}
    response = getattr(user_client, method)(reverse(name, args=[values[a] for a in args]))
    assert response.status_code == 405


# --- History ----------------------------------------------------------------------------


def answered(owner, question, *, when, seconds=150, rating=4, story=None):
    session = PracticeSessionFactory(owner=owner, started_at=when, status="finished")
    return AnswerFactory(
        session=session,
        question=question,
        position=1,
        story=story,
        answered=True,
        duration_seconds=seconds,
        within_band=120 <= seconds <= 180,
        rating=rating,
    )


def test_history_filters_by_principle_theme_and_level(user_client, user):
    ownership = Question.objects.filter(principles__slug="ownership", level__slug="mid").first()
    frugal = Question.objects.filter(principles__slug="frugality").exclude(
        principles__slug="ownership"
    )[0]
    answered(user, ownership, when=T0, seconds=111)
    answered(user, frugal, when=T0 + timedelta(days=1), seconds=222)
    url = reverse("practice:history")

    everything = body(user_client.get(url))
    assert escape(ownership.text) in everything and escape(frugal.text) in everything

    only = body(user_client.get(url, {"principle": "ownership"}))
    assert escape(ownership.text) in only and escape(frugal.text) not in only
    assert "1 answer" in only and "1:51" in only and "3:42" not in only

    theme = frugal.themes.first()
    by_theme = body(user_client.get(url, {"theme": theme.slug}))
    assert escape(frugal.text) in by_theme
    by_level = body(user_client.get(url, {"level": "mid"}))
    assert escape(ownership.text) in by_level
    assert (frugal.level.slug == "mid") == (escape(frugal.text) in by_level)


def test_history_charts_are_inline_svg_with_titles_and_no_inline_styles(user_client, user):
    story = StoryFactory(owner=user)
    StoryFactory(owner=user)
    question = Question.objects.filter(principles__slug="dive-deep").first()
    answered(user, question, when=T0, seconds=200, rating=2, story=story)
    page = body(user_client.get(reverse("practice:history")))
    assert page.count("<svg") == 3
    assert page.count('role="img"') == 3
    assert "style=" not in page
    assert "<title" in page and "<desc" in page
    assert "1 timed answer, 0 inside the band" in page
    assert "lowest: Dive Deep at 2.0 out of 5." in page
    assert "1 of 2 stories practised at least once." in page


def test_history_ignores_nonsense_filters(user_client):
    for params in ({"principle": "no-such"}, {"level": "boss", "page": "abc"}, {"page": "9999"}):
        assert user_client.get(reverse("practice:history"), params).status_code == 200


def test_history_shows_only_my_answers(user_client, other_user):
    secret = Question.objects.first()
    answered(other_user, secret, when=T0)
    page = body(user_client.get(reverse("practice:history")))
    assert escape(secret.text) not in page
    assert "0 answers" in page


# --- A story's practice card (loaded by the story's page) -------------------------------


def test_story_practice_says_when_and_how_often_it_was_practised(user_client, user):
    story = StoryFactory(owner=user)
    url = reverse("practice:story", args=[story.pk])
    assert "Not practised yet." in body(user_client.get(url))
    session = PracticeSessionFactory(owner=user)
    AnswerFactory(session=session, story=story, answered=True, duration_seconds=140)
    AnswerFactory(session=session, story=story, answered=True, duration_seconds=160)
    page = body(user_client.get(url))
    assert "Practised 2 times" in page
    assert "on average 150 s" in page
    assert story.get_absolute_url() in page  # the full page links back to the story


def test_story_practice_for_htmx_is_the_card_alone(user_client, user):
    story = StoryFactory(owner=user, title="Outage night")
    AnswerFactory(story=story, answered=True, session=PracticeSessionFactory(owner=user))
    url = reverse("practice:story", args=[story.pk])
    card = body(user_client.get(url, HTTP_HX_REQUEST="true"))
    assert 'data-testid="practice-summary"' in card and "Practised 1 time," in card
    assert "<h1" not in card and "<html" not in card
    assert "<h1" in body(user_client.get(url))


def test_another_users_story_practice_is_404(user_client, user, other_user):
    mine = StoryFactory(owner=user)
    theirs = StoryFactory(owner=other_user)
    AnswerFactory(story=theirs, answered=True, session=PracticeSessionFactory(owner=other_user))
    assert user_client.get(reverse("practice:story", args=[mine.pk])).status_code == 200
    response = user_client.get(reverse("practice:story", args=[theirs.pk]))
    assert response.status_code == 404
    assert "Practised" not in body(response)


# --- Query counts ----------------------------------------------------------------------------


def make_history(user, size: int) -> None:
    questions = list(Question.objects.all()[:size])
    principle = Principle.objects.first()
    theme = Theme.objects.first()
    for i in range(size):
        story = StoryFactory(owner=user, principles=[principle], themes=[theme])
        answered(user, questions[i], when=T0 + timedelta(hours=i), story=story, rating=1 + i % 5)


@pytest.mark.parametrize("size", [1, 30])
def test_session_page_query_count_is_fixed(user_client, user, size, django_assert_num_queries):
    make_history(user, size)
    PracticeSettingsFactory(user=user, questions_per_session=min(size, 20))
    session = start_session(user_client)
    url = session.get_absolute_url()
    # Login session + user, the request's savepoint and its release, the practice
    # session, its answers with their principles and themes, the stories with
    # their principles, themes and levels.
    with django_assert_num_queries(12):
        assert user_client.get(url).status_code == 200
    user_client.post(reverse("practice:finish", args=[session.pk]))
    # As above, without the stories; with the next reviews and the due count.
    with django_assert_num_queries(10):
        assert "Session summary" in body(user_client.get(url))


@pytest.mark.parametrize("size", [1, 30])
def test_history_page_query_count_is_fixed(user_client, user, size, django_assert_num_queries):
    make_history(user, size)
    PracticeSettingsFactory(user=user)
    # Login (2), savepoint (2), settings, answer count and page, sessions, three
    # chart queries, the recordings' figures, the story count and the three filter menus;
    # +1 per filter given.
    with django_assert_num_queries(17):
        response = user_client.get(reverse("practice:history"), {"principle": "ownership"})
    assert response.status_code == 200
    with django_assert_num_queries(16):
        page = body(user_client.get(reverse("practice:history")))
    assert f"{size} answer" in page


@pytest.mark.parametrize("size", [1, 30])
def test_home_page_query_count_is_fixed(user_client, user, size, django_assert_num_queries):
    make_history(user, size)
    PracticeSettingsFactory(user=user)
    # Login (2), savepoint (2), settings, active and recent sessions, due count and
    # the principle and theme menus.
    with django_assert_num_queries(10):
        assert user_client.get(reverse("practice:home")).status_code == 200


def test_stories_in_the_trash_are_not_suggested_or_counted(user_client, user, two_questions):
    from stories.services import story_trash

    kept = StoryFactory(owner=user, title="Kept story")
    trashed = StoryFactory(owner=user, title="Trashed story")
    question = Question.objects.first()
    answered(user, question, when=T0, story=kept)
    answered(user, question, when=T0, story=trashed)
    story_trash(story=trashed)

    session = start_session(user_client)
    page = body(user_client.get(session.get_absolute_url()))
    assert "Kept story" in page and "Trashed story" not in page
    history = body(user_client.get(reverse("practice:history")))
    assert "1 of 1 story practised at least once." in history


@pytest.mark.parametrize("size", [1, 50])
def test_story_practice_query_count_is_fixed(user_client, user, size, django_assert_num_queries):
    story = StoryFactory(owner=user)
    session = PracticeSessionFactory(owner=user)
    questions = list(Question.objects.all()[:size])
    for position, question in enumerate(questions, start=1):
        AnswerFactory(
            session=session, question=question, position=position, story=story, answered=True
        )
    url = reverse("practice:story", args=[story.pk])
    # Login session + user, the request's savepoint and its release, the story, the stats
    # and the recordings.
    with django_assert_num_queries(7):
        card = body(user_client.get(url, HTTP_HX_REQUEST="true"))
    assert f"Practised {size} time" in card
