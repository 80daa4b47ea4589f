"""`manage.py bench_data --settings bench.settings`: the load benchmark's data (bench/data.py)."""

import json

from django.core.management.base import BaseCommand, CommandError

from bench.data import bench_data_make


class Command(BaseCommand):
    help = "Create the load benchmark's users, stories and practice history (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--users", type=int, default=5)
        parser.add_argument("--stories", type=int, default=100, help="stories per user")
        parser.add_argument("--json-out", help="write the JSON here instead of standard output")

    def handle(self, *args, users: int, stories: int, json_out: str | None, **options) -> None:
        try:
            result = bench_data_make(users=users, stories=stories, progress=self.stderr.write)
        except ValueError as error:
            raise CommandError(str(error)) from error
        text = json.dumps(result, indent=2)
        if json_out:
            with open(json_out, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stdout.write(f"Wrote {json_out}")
        else:
            self.stdout.write(text)
