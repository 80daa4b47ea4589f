"""Templates that agree with the coach (issue 13).

Adds TemplateField.target_words and updates the nine seeded templates from
stories/seed/templates-v2.json: Plain STAR suggests no theme and no principle,
every other template one core theme (crisis no longer implies a failure
story), and each field says about how many words it should run to, so the
Action fields add up to about 60% of a 300-450-word story.

Idempotent (update_or_create by slug and key); a template or field the seed
does not name is left alone. The reverse keeps the content: v1 is not restored.
"""

import json
from pathlib import Path

from django.db import migrations, models

SEED = Path(__file__).resolve().parent.parent / "seed" / "templates-v2.json"


def update_templates(apps, schema_editor):
    StoryTemplate = apps.get_model("stories", "StoryTemplate")
    TemplateField = apps.get_model("stories", "TemplateField")
    Kind = apps.get_model("principles", "Kind")
    Theme = apps.get_model("principles", "Theme")
    Principle = apps.get_model("principles", "Principle")
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    for row in json.loads(SEED.read_text(encoding="utf-8")):
        template, _ = StoryTemplate.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "order": row["order"],
                "description": row["description"],
                "kind": Kind.objects.filter(slug=row["kind"]).first(),
                "core_theme": themes.get(row["core_theme"]) if row["core_theme"] else None,
            },
        )
        template.themes.set([themes[slug] for slug in row["themes"] if slug in themes])
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
                    "target_words": field["target_words"],
                    "order": order,
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("principles", "0002_load_catalogue"),
        ("stories", "0004_core_theme"),
    ]

    operations = [
        migrations.AddField(
            model_name="templatefield",
            name="target_words",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="About how many words the answer should run to; 0 shows no hint.",
            ),
        ),
        migrations.RunPython(update_templates, migrations.RunPython.noop),
    ]
