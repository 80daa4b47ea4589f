"""Import a Story Bank JSON export into an account, all or nothing.

    python manage.py import_bank someone@example.com bank.json
    python manage.py export_bank a@example.com | python manage.py import_bank b@example.com -
    python manage.py import_bank someone@example.com bank.zip   # the export with recordings

The same checks as the import page: size and story caps, the format, every
story and practice answer; titles already in use get " (2)". Tags this server
does not have stop the import unless --accept-unknown-tags is given (the
stories are then imported without them). Bad input: a one-line reason on
stderr, exit status 2, nothing saved.
"""

import sys

from django.core.management.base import BaseCommand

from config.accounts import account_by_email
from stories.transfer import MAX_DOCUMENT_BYTES, DocumentError, document_load
from stories.transfer.archive import BankArchive, is_archive
from stories.transfer.services import UnknownTags, bank_import


class Command(BaseCommand):
    help = "Import a Story Bank JSON export (a file, or - for standard input) into an account."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the account's email address")
        parser.add_argument("file", help="the JSON export, or - to read standard input")
        parser.add_argument(
            "--accept-unknown-tags",
            action="store_true",
            help="import stories without the tags this server does not have",
        )

    def fail(self, message: str):
        self.stderr.write(f"import_bank: {' '.join(message.split())}")
        sys.exit(2)

    def handle(self, *args, **options):
        user = account_by_email(options["email"])
        if user is None:
            self.fail(f"no account has the email {options['email']!r}")
        confirm = options["accept_unknown_tags"]
        try:
            if options["file"] != "-" and archive_given(options["file"]):
                with open(options["file"], "rb") as handle, BankArchive(handle) as archive:
                    result = bank_import(
                        user=user,
                        document=archive.document,
                        archive=archive,
                        confirm_unknown_tags=confirm,
                    )
            else:
                document = document_load(read_input(options["file"]))
                result = bank_import(user=user, document=document, confirm_unknown_tags=confirm)
        except OSError as error:
            self.fail(f"cannot read {options['file']}: {error.strerror or error}")
        except DocumentError as error:
            self.fail(error.summary)
        except UnknownTags as error:
            self.fail(
                f"{error} Nothing was imported; use --accept-unknown-tags to import without them."
            )
        self.stdout.write(f"{result.summary} Into {user.email}.")


def archive_given(path: str) -> bool:
    """Whether the file is a ZIP (the export with recordings), by its first bytes."""
    with open(path, "rb") as handle:
        return is_archive(handle.read(4))


def read_input(path: str) -> bytes:
    """At most one byte past the cap: a larger file is refused without reading it all."""
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream (tests): measure it in bytes all the same
            return sys.stdin.read(MAX_DOCUMENT_BYTES + 1).encode("utf-8")
        return stream.read(MAX_DOCUMENT_BYTES + 1)
    with open(path, "rb") as handle:
        return handle.read(MAX_DOCUMENT_BYTES + 1)
