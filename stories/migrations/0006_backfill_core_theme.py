"""Give every story saved before core themes existed its core theme.

The template's core theme when the story carries that theme, else the
story's first theme in the catalogue's order; a story with no theme at all
keeps none (its form asks for one). Stories in the trash too. Reversing
leaves the core themes in place: the column itself goes with 0004.
"""

from django.db import migrations

BATCH = 500


def backfill_core_theme(apps, schema_editor):
    Story = apps.get_model("stories", "Story")
    stories = (
        Story.objects.filter(core_theme__isnull=True)
        .select_related("template")
        .prefetch_related("themes")
        .order_by("pk")
    )
    changed = []
    for story in stories.iterator(chunk_size=BATCH):
        themes = sorted(story.themes.all(), key=lambda theme: (theme.order, theme.name))
        if not themes:
            continue
        template_core = story.template.core_theme_id if story.template else None
        if template_core is not None and any(theme.pk == template_core for theme in themes):
            story.core_theme_id = template_core
        else:
            story.core_theme_id = themes[0].pk
        changed.append(story)
    Story.objects.bulk_update(changed, ["core_theme"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("principles", "0002_load_catalogue"),
        ("stories", "0005_template_guidance"),
    ]

    operations = [migrations.RunPython(backfill_core_theme, migrations.RunPython.noop)]
