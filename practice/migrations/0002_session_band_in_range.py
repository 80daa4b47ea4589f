"""A session's band obeys the same range as the settings it is copied from (30 to 900 s).

Sessions started here always did (the settings were constrained); only an
imported session could hold a band outside it, so those are moved to the
nearest band inside the range before the constraint is added.
"""

import django.core.validators
from django.db import migrations, models
from django.db.models.functions import Greatest, Least


def clamp_imported_bands(apps, schema_editor) -> None:
    sessions = apps.get_model("practice", "PracticeSession").objects
    start = Least(Greatest("band_min_seconds", 30), 899)
    # One update, so the band stays ordered at every step (its constraint is checked per row).
    sessions.exclude(band_min_seconds__gte=30, band_max_seconds__lte=900).update(
        band_min_seconds=start,
        band_max_seconds=Least(Greatest("band_max_seconds", start + 1), 900),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0001_sessions_answers_schedules"),
    ]

    operations = [
        migrations.RunPython(clamp_imported_bands, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="practicesession",
            name="band_max_seconds",
            field=models.PositiveSmallIntegerField(
                validators=[
                    django.core.validators.MinValueValidator(30),
                    django.core.validators.MaxValueValidator(900),
                ]
            ),
        ),
        migrations.AlterField(
            model_name="practicesession",
            name="band_min_seconds",
            field=models.PositiveSmallIntegerField(
                validators=[
                    django.core.validators.MinValueValidator(30),
                    django.core.validators.MaxValueValidator(900),
                ]
            ),
        ),
        migrations.AddConstraint(
            model_name="practicesession",
            constraint=models.CheckConstraint(
                condition=models.Q(("band_min_seconds__gte", 30), ("band_max_seconds__lte", 900)),
                name="practice_session_band_in_range",
            ),
        ),
    ]
