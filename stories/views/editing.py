"""Writing a story: the template picker, the create and edit forms, the edit-conflict
page, autosaved drafts and the coach's live review."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from stories.forms import (
    DRAFT_MAX_BYTES,
    REVIEW_THEMES_MAX,
    StoryForm,
    initial_from_draft,
    parse_version,
    review_answers,
)
from stories.models import Story, StoryDraft, StoryTemplate
from stories.review import review_story
from stories.services import (
    StoryConflict,
    apply_answers,
    story_autosave_draft,
    story_keep_losing_edit,
    story_save,
    story_snapshot,
)
from stories.star import SECTIONS, sections_from_answers
from stories.views.helpers import get_story_for_user, posted_id, posted_template


@require_safe
def template_picker(request: HttpRequest) -> HttpResponse:
    templates = StoryTemplate.objects.active().select_related("kind").prefetch_related("themes")
    return render(request, "stories/template_picker.html", {"templates": templates})


@require_http_methods(["GET", "HEAD", "POST"])
def story_create(request: HttpRequest, template_slug: str) -> HttpResponse:
    template = get_object_or_404(StoryTemplate.objects.active(), slug=template_slug)
    draft = StoryDraft.objects.filter(owner=request.user, story=None, template=template).first()
    initial = StoryForm.initial_for(template=template, story=None)
    if draft and request.method != "POST":
        initial |= initial_from_draft(draft.data)
    form = StoryForm(request.POST or None, template=template, initial=initial)
    if request.method == "POST" and form.is_valid():
        story = Story(owner=request.user, template=template, **story_fields(form))
        story_save(story=story, answers=form.answers(), tags=form.tags())
        StoryDraft.objects.filter(owner=request.user, story=None, template=template).delete()
        messages.success(request, f"“{story.title}” is in your bank.")
        return redirect(story)
    context = {
        "form": form,
        "template": template,
        "draft": draft if request.method != "POST" else None,
    }
    return render(request, "stories/story_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def story_edit(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk)
    template = story.template
    draft = StoryDraft.objects.filter(owner=request.user, story=story).first()
    initial = StoryForm.initial_for(template=template, story=story)
    if draft and request.method != "POST":
        initial |= initial_from_draft(draft.data)
        # 0: the draft does not know which version it started from (saving compares).
        initial["version"] = draft.base_version or ""
    form = StoryForm(request.POST or None, template=template, story=story, initial=initial)
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data["version"]
        if expected is None:
            # Unknown starting point: never assume the current version.
            return story_conflict(request, form, story, version_unknown=True)
        for name, value in story_fields(form).items():
            setattr(story, name, value)
        try:
            story_save(
                story=story, answers=form.answers(), tags=form.tags(), expected_version=expected
            )
        except StoryConflict as conflict:
            return story_conflict(request, form, conflict.current)
        messages.success(request, "Saved.")
        return redirect(story)
    context = {
        "form": form,
        "template": template,
        "story": story,
        "draft": draft if request.method != "POST" else None,
    }
    return render(request, "stories/story_form.html", context)


def story_conflict(
    request: HttpRequest, form: StoryForm, current: Story, *, version_unknown: bool = False
) -> HttpResponse:
    """Both texts side by side; the form (theirs merged or not) saves against the new version.

    The losing text is kept as a revision straight away, so whatever the
    user chooses next — keep theirs, keep mine, or merge — nothing is lost.
    `version_unknown`: the edit did not say (or garbled) which version it
    started from, so whether it is stale cannot be known.
    """
    mine = Story(owner=request.user, template=current.template, **story_fields(form))
    apply_answers(mine, form.answers())
    snapshot = story_snapshot(current) | {
        "title": mine.title,
        "answers": mine.answers,
        "sections": mine.sections,
        "metrics": mine.metrics,
        "status": mine.status,
    }
    story_keep_losing_edit(story=current, snapshot=snapshot)
    data = request.POST.copy()
    data["version"] = str(current.version)
    retry = StoryForm(data, template=current.template, story=current)
    retry.is_valid()
    sections = [(name, getattr(current, name), mine.sections[name]) for name in SECTIONS]
    context = {
        "story": current,
        "form": retry,
        "template": current.template,
        "conflict": True,
        "version_unknown": version_unknown,
        "their_title": current.title,
        "sections": sections,
    }
    return render(request, "stories/story_form.html", context, status=409)


def story_fields(form: StoryForm) -> dict:
    return {name: form.cleaned_data[name] for name in ("title", "metrics", "status")}


@require_POST
def story_autosave(request: HttpRequest) -> HttpResponse:
    """Keep the form as typed in a draft; never touches the saved story."""
    # PostgreSQL's jsonb refuses NUL characters: drop them, as the story form does.
    data = {
        name: [value.replace("\x00", "") for value in values]
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
    }
    if len(repr(data)) > DRAFT_MAX_BYTES:
        return render(
            request,
            "stories/story_form.html#autosave",
            {"error": "Too long to autosave; save the story."},
        )
    story_id = posted_id(request, "story_id")
    story = get_story_for_user(request, story_id) if story_id else None
    template = posted_template(request) if story is None else None
    # 0 when the form did not say which version it started from: the draft
    # then goes through the conflict page when saved, never over newer text.
    base_version = (parse_version(request.POST.get("version")) or 0) if story else 0
    draft = story_autosave_draft(
        owner=request.user, story=story, template=template, data=data, base_version=base_version
    )
    context = {
        "saved_at": draft.saved_at,
        "stale": story is not None and story.version != base_version,
    }
    return render(request, "stories/story_form.html#autosave", context)


@require_POST
def draft_discard(request: HttpRequest) -> HttpResponse:
    story_id = posted_id(request, "story_id")
    if story_id:
        story = get_story_for_user(request, story_id)
        StoryDraft.objects.filter(owner=request.user, story=story).delete()
        messages.info(request, "The unsaved draft was discarded.")
        return redirect("stories:edit", pk=story.pk)
    template = posted_template(request)
    StoryDraft.objects.filter(owner=request.user, story=None, template=template).delete()
    messages.info(request, "The unsaved draft was discarded.")
    return redirect("stories:create", template_slug=template.slug)


@require_POST
def story_review(request: HttpRequest) -> HttpResponse:
    """The coach's live verdict on the form as typed: no database writes.

    The form sends each answer as `answer_<key>` with its section in
    `section_<key>`, so no template needs loading to know where text belongs.
    A post larger than the story form accepts is refused unread: with a 400,
    or for the page's own (htmx) request a 200, as htmx only swaps those in,
    so the coach panel says why it stopped.
    """
    try:
        answers = review_answers(request.POST)
    except ValidationError as error:
        status = 200 if request.headers.get("HX-Request") == "true" else 400
        context = {"error": error.messages[0]}
        return render(request, "stories/story_form.html#coach", context, status=status)
    sections = sections_from_answers(answers)
    themes = request.POST.getlist("themes")[:REVIEW_THEMES_MAX]
    review = review_story(sections, themes=themes)
    narrative = "\n\n".join(text for text in sections.values() if text)
    return render(
        request, "stories/story_form.html#coach", {"review": review, "narrative": narrative}
    )
