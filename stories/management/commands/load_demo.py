"""Create a demo account with eight sample stories (make demo).

Safe to run again: the account and each story (matched by title) are created
only once, so nothing is duplicated.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from principles.models import Kind, Level, Principle, Theme
from stories.models import Story, StoryTemplate
from stories.services import story_save

SEED = Path(__file__).resolve().parents[2] / "seed" / "demo_bank.json"
DEMO_EMAIL = "demo@storybank.example"
DEMO_PASSWORD = "demo-story-bank-2026"


class Command(BaseCommand):
    help = "Create the demo account and its eight sample stories (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        user = demo_user()
        created = 0
        for row in json.loads(SEED.read_text(encoding="utf-8")):
            if Story.objects.for_user(user).filter(title=row["title"]).exists():
                continue
            load_story(user, row)
            created += 1
        self.stdout.write(
            self.style.SUCCESS(f"Demo bank ready: {created} stories added.")
            + f"\nLog in at /accounts/login/ as {DEMO_EMAIL} with the password {DEMO_PASSWORD}"
        )


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
    tags = {
        "principles": list(Principle.objects.filter(slug__in=row["principles"])),
        "themes": list(Theme.objects.filter(slug__in=row["themes"])),
        "levels": list(Level.objects.filter(slug__in=row["levels"])),
        "kind": Kind.objects.filter(slug=row["kind"]).first(),
    }
    return story_save(story=story, answers=answers, tags=tags)
