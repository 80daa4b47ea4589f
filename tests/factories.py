"""factory-boy factories, one per model."""

import factory
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth import get_user_model


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password("correct-horse-battery-staple")


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Level"
        django_get_or_create = ("slug",)

    slug = "senior"
    name = factory.LazyAttribute(lambda o: o.slug.title())
    order = 2


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Theme"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())
    order = factory.Sequence(lambda n: 100 + n)


class KindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Kind"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"kind-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.capitalize())
    order = factory.Sequence(lambda n: 100 + n)


class PrincipleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Principle"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"principle-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    order = factory.Sequence(lambda n: 100 + n)
    demonstrate = "Something worth showing"
    guidance = "What interviewers listen for."


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Question"
        skip_postgeneration_save = True

    text = factory.Sequence(lambda n: f"Tell me about a time number {n} you handled a migration.")
    level = factory.SubFactory(LevelFactory)

    @factory.post_generation
    def principles(self, create, extracted, **kwargs):
        if create and extracted:
            self.principles.set(extracted)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


class StoryTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stories.StoryTemplate"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"template-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())
    order = factory.Sequence(lambda n: 100 + n)


class TemplateFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stories.TemplateField"

    template = factory.SubFactory(StoryTemplateFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.LazyAttribute(lambda o: o.key.replace("_", " ").capitalize())
    hint = "Say what happened."
    example = "An example answer."
    section = "action"
    required = False
    order = factory.Sequence(lambda n: n)


STRONG_STORY = {
    "situation": (
        "Our checkout service failed one payment in twenty during the holiday peak, and the team "
        "that owned it had just lost its two most senior engineers. Support was answering two "
        "hundred complaints a day, and the finance team could not reconcile the failed orders."
    ),
    "task": (
        "I was asked to bring the failure rate under one percent within six weeks, with a frozen "
        "budget and a product manager who pushed back on any pause in feature work. Nobody on the "
        "team had touched the payment integration in a year, and its original author had left."
    ),
    "action": (
        "I traced every failed payment for a week and found that one provider timed out under "
        "load. I wrote a one-page proposal for a fallback to a second provider and presented the "
        "cost of the lost orders to the product manager, which won me two sprints. I built the "
        "fallback behind a flag, paired with the on-call engineer on the rollout and ran a load "
        "test at twice the peak traffic before I switched it on for all customers. When the "
        "second provider's sandbox disagreed with its production behaviour, I set up a daily "
        "call with their engineers and wrote the contract tests that caught two mismatches "
        "before launch. I also wrote the runbook and trained three teammates to operate it. "
        "During the rollout I watched the error dashboards myself each morning, and when one "
        "region showed a spike I paused the flag there, found a stale DNS entry and fixed it "
        "within the hour. I sent a short written update to support and finance every Friday, "
        "so they knew which customers to contact and which refunds to expect."
    ),
    "result": (
        "Failed payments fell from 5% to 0.4% in four weeks, which kept about $60,000 a month in "
        "orders. Complaints to support dropped from two hundred a day to fewer than ten, and the "
        "fallback has since carried two provider outages without a customer noticing."
    ),
    "learning": (
        "I learned to bring the cost of a problem in money before asking for time; I now start "
        "every proposal with that number."
    ),
}


class StoryFactory(factory.django.DjangoModelFactory):
    """A story written from the plain STAR template, with the coach's verdict stored."""

    class Meta:
        model = "stories.Story"
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Story number {n}")
    template = factory.LazyFunction(lambda: _plain_star())
    situation = STRONG_STORY["situation"]
    task = STRONG_STORY["task"]
    action = STRONG_STORY["action"]
    result = STRONG_STORY["result"]
    learning = STRONG_STORY["learning"]
    metrics = "5% → 0.4% failed payments\n$60k a month kept"
    answers = factory.LazyAttribute(
        lambda o: [
            {"key": name, "label": name.capitalize(), "section": name, "text": getattr(o, name)}
            for name in ("situation", "task", "action", "result", "learning")
        ]
    )

    @factory.post_generation
    def principles(self, create, extracted, **kwargs):
        if create and extracted:
            self.principles.set(extracted)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted:
            self.themes.set(extracted)
        if self.core_theme_id is not None:
            # As story_save keeps it: the core theme is among the story's themes.
            self.themes.add(self.core_theme)

    @factory.post_generation
    def levels(self, create, extracted, **kwargs):
        if create and extracted:
            self.levels.set(extracted)

    @factory.post_generation
    def verdict(self, create, extracted, **kwargs):
        """Store what story_save would: the coach's verdict and the search vector."""
        if not create:
            return
        from stories.services import apply_review, refresh_search_vector

        apply_review(self, [t.slug for t in self.themes.all()])
        self.save(update_fields=["red_flags", "score", "word_count"])
        refresh_search_vector(self)


def _plain_star():
    from stories.models import StoryTemplate

    return StoryTemplate.objects.filter(slug="plain-star").first()


# --- practice ---


class PracticeSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practice.PracticeSettings"
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    target_level = factory.SubFactory(LevelFactory)
    band_min_seconds = 120
    band_max_seconds = 180
    questions_per_session = 5


class PracticeSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practice.PracticeSession"

    owner = factory.SubFactory(UserFactory)
    mode = "level"
    level = factory.SubFactory(LevelFactory)
    band_min_seconds = 120
    band_max_seconds = 180
    started_at = factory.LazyFunction(lambda: _now())


class AnswerFactory(factory.django.DjangoModelFactory):
    """An answer not yet started; `answered=True` gives one timed and rated."""

    class Meta:
        model = "practice.Answer"

    class Params:
        answered = factory.Trait(
            started_at=factory.LazyAttribute(lambda o: o.session.started_at),
            stopped_at=factory.LazyAttribute(
                lambda o: o.session.started_at + _seconds(o.duration_seconds)
            ),
            duration_seconds=150,
            within_band=True,
            rating=4,
        )

    session = factory.SubFactory(PracticeSessionFactory)
    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)


