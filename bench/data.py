"""The data the load benchmark runs against (see bench/README.md).

Benchmark tooling, not part of the product: it is reachable only as the
`bench_data` command of the `bench` app, which only bench/settings.py installs
(`python manage.py bench_data --settings bench.settings --users 5 --stories 100`).

`bench_data_make(users=5, stories=100)` creates users
bench-0@bench.example … bench-4@bench.example, each with 100 stories of a
realistic size (300–450 words over the STAR sections, written through
`story_save`, so the sections, the coach's verdict, the search vector and a
revision are all real), tags, a few finished practice sessions with rated
answers (through the practice services) and one session left on its first
question.

Running it again adds nothing: users are matched by email, stories by title
(the text is generated from a seed of the user and story numbers, so story
*j* of user *i* always has the same title and text), and the practice history
only when the user has none. It also deletes the extra sessions a previous
benchmark run opened with POST /practice/start/, so every run starts from the
same data.

It prints a JSON object for the benchmark: a signed-in session cookie for
user 0, a CSRF token, the ids of one of that user's stories and of the open
practice session, and the form fields the live review endpoint expects.
"""

import random
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from practice import services as practice_services
from practice.models import Answer, PracticeSession
from principles.models import Kind, Level, Principle, Theme
from stories.models import Story, StoryTags, StoryTemplate
from stories.services import story_save
from stories.star import SECTIONS

EMAIL = "bench-{}@bench.example"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"
HISTORY_SESSIONS = 4
HISTORY_MODES = ["level", "principle", "theme", "weakest"]

# Share of a story's words per STAR section: most of the time on the action.
SECTION_SHARE = {
    "situation": 0.17,
    "task": 0.10,
    "action": 0.45,
    "result": 0.16,
    "learning": 0.12,
}

FILLERS = {
    "system": [
        "checkout service",
        "search indexer",
        "billing pipeline",
        "notification platform",
        "mobile release train",
        "feature-flag service",
        "data warehouse",
        "identity service",
        "recommendation engine",
        "order-routing system",
    ],
    "company": [
        "an online grocer",
        "a payments start-up",
        "a travel marketplace",
        "a logistics company",
        "a streaming service",
        "a healthcare platform",
        "a retail bank",
        "a ride-sharing company",
    ],
    "team": ["platform", "payments", "mobile", "data", "growth", "infrastructure", "search"],
    "person": ["Priya", "Marcus", "Sofia", "Kenji", "Amara", "Lukas", "Chen", "Fatima"],
    "stakeholder": ["VP of engineering", "product director", "head of support", "CFO"],
    "metric": [
        "p99 latency",
        "failed payments",
        "page load time",
        "on-call pages",
        "deploy lead time",
        "support tickets",
        "cloud spend",
        "crash rate",
    ],
}

