"""Reads for the practice pages, each in a fixed number of queries.

The views stay short: each page asks one function here for its context, and
`services.session_start` reads the questions it may draw from here.
Nothing here writes.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Min, Q, QuerySet
from django.utils import dateformat, timezone

from practice import charts, delivery, drawing, planning, ranking, timing, waveform
from practice.delivery import PACE_TARGET_WPM
from practice.models import (
    MARK_SECTIONS,
    RECORDING_MAX_SECONDS,
    Answer,
    Interviewer,
    Loop,
    LoopExclusion,
    LoopPin,
    PracticeSession,
    PracticeSettings,
    Recording,
    ReviewSchedule,
)
from practice.ranking import QuestionCard, RankedStory, StoryCard, explain, rank_stories
from principles.models import Level, Principle, Question, Theme
from stories.cue_card import cue_points
from stories.models import Story, story_tag_ids
from stories.star import SECTION_LABELS, TIME_BUDGET, budget_seconds

ANSWERS_PER_PAGE = 25
RECENT_ON_HOME = 5
SESSIONS_IN_HISTORY = 20
TIMES_CHARTED = 50
SUGGESTED_STORIES = 3
# The pace target of the history's chart, in words per minute.
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
    # Why it ranks here, in words ("shares Ownership; mentions ‘migration’").
    reason: str = ""


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
    """The user's stories, best to tell for `question` first, each with the reason in
    words (tags, text and readiness, see ranking.py)."""
    bank = Story.objects.for_user(user)
    stories = list(bank.defer("search_vector", "answers"))
    tags = story_tag_ids(bank)
    cards = [story_card(story, tags.get(story.pk, {})) for story in stories]
    principle_names = {p.pk: p.name for p in question.principles.all()}
    theme_names = {t.pk: t.name for t in question.themes.all()}
    asked = QuestionCard(
        text=question.text,
        level_id=question.level_id,
        principle_ids=frozenset(principle_names),
        theme_ids=frozenset(theme_names),
    )
    level_name = question.level.name if question.level_id else ""
    by_id = {story.pk: story for story in stories}
    return [
        Suggestion(
            by_id[r.story_id],
            r,
            explain(
                r,
                asked,
                principle_names=principle_names,
                theme_names=theme_names,
                level_name=level_name,
            ),
        )
        for r in rank_stories(asked, cards)
    ]


def session_page(*, session: PracticeSession) -> dict:
    """The current question (with suggested stories and the clock) or the summary."""
    answers = list(
        session.answers.select_related(
            "question__level", "story", "recording__story"
        ).prefetch_related("question__principles", "question__themes")
    )
    for answer in answers:
        answer.recording_or_none = recording_of(answer)
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
    if current is not None and current.state == Answer.State.RUNNING:
        context["recorder"] = recorder(session=session, answer=current)
    if current is not None and current.recording_or_none is not None:
        context["review"] = recording_review(recording=current.recording_or_none, session=session)
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


def recording_of(answer: Answer) -> Recording | None:
    """The answer's recording, read from the cache `select_related("recording")` filled."""
    try:
        return answer.recording
    except Recording.DoesNotExist:
        return None


@dataclass(frozen=True)
class MarkKey:
    """A section button of the running panel: S T A R L, and its part of the time budget."""

    section: str
    label: str
    key: str
    part: str
    share_seconds: int


SECTION_PARTS = {
    "situation": "situation+task",
    "task": "situation+task",
    "action": "action",
    "result": "result+learning",
    "learning": "result+learning",
}


def recorder(*, session: PracticeSession, answer: Answer) -> dict:
    """What the running panel's recorder, section marks and cue card need."""
    shares = budget_seconds(round((session.band_min_seconds + session.band_max_seconds) / 2))
    recording = answer.recording_or_none
    return {
        "marks": [
            MarkKey(
                key, SECTION_LABELS[key], key[0], SECTION_PARTS[key], shares[SECTION_PARTS[key]]
            )
            for key in MARK_SECTIONS
        ],
        "max_ms": RECORDING_MAX_SECONDS * 1000,
        "resume": recording is not None and recording.status == Recording.Status.RECORDING,
        "cue_points": cue_points(answer.story) if answer.story_id else [],
    }


