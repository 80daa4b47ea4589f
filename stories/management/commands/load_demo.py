"""Create a demo account with eight sample stories and a practice history (make demo).

Safe to run again: nothing is duplicated.
"""

from django.core.management.base import BaseCommand

from stories.demo import DEMO_EMAIL, DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Create the demo account, its eight sample stories and practice history (idempotent)."

    def handle(self, *args, **options):
        for line in demo_load():
            self.stdout.write(self.style.SUCCESS(f"Demo bank: {line}"))
        self.stdout.write(
            f"Log in at /accounts/login/ as {DEMO_EMAIL} with the password {DEMO_PASSWORD}"
        )
