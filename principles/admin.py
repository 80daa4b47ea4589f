"""Staff curate the catalogue and the question bank here."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from principles.models import Kind, Level, Principle, Question, Theme
from principles.services import CatalogueImportError, questions_export_csv, questions_import_csv

MAX_CSV_BYTES = 2 * 1024 * 1024


@admin.register(Level, Kind, Theme)
class OrderedEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    ordering = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "demonstrate"]
    list_display_links = ["name"]
    ordering = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "demonstrate", "guidance"]


class QuestionCsvImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text="Columns: text, level, principles, themes, follow_ups, active."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not UTF-8 text. Save it as “CSV UTF-8”."
            ) from None


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "level", "principle_names", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["level", "is_active", "principles", "themes"]
    list_select_related = ["level"]
    search_fields = ["text"]
    filter_horizontal = ["principles", "themes"]
    actions = ["activate", "deactivate", "export_csv"]
    change_list_template = "admin/principles/question/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("principles")

    @admin.display(description="principles")
    def principle_names(self, question: Question) -> str:
        return ", ".join(p.name for p in question.principles.all())

    @admin.action(description="Activate the selected questions")
    def activate(self, request, queryset):
        count = queryset.update(is_active=True, updated_at=timezone.now())
        self.message_user(request, f"{count} question(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate the selected questions")
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False, updated_at=timezone.now())
        self.message_user(request, f"{count} question(s) deactivated.", messages.SUCCESS)

    @admin.action(description="Export the selected questions as CSV")
    def export_csv(self, request, queryset):
        return csv_response(questions_export_csv(questions=queryset), "questions-selected.csv")

    def get_actions(self, request):
        """One "Move to <level>" action per level, so curators re-level in bulk."""
        actions = super().get_actions(request)
        for level in Level.objects.all():
            name = f"move_to_{level.slug}"
            actions[name] = (
                make_move_action(level),
                name,
                f"Move the selected questions to {level.name}",
            )
        return actions

    def get_urls(self):
        own = [
            path(
                "export-csv/",
                self.admin_site.admin_view(self.export_all_view),
                name="principles_question_export",
            ),
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_view),
                name="principles_question_import",
            ),
        ]
        return own + super().get_urls()

    def export_all_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            return redirect("admin:index")
        return csv_response(questions_export_csv(questions=Question.objects.all()), "questions.csv")

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:index")
        errors: list[str] = []
        form = QuestionCsvImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                created, updated = questions_import_csv(text=form.cleaned_data["file"])
            except CatalogueImportError as error:
                errors = error.errors
            else:
                self.message_user(
                    request,
                    f"Imported the file: {created} question(s) created, {updated} updated.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:principles_question_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import questions from CSV",
            "form": form,
            "errors": errors,
        }
        return render(
            request,
            "admin/principles/question/import_csv.html",
            context,
            status=400 if errors else 200,
        )


def make_move_action(level: Level):
    def move(modeladmin, request, queryset):
        count = queryset.update(level=level, updated_at=timezone.now())
        modeladmin.message_user(
            request, f"{count} question(s) moved to {level.name}.", messages.SUCCESS
        )

    return move


def csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
