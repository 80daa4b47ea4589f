"""The demo bank a newcomer sees at once (`make demo`).

Other apps add their part of the demo through DEMO_EXTENSIONS (the practice
app registers a practice history from its AppConfig.ready), so this app never
imports a higher one.
"""

import json
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from stories.models import TAG_RELATIONS, Story, StoryTags, StoryTemplate
from stories.services import story_save

SEED = Path(__file__).resolve().parent / "seed" / "demo_bank.json"
DEMO_EMAIL = "demo@storybank.example"
DEMO_PASSWORD = "demo-story-bank-2026"

# Each takes (user, stories) and returns a line saying what it added.
DEMO_EXTENSIONS: list[Callable] = []


@transaction.atomic
def demo_load() -> list[str]:
    """Create the demo account and what it lacks; running it twice adds nothing."""
    user = demo_user()
    created = 0
    for row in json.loads(SEED.read_text(encoding="utf-8")):
        if not Story.objects.for_user(user).filter(title=row["title"]).exists():
            load_story(user, row)
            created += 1
    stories = list(Story.objects.for_user(user).prefetch_related("principles", "themes"))
    return [f"{created} stories added."] + [extend(user, stories) for extend in DEMO_EXTENSIONS]


def demo_user():
    from allauth.account.models import EmailAddress

    User = get_user_model()
    user, made = User.objects.get_or_create(username="demo", defaults={"email": DEMO_EMAIL})
    if made:
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=DEMO_EMAIL, primary=True, verified=True)
    return user


def load_story(user, row: dict) -> Story:
    template = StoryTemplate.objects.get(slug=row["template"])
    fields = {field.key: field for field in template.fields.all()}
    answers = [
        {"key": key, "label": fields[key].label, "section": fields[key].section, "text": text}
        for key, text in row["answers"].items()
        if key in fields
    ]
    story = Story(
        owner=user,
        template=template,
        title=row["title"],
        metrics=row["metrics"],
        status=row["status"],
    )
    # Each demo story has its own core theme, so the demo bank covers all eight themes.
    tags = StoryTags.from_slugs(
        {name: row[name] for name in (*TAG_RELATIONS, "kind", "core_theme")}
    )
    return story_save(story=story, answers=answers, tags=tags)
