"""Write a user's whole bank to standard output as JSON (format storybank/1).

    python manage.py export_bank someone@example.com > bank.json
    python manage.py export_bank someone@example.com --zip bank.zip

The same document as the "Download JSON" button: every story (the trash
included) and the practice history. With --zip, the "Export with recordings"
ZIP (the document and every recording's audio) is written to that file
instead. An unknown email: a one-line error on stderr and exit status 2.
"""

import sys

from django.core.management.base import BaseCommand

from config.accounts import account_by_email
from stories.transfer import document_dumps
from stories.transfer.services import bank_export, bank_export_archive


class Command(BaseCommand):
    help = "Write the bank of the account with this email to standard output as JSON."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the account's email address")
        parser.add_argument("--zip", metavar="FILE", help="write the ZIP with recordings here")

    def handle(self, *args, **options):
        user = account_by_email(options["email"])
        if user is None:
            self.stderr.write(f"export_bank: no account has the email {options['email']!r}")
            sys.exit(2)
        if options["zip"]:
            try:
                with open(options["zip"], "wb") as target:
                    bank_export_archive(user=user, target=target)
            except OSError as error:
                self.stderr.write(f"export_bank: cannot write {options['zip']}: {error.strerror}")
                sys.exit(2)
            self.stdout.write(f"Wrote {options['zip']}.")
            return
        self.stdout.write(document_dumps(bank_export(user=user)), ending="")
