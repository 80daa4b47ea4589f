"""Reads for the practice pages, each in a fixed number of queries.

The views stay short: each page asks one function here for its context.
Nothing here writes.
"""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Min, Q, QuerySet
from django.utils import timezone

from practice import charts, timing
from practice.models import Answer, PracticeSession, PracticeSettings, ReviewSchedule
from practice.ranking import QuestionCard, RankedStory, StoryCard, rank_stories
from principles.models import Question
from stories.models import Story, story_tag_ids
from stories.star import TIME_BUDGET, budget_seconds

ANSWERS_PER_PAGE = 25
RECENT_ON_HOME = 5
SESSIONS_IN_HISTORY = 20
TIMES_CHARTED = 50
SUGGESTED_STORIES = 3
# The clock is amber inside the band and red past its end.
TIMER_STATES = {"under": "under", "inside": "amber", "over": "red"}

BUDGET_LABELS = {
    "situation+task": "Situation + Task",
    "action": "Action",
    "result+learning": "Result + Learning",
}


@dataclass(frozen=True)
class BudgetPart:
    label: str
    percent: int
    seconds: int

    @property
    def time(self) -> str:
        return timing.mmss(self.seconds)


@dataclass(frozen=True)
class Suggestion:
    story: Story
    ranking: RankedStory


def budget_hint(band_min: int, band_max: int) -> list[BudgetPart]:
    """The STAR time budget for an answer in the middle of the band."""
    seconds = budget_seconds(round((band_min + band_max) / 2))
    return [
        BudgetPart(BUDGET_LABELS[part], round(share * 100), seconds[part])
        for part, share in TIME_BUDGET.items()
    ]


def due_count(*, user, today: date) -> int:
    return ReviewSchedule.objects.filter(
        user=user, due_on__lte=today, question__is_active=True
    ).count()


def sessions_with_totals(user) -> QuerySet[PracticeSession]:
    answered = Q(answers__stopped_at__isnull=False)
    return (
        PracticeSession.objects.for_user(user)
        .select_related("principle", "theme", "level")
        .annotate(
            question_count=Count("answers"),
            answered_count=Count("answers", filter=answered),
            average_rating=Avg("answers__rating"),
        )
    )


def home_page(*, user) -> dict:
    today = timezone.localdate()
    sessions = sessions_with_totals(user)
    return {
        "settings": PracticeSettings.for_user(user),
        "active_sessions": list(sessions.active()[:RECENT_ON_HOME]),
        "recent_sessions": list(
            sessions.exclude(status=PracticeSession.Status.ACTIVE)[:RECENT_ON_HOME]
        ),
        "due_count": due_count(user=user, today=today),
    }


def suggestions(*, user, question: Question) -> list[Suggestion]:
    """The user's stories, best fit for `question` first (tags and text, see ranking.py)."""
    bank = Story.objects.for_user(user)
    stories = list(bank.defer("search_vector", "answers"))
    tags = story_tag_ids(bank)
    none: frozenset[int] = frozenset()
    cards = [
        StoryCard(
            id=story.pk,
            title=story.title,
            text=f"{story.narrative}\n{story.metrics}",
            status=story.status,
            principle_ids=frozenset(tags.get(story.pk, {}).get("principles", none)),
            theme_ids=frozenset(tags.get(story.pk, {}).get("themes", none)),
            level_ids=frozenset(tags.get(story.pk, {}).get("levels", none)),
        )
        for story in stories
    ]
    asked = QuestionCard(
        text=question.text,
        level_id=question.level_id,
        principle_ids=frozenset(p.pk for p in question.principles.all()),
        theme_ids=frozenset(t.pk for t in question.themes.all()),
    )
    by_id = {story.pk: story for story in stories}
    return [Suggestion(by_id[r.story_id], r) for r in rank_stories(asked, cards)]


