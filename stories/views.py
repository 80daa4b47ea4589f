"""Story bank pages: the list, the coverage matrix, a story, and its forms."""

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.core.validators import slug_re as SLUG_RE
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from principles.models import Level, Principle, Theme
from stories import coverage as coverage_rules
from stories.diffing import snapshot_diff
from stories.forms import (
    DRAFT_MAX_BYTES,
    BankFilterForm,
    StoryForm,
    TagToggleForm,
    initial_from_draft,
)
from stories.models import (
    SECTION_ORDER,
    TRASH_DAYS,
    Story,
    StoryDraft,
    StoryTemplate,
    story_tag_ids,
)
from stories.review import review_story
from stories.services import (
    StoryConflict,
    apply_answers,
    story_autosave_draft,
    story_duplicate,
    story_keep_losing_edit,
    story_restore_revision,
    story_save,
    story_snapshot,
    story_toggle_tag,
    story_trash,
    story_untrash,
)
from stories.star import clean_text, sections_from_answers

STORIES_PER_PAGE = 25


def get_story_for_user(request: HttpRequest, pk: int) -> Story:
    """The signed-in user's story, or 404: another user's story does not exist for them."""
    return get_object_or_404(Story.objects.for_user(request.user), pk=pk)


def template_for(request: HttpRequest, page: str, partial: str) -> str:
    return f"{page}#{partial}" if request.htmx else page


@require_GET
def bank(request: HttpRequest) -> HttpResponse:
    form = BankFilterForm(request.GET)
    filters = form.valid_filters()
    cards = Story.objects.for_user(request.user).with_tags().defer("search_vector", "answers")
    stories = filtered_stories(cards, filters)
    page = Paginator(stories, STORIES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": bool(filters.keys() - {"sort"}),
        "figures": bank_figures(request.user),
    }
    return render(request, template_for(request, "stories/bank.html", "results"), context)


def filtered_stories(stories, filters: dict):
    for name in ("principle", "theme", "level"):
        if name in filters:
            stories = stories.filter(**{f"{name}s": filters[name]})
    if "kind" in filters:
        stories = stories.filter(kind=filters["kind"])
    if "status" in filters:
        stories = stories.filter(status=filters["status"])
    if filters.get("flags") == "with":
        stories = stories.with_red_flags()
    elif filters.get("flags") == "without":
        stories = stories.ready()
    terms = filters.get("q", "").strip()
    sort = filters.get("sort") or ("relevance" if terms else "updated")
    if terms:
        stories = stories.search(terms)
    elif sort == "relevance":
        sort = "updated"
    return stories.order_by(BankFilterForm.SORTS[sort][0], "-pk")


def bank_figures(user) -> dict:
    """Dashboard figures: stories by status, themes and principles covered."""
    by_status = dict(
        Story.objects.for_user(user).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {
        "total": sum(by_status.values()),
        "by_status": [(label, by_status.get(value, 0)) for value, label in Story.Status.choices],
        "themes_covered": Theme.objects.filter(stories__owner=user, stories__deleted_at=None)
        .distinct()
        .count(),
        "themes_total": Theme.objects.count(),
        "principles_covered": Principle.objects.filter(
            stories__owner=user, stories__deleted_at=None
        )
        .distinct()
        .count(),
        "principles_total": Principle.objects.count(),
        "with_red_flags": Story.objects.for_user(user).with_red_flags().count(),
    }


@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    ready_only = request.GET.get("ready") == "1"
    bank = Story.objects.for_user(request.user)
    stories = list(bank.order_by("title", "pk").only("pk", "title", "red_flags"))
    for story in stories:
        story.url = story.get_absolute_url()  # once, not once per grid
    result = coverage_rules.build_coverage(
        stories,
        story_tag_ids(bank),
        principles=Principle.objects.all(),
        themes=Theme.objects.all(),
        levels=Level.objects.all(),
        ready_only=ready_only,
    )
    context = {"coverage": result, "ready_only": ready_only, "goal": coverage_rules.GOAL_STORIES}
    return render(request, "stories/coverage.html", context)


@require_GET
def template_picker(request: HttpRequest) -> HttpResponse:
    templates = StoryTemplate.objects.active().select_related("kind").prefetch_related("themes")
    return render(request, "stories/template_picker.html", {"templates": templates})


@require_http_methods(["GET", "POST"])
def story_create(request: HttpRequest, template_slug: str) -> HttpResponse:
    template = get_object_or_404(StoryTemplate.objects.active(), slug=template_slug)
    draft = StoryDraft.objects.filter(owner=request.user, story=None, template=template).first()
    initial = StoryForm.initial_for(template=template, story=None)
    if draft and request.method == "GET":
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
        "draft": draft if request.method == "GET" else None,
    }
    return render(request, "stories/story_form.html", context)


@require_http_methods(["GET", "POST"])
def story_edit(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk)
    template = story.template
    draft = StoryDraft.objects.filter(owner=request.user, story=story).first()
    initial = StoryForm.initial_for(template=template, story=story)
    if draft and request.method == "GET":
        initial |= initial_from_draft(draft.data)
        initial["version"] = draft.base_version or story.version
    form = StoryForm(request.POST or None, template=template, story=story, initial=initial)
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data["version"] or story.version
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
        "draft": draft if request.method == "GET" else None,
    }
    return render(request, "stories/story_form.html", context)


