"""Print a user's coverage as JSON, for scripts: the same matching as the coverage page.

    python manage.py coverage reader@example.com [--all]

Each theme and level with the title of the story it was given (or null), each
principle with its slots and the titles filling them, how many stories were
counted, and the progress toward the guide's goal. By default only ready stories
count; `--all` counts every story not in the Trash. An unknown email or bad
arguments: one line on stderr and exit status 2.
"""

import json
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from stories.selectors import bank_coverage


def single_columns(grid) -> list[dict]:
    return [
        {"slug": c.slug, "name": c.name, "story": c.story.title if c.story else None}
        for c in grid.columns
    ]


def coverage_document(user, result) -> dict:
    return {
        "user": user.email,
        "counted": result.story_count,
        "counting": "all" if result.counting_all else "ready",
        "themes": single_columns(result.themes),
        "principles": [
            {
                "slug": c.slug,
                "name": c.name,
                "slots": c.slots,
                "stories": [story.title for story in c.stories],
            }
            for c in result.principles.columns
        ],
        "levels": single_columns(result.levels),
        "themes_covered": result.themes.covered,
        "themes_total": len(result.themes.columns),
        "progress_percent": result.progress_percent,
    }


class Command(BaseCommand):
    help = "Print a user's coverage by distinct stories (themes, principle slots, levels) as JSON."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def one_line_error(message):
            # argparse would print the whole usage too; scripts get one line.
            if getattr(parser, "called_from_command_line", False):
                sys.stderr.write(f"coverage: {message}\n")
                sys.exit(2)
            raise CommandError(message, returncode=2)

        parser.error = one_line_error
        return parser

    def add_arguments(self, parser):
        parser.add_argument("email", help="the account's email address")
        parser.add_argument(
            "--all",
            action="store_true",
            dest="count_all",
            help="count drafts and stories that are not ready too",
        )

    def handle(self, *args, email: str, count_all: bool, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"no account with the email {email!r}", returncode=2)
        result = bank_coverage(user=user, count_all=count_all)
        self.stdout.write(json.dumps(coverage_document(user, result), ensure_ascii=False, indent=2))
