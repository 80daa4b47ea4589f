"""Writes to the catalogue that touch several models (used by the admin)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from principles import question_csv
from principles.models import Level, Principle, Question, Theme


class CatalogueImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def questions_export_csv(*, questions) -> str:
    rows = [
        {
            "text": q.text,
            "level": q.level.slug,
            "principles": [p.slug for p in q.principles.all()],
            "themes": [t.slug for t in q.themes.all()],
            "follow_ups": q.follow_up_list,
            "active": q.is_active,
        }
        for q in questions.select_related("level").prefetch_related("principles", "themes")
    ]
    return question_csv.write_csv(rows)


@transaction.atomic
def questions_import_csv(*, text: str) -> tuple[int, int]:
    """Create or update (matched by text) every question of the file, or none.

    Raises CatalogueImportError listing every bad row; returns (created, updated).
    """
    levels = {level.slug: level for level in Level.objects.all()}
    principles = {p.slug: p for p in Principle.objects.all()}
    themes = {t.slug: t for t in Theme.objects.all()}
    rows, errors = question_csv.parse_csv(
        text, levels=set(levels), principles=set(principles), themes=set(themes)
    )
    if errors:
        raise CatalogueImportError(errors)
    if not rows:
        raise CatalogueImportError(["The file has no question rows."])
    existing = Question.objects.in_bulk([row.text for row in rows], field_name="text")
    created = updated = 0
    for row in rows:
        question = existing.get(row.text) or Question(text=row.text)
        is_new = question.pk is None
        question.level = levels[row.level]
        question.follow_ups = "\n".join(row.follow_ups)
        question.is_active = row.active
        try:
            question.full_clean()
        except ValidationError as error:
            # Rolls back every row saved before this one: the file is all or nothing.
            raise CatalogueImportError([f"Line {row.line}: {'; '.join(error.messages)}."]) from None
        question.save()
        question.principles.set([principles[slug] for slug in row.principles])
        question.themes.set([themes[slug] for slug in row.themes])
        created += is_new
        updated += not is_new
    return created, updated