def wav_bytes(seconds: float = 0.25, rate: int = 8000) -> bytes:
    """A real, tiny WAV file (a 220 Hz tone), for recordings that need audio in storage."""
    import io
    import math
    import struct
    import wave

    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * n / rate)))
        for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


WAV = wav_bytes()


def figures(**changes) -> dict:
    """Analysis figures shaped as practice/delivery.py writes them (FIGURES version 1)."""
    return {
        "version": 1,
        "method": "syllable nuclei (De Jong & Wempe 2009) via Praat/parselmouth; "
        "voice activity by webrtcvad",
        "duration_s": 172.4,
        "speaking_s": 141.0,
        "pauses": [{"start_s": 12.3, "end_s": 14.1}, {"start_s": 80.0, "end_s": 81.5}],
        "pause_count": 2,
        "longest_pause_s": 1.8,
        "syllables": 412,
        "words": 284,
        "wpm": 141.2,
        "sections": [
            {
                "key": "situation+task",
                "label": "Situation + Task",
                "seconds": 30.2,
                "percent": 18,
                "budget_percent": 20,
            },
            {
                "key": "action",
                "label": "Action",
                "seconds": 110.0,
                "percent": 64,
                "budget_percent": 60,
            },
            {
                "key": "result+learning",
                "label": "Result + Learning",
                "seconds": 32.2,
                "percent": 18,
                "budget_percent": 20,
            },
        ],
        "envelope": [round(abs(((n % 20) - 10) / 10), 2) for n in range(200)],
        "transcript": None,
        **changes,
    }


class RecordingFactory(factory.django.DjangoModelFactory):
    """A recording row of an answer, without audio (give it `audio` to store a file).

    `analysed=True` gives a finished one: a real WAV file saved through the
    recordings storage (point that storage at a temporary folder in the test),
    section marks and FIGURES-shaped figures.
    """

    class Meta:
        model = "practice.Recording"

    class Params:
        analysed = factory.Trait(
            mime_type="audio/wav",
            audio=factory.django.FileField(filename="audio.wav", data=WAV),
            size_bytes=len(WAV),
            recorded_ms=172_400,
            marks=[
                {"section": "situation", "at_ms": 0},
                {"section": "action", "at_ms": 30_200},
                {"section": "result", "at_ms": 140_200},
            ],
            status="analysed",
            figures=factory.LazyFunction(figures),
            closed_at=factory.LazyFunction(lambda: _now()),
            analysed_at=factory.LazyFunction(lambda: _now()),
        )

    answer = factory.SubFactory(AnswerFactory, answered=True)
    owner = factory.LazyAttribute(lambda o: o.answer.session.owner)
    story = factory.LazyAttribute(lambda o: o.answer.story)
    mime_type = "audio/webm;codecs=opus"


class ReviewScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practice.ReviewSchedule"

    user = factory.SubFactory(UserFactory)
    question = factory.SubFactory(QuestionFactory)
    due_on = factory.LazyFunction(lambda: _now().date())


class LoopFactory(factory.django.DjangoModelFactory):
    """A loop with no interviewers; give `interviewers=[[principle, ...], ...]` to add them."""

    class Meta:
        model = "practice.Loop"
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    company = "Amazon"
    level = factory.SubFactory(LevelFactory)

    @factory.post_generation
    def interviewers(self, create, extracted, **kwargs):
        if create and extracted:
            for position, principles in enumerate(extracted, start=1):
                InterviewerFactory(loop=self, position=position, principles=principles)


class InterviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practice.Interviewer"
        skip_postgeneration_save = True

    loop = factory.SubFactory(LoopFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = ""

    @factory.post_generation
    def principles(self, create, extracted, **kwargs):
        if create and extracted:
            self.principles.set(extracted)


def _now():
    from django.utils import timezone

    return timezone.now()


def _seconds(seconds):
    from datetime import timedelta

    return timedelta(seconds=seconds)


# --- Two-factor (allauth.mfa): a real TOTP authenticator and its codes ------------


def activate_totp(user) -> str:
    """Give `user` an authenticator app; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def valid_codes(secret: str) -> set[str]:
    return {
        format_hotp_value(hotp_value(secret, counter))
        for counter in yield_hotp_counters_from_time()
    }


def current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def wrong_code(secret: str) -> str:
    """A six-digit code that no counter in the tolerance window accepts."""
    valid = valid_codes(secret)
    return next(code for code in (f"{n:06}" for n in range(1_000_000)) if code not in valid)