SENTENCES = {
    "situation": [
        "At {company} I was a senior engineer on the {team} team, which owned the {system} "
        "that about {n} thousand customers relied on every day.",
        "The {system} had grown by accretion for five years, and every change to it needed "
        "three teams to agree before anything could ship.",
        "Our {metric} had been creeping up for two quarters and nobody owned the problem, "
        "because it sat between the {team} team and product engineering.",
        "The {stakeholder} had asked for a plan within {w} weeks, and the previous two "
        "attempts had stalled in review.",
        "Support was escalating roughly {n} tickets a week that traced back to the {system}, "
        "and the on-call rotation was losing people.",
        "The company had just reorganised, so the {team} team had new members, a new manager "
        "and a backlog nobody had triaged.",
    ],
    "task": [
        "My goal was to bring {metric} under the target without freezing feature work for "
        "the other teams.",
        "I owned the technical plan and had to get sign-off from the {stakeholder}, who was "
        "sceptical after the last migration ran {w} weeks late.",
        "I had {w} weeks and no extra headcount, so whatever I proposed had to be done by "
        "the people already on the team.",
        "The risk was that a half-finished change would leave us with two systems to "
        "operate instead of one.",
        "I needed to decide whether to patch the {system} again or to replace the part of "
        "it that kept failing.",
    ],
    "action": [
        "I started by reading six months of incident reports and graphing {metric} against "
        "deploys, which showed that most regressions followed changes to one module.",
        "I wrote a two-page proposal with three options, their costs in engineer-weeks and "
        "what each would do to {metric}, and reviewed it with {person} before it went wider.",
        "When the {team} team pushed back because the change landed in their busiest "
        "quarter, I offered to pair with them on the riskiest part myself.",
        "I built a prototype behind a feature flag in four days so the debate could be "
        "about measurements instead of opinions.",
        "I rolled the change out to one percent of traffic, watched the dashboards for a "
        "day, and widened it in steps with a rollback ready at each one.",
        "I set up a weekly thirty-minute review with the {stakeholder} so blockers surfaced "
        "early rather than in the quarterly report.",
        "I split the migration into eleven tickets that each left the system working, so we "
        "could stop at any point without a half-migrated state.",
        "I paired with {person} on the data backfill, and I wrote the runbook so that "
        "anyone on call could pause or resume it.",
        "When the load test failed at twice the expected traffic, I traced it to a missing "
        "index and fixed it before the launch date moved.",
        "I ran a blameless review after the first incident and turned its three findings "
        "into alerts that paged the right team.",
        "I negotiated with the {team} team to swap two of their roadmap items for the work "
        "that removed their most frequent page.",
        "I wrote the design document, led the review with four senior engineers and changed "
        "the plan twice after their objections.",
    ],
    "action_we": [
        "We decided to rewrite the module and we split the work between the two teams.",
        "We held a workshop, we agreed on an approach and we shipped it in stages.",
        "We set up dashboards and we reviewed them every week with the {stakeholder}.",
        "We paired on the tricky parts and we ran a load test before the launch.",
        "We wrote a proposal with three options and we presented it to the {stakeholder}, "
        "who asked us to start with the cheapest one.",
        "We built a prototype behind a feature flag and we measured {metric} for a week "
        "before we widened the rollout.",
        "We negotiated with the {team} team to move two roadmap items, and we took over the "
        "migration of their oldest jobs ourselves.",
        "We rolled the change out region by region, and we kept a rollback ready at each "
        "step in case {metric} moved the wrong way.",
        "We ran a blameless review after the first incident and we turned its findings into "
        "alerts that paged the right team.",
        "We split the migration into small tickets so we could stop at any point without "
        "leaving the {system} half migrated.",
    ],
    "result": [
        "{metric} fell from {a} to {b} percent within {w} weeks and has stayed there since.",
        "Support tickets about the {system} dropped by {n} percent, and the on-call team went "
        "from several pages a week to about one a month.",
        "The migration finished {w} days ahead of plan, and the {stakeholder} used the "
        "proposal format for the next two platform projects.",
        "The team shipped {n} changes the following quarter without a single rollback, up "
        "from a rollback every other week.",
        "Cloud spend for the {system} went down by about {n} thousand dollars a month once "
        "the old cluster was retired.",
    ],
    "learning": [
        "I learned to bring the cost of a problem in numbers before asking for time; "
        "proposals framed that way get decided in one meeting.",
        "Looking back, I would have involved the {team} team a month earlier, because their "
        "objections improved the design once they were heard.",
        "Since then I always ship a reversible first step, so a disagreement can be settled "
        "by data from production instead of by seniority.",
        "I now write the rollback plan before the rollout plan, which has saved two launches "
        "since.",
    ],
}

TOPICS = [
    "Cutting {metric} on the {system}",
    "Rescuing the {system} migration",
    "Aligning three teams on the {system}",
    "A {system} outage during a launch",
    "Mentoring {person} into an on-call lead",
    "Replacing the {system} at {company}",
    "Saying no to the {stakeholder}",
    "Turning around the {team} team's backlog",
    "Shipping the {system} with half the team",
]


def story_values(rng: random.Random) -> dict:
    values = {name: rng.choice(options) for name, options in FILLERS.items()}
    before = rng.randint(5, 40)
    values.update(
        n=rng.randint(2, 90), w=rng.randint(2, 12), a=before, b=round(before / rng.randint(2, 9), 1)
    )
    return values


