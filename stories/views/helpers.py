"""Shared by the story views: the ownership rule and safe reading of posted ids."""

import re

from django.core.validators import slug_re as SLUG_RE
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from stories.models import Story, StoryTemplate


def get_story_for_user(request: HttpRequest, pk: int) -> Story:
    """The signed-in user's story, or 404: another user's story does not exist for them."""
    return get_object_or_404(Story.objects.for_user(request.user), pk=pk)


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
