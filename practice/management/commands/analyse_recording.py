"""Analyse a recording's delivery and print the figures as JSON, for scripts.

    python manage.py analyse_recording answer.webm
    python manage.py analyse_recording answer.webm --marks '[{"section": "situation", "at_ms": 0}]'

Output: the FIGURES of practice/delivery.py (indented JSON) on standard output.
Bad input (a missing file, no audio, an empty file, malformed marks): one line
on standard error and exit status 2. No database is needed.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from practice import delivery


class Command(BaseCommand):
    help = "Analyse a recorded answer (any audio file PyAV decodes) and print its figures as JSON."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="the audio file (WebM/Opus, Ogg, MP4/AAC, WAV, ...)")
        parser.add_argument(
            "--marks",
            help='section marks as JSON: [{"section": "situation", "at_ms": 0}, ...]',
        )

    def handle(self, *args, **options):
        if not Path(options["file"]).is_file():
            self.fail(f"no such file: {options['file']}")
        try:
            marks = json.loads(options["marks"]) if options["marks"] is not None else None
            figures = delivery.analyse(options["file"], marks=marks)
        except json.JSONDecodeError as error:
            self.fail(f"--marks is not valid JSON ({error.msg})")
        except (delivery.AudioError, ValueError) as error:
            self.fail(str(error))
        self.stdout.write(json.dumps(figures, indent=2))

    def fail(self, message: str) -> None:
        line = message.splitlines()[0] if message else "analysis failed"
        self.stderr.write(f"analyse_recording: {line}")
        sys.exit(2)