def section_text(pool: list[str], budget: int, rng: random.Random, values: dict) -> list[str]:
    """Whole sentences from `pool` until about `budget` words (at least one sentence)."""
    chosen, words = [], 0
    for sentence in rng.sample(pool, len(pool)):
        text = sentence.format(**values)
        size = len(text.split())
        if chosen and words + size > budget + 10:
            continue
        chosen.append(text)
        words += size
        if words >= budget:
            break
    return chosen


def story_answers(template: StoryTemplate, rng: random.Random, values: dict) -> list[dict]:
    """Answers for each field of `template`, about 300-450 words in all."""
    total = rng.randint(330, 440)
    fields_by_section = {name: [] for name in SECTIONS}
    for field in template.fields.all():
        fields_by_section[field.section].append(field)
    we_story = rng.random() < 0.15  # some stories hide the narrator: the coach flags them
    skip_learning = rng.random() < 0.1
    answers = []
    for section, fields in fields_by_section.items():
        if not fields or (section == "learning" and skip_learning):
            continue
        pool = SENTENCES["action_we" if section == "action" and we_story else section]
        sentences = section_text(pool, round(total * SECTION_SHARE[section]), rng, values)
        # Deal the section's sentences out over its fields, in order.
        per_field = max(1, -(-len(sentences) // len(fields)))
        for index, field in enumerate(fields):
            part = sentences[index * per_field : (index + 1) * per_field]
            if part:
                answers.append(
                    {
                        "key": field.key,
                        "label": field.label,
                        "section": section,
                        "text": " ".join(part),
                    }
                )
    return answers


class Catalogue:
    """The reference rows, read once."""

    def __init__(self) -> None:
        self.templates = list(StoryTemplate.objects.active().prefetch_related("fields"))
        self.principles = list(Principle.objects.all())
        self.themes = list(Theme.objects.all())
        self.levels = list(Level.objects.all())
        self.kinds = list(Kind.objects.all())
        if not (self.templates and self.principles and self.themes and self.levels):
            raise ValueError("The catalogue and templates are missing: run migrate first.")

    def tags(self, rng: random.Random) -> StoryTags:
        return StoryTags(
            principles=rng.sample(self.principles, rng.randint(2, 4)),
            themes=rng.sample(self.themes, rng.randint(1, 2)),
            levels=rng.sample(self.levels, rng.randint(1, 2)),
            kind=rng.choice([*self.kinds, None]),
        )


def planned_story(user_index: int, story_index: int, catalogue: Catalogue) -> dict:
    """Story `story_index` of user `user_index`: always the same title, text and tags."""
    rng = random.Random(f"bench-{user_index}-{story_index}")
    values = story_values(rng)
    template = catalogue.templates[story_index % len(catalogue.templates)]
    title = f"{rng.choice(TOPICS).format(**values)} ({story_index + 1})"
    metrics = f"{values['metric']}: {values['a']}% → {values['b']}%\n{values['w']} weeks"
    return {
        "title": title[:200],
        "template": template,
        "answers": story_answers(template, rng, values),
        "tags": catalogue.tags(rng),
        "metrics": metrics,
        "status": rng.choices(["polished", "ready", "draft"], weights=[4, 3.5, 2.5])[0],
    }


def bench_user(index: int):
    """Bench users have no usable password: the session cookie printed is the way in,
    so running this against a real database never opens an account to a known password."""
    from allauth.account.models import EmailAddress

    email = EMAIL.format(index)
    user, created = get_user_model().objects.get_or_create(
        email=email, defaults={"username": f"bench-{index}"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def ensure_stories(user, user_index: int, count: int, catalogue: Catalogue) -> int:
    existing = set(Story.with_trash.for_user(user).values_list("title", flat=True))
    created = 0
    for story_index in range(count):
        plan = planned_story(user_index, story_index, catalogue)
        if plan["title"] in existing:
            continue
        story = Story(
            owner=user,
            template=plan["template"],
            title=plan["title"],
            metrics=plan["metrics"],
            status=plan["status"],
        )
        story_save(story=story, answers=plan["answers"], tags=plan["tags"])
        created += 1
    return created


def ensure_history(user, user_index: int, catalogue: Catalogue) -> int:
    """A few finished sessions, each answer started, stopped and rated by the services.

    The services take the server's clock, so the instants are moved back
    afterwards to spread the history over the past weeks with real durations.
    """
    if PracticeSession.objects.for_user(user).exclude(status="active").exists():
        return 0
    rng = random.Random(f"bench-history-{user_index}")
    stories = list(Story.objects.for_user(user).only("pk"))
    now = timezone.now()
    for number in range(HISTORY_SESSIONS):
        mode = HISTORY_MODES[number % len(HISTORY_MODES)]
        session = practice_services.session_start(
            user=user,
            mode=mode,
            principle=rng.choice(catalogue.principles) if mode == "principle" else None,
            theme=rng.choice(catalogue.themes) if mode == "theme" else None,
            rng=rng,
        )
        began = now - timedelta(days=3 * (HISTORY_SESSIONS - number), hours=rng.randint(0, 8))
        clock = began
        for answer in session.answers.order_by("position"):
            story = rng.choice(stories) if stories else None
            practice_services.answer_start(answer=answer, story=story)
            practice_services.answer_stop(answer=answer)
            seconds = rng.randint(80, 240)
            Answer.objects.filter(pk=answer.pk).update(
                started_at=clock,
                stopped_at=clock + timedelta(seconds=seconds),
                duration_seconds=seconds,
                within_band=session.band_min_seconds <= seconds <= session.band_max_seconds,
            )
            practice_services.answer_rate(
                answer=answer,
                rating=rng.randint(2, 5),
                story=story,
                notes="Lead with the number next time.",
                said_i=rng.random() < 0.8,
                named_obstacle=rng.random() < 0.7,
                gave_number=rng.random() < 0.6,
                said_learning=rng.random() < 0.5,
            )
            clock += timedelta(seconds=seconds + rng.randint(20, 90))
        practice_services.session_finish(session=session)
        PracticeSession.objects.filter(pk=session.pk).update(started_at=began, finished_at=clock)
    return HISTORY_SESSIONS


def open_session(user) -> PracticeSession:
    """The user's first open session (on its first question); extra ones are deleted.

    POST /practice/start/ in the benchmark opens a session per request; deleting
    them here keeps each run's data the same.
    """
    active = PracticeSession.objects.for_user(user).active().order_by("pk")
    keep = active.first()
    if keep is None:
        return practice_services.session_start(
            user=user, mode="level", rng=random.Random("bench-open")
        )
    active.exclude(pk=keep.pk).delete()
    return keep


def signed_in_session(user) -> str:
    """A real database session for `user`, as django.contrib.auth.login() leaves it."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = AUTH_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def review_form(story: Story) -> dict:
    """The live review endpoint's fields for `story`, as the story form posts them."""
    fields = {}
    for answer in story.answers:
        fields[f"answer_{answer['key']}"] = answer["text"]
        fields[f"section_{answer['key']}"] = answer["section"]
    fields["themes"] = [theme.slug for theme in story.themes.all()]
    return fields


def bench_data_make(*, users: int, stories: int, progress=lambda line: None) -> dict:
    """Make (or top up) the bench users' data; the JSON-ready description of user 0."""
    if users < 1 or stories < 1:
        raise ValueError("--users and --stories must be at least 1.")
    catalogue = Catalogue()
    made_stories = made_sessions = 0
    for index in range(users):
        with transaction.atomic():
            user = bench_user(index)
            made_stories += ensure_stories(user, index, stories, catalogue)
            made_sessions += ensure_history(user, index, catalogue)
            session = open_session(user)
        if index == 0:
            first_user, first_session = user, session
        progress(f"bench user {index + 1}/{users} ready")
    story = Story.objects.for_user(first_user).order_by("pk").first()
    return {
        "email": first_user.email,
        "session_cookie": {
            "name": settings.SESSION_COOKIE_NAME,
            "value": signed_in_session(first_user),
        },
        "csrf_cookie": {"name": settings.CSRF_COOKIE_NAME, "value": get_random_string(32)},
        "story_id": story.pk,
        "story_title": story.title,
        "practice_session_id": first_session.pk,
        "review_form": review_form(story),
        "created": {"stories": made_stories, "practice_sessions": made_sessions},
    }
