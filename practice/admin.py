from django.contrib import admin

from practice.models import (
    Answer,
    Interviewer,
    Loop,
    PracticeSession,
    PracticeSettings,
    ReviewSchedule,
)


@admin.register(PracticeSettings)
class PracticeSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "target_level", "band_min_seconds", "band_max_seconds"]
    list_select_related = ["user", "target_level"]
    raw_id_fields = ["user"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["position", "question", "story", "started_at", "stopped_at", "duration_seconds"]
    fields += ["closed_automatically", "rating"]
    raw_id_fields = ["question", "story"]
    readonly_fields = ["started_at", "stopped_at", "duration_seconds", "closed_automatically"]


@admin.register(PracticeSession)
class PracticeSessionAdmin(admin.ModelAdmin):
    list_display = ["owner", "mode", "status", "started_at", "finished_at"]
    list_filter = ["mode", "status"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    date_hierarchy = "started_at"
    inlines = [AnswerInline]


@admin.register(ReviewSchedule)
class ReviewScheduleAdmin(admin.ModelAdmin):
    list_display = ["user", "question", "due_on", "interval_days", "ease", "repetitions"]
    list_select_related = ["user", "question"]
    raw_id_fields = ["user", "question"]


class InterviewerInline(admin.TabularInline):
    model = Interviewer
    extra = 0
    fields = ["position", "name", "principles"]
    readonly_fields = fields
    can_delete = False


@admin.register(Loop)
class LoopAdmin(admin.ModelAdmin):
    """Read-only: a loop is the user's to change, through the site."""

    list_display = ["owner", "company", "interview_date", "level", "created_at"]
    list_select_related = ["owner", "level"]
    raw_id_fields = ["owner"]
    readonly_fields = ["owner", "company", "interview_date", "level", "created_at", "updated_at"]
    inlines = [InterviewerInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
