"""Nothing is lost: a story's versions, their diffs, restore, and the Trash."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from stories.diffing import snapshot_diff, tag_names
from stories.models import TRASH_DAYS, Story
from stories.services import story_restore_revision, story_snapshot, story_untrash
from stories.views.helpers import get_story_for_user


@require_safe
def story_history(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk)
    revisions = story.revisions.select_related("author")
    return render(request, "stories/story_history.html", {"story": story, "revisions": revisions})


@require_safe
def story_revision(request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk, with_tags=True)
    revision = get_object_or_404(story.revisions, pk=revision_pk)
    current = story_snapshot(story)
    diff = snapshot_diff(revision.snapshot, current, tag_names([revision.snapshot, current]))
    return render(
        request, "stories/story_revision.html", {"story": story, "revision": revision, "diff": diff}
    )


@require_POST
def story_restore(request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk)
    revision = get_object_or_404(story.revisions, pk=revision_pk)
    story_restore_revision(story=story, revision=revision)
    messages.success(
        request,
        f"Restored version {revision.version} as a new version; later versions stay in the history.",
    )
    return redirect(story)


@require_safe
def trash(request: HttpRequest) -> HttpResponse:
    stories = Story.with_trash.for_user(request.user).in_trash().order_by("-deleted_at")
    return render(request, "stories/trash.html", {"stories": stories, "trash_days": TRASH_DAYS})


@require_POST
def story_untrash_view(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk, in_trash=True)
    story_untrash(story=story)
    messages.success(request, f"“{story.title}” is back in your bank.")
    return redirect(story)
