"""Shared by the story views: the ownership rule and safe reading of posted ids."""

import re

from django.core.validators import slug_re as SLUG_RE
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from stories.models import Story, StoryTemplate


def get_story_for_user(
    request: HttpRequest, pk: int, *, with_tags: bool = False, in_trash: bool = False
) -> Story:
    """The signed-in user's story, or 404: another user's story does not exist for them.

    `with_tags`: with everything its page shows (a fixed number of queries);
    `in_trash`: a story in the Trash (which is found nowhere else).
    """
    stories = (Story.with_trash.in_trash() if in_trash else Story.objects).for_user(request.user)
    return get_object_or_404(stories.with_tags() if with_tags else stories, pk=pk)


def posted_story_or_template(request: HttpRequest) -> tuple[Story | None, StoryTemplate | None]:
    """What the story form posts about itself: the story it edits (`story_id`: the
    user's own, or 404), else the template of the new story (`template_slug`, or 404)."""
    story_id = posted_id(request, "story_id")
    if story_id:
        return get_story_for_user(request, story_id), None
    return None, posted_template(request)


def posted_id(request: HttpRequest, name: str) -> int | None:
    """A posted id or version: plain ASCII digits of sane length, else None."""
    value = request.POST.get(name, "")
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value) else None


def posted_template(request: HttpRequest) -> StoryTemplate:
    """The active template named by the posted `template_slug`, or 404 (never a bad query)."""
    slug = request.POST.get("template_slug", "")
    if not SLUG_RE.fullmatch(slug):
        raise Http404("No such template.")
    return get_object_or_404(StoryTemplate.objects.active(), slug=slug)
