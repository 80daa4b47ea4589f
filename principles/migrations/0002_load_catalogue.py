"""Load the reference catalogue into every new database.

The content lives in principles/seed/catalogue-v1.json. That file is frozen
with this migration: later changes to the catalogue belong in a new data
migration (or in the admin), so that this one always loads the same rows.
"""

import json
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "seed" / "catalogue-v1.json"


def load_catalogue(apps, schema_editor):
    data = json.loads(SEED.read_text(encoding="utf-8"))
    models = {name: apps.get_model("principles", name) for name in ("Level", "Kind", "Theme")}
    for key, model in (("levels", "Level"), ("kinds", "Kind"), ("themes", "Theme")):
        for row in data[key]:
            models[model].objects.update_or_create(
                slug=row["slug"],
                defaults={
                    "name": row["name"],
                    "order": row["order"],
                    "description": row["description"],
                },
            )
    Principle = apps.get_model("principles", "Principle")
    for row in data["principles"]:
        Principle.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "order": row["order"],
                "demonstrate": row["demonstrate"],
                "guidance": row["guidance"],
                "strong_signals": "\n".join(row["strong_signals"]),
                "weak_signals": "\n".join(row["weak_signals"]),
            },
        )
    Question = apps.get_model("principles", "Question")
    levels = {level.slug: level for level in models["Level"].objects.all()}
    principles = {p.slug: p for p in Principle.objects.all()}
    themes = {t.slug: t for t in models["Theme"].objects.all()}
    for row in data["questions"]:
        question, _ = Question.objects.update_or_create(
            text=row["text"],
            defaults={"level": levels[row["level"]], "follow_ups": "\n".join(row["follow_ups"])},
        )
        question.principles.set([principles[slug] for slug in row["principles"]])
        question.themes.set([themes[slug] for slug in row["themes"]])


class Migration(migrations.Migration):
    dependencies = [("principles", "0001_catalogue")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
