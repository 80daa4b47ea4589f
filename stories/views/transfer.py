"""Transfer: export the bank, import one (JSON or a CSV story matrix). Deleting the
account is site-wide: config/views.py.

An upload that waits for the user's go-ahead (unknown tags, a CSV preview) is
kept on the server for half an hour under a random token bound to the user,
never in the page, and is checked again from scratch when they confirm: the
preview is never trusted, and nothing is written before the confirmation.
A confirmation is used once, so a double click cannot import twice.
"""

import tempfile

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from stories import selectors
from stories.forms import TransferConfirmForm, TransferUploadForm
from stories.models import Story
from stories.transfer import DocumentError, document_dumps, document_load
from stories.transfer.archive import ARCHIVE_MAX_BYTES, BankArchive
from stories.transfer.document import size_text
from stories.transfer.services import (
    ImportResult,
    UnknownTags,
    bank_export,
    bank_export_archive,
    bank_export_markdown,
    bank_import,
    import_preview,
    pending_upload_store,
    pending_upload_take,
    story_matrix_read,
    upload_document,
)


def transfer_page(request: HttpRequest, **context) -> HttpResponse:
    context = {
        "json_form": TransferUploadForm(kind="json"),
        "csv_form": TransferUploadForm(kind="csv"),
        "archive_max": size_text(ARCHIVE_MAX_BYTES),
        **selectors.transfer_counts(user=request.user),
        **context,
    }
    return render(request, "stories/transfer/transfer.html", context)


def download_name(extension: str) -> str:
    return f"story-bank-{timezone.localdate():%Y-%m-%d}.{extension}"


def download(content: str, *, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(extension)}"'
    return response


@require_safe
def transfer_home(request: HttpRequest) -> HttpResponse:
    return transfer_page(request)


@require_safe
def transfer_export_json(request: HttpRequest) -> HttpResponse:
    document = bank_export(user=request.user)
    return download(document_dumps(document), content_type="application/json", extension="json")


@require_safe
def transfer_export_archive(request: HttpRequest) -> FileResponse:
    """The JSON export and the audio of every recording, as one ZIP.

    Built in a temporary file on disk (removed when the response closes it),
    never in memory: the audio alone can be hundreds of megabytes.
    """
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        bank_export_archive(user=request.user, target=target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=download_name("zip"), content_type="application/zip"
    )


@require_safe
def transfer_export_markdown(request: HttpRequest) -> HttpResponse:
    text = bank_export_markdown(user=request.user)
    return download(text, content_type="text/markdown", extension="md")


@require_safe
def transfer_cheat_sheet(request: HttpRequest) -> HttpResponse:
    stories = Story.objects.for_user(request.user).with_tags().order_by("title", "pk")
    return render(request, "stories/transfer/cheat_sheet.html", {"stories": stories})


def imported(request: HttpRequest, result: ImportResult) -> HttpResponse:
    messages.success(request, result.summary)
    return redirect("stories:bank")


@require_POST
def transfer_import(request: HttpRequest, kind: str) -> HttpResponse:
    """An upload of `kind` ("json" or "csv", from the URL), or the go-ahead for one."""
    if "token" in request.POST:
        return import_confirmed(request, kind=kind)
    form = TransferUploadForm(request.POST, request.FILES, kind=kind)
    if not form.is_valid():
        return transfer_page(request, **{f"{kind}_form": form})
    try:
        return UPLOADED[kind](request, form.cleaned_data["file"])
    except DocumentError as error:
        return transfer_page(request, **{f"{kind}_form": form, f"{kind}_problems": error.problems})


def json_uploaded(request: HttpRequest, raw) -> HttpResponse:
    """Import the export (JSON bytes, or a ZIP file with recordings) at once, unless it
    names tags this server lacks: then ask first."""
    try:
        if isinstance(raw, bytes):
            result = bank_import(user=request.user, document=document_load(raw))
        else:
            with BankArchive(raw) as archive:
                result = bank_import(user=request.user, document=archive.document, archive=archive)
    except UnknownTags as error:
        if not isinstance(raw, bytes):
            raw.seek(0)
        token = pending_upload_store(user=request.user, raw=raw)
        context = {"unknown": error.unknown, "token": token, "archive": not isinstance(raw, bytes)}
        return render(request, "stories/transfer/confirm_tags.html", context)
    return imported(request, result)


def csv_uploaded(request: HttpRequest, raw: bytes) -> HttpResponse:
    """Show what the story matrix would create; nothing is saved before the go-ahead."""
    matrix = story_matrix_read(raw)
    context = {
        "preview": import_preview(user=request.user, document=matrix.document),
        "ignored_columns": matrix.ignored_columns,
        "token": pending_upload_store(user=request.user, raw=raw),
    }
    return render(request, "stories/transfer/csv_preview.html", context)


UPLOADED = {"json": json_uploaded, "csv": csv_uploaded}


def import_confirmed(request: HttpRequest, *, kind: str) -> HttpResponse:
    """The go-ahead for a pending upload: read and check it again, then import it."""
    form = TransferConfirmForm(request.POST)
    token = form.cleaned_data["token"] if form.is_valid() else None
    raw = pending_upload_take(user=request.user, token=token) if token else None
    if raw is None:
        messages.error(request, "That upload has expired or was already imported: upload it again.")
        return redirect("stories:transfer")
    try:
        if isinstance(raw, bytes):
            document = upload_document(raw, kind=kind)
            result = bank_import(user=request.user, document=document, confirm_unknown_tags=True)
        else:
            with raw, BankArchive(raw) as archive:
                result = bank_import(
                    user=request.user,
                    document=archive.document,
                    archive=archive,
                    confirm_unknown_tags=True,
                )
    except DocumentError as error:
        return transfer_page(request, **{f"{kind}_problems": error.problems})
    return imported(request, result)
