"""Your data: export the bank, import one (JSON or a CSV story matrix), or leave.

An upload that waits for the user's go-ahead (unknown tags, a CSV preview) is
kept on the server for half an hour under a random token bound to the user,
never in the page, and is checked again from scratch when they confirm: the
preview is never trusted, and nothing is written before the confirmation.
A confirmation is used once, so a double click cannot import twice.
"""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from stories.models import Story
from stories.portability import (
    MAX_DOCUMENT_BYTES,
    DocumentError,
    document_dumps,
    document_load,
    too_big,
)
from stories.transfer import (
    UnknownTags,
    account_delete,
    bank_export,
    bank_export_markdown,
    bank_import,
    import_preview,
    story_matrix_read,
)

PENDING_SECONDS = 30 * 60
DELETE_ATTEMPTS = 5
DELETE_WINDOW_SECONDS = 15 * 60


class UploadForm(forms.Form):
    file = forms.FileField(max_length=255)

    def __init__(self, *args, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = label

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(too_big(upload.size))
        return upload.read()


class ConfirmForm(forms.Form):
    # secrets.token_urlsafe output only, so a posted value never makes an odd cache key.
    token = forms.RegexField(r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        key = f"storybank:account-delete-failures:{self.user.pk}"
        # A stolen session must not become a way to guess the password.
        if cache.get(key, 0) >= DELETE_ATTEMPTS:
            raise ValidationError("Too many wrong passwords. Wait 15 minutes and try again.")
        if not self.user.check_password(password):
            cache.add(key, 0, DELETE_WINDOW_SECONDS)
            cache.incr(key)
            raise ValidationError("That is not your password. Nothing was deleted.")
        return password


def json_form(data=None, files=None) -> UploadForm:
    return UploadForm(data, files, prefix="json", label="Story Bank export (.json)")


def csv_form(data=None, files=None) -> UploadForm:
    return UploadForm(data, files, prefix="csv", label="Story matrix (.csv, UTF-8)")


def pending_key(request: HttpRequest, token: str) -> str:
    return f"storybank:pending-import:{request.user.pk}:{token}"


def pending_store(request: HttpRequest, raw: bytes) -> str:
    token = secrets.token_urlsafe(24)
    cache.set(pending_key(request, token), raw, PENDING_SECONDS)
    return token


def pending_take(request: HttpRequest) -> bytes | None:
    """The upload the user confirms, once: the second of two clicks finds nothing."""
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return None
    key = pending_key(request, form.cleaned_data["token"])
    raw = cache.get(key)
    return raw if raw is not None and cache.delete(key) else None


def data_page(request: HttpRequest, **context) -> HttpResponse:
    stories = Story.with_trash.filter(owner=request.user)
    context = {
        "json_form": json_form(),
        "csv_form": csv_form(),
        "story_count": stories.filter(deleted_at__isnull=True).count(),
        "trash_count": stories.filter(deleted_at__isnull=False).count(),
        **context,
    }
    return render(request, "stories/transfer/data.html", context)


def download(content: str, *, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
    name = f"story-bank-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def data_home(request: HttpRequest) -> HttpResponse:
    return data_page(request)


@require_safe
def export_json(request: HttpRequest) -> HttpResponse:
    document = bank_export(user=request.user)
    return download(document_dumps(document), content_type="application/json", extension="json")


@require_safe
def export_markdown(request: HttpRequest) -> HttpResponse:
    text = bank_export_markdown(user=request.user)
    return download(text, content_type="text/markdown", extension="md")


@require_safe
def cheat_sheet(request: HttpRequest) -> HttpResponse:
    stories = Story.objects.for_user(request.user).with_tags().order_by("title", "pk")
    return render(request, "stories/transfer/cheat_sheet.html", {"stories": stories})


def imported(request: HttpRequest, result) -> HttpResponse:
    messages.success(request, result.summary)
    return redirect("stories:bank")


@require_POST
def import_json(request: HttpRequest) -> HttpResponse:
    if "token" in request.POST:
        return import_confirmed(request, kind="json")
    form = json_form(request.POST, request.FILES)
    if not form.is_valid():
        return data_page(request, json_form=form)
    raw = form.cleaned_data["file"]
    try:
        result = bank_import(user=request.user, document=document_load(raw))
    except DocumentError as error:
        return data_page(request, json_form=form, json_problems=error.problems)
    except UnknownTags as error:
        context = {"unknown": error.unknown, "token": pending_store(request, raw)}
        return render(request, "stories/transfer/confirm_tags.html", context)
    return imported(request, result)


@require_POST
def import_csv(request: HttpRequest) -> HttpResponse:
    if "token" in request.POST:
        return import_confirmed(request, kind="csv")
    form = csv_form(request.POST, request.FILES)
    if not form.is_valid():
        return data_page(request, csv_form=form)
    raw = form.cleaned_data["file"]
    try:
        matrix = story_matrix_read(raw)
        preview = import_preview(user=request.user, document=matrix.document)
    except DocumentError as error:
        return data_page(request, csv_form=form, csv_problems=error.problems)
    context = {
        "preview": preview,
        "ignored_columns": matrix.ignored_columns,
        "token": pending_store(request, raw),
    }
    return render(request, "stories/transfer/csv_preview.html", context)


def import_confirmed(request: HttpRequest, *, kind: str) -> HttpResponse:
    """The go-ahead for a pending upload: read and check it again, then import it."""
    raw = pending_take(request)
    if raw is None:
        messages.error(request, "That upload has expired or was already imported: upload it again.")
        return redirect("stories:data")
    try:
        document = document_load(raw) if kind == "json" else story_matrix_read(raw).document
        result = bank_import(user=request.user, document=document, confirm_unknown_tags=True)
    except DocumentError as error:
        return data_page(request, **{f"{kind}_problems": error.problems})
    return imported(request, result)


@require_http_methods(["GET", "HEAD", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        account_delete(user=user)
        messages.success(request, "Your account and everything in it have been deleted.")
        return redirect("home")
    stories = Story.with_trash.filter(owner=request.user).count()
    return render(
        request, "stories/transfer/account_delete.html", {"form": form, "story_count": stories}
    )
