"""Staff edit the story templates here. Users' stories are private and not
registered: not even staff read them through the admin."""

from django.contrib import admin

from stories.models import StoryTemplate, TemplateField


class TemplateFieldInline(admin.StackedInline):
    model = TemplateField
    extra = 0
    fields = [("order", "key", "section", "required", "target_words"), "label", "hint", "example"]
    ordering = ["order"]


@admin.register(StoryTemplate)
class StoryTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "kind", "core_theme", "is_active", "field_count"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "kind", "core_theme"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["themes", "principles"]
    inlines = [TemplateFieldInline]
    actions = ["retire", "reinstate"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("kind", "core_theme")
            .prefetch_related("fields")
        )

    @admin.display(description="fields")
    def field_count(self, template: StoryTemplate) -> int:
        return len(template.fields.all())

    @admin.action(description="Retire the selected templates (stories keep every word)")
    def retire(self, request, queryset):
        self.message_user(request, f"{queryset.update(is_active=False)} template(s) retired.")

    @admin.action(description="Offer the selected templates again")
    def reinstate(self, request, queryset):
        self.message_user(request, f"{queryset.update(is_active=True)} template(s) reinstated.")
