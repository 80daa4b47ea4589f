"""One story: its page, its cue card, inline tagging, duplicate and delete (to the Trash)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.htmx import HtmxHttpRequest
from stories import selectors
from stories.cue_card import card_lines, cue_points
from stories.forms import CueCardForm, TagToggleForm
from stories.models import TRASH_DAYS, Story
from stories.review import review_story
from stories.scope import LEVEL_NAMES, LEVELS, scope_check
from stories.services import (
    story_cue_card_set,
    story_duplicate,
    story_toggle_tag,
    story_trash,
)
from stories.targets import LEVEL_SLUG, targets_for
from stories.views.helpers import get_story_for_user


def cue_card_context(story: Story, form: CueCardForm | None = None) -> dict:
    """The cue card section: the card's bullets, whether they are the draft, and the
    edit form when it is open."""
    return {
        "cue_card": cue_points(story),
        "cue_card_drafted": not card_lines(story.cue_card),
        "cue_card_form": form,
    }


def page_context(request: HttpRequest, story: Story, *, form: CueCardForm | None = None) -> dict:
    """Everything the story page shows; `story` as `get_story_for_user(with_tags=True)` reads it."""
    themes = [theme.slug for theme in story.themes.all()]
    targets = targets_for(request.user)
    # A level the rules do not know (a catalogue edited since) is checked as the default.
    level = targets.level_slug if targets.level_slug in LEVELS else LEVEL_SLUG
    return {
        "story": story,
        "review": review_story(story.sections, themes=themes, band=targets.band),
        "scope": scope_check(story.narrative, level),
        "scope_level_name": LEVEL_NAMES[level],
        **selectors.untagged_choices(story=story),
        **cue_card_context(story, form),
    }


@require_safe
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk, with_tags=True)
    return render(request, "stories/story_detail.html", page_context(request, story))


def render_cue_card(
    request: HtmxHttpRequest, story: Story, form: CueCardForm | None = None
) -> HttpResponse:
    """The cue card section for htmx, else the whole story page around it."""
    if request.htmx:
        context = {"story": story, **cue_card_context(story, form)}
        return render(request, "stories/story_detail.html#cue_card", context)
    story = get_story_for_user(request, story.pk, with_tags=True)
    return render(request, "stories/story_detail.html", page_context(request, story, form=form))


@require_http_methods(["GET", "HEAD", "POST"])
def story_cue_card(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the cue card (`?edit`: with its edit form open). POST: save it, or with
    `reset`, go back to the draft from the sections."""
    story = get_story_for_user(request, pk)
    if request.method != "POST":
        form = CueCardForm(initial={"text": "\n".join(cue_points(story))}, story=story)
        return render_cue_card(request, story, form if "edit" in request.GET else None)
    form = CueCardForm(request.POST, story=story)
    if "reset" in request.POST:
        story_cue_card_set(story=story, text="")
        done = "The cue card is drafted from your sections again."
    elif form.is_valid():
        try:
            story_cue_card_set(story=story, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error("text", error)
            return render_cue_card(request, story, form)
        done = "Cue card saved."
    else:
        return render_cue_card(request, story, form)
    if request.htmx:
        return render_cue_card(request, story)
    messages.success(request, done)
    return redirect(story)


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
