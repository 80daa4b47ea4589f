"""A practice history for the demo account: three past sessions over the last
two weeks, so history, charts and due questions show something at once."""

from datetime import timedelta

from django.utils import timezone

from practice.models import Answer, PracticeSession
from practice.services import schedule_refresh
from principles.models import Level, Question

# (days ago, [(story index, seconds, rating, notes)]) — improving over time.
SESSIONS = [
    (
        13,
        [
            (3, 212, 2, "Ran long: the situation took a minute."),
            (0, 175, 3, "Say the 35% figure earlier."),
        ],
    ),
    (
        6,
        [
            (4, 168, 4, "Good. Slow down on the rollback part."),
            (1, 139, 3, "Forgot the cost number."),
        ],
    ),
    (1, [(3, 151, 4, "Inside the band this time."), (2, 143, 5, "Clean, numbers memorised.")]),
]


def demo_practice_history(user, stories) -> str:
    if PracticeSession.objects.filter(owner=user).exists() or not stories:
        return "practice history already there."
    senior = Level.objects.get(slug="senior")
    questions = list(Question.objects.active().filter(level=senior).order_by("pk")[:6])
    now = timezone.now()
    asked = iter(questions)
    for days_ago, answers in SESSIONS:
        started = now - timedelta(days=days_ago, hours=2)
        session = PracticeSession.objects.create(
            owner=user,
            mode=PracticeSession.Mode.LEVEL,
            level=senior,
            band_min_seconds=120,
            band_max_seconds=180,
            started_at=started,
            finished_at=started + timedelta(minutes=15),
            status=PracticeSession.Status.FINISHED,
        )
        clock = started
        for position, (story_index, seconds, rating, notes) in enumerate(answers, start=1):
            question = next(asked)
            clock += timedelta(minutes=1)
            Answer.objects.create(
                session=session,
                question=question,
                position=position,
                story=stories[story_index % len(stories)],
                started_at=clock,
                stopped_at=clock + timedelta(seconds=seconds),
                duration_seconds=seconds,
                within_band=session.is_within_band(seconds),
                said_i=rating >= 3,
                named_obstacle=rating >= 3,
                gave_number=rating >= 4,
                said_learning=rating >= 4,
                rating=rating,
                rated_at=clock + timedelta(seconds=seconds + 30),
                notes=notes,
            )
            schedule_refresh(user=user, question_id=question.pk)
            clock += timedelta(seconds=seconds + 60)
    return f"{len(SESSIONS)} practice sessions added."
