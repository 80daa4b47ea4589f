"""Story bank pages: the list, the coverage matrix, a story, and its forms."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from principles.models import Level, Principle, Theme
from stories import coverage as coverage_rules
from stories.forms import BankFilterForm, StoryForm, TagToggleForm
from stories.models import SECTION_ORDER, Story, StoryTemplate
from stories.review import review_story
from stories.services import story_duplicate, story_save, story_toggle_tag
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
    stories = filtered_stories(Story.objects.for_user(request.user).with_tags(), filters)
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
        "themes_covered": Theme.objects.filter(stories__owner=user).distinct().count(),
        "themes_total": Theme.objects.count(),
        "principles_covered": Principle.objects.filter(stories__owner=user).distinct().count(),
        "principles_total": Principle.objects.count(),
        "with_red_flags": Story.objects.for_user(user).with_red_flags().count(),
    }


@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    ready_only = request.GET.get("ready") == "1"
    stories = Story.objects.for_user(request.user).prefetch_related(
        "principles", "themes", "levels"
    )
    result = coverage_rules.build_coverage(
        stories.order_by("title", "pk"),
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
    initial = StoryForm.initial_for(template=template, story=None)
    form = StoryForm(request.POST or None, template=template, initial=initial)
    if request.method == "POST" and form.is_valid():
        story = Story(owner=request.user, template=template, **story_fields(form))
        story_save(story=story, answers=form.answers(), tags=form.tags())
        messages.success(request, f"“{story.title}” is in your bank.")
        return redirect(story)
    return render(request, "stories/story_form.html", {"form": form, "template": template})


@require_http_methods(["GET", "POST"])
def story_edit(request: HttpRequest, pk: int) -> HttpResponse:
    story = get_story_for_user(request, pk)
    template = story.template
    initial = StoryForm.initial_for(template=template, story=story)
    form = StoryForm(request.POST or None, template=template, story=story, initial=initial)
    if request.method == "POST" and form.is_valid():
        for name, value in story_fields(form).items():
            setattr(story, name, value)
        story_save(story=story, answers=form.answers(), tags=form.tags())
        messages.success(request, "Saved.")
        return redirect(story)
    return render(
        request, "stories/story_form.html", {"form": form, "template": template, "story": story}
    )


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
    """When the story was last practised, how often and for how long on average.

    Read through the reverse relation the practice app declares, so this app
    never imports practice (the dependency runs practice → stories).
    """
    related = getattr(story, "practice_answers", None)
    if related is None:
        return None
    return related.filter(duration_seconds__isnull=False).aggregate(
        count=Count("pk"), last=Max("stopped_at"), average=Avg("duration_seconds")
    )


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
        title = story.title
        story.delete()
        messages.success(request, f"Deleted “{title}”.")
        return redirect("stories:bank")
    return render(request, "stories/story_confirm_delete.html", {"story": story})


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
