"""Timed practice: a user's settings, sessions, answers and review schedule.

A session is a short list of questions drawn for the user (see
`practice/drawing.py`); each answer keeps the instants the *server* saw when
the user pressed Start and Done, so the durations in history are the
server's, never the browser's. Every rated answer feeds the spaced-repetition
schedule of its question (`practice/scheduling.py`).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Avg, Count, Max, Q
from django.urls import reverse

from practice.timing import band_verdict
from principles.models import Level, Principle, Question, Theme
from stories.models import Story
from stories.star import SECTIONS, SPOKEN_BAND, SpokenBand
from stories.targets import DEFAULT_TARGETS, PRINCIPLE_SLOTS, PRINCIPLE_SLOTS_MAX, Targets

# The answer band, the rule every band obeys (a user's settings and each session's copy):
# it starts at 30 seconds or later, ends by 900 seconds, and ends after it starts.
# Forms, the export's reader and the services all read it from here.
BAND_MIN_SECONDS = 30
BAND_MAX_SECONDS = 900
BAND_ORDERED = Q(band_min_seconds__lt=models.F("band_max_seconds"))
BAND_IN_RANGE = Q(band_min_seconds__gte=BAND_MIN_SECONDS) & Q(
    band_max_seconds__lte=BAND_MAX_SECONDS
)
BAND_UNORDERED = "The band must end after it starts (e.g. 120 to 180)."
NOTES_MAX = 2000
COMPANY_MAX = 200


def default_target_level() -> int | None:
    """Senior, the level most users prepare for; else the middle of whatever levels exist."""
    levels = list(Level.objects.order_by("order", "pk").values_list("slug", "pk"))
    for slug, pk in levels:
        if slug == "senior":
            return pk
    return levels[len(levels) // 2][1] if levels else None


def band_validators() -> list:
    return [MinValueValidator(BAND_MIN_SECONDS), MaxValueValidator(BAND_MAX_SECONDS)]


def band_is_ordered(band_min: int, band_max: int) -> bool:
    """A band ends after it starts: 120 to 180, never 180 to 120 nor 150 to 150."""
    return band_min < band_max


def band_constraints(prefix: str) -> list[models.CheckConstraint]:
    """The band rule in the database, for a model with the two band fields."""
    return [
        models.CheckConstraint(condition=BAND_ORDERED, name=f"{prefix}_band_ordered"),
        models.CheckConstraint(condition=BAND_IN_RANGE, name=f"{prefix}_band_in_range"),
    ]


class BandRule:
    """Model validation of the band: the range is on the fields, the order is checked here."""

    band_min_seconds: int | None
    band_max_seconds: int | None

    def clean(self) -> None:
        low, high = self.band_min_seconds, self.band_max_seconds
        if low is not None and high is not None and not band_is_ordered(low, high):
            raise ValidationError({"band_max_seconds": BAND_UNORDERED})


class PracticeSettings(BandRule, models.Model):
    """A user's practice preferences. Until first saved, the defaults apply."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_settings"
    )
    target_level = models.ForeignKey(
        Level, on_delete=models.PROTECT, related_name="+", default=default_target_level
    )
    band_min_seconds = models.PositiveSmallIntegerField(
        "band start (seconds)", default=SPOKEN_BAND.min_seconds, validators=band_validators()
    )
    band_max_seconds = models.PositiveSmallIntegerField(
        "band end (seconds)", default=SPOKEN_BAND.max_seconds, validators=band_validators()
    )
    principle_slots = models.PositiveSmallIntegerField(
        "stories per principle",
        default=PRINCIPLE_SLOTS,
        validators=[MinValueValidator(1), MaxValueValidator(PRINCIPLE_SLOTS_MAX)],
        help_text="How many different stories coverage asks for each principle.",
    )
    questions_per_session = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    target_company = models.CharField(max_length=COMPANY_MAX, blank=True)

    class Meta:
        verbose_name = "practice settings"
        verbose_name_plural = "practice settings"
        constraints = [
            *band_constraints("practice_settings"),
            models.CheckConstraint(
                condition=Q(questions_per_session__gte=1) & Q(questions_per_session__lte=20),
                name="practice_settings_question_count_in_range",
            ),
            models.CheckConstraint(
                condition=Q(principle_slots__gte=1) & Q(principle_slots__lte=PRINCIPLE_SLOTS_MAX),
                name="practice_settings_principle_slots_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Practice settings of {self.user}"

    @classmethod
    def for_user(cls, user) -> "PracticeSettings":
        """The user's saved settings, or unsaved defaults (reading never writes)."""
        found = cls.objects.filter(user=user).select_related("target_level").first()
        return found or cls(user=user)

    @classmethod
    def targets_of(cls, user) -> Targets:
        """A user's targets in one query of four columns (the stories app asks often)."""
        row = (
            cls.objects.filter(user=user)
            .values_list(
                "band_min_seconds", "band_max_seconds", "principle_slots", "target_level__slug"
            )
            .first()
        )
        if row is None:
            return DEFAULT_TARGETS
        return Targets(band=SpokenBand(row[0], row[1]), principle_slots=row[2], level_slug=row[3])

    def targets(self) -> Targets:
        """As the stories app reads them (see stories/targets.py)."""
        band = SpokenBand(self.band_min_seconds, self.band_max_seconds)
        return Targets(band=band, principle_slots=self.principle_slots)

    def levels(self) -> list[Level]:
        """The levels questions are drawn from: the target and the one below it."""
        return self.target_level.with_levels_below()


class PracticeSessionQuerySet(models.QuerySet):
    def for_user(self, user) -> "PracticeSessionQuerySet":
        return self.filter(owner=user)

    def active(self) -> "PracticeSessionQuerySet":
        return self.filter(status=PracticeSession.Status.ACTIVE)

    def filtered(self, filters: dict) -> "PracticeSessionQuerySet":
        """Sessions in which a question of the chosen principle, theme and level was answered."""
        if not filters:
            return self
        return self.filter(pk__in=Answer.objects.started().filtered(filters).values("session"))


class PracticeSession(BandRule, models.Model):
    """One sitting: questions drawn by a mode, answered in order, then summarised."""

    class Mode(models.TextChoices):
        LEVEL = "level", "By level"
        PRINCIPLE = "principle", "By principle"
        THEME = "theme", "By theme"
        WEAKEST = "weakest", "Weakest first"
        DUE = "due", "Due for review"

    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        FINISHED = "finished", "Finished"
        ABANDONED = "abandoned", "Abandoned"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_sessions"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    principle = models.ForeignKey(
        Principle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    # Copied from the settings at start, so changing them later leaves history intact.
    band_min_seconds = models.PositiveSmallIntegerField(validators=band_validators())
    band_max_seconds = models.PositiveSmallIntegerField(validators=band_validators())
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = PracticeSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-started_at"], name="practice_session_recent")]
        constraints = band_constraints("practice_session")

    def __str__(self) -> str:
        return f"{self.get_mode_display()} session of {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("practice:session", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def band_verdict(self, seconds: int) -> str:
        """ "under", "inside" or "over" this session's band (see practice/timing.py)."""
        return band_verdict(seconds, self.band_min_seconds, self.band_max_seconds)

    def is_within_band(self, seconds: int) -> bool:
        return self.band_verdict(seconds) == "inside"

    @property
    def focus(self) -> str:
        """What the questions were drawn for, in words ("By theme: Mentorship")."""
        chosen = self.principle or self.theme
        return f"{self.get_mode_display()}: {chosen}" if chosen else self.get_mode_display()


class AnswerQuerySet(models.QuerySet):
    def for_user(self, user) -> "AnswerQuerySet":
        return self.filter(session__owner=user)

    def timed(self) -> "AnswerQuerySet":
        """Answers the user stopped themselves: their durations are real answer times."""
        return self.filter(stopped_at__isnull=False, closed_automatically=False)

    def rated(self) -> "AnswerQuerySet":
        return self.filter(rating__isnull=False)

    def started(self) -> "AnswerQuerySet":
        """Answers whose clock was started: the ones history lists."""
        return self.filter(started_at__isnull=False)

    def filtered(self, filters: dict) -> "AnswerQuerySet":
        """Answers to questions of the chosen principle, theme and level (`valid_filters()`).

        Returned as a plain pk list, so the aggregates charted over it are free
        of the filters' joins (a question with two principles is one answer).
        """
        answers = self
        if filters.get("principle"):
            answers = answers.filter(question__principles=filters["principle"])
        if filters.get("theme"):
            answers = answers.filter(question__themes=filters["theme"])
        if filters.get("level"):
            answers = answers.filter(question__level=filters["level"])
        return self.model.objects.filter(pk__in=answers.values("pk"))

    def stats(self) -> dict:
        """Last practised, how often and the average time, over the timed answers.

        For the practice fragment of a story's page (`practice:story`). A clock
        left running and closed by the session's end is not an answer time, so
        it does not count.
        """
        return self.timed().aggregate(
            last_practised=Max("stopped_at"),
            times=Count("pk"),
            average_seconds=Avg("duration_seconds"),
        )


class Answer(models.Model):
    """One question of a session: when it was told (server time), which story, how it went."""

    class State(models.TextChoices):
        PENDING = "pending", "Not started"
        RUNNING = "running", "Running"
        STOPPED = "stopped", "Waiting for a rating"
        RATED = "rated", "Rated"

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="practice_answers"
    )
    position = models.PositiveSmallIntegerField()
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="practice_answers"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    # True when finishing or abandoning the session stopped a clock left running.
    closed_automatically = models.BooleanField(default=False)
    said_i = models.BooleanField('said "I" rather than "we"', default=False)
    named_obstacle = models.BooleanField("named the obstacle", default=False)
    gave_number = models.BooleanField("gave a number in the result", default=False)
    said_learning = models.BooleanField("said what I learned", default=False)
    within_band = models.BooleanField("stayed inside the time band", null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rated_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(max_length=NOTES_MAX, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["session_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "question"], name="practice_answer_question_once"
            ),
            models.UniqueConstraint(
                fields=["session", "position"], name="practice_answer_position_once"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="practice_answer_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True)
                | Q(started_at__isnull=False, stopped_at__gte=models.F("started_at")),
                name="practice_answer_stops_after_start",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(stopped_at__isnull=False),
                name="practice_answer_rated_after_stop",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.question}"

    @property
    def state(self) -> str:
        if self.rating is not None:
            return self.State.RATED
        if self.stopped_at is not None:
            return self.State.STOPPED
        if self.started_at is not None:
            return self.State.RUNNING
        return self.State.PENDING

    @property
    def band_verdict(self) -> str | None:
        """ "under", "inside" or "over" the session's band, by the server's time."""
        if self.duration_seconds is None:
            return None
        return self.session.band_verdict(self.duration_seconds)

    @property
    def started_at_ms(self) -> int | None:
        """The server's start instant as epoch milliseconds, for the timer script."""
        return round(self.started_at.timestamp() * 1000) if self.started_at else None

    @property
    def checklist(self) -> list[tuple[str, bool | None]]:
        return [
            (Answer._meta.get_field(name).verbose_name, getattr(self, name))
            for name in ("said_i", "named_obstacle", "gave_number", "said_learning", "within_band")
        ]


class ReviewSchedule(models.Model):
    """When a user should see a question again (SM-2 state, see practice/scheduling.py).

    A cache of the rated answers: it is recomputed from them whenever one is rated,
    so re-rating an answer never counts it twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_schedules"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    ease = models.FloatField(default=2.5)
    interval_days = models.PositiveIntegerField(default=0)
    repetitions = models.PositiveIntegerField(default=0)
    due_on = models.DateField()
    last_reviewed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["user", "due_on"], name="review_schedule_due")]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="review_schedule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.question} due {self.due_on}"


# --- Recordings (spoken rehearsal) -------------------------------------------
# The limits a recording obeys: the upload refuses a chunk past either, and keeps
# what was already recorded.
RECORDING_MAX_SECONDS = 15 * 60
RECORDING_MAX_BYTES = 30 * 1024 * 1024
# The keys S, T, A, R, L mark these sections while speaking (stories/star.py).
MARK_SECTIONS = SECTIONS


def recordings_storage():
    """Where audio lives: STORAGES["recordings"] (var/recordings, or S3 by settings)."""
    return storages["recordings"]


def recording_path(recording: "Recording", filename: str) -> str:
    return f"{recording.owner_id}/{recording.uuid}/{filename}"


class RecordingQuerySet(models.QuerySet):
    def for_user(self, user) -> "RecordingQuerySet":
        return self.filter(owner=user)

    def analysed(self) -> "RecordingQuerySet":
        return self.filter(status=Recording.Status.ANALYSED)


class Recording(models.Model):
    """The audio of one answer told aloud, uploaded in chunks while the clock runs.

    The chunks (`RecordingChunk`) are joined into `audio` when the answer is done;
    the analysis (`practice/delivery.py`, run in the background) fills `figures`.
    `marks` are the section taps, [{"section": "action", "at_ms": 41250}, ...],
    measured from the start of the recording. `story` follows the answer's story
    so a story can list its recordings and keep one best take.
    """

    class Status(models.TextChoices):
        RECORDING = "recording", "Recording"
        ANALYSING = "analysing", "Being analysed"
        ANALYSED = "analysed", "Analysed"
        FAILED = "failed", "Could not be analysed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recordings"
    )
    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="recording")
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="recordings"
    )
    mime_type = models.CharField(max_length=100)
    audio = models.FileField(
        storage=recordings_storage, upload_to=recording_path, max_length=300, blank=True
    )
    size_bytes = models.PositiveIntegerField(default=0)
    # How long the browser recorded, by the chunks' own clock; the analysis measures it again.
    recorded_ms = models.PositiveIntegerField(default=0)
    marks = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECORDING)
    # Why the analysis failed, or why the upload was cut short, in words for the user.
    problem = models.CharField(max_length=300, blank=True)
    figures = models.JSONField(null=True, blank=True)
    is_best_take = models.BooleanField("best take", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)

    objects = RecordingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="recording_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["story"], condition=Q(is_best_take=True), name="recording_one_best_take"
            ),
            models.CheckConstraint(
                condition=Q(size_bytes__lte=RECORDING_MAX_BYTES), name="recording_size_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"Recording of {self.answer}"


class RecordingChunk(models.Model):
    """A few seconds of audio as the browser sent it, kept until the recording closes.

    `segment` counts the recorder runs within one answer (a reload starts a new one);
    `sequence` orders the chunks within a segment. A retried upload of the same chunk
    is the same row, never a second copy.
    """

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="chunks")
    segment = models.PositiveSmallIntegerField(default=0)
    sequence = models.PositiveIntegerField()
    data = models.FileField(storage=recordings_storage, max_length=300)
    size_bytes = models.PositiveIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recording_id", "segment", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["recording", "segment", "sequence"], name="recording_chunk_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Chunk {self.segment}.{self.sequence} of {self.recording}"


# --- Loops: an upcoming interview loop, its interviewers and the user's overrides ----------

LOOP_COMPANY_MAX = 100
INTERVIEWER_NAME_MAX = 100
LOOP_INTERVIEWERS_MAX = 8


class LoopQuerySet(models.QuerySet):
    def for_user(self, user) -> "LoopQuerySet":
        return self.filter(owner=user)


class Loop(models.Model):
    """An upcoming interview loop: a company, a date, a target level and its interviewers.

    The plan itself is never stored: it is computed again from the bank, the pins and
    the exclusions every time (`practice/planning.py`), so it follows the stories as they
    change.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loops"
    )
    company = models.CharField(max_length=LOOP_COMPANY_MAX, blank=True)
    interview_date = models.DateField(null=True, blank=True)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LoopQuerySet.as_manager()

    class Meta:
        ordering = [models.F("interview_date").asc(nulls_last=True), "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.company or 'Interview'} loop ({self.level})"

    def get_absolute_url(self) -> str:
        return reverse("practice:loop", args=[self.pk])


class Interviewer(models.Model):
    """One interview of a loop: an optional name or role and the principles it probes."""

    loop = models.ForeignKey(Loop, on_delete=models.CASCADE, related_name="interviewers")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(
        max_length=INTERVIEWER_NAME_MAX, blank=True, help_text='e.g. "Hiring manager".'
    )
    principles = models.ManyToManyField(Principle, related_name="+", blank=True)

    class Meta:
        ordering = ["loop_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["loop", "position"], name="interviewer_position_once")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name the user gave, else "Interviewer 2"."""
        return self.name or f"Interviewer {self.position}"


class LoopPin(models.Model):
    """The user pinned this story to this interviewer's principle: it is that slot's primary.

    A story is pinned to one slot at most in a loop (no story is a primary twice),
    and a slot holds one pin.
    """

    loop = models.ForeignKey(Loop, on_delete=models.CASCADE, related_name="pins")
    interviewer = models.ForeignKey(Interviewer, on_delete=models.CASCADE, related_name="pins")
    principle = models.ForeignKey(Principle, on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interviewer", "principle"], name="loop_pin_one_per_slot"
            ),
            models.UniqueConstraint(fields=["loop", "story"], name="loop_pin_story_once"),
        ]

    def __str__(self) -> str:
        return f"{self.story} pinned to {self.interviewer} for {self.principle}"


class LoopExclusion(models.Model):
    """The user asked never to plan this story in this loop."""

    loop = models.ForeignKey(Loop, on_delete=models.CASCADE, related_name="exclusions")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["loop", "story"], name="loop_exclusion_once")
        ]

    def __str__(self) -> str:
        return f"{self.story} excluded from {self.loop}"