def story_conflict(request: HttpRequest, form: StoryForm, current: Story) -> HttpResponse:
    """Both texts side by side; the form (theirs merged or not) saves against the new version.

    The losing text is kept as a revision straight away, so whatever the
    user chooses next — keep theirs, keep mine, or merge — nothing is lost.
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
    sections = [(name, getattr(current, name), mine.sections[name]) for name in SECTION_ORDER]
    context = {
        "story": current,
        "form": retry,
        "template": current.template,
        "conflict": True,
        "their_title": current.title,
        "sections": sections,
    }
    return render(request, "stories/story_form.html", context, status=409)


def story_fields(form: StoryForm) -> dict:
    return {name: form.cleaned_data[name] for name in ("title", "metrics", "status")}


@require_GET
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story.objects.for_user(request.user).with_tags(), pk=pk)
    themes = [theme.slug for theme in story.themes.all()]
    context = {
        "story": story,
        "review": review_story(story.sections, themes=themes),
        "practice": practice_summary(story),
        **tag_choices(story),
    }
    return render(request, "stories/story_detail.html", context)


def practice_summary(story: Story) -> dict | None:
    """When the story was last practised, how often and its average time.

    Read through the reverse relation the practice app declares, so this app
    never imports practice (the dependency runs practice → stories).
    """
    related = getattr(story, "practice_answers", None)
    return related.stats() if related is not None else None


def tag_choices(story: Story) -> dict:
    tagged_principles = {p.pk for p in story.principles.all()}
    tagged_themes = {t.pk for t in story.themes.all()}
    return {
        "untagged_principles": [
            p for p in Principle.objects.all() if p.pk not in tagged_principles
        ],
        "untagged_themes": [t for t in Theme.objects.all() if t.pk not in tagged_themes],
    }


@require_POST
def story_tag(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk)
    form = TagToggleForm(request.POST)
    tag = None
    if form.is_valid():
        model = Principle if form.cleaned_data["relation"] == "principles" else Theme
        tag = model.objects.filter(slug=form.cleaned_data["slug"]).first()
    if tag is None:
        if request.htmx:
            return HttpResponse("Unknown tag.", status=400)
        messages.error(request, "That tag does not exist.")
        return redirect(story)
    story_toggle_tag(
        story=story,
        relation=form.cleaned_data["relation"],
        tag=tag,
        add=form.cleaned_data["action"] == "add",
    )
    if not request.htmx:
        return redirect(story)
    return render_tags(request, story)


def render_tags(request: HttpRequest, story: Story) -> HttpResponse:
    story = Story.objects.with_tags().get(pk=story.pk)
    context = {"story": story, **tag_choices(story)}
    return render(request, "stories/story_detail.html#tags", context)


@require_POST
def story_duplicate_view(request: HttpRequest, pk: int) -> HttpResponse:
    copy = story_duplicate(story=get_story_for_user(request, pk))
    messages.success(request, "Copied. Adapt this copy for the next company.")
    return redirect("stories:edit", pk=copy.pk)


@require_http_methods(["GET", "POST"])
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


@require_GET
def trash(request: HttpRequest) -> HttpResponse:
    stories = Story.with_trash.for_user(request.user).in_trash().order_by("-deleted_at")
    return render(request, "stories/trash.html", {"stories": stories, "trash_days": TRASH_DAYS})


@require_POST
def story_untrash_view(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story.with_trash.for_user(request.user).in_trash(), pk=pk)
    story_untrash(story=story)
    messages.success(request, f"“{story.title}” is back in your bank.")
    return redirect(story)


@require_GET
def story_history(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk)
    revisions = story.revisions.select_related("author")
    return render(request, "stories/story_history.html", {"story": story, "revisions": revisions})


@require_GET
def story_revision(request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
    story = get_object_or_404(Story.objects.for_user(request.user).with_tags(), pk=pk)
    revision = get_object_or_404(story.revisions, pk=revision_pk)
    diff = snapshot_diff(revision.snapshot, story_snapshot(story))
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
    base_version = posted_id(request, "version") or (story.version if story else 0)
    draft = story_autosave_draft(
        owner=request.user, story=story, template=template, data=data, base_version=base_version
    )
    context = {
        "saved_at": draft.saved_at,
        "stale": story is not None and story.version > base_version,
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
    """
    answers = []
    for name, text in request.POST.items():
        if name.startswith("answer_"):
            key = name.removeprefix("answer_")
            section = request.POST.get(f"section_{key}", "")
            if section in SECTION_ORDER:
                answers.append({"key": key, "section": section, "text": clean_text(text)[:20000]})
    sections = sections_from_answers(answers)
    themes = request.POST.getlist("themes")[:20]
    review = review_story(sections, themes=themes)
    narrative = "\n\n".join(text for text in sections.values() if text)
    return render(
        request, "stories/story_form.html#coach", {"review": review, "narrative": narrative}
    )
