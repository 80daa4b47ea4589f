"""Writing a story: the template picker, the create and edit forms, the edit-conflict
page, autosaved drafts and the coach's live review."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.htmx import HtmxHttpRequest
from principles.models import Principle
from stories.forms import DraftForm, ReviewForm, StoryForm, first_error
from stories.models import Story, StoryDraft, StoryTemplate
from stories.review import review_story
from stories.services import StoryConflict, story_autosave_draft, story_write
from stories.star import sections_from_answers
from stories.targets import targets_for
from stories.views.helpers import get_story_for_user, posted_story_or_template


def principle_asked_for(request: HttpRequest) -> Principle | None:
    """`?principle=<slug>`: a new story pre-tagged with it (a loop's gap links here);
    an unknown slug is ignored."""
    slug = request.GET.get("principle", "")
    return Principle.objects.filter(slug=slug).first() if slug else None


@require_safe
def template_picker(request: HttpRequest) -> HttpResponse:
    templates = StoryTemplate.objects.active().select_related("kind").prefetch_related("themes")
    context = {"templates": templates, "principle": principle_asked_for(request)}
    return render(request, "stories/template_picker.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def story_create(request: HttpRequest, template_slug: str) -> HttpResponse:
    template = get_object_or_404(StoryTemplate.objects.active(), slug=template_slug)
    return story_editor(
        request, template=template, story=None, principle=principle_asked_for(request)
    )


@require_http_methods(["GET", "HEAD", "POST"])
def story_edit(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk)
    return story_editor(request, template=story.template, story=story)


def story_editor(
    request: HttpRequest,
    *,
    template: StoryTemplate | None,
    story: Story | None,
    principle: Principle | None = None,
) -> HttpResponse:
    """The one path of the create (no story yet) and edit pages: the form, with any
    unsaved draft brought back, saved through story_write."""
    posted = request.method == "POST"
    drafts = StoryDraft.objects.of(request.user, story=story, template=template)
    draft = None if posted else drafts.first()
    form = StoryForm.for_editor(request.POST or None, template=template, story=story, draft=draft)
    if principle is not None and not posted:
        tagged = form.initial.get("principles") or []
        form.initial["principles"] = [*tagged, *([] if principle in tagged else [principle])]
    if posted and form.is_valid():
        new = Story(owner=request.user, template=template)
        try:
            saved = story_write(story=story or new, **form.written())
        except StoryConflict as conflict:
            return story_conflict(request, conflict)
        messages.success(request, "Saved." if story else f"“{saved.title}” is in your bank.")
        return redirect(saved)
    context = {"form": form, "template": template, "story": story, "draft": draft}
    return render(request, "stories/story_form.html", context)


def story_conflict(request: HttpRequest, conflict: StoryConflict) -> HttpResponse:
    """Both texts side by side; the form (theirs merged or not) saves against the new version.

    The losing text is already kept as a revision (story_save keeps it), so
    whatever the user chooses next — keep theirs, keep mine, or merge —
    nothing is lost.
    """
    current = conflict.current
    context = {
        "story": current,
        "form": StoryForm.for_retry(request.POST, story=current),
        "template": current.template,
        "conflict": True,
        "version_unknown": conflict.version_unknown,
        "their_title": current.title,
        "sections": conflict.sections(),
    }
    return render(request, "stories/story_form.html", context, status=409)


@require_POST
def story_autosave(request: HttpRequest) -> HttpResponse:
    """Keep the form as typed in a draft; never touches the saved story."""
    form = DraftForm(request.POST)
    if not form.is_valid():
        return render(request, AUTOSAVE_PARTIAL, {"error": first_error(form)})
    story, template = posted_story_or_template(request)
    draft = story_autosave_draft(
        owner=request.user,
        story=story,
        template=template,
        data=form.cleaned_data["contents"],
        base_version=form.base_version(story),
    )
    stale = story is not None and story.version != draft.base_version
    return render(request, AUTOSAVE_PARTIAL, {"saved_at": draft.saved_at, "stale": stale})


AUTOSAVE_PARTIAL = "stories/story_form.html#autosave"


@require_POST
def draft_discard(request: HttpRequest) -> HttpResponse:
    story, template = posted_story_or_template(request)
    StoryDraft.objects.of(request.user, story=story, template=template).delete()
    messages.info(request, "The unsaved draft was discarded.")
    if story is not None:
        return redirect("stories:edit", pk=story.pk)
    return redirect("stories:create", template_slug=template.slug)


@require_POST
def story_review(request: HtmxHttpRequest) -> HttpResponse:
    """The coach's live verdict on the form as typed: no database writes.

    A post larger than the story form accepts is refused unread (ReviewForm):
    with a 400, or for the page's own (htmx) request a 200, as htmx only
    swaps those in, so the coach panel says why it stopped.
    """
    form = ReviewForm(request.POST)
    if not form.is_valid():
        status = 200 if request.htmx else 400
        context = {"error": first_error(form)}
        return render(request, "stories/story_form.html#coach", context, status=status)
    sections = sections_from_answers(form.answers())
    band = targets_for(request.user).band
    review = review_story(sections, themes=form.themes(), band=band)
    narrative = "\n\n".join(text for text in sections.values() if text)
    context = {"review": review, "narrative": narrative, "band": band}
    return render(request, "stories/story_form.html#coach", context)
