"""One story: its page, inline tagging, duplicate and delete (to the Trash)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.htmx import HtmxHttpRequest
from stories import selectors
from stories.forms import TagToggleForm
from stories.models import TRASH_DAYS
from stories.review import review_story
from stories.services import story_duplicate, story_toggle_tag, story_trash
from stories.targets import targets_for
from stories.views.helpers import get_story_for_user


@require_safe
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk, with_tags=True)
    themes = [theme.slug for theme in story.themes.all()]
    context = {
        "story": story,
        "review": review_story(story.sections, themes=themes, band=targets_for(request.user).band),
        **selectors.untagged_choices(story=story),
    }
    return render(request, "stories/story_detail.html", context)


@require_POST
def story_tag(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk)
    form = TagToggleForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return HttpResponse("Unknown tag.", status=400)
        messages.error(request, "That tag does not exist.")
        return redirect(story)
    story_toggle_tag(story=story, **form.toggle())
    if not request.htmx:
        return redirect(story)
    story = get_story_for_user(request, pk, with_tags=True)  # the tags as now saved
    context = {"story": story, **selectors.untagged_choices(story=story)}
    return render(request, "stories/story_detail.html#tags", context)


@require_POST
def story_duplicate_view(request: HttpRequest, pk: int) -> HttpResponse:
    copy = story_duplicate(story=get_story_for_user(request, pk))
    messages.success(request, "Copied. Adapt this copy for the next company.")
    return redirect("stories:edit", pk=copy.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def story_delete(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk)
    if request.method == "POST":
        story_trash(story=story)
        messages.success(
            request,
            f"“{story.title}” is in the Trash for {TRASH_DAYS} days; restore it from there.",
        )
        return redirect("stories:bank")
    return render(
        request, "stories/story_confirm_delete.html", {"story": story, "trash_days": TRASH_DAYS}
    )
