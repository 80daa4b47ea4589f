"""Remove for good the stories that have been in the Trash for 30 days.

Run daily from cron, e.g.  15 3 * * *  cd /srv/storybank && .venv/bin/python manage.py purge_trash
"""

from django.core.management.base import BaseCommand

from stories.models import TRASH_DAYS
from stories.services import trash_purge


class Command(BaseCommand):
    help = f"Delete stories that have been in the Trash for more than {TRASH_DAYS} days."

    def handle(self, *args, **options):
        count = trash_purge()
        self.stdout.write(f"Removed {count} stor{'y' if count == 1 else 'ies'} from the Trash.")