@dataclass(frozen=True)
class Chapter:
    label: str
    start_ms: int
    end_ms: int

    @property
    def start_s(self) -> float:
        return self.start_ms / 1000

    @property
    def time(self) -> str:
        return timing.mmss(self.start_ms // 1000)


def chapters(recording: Recording) -> list[Chapter]:
    """The section marks as chapters: each runs to the next mark, the last to the end."""
    marks = [m for m in recording.marks if m.get("section") in SECTION_LABELS]
    if not marks:
        return []
    end = max(recording.recorded_ms, *(m["at_ms"] for m in marks))
    ends = [mark["at_ms"] for mark in marks[1:]] + [end]
    return [
        Chapter(SECTION_LABELS[mark["section"]], mark["at_ms"], until)
        for mark, until in zip(marks, ends, strict=True)
    ]


def recording_review(*, recording: Recording, session: PracticeSession) -> dict:
    """The review of a closed recording: chapters, and once analysed the waveform and verdicts."""
    review = {"recording": recording, "chapters": chapters(recording)}
    if recording.status == Recording.Status.ANALYSED and recording.figures:
        review["waveform"] = waveform.waveform_svg(recording.figures, marks=recording.marks)
        review["verdicts"] = delivery.assess(
            recording.figures, band_min=session.band_min_seconds, band_max=session.band_max_seconds
        )
    return review


def recording_page(*, recording: Recording) -> dict:
    return {
        "recording": recording,
        "review": recording_review(recording=recording, session=recording.answer.session),
    }


def figure(figures, key: str) -> float | None:
    """One number from a recording's figures, or None when it is missing, not a number or
    below zero (every figure is a count, a share or a length).

    Figures are stored JSON (and may come from an import), so a page never trusts their shape.
    """
    value = figures.get(key) if isinstance(figures, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return value


@dataclass(frozen=True)
class StoryRecording:
    """One recording in a story's list: when, how long, the pace and pauses if analysed."""

    recording: Recording
    seconds: float
    wpm: float | None
    pauses: int | None

    @property
    def time(self) -> str:
        return timing.mmss(self.seconds)


def story_recording(recording: Recording) -> StoryRecording:
    figures = recording.figures if recording.status == Recording.Status.ANALYSED else None
    duration = figure(figures, "duration_s")
    pauses = figure(figures, "pause_count")
    return StoryRecording(
        recording=recording,
        seconds=duration if duration is not None else recording.recorded_ms / 1000,
        wpm=figure(figures, "wpm"),
        pauses=None if pauses is None else int(pauses),
    )


def story_practice(*, story: Story) -> dict:
    """Last practised, how often and the average time of one story (see AnswerQuerySet.stats),
    and its recordings, newest first, the best take marked."""
    recordings = (
        Recording.objects.for_user(story.owner_id)
        .filter(story=story)
        .select_related("answer__question")
    )
    return {
        **Answer.objects.filter(story=story).stats(),
        "recordings": [story_recording(recording) for recording in recordings],
    }


def section_split(sections) -> tuple[int, ...] | None:
    """The percent per TIME_BUDGET part from a recording's figures["sections"], in
    TIME_BUDGET's order; None without marks or when the stored figures are malformed."""
    if not isinstance(sections, list):
        return None
    percent = {
        part.get("key"): figure(part, "percent") for part in sections if isinstance(part, dict)
    }
    found = [percent.get(key) for key in TIME_BUDGET]
    if any(value is None for value in found):
        return None
    return tuple(round(value) for value in found)


def delivery_points(recordings: QuerySet[Recording]) -> list[charts.DeliveryPoint]:
    """The latest analysed recordings' pace, pauses and split, oldest first, in one query.

    Only the charted figures are read from the JSON, never the envelope.
    """
    rows = recordings.order_by("-created_at", "-pk").values_list(
        "created_at", "figures__wpm", "figures__pause_count", "figures__sections"
    )[:TIMES_CHARTED]
    points = []
    for created_at, wpm, pauses, sections in reversed(list(rows)):
        numbers = {"wpm": wpm, "pauses": pauses}
        wpm, pauses = figure(numbers, "wpm"), figure(numbers, "pauses")
        points.append(
            charts.DeliveryPoint(
                when=timezone.localtime(created_at),
                wpm=wpm,
                pauses=None if pauses is None else int(pauses),
                split=section_split(sections),
            )
        )
    return points


def history_page(*, user, filters: dict, page_number: str | None) -> dict:
    answers = Answer.objects.for_user(user).started().filtered(filters)
    page: Page = Paginator(
        answers.select_related("question", "story", "session").order_by("-started_at", "-pk"),
        ANSWERS_PER_PAGE,
    ).get_page(page_number)
    sessions = sessions_with_totals(user).filtered(filters)
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
    delivery = delivery_points(
        Recording.objects.for_user(user).analysed().filter(answer__in=answers)
    )
    return {
        "page": page,
        "sessions": list(sessions[:SESSIONS_IN_HISTORY]),
        "delivery_charts": [
            charts.pace_chart(delivery, target=PACE_TARGET_WPM),
            charts.pauses_chart(delivery),
            charts.split_chart(delivery, budget=TIME_BUDGET, labels=BUDGET_LABELS),
        ]
        if delivery
        else [],
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


# --- Drawing a session's questions (read by services.session_start) ----------


def recent_question_ids(*, user) -> set[int]:
    """Questions the user answered in their last few sessions (drawn last)."""
    recent_sessions = PracticeSession.objects.for_user(user).values("pk")[: drawing.RECENT_SESSIONS]
    return set(
        Answer.objects.filter(session__in=recent_sessions, started_at__isnull=False).values_list(
            "question_id", flat=True
        )
    )


def level_names(levels: Iterable[Level]) -> str:
    return " and ".join(level.name for level in levels)


def level_candidates(*, levels: list[Level]) -> tuple[list[drawing.Candidate], str]:
    ids = Question.objects.active().filter(level__in=levels).values_list("pk", flat=True)
    empty = f"There are no active questions for {level_names(levels)} yet."
    return [drawing.Candidate(pk) for pk in ids], empty


def tagged_candidates(
    *, questions, levels: list[Level], name: str
) -> tuple[list[drawing.Candidate], str]:
    preferred = [level.pk for level in levels]
    rows = questions.active().values_list("pk", "level_id")
    empty = f"There are no questions for “{name}” yet. Pick another one."
    return [drawing.Candidate(pk, drawing.level_fit(lvl, preferred)) for pk, lvl in rows], empty


TAG_KINDS = ("principle", "theme")


def bank_coverage(*, user) -> dict[str, str]:
    """How well each principle and theme is covered by the user's stories (see drawing.coverage).

    Read through `Story.objects`, so stories in the trash are no cover.
    """
    statuses: dict[str, list[str]] = defaultdict(list)
    stories = Story.objects.for_user(user)
    for kind in TAG_KINDS:
        rows = stories.filter(**{f"{kind}s__isnull": False}).values_list(f"{kind}s", "status")
        for tag_id, status in rows:
            statuses[f"{kind}:{tag_id}"].append(status)
    return {tag: drawing.coverage(found) for tag, found in statuses.items()}


def average_ratings(*, user) -> tuple[dict[str, float], dict[int, float]]:
    """The user's average rating per principle and theme, and per question."""
    answers = Answer.objects.for_user(user).rated()
    by_tag: dict[str, float] = {}
    for kind in TAG_KINDS:
        lookup = f"question__{kind}s"
        for tag_id, average in answers.values_list(lookup).annotate(average=Avg("rating")):
            if tag_id is not None:
                by_tag[f"{kind}:{tag_id}"] = average
    by_question = answers.values_list("question").annotate(average=Avg("rating"))
    return by_tag, dict(by_question)


def weakest_candidates(*, user, levels: list[Level]) -> tuple[list[drawing.Candidate], str]:
    """Questions at the user's levels, weakest first: bank gaps and low past ratings."""
    questions = Question.objects.active().filter(level__in=levels)
    tags: dict[int, list[str]] = {pk: [] for pk in questions.values_list("pk", flat=True)}
    for kind in TAG_KINDS:
        through = getattr(Question, f"{kind}s").through
        rows = through.objects.filter(question_id__in=tags).values_list("question_id", f"{kind}_id")
        for question_id, tag_id in rows:
            tags[question_id].append(f"{kind}:{tag_id}")
    coverage_by_tag = bank_coverage(user=user)
    rating_by_tag, rating_by_question = average_ratings(user=user)
    candidates = [
        drawing.Candidate(
            pk,
            -drawing.weakness(
                question_tags,
                coverage_by_tag=coverage_by_tag,
                rating_by_tag=rating_by_tag,
                own_rating=rating_by_question.get(pk),
            ),
        )
        for pk, question_tags in tags.items()
    ]
    return candidates, f"There are no active questions for {level_names(levels)} yet."


def due_candidates(*, user, today: date) -> tuple[list[drawing.Candidate], str]:
    schedules = ReviewSchedule.objects.filter(user=user, question__is_active=True)
    rows = schedules.filter(due_on__lte=today).values_list("question_id", "due_on")
    candidates = [drawing.Candidate(pk, due_on.toordinal()) for pk, due_on in rows]
    upcoming = schedules.filter(due_on__gt=today).order_by("due_on").first()
    if upcoming:
        when = dateformat.format(upcoming.due_on, "j F Y")
        empty = f"Nothing is due for review today. The next question is due on {when}."
    else:
        empty = (
            "Nothing is due for review yet: each question you answer and rate gets a review "
            "date, so practise a few first."
        )
    return candidates, empty


# --- Loops ------------------------------------------------------------------------------------

# The themes a principle asks about: the most frequent among its questions' themes.
PRINCIPLE_THEMES = 2


def loop_proposed_split(interviewers: int) -> list[list[Principle]]:
    """A typical split of the catalogue's principles across `interviewers` (planning.propose_split)."""
    principles = list(Principle.objects.order_by("order", "pk"))
    by_slug = {p.slug: p for p in principles}
    split = planning.propose_split([p.slug for p in principles], interviewers)
    return [[by_slug[slug] for slug in part] for part in split]


def principle_themes(principle_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """{principle id: the PRINCIPLE_THEMES themes its active questions are most often tagged
    with}, one query."""
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    through = Question.principles.through
    rows = Question.themes.through.objects.filter(
        question__is_active=True,
        question_id__in=through.objects.filter(principle_id__in=list(principle_ids)).values(
            "question_id"
        ),
    ).values_list("question_id", "theme_id", "question__principles")
    for _, theme_id, principle_id in rows:
        counts[principle_id][theme_id] += 1
    return {
        principle_id: frozenset(
            sorted(themes, key=lambda theme: (-themes[theme], theme))[:PRINCIPLE_THEMES]
        )
        for principle_id, themes in counts.items()
    }


def loop_slots(interviewers: Iterable[tuple[int, str, Iterable[Principle]]]) -> list[planning.Slot]:
    """The slots of a loop, interviewer by interviewer, each one's principles in the
    catalogue's order: (position, label, principles) in."""
    interviewers = [(position, label, list(ps)) for position, label, ps in interviewers]
    themes = principle_themes({p.pk for _, _, ps in interviewers for p in ps})
    return [
        planning.Slot(
            interviewer_position=position,
            interviewer_label=label,
            principle_slug=principle.slug,
            principle_name=principle.name,
            principle_id=principle.pk,
            theme_ids=themes.get(principle.pk, frozenset()),
            demonstrate=principle.demonstrate,
        )
        for position, label, principles in interviewers
        for principle in sorted(principles, key=lambda p: (p.order, p.pk))
    ]


def plan_stories(*, user) -> tuple[list[planning.PlanStory], dict[int, Story]]:
    """The bank as the planner sees it, and the stories by id: five queries."""
    bank = Story.objects.for_user(user)
    stories = list(bank.defer("search_vector", "answers").order_by("pk"))
    tags = story_tag_ids(bank)
    ratings = dict(
        Answer.objects.filter(story__in=bank.values("pk"), rating__isnull=False)
        .values("story")
        .annotate(average=Avg("rating"))
        .values_list("story", "average")
    )
    none: frozenset[int] = frozenset()
    cards = [
        planning.PlanStory(
            card=StoryCard(
                id=story.pk,
                title=story.title,
                text=f"{story.narrative}\n{story.metrics}",
                status=story.status,
                score=story.score,
                principle_ids=frozenset(tags.get(story.pk, {}).get("principles", none)),
                theme_ids=frozenset(tags.get(story.pk, {}).get("themes", none)),
                level_ids=frozenset(tags.get(story.pk, {}).get("levels", none)),
                core_theme_id=story.core_theme_id,
            ),
            red_flags=tuple(story.red_flags),
            rating=float(ratings[story.pk]) if story.pk in ratings else None,
        )
        for story in stories
    ]
    return cards, {story.pk: story for story in stories}


def bank_plan(
    *,
    user,
    level: Level,
    slots: list[planning.Slot],
    pins: dict[tuple[int, str], int] | None = None,
    excluded: Iterable[int] = (),
    scope_fit=None,
) -> tuple[planning.Plan, dict[int, Story]]:
    """The plan of `slots` from the user's bank (planning.plan), and the stories by id."""
    cards, stories = plan_stories(user=user)
    result = planning.plan(
        slots,
        cards,
        pins=pins,
        excluded=excluded,
        level_id=level.pk,
        theme_names=dict(Theme.objects.values_list("pk", "name")),
        scope_fit=scope_fit,
    )
    return result, stories


@dataclass(frozen=True)
class InterviewerPlan:
    """One interviewer of the loop page, with their slots as planned."""

    interviewer: Interviewer
    slots: list[planning.PlannedSlot]


def loop_page(loop: Loop, *, scope_fit=None) -> dict:
    """The loop's plan page: interviewers with their slots planned, the gaps, the excluded
    stories; a fixed number of queries whatever the bank's size."""
    level = Level.objects.get(pk=loop.level_id)
    interviewers = list(loop.interviewers.prefetch_related("principles"))
    slots = loop_slots((i.position, i.label, i.principles.all()) for i in interviewers)
    position_of = {i.pk: i.position for i in interviewers}
    pins = {
        (position_of[interviewer_id], slug): story_id
        for interviewer_id, slug, story_id in LoopPin.objects.filter(loop=loop).values_list(
            "interviewer_id", "principle__slug", "story_id"
        )
    }
    excluded = set(LoopExclusion.objects.filter(loop=loop).values_list("story_id", flat=True))
    result, stories = bank_plan(
        user=loop.owner_id,
        level=level,
        slots=slots,
        pins=pins,
        excluded=excluded,
        scope_fit=scope_fit,
    )
    by_position = defaultdict(list)
    for planned in result.slots:
        by_position[planned.slot.interviewer_position].append(planned)
    return {
        "loop": loop,
        "level": level,
        "plan": result,
        "interviewers": [InterviewerPlan(i, by_position[i.position]) for i in interviewers],
        "gaps": result.gaps,
        "stories": stories,
        "excluded_stories": [stories[pk] for pk in sorted(excluded) if pk in stories],
        "bank_size": len(stories),
    }


# --- Stories <-> questions ------------------------------------------------------
# Both directions rank with practice/ranking.py's `score_story`, the rules the
# practice suggestions use, so a story's grade for a question is the same everywhere.

STORIES_FOR_A_QUESTION = 5


def story_card(story: Story, tags: dict[str, set[int]]) -> StoryCard:
    """What ranking reads of a story; `tags` is its entry of `story_tag_ids`."""
    none: frozenset[int] = frozenset()
    return StoryCard(
        id=story.pk,
        title=story.title,
        text=f"{story.narrative}\n{story.metrics}",
        status=story.status,
        score=story.score,
        principle_ids=frozenset(tags.get("principles", none)),
        theme_ids=frozenset(tags.get("themes", none)),
        level_ids=frozenset(tags.get("levels", none)),
    )


@dataclass(frozen=True)
class GradedQuestion:
    question: Question
    # "strong", "partial" or "stretch" (practice/ranking.py's `grade`).
    grade: str
    # The grade and why, in words ("Strong: shares Ownership; mentions ‘outage’.").
    reason: str


@dataclass(frozen=True)
class GradedStory:
    story: Story
    grade: str
    reason: str
    ready: bool


def story_questions(*, story: Story) -> list[GradedQuestion]:
    """The active questions of the bank `story` answers best, graded, best first.

    Six queries whatever the size of the bank: the story's three tag tables, and
    the questions (level joined) with their principles and themes.
    """
    card = story_card(story, story_tag_ids(Story.objects.filter(pk=story.pk)).get(story.pk, {}))
    questions = {q.pk: q for q in Question.objects.active().with_tags()}
    names = {
        pk: (
            {p.pk: p.name for p in q.principles.all()},
            {t.pk: t.name for t in q.themes.all()},
        )
        for pk, q in questions.items()
    }
    asked = {
        pk: QuestionCard(
            text=q.text,
            level_id=q.level_id,
            principle_ids=frozenset(names[pk][0]),
            theme_ids=frozenset(names[pk][1]),
        )
        for pk, q in questions.items()
    }
    graded = []
    for match in ranking.questions_for_story(card, asked):
        question = questions[match.question_id]
        why = explain(
            match.ranked,
            asked[match.question_id],
            principle_names=names[match.question_id][0],
            theme_names=names[match.question_id][1],
            level_name=question.level.name,
        )
        graded.append(GradedQuestion(question, match.grade, ranking.grade_reason(match.grade, why)))
    return graded


def question_stories(
    *, user, question: Question, limit: int = STORIES_FOR_A_QUESTION
) -> list[GradedStory]:
    """The user's stories best told for `question` (the practice suggestions' order),
    graded; a story with nothing in common with the question is left out."""
    graded = []
    for suggestion in suggestions(user=user, question=question):
        grade = ranking.grade(suggestion.ranking)
        if grade is None:
            # The ranking puts every story with nothing in common last.
            break
        reason = ranking.grade_reason(grade, suggestion.reason)
        graded.append(GradedStory(suggestion.story, grade, reason, suggestion.ranking.ready))
        if len(graded) == limit:
            break
    return graded
