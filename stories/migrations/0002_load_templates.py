"""Load the guided story templates into every new database.

Content: stories/seed/templates-v1.json, frozen with this migration; later
changes belong in a new data migration or in the admin.
"""

import json
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "seed" / "templates-v1.json"


def load_templates(apps, schema_editor):
    StoryTemplate = apps.get_model("stories", "StoryTemplate")
    TemplateField = apps.get_model("stories", "TemplateField")
    Kind = apps.get_model("principles", "Kind")
    Theme = apps.get_model("principles", "Theme")
    Principle = apps.get_model("principles", "Principle")
    for row in json.loads(SEED.read_text(encoding="utf-8")):
        template, _ = StoryTemplate.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "order": row["order"],
                "description": row["description"],
                "kind": Kind.objects.get(slug=row["kind"]),
            },
        )
        template.themes.set(Theme.objects.filter(slug__in=row["themes"]))
        template.principles.set(Principle.objects.filter(slug__in=row["principles"]))
        for order, field in enumerate(row["fields"], start=1):
            TemplateField.objects.update_or_create(
                template=template,
                key=field["key"],
                defaults={
                    "label": field["label"],
                    "hint": field["hint"],
                    "example": field["example"],
                    "section": field["section"],
                    "required": field["required"],
                    "order": order,
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0001_stories_and_templates"),
        ("principles", "0002_load_catalogue"),
    ]

    operations = [migrations.RunPython(load_templates, migrations.RunPython.noop)]