def session_page(*, session: PracticeSession) -> dict:
    """The current question (with suggested stories and the clock) or the summary."""
    answers = list(
        session.answers.select_related("question__level", "story").prefetch_related(
            "question__principles", "question__themes"
        )
    )
    current = next((a for a in answers if a.rating is None), None) if session.is_active else None
    now = timezone.now()
    context = {
        "session": session,
        "answers": answers,
        "current": current,
        "answered_count": sum(1 for a in answers if a.stopped_at),
        "budget": budget_hint(session.band_min_seconds, session.band_max_seconds),
        "band_min": timing.mmss(session.band_min_seconds),
        "band_max": timing.mmss(session.band_max_seconds),
        "server_now_ms": round(now.timestamp() * 1000),
    }
    if current is not None and current.started_at is not None:
        elapsed = max(0, int((now - current.started_at).total_seconds()))
        verdict = session.band_verdict(elapsed)
        context["elapsed"] = timing.mmss(elapsed)
        context["elapsed_state"] = TIMER_STATES[verdict]
    if current is not None:
        ranked = suggestions(user=session.owner_id, question=current.question)
        context["suggestions"] = ranked[:SUGGESTED_STORIES]
        context["more_stories"] = ranked[SUGGESTED_STORIES:]
    elif not session.is_active:
        today = timezone.localdate()
        schedules = ReviewSchedule.objects.filter(
            user=session.owner_id, question_id__in=[a.question_id for a in answers]
        )
        due_on = dict(schedules.values_list("question_id", "due_on"))
        for answer in answers:
            answer.next_review = due_on.get(answer.question_id)
        context["next_review"] = min((day for day in due_on.values() if day > today), default=None)
        context["due_count"] = due_count(user=session.owner_id, today=today)
        context["today"] = today
    return context


def answers_matching(user, filters: dict) -> QuerySet[Answer]:
    answers = Answer.objects.for_user(user).filter(started_at__isnull=False)
    if filters.get("principle"):
        answers = answers.filter(question__principles=filters["principle"])
    if filters.get("theme"):
        answers = answers.filter(question__themes=filters["theme"])
    if filters.get("level"):
        answers = answers.filter(question__level=filters["level"])
    # A plain pk list keeps the chart aggregates free of the filters' joins.
    return Answer.objects.filter(pk__in=answers.values("pk"))


def history_page(*, user, filters: dict, page_number: str | None) -> dict:
    answers = answers_matching(user, filters)
    page: Page = Paginator(
        answers.select_related("question", "story", "session").order_by("-started_at", "-pk"),
        ANSWERS_PER_PAGE,
    ).get_page(page_number)
    sessions = sessions_with_totals(user)
    if filters:
        sessions = sessions.filter(pk__in=answers.values("session"))
    settings = PracticeSettings.for_user(user)
    timed = list(
        answers.timed()
        .order_by("-stopped_at", "-pk")
        .values_list("stopped_at", "duration_seconds")[:TIMES_CHARTED]
    )
    ratings = (
        answers.rated()
        .values("question__principles__name")
        .annotate(average=Avg("rating"), count=Count("pk"))
        .order_by("average", "question__principles__name")
    )
    first_told = (
        Answer.objects.for_user(user)
        .filter(story__in=Story.objects.for_user(user), stopped_at__isnull=False)
        .values("story")
        .annotate(first=Min("stopped_at"))
        .values_list("first", flat=True)
    )
    return {
        "page": page,
        "sessions": list(sessions[:SESSIONS_IN_HISTORY]),
        "charts": [
            charts.times_chart(
                [
                    charts.TimePoint(timezone.localtime(when), seconds)
                    for when, seconds in reversed(timed)
                ],
                band_min=settings.band_min_seconds,
                band_max=settings.band_max_seconds,
            ),
            charts.ratings_chart(
                [
                    (r["question__principles__name"], r["average"], r["count"])
                    for r in ratings
                    if r["question__principles__name"] is not None
                ]
            ),
            charts.stories_chart(
                [timezone.localtime(when).date() for when in first_told],
                total=Story.objects.for_user(user).count(),
            ),
        ],
    }
