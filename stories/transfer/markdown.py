"""The whole bank as one readable Markdown document. Pure."""

from collections.abc import Iterable, Mapping
from datetime import datetime

from stories.cue_card import card_lines
from stories.models import Section, Story
from stories.star import SECTIONS


def bank_markdown(
    stories: Iterable[Mapping], *, names: Mapping[str, Mapping[str, str]], exported_at: datetime
) -> str:
    """The bank as Markdown: a contents list, then each story's tags, STAR sections and metrics.

    `stories` are export entries (trashed ones are left out); `names` maps each
    kind of tag to {slug: display name}, so the document reads in words.
    """
    shown_stories = sorted(
        (story for story in stories if not story.get("trashed_at")),
        key=lambda story: (story["title"].casefold(), story["title"]),
    )
    count = len(shown_stories)
    lines = [
        "# Story bank",
        "",
        f"Exported {exported_at:%d %B %Y} · {count} stor{'y' if count == 1 else 'ies'}",
    ]
    if shown_stories:
        lines += ["", *[f"- {one_line(story['title'])}" for story in shown_stories]]
    # Each block starts with its blank line, so blocks are always one blank line apart.
    for story in shown_stories:
        lines += ["", f"## {one_line(story['title'])}", "", story_facts(story, names)]
        for name in SECTIONS:
            text = story["sections"].get(name, "")
            if text.strip():
                lines += ["", f"### {Section(name).label}", "", text]
        metrics = [line.strip() for line in story["metrics"].splitlines() if line.strip()]
        if metrics:
            lines += ["", "### Key metrics", "", *[f"- **{metric}**" for metric in metrics]]
        cue_card = card_lines(story.get("cue_card", ""))
        if cue_card:
            lines += ["", "### Cue card", "", *[f"- {line}" for line in cue_card]]
    return "\n".join(lines) + "\n"


def one_line(text: str) -> str:
    return " ".join(text.split())


def story_facts(story: Mapping, names: Mapping[str, Mapping[str, str]]) -> str:
    status = dict(Story.Status.choices).get(story["status"], story["status"])
    facts = [f"*{status}*"]
    core_theme = story.get("core_theme")
    for relation, label in (
        ("principles", "Principles"),
        ("themes", "Other themes" if core_theme else "Themes"),
        ("levels", "Levels"),
    ):
        tags = story[relation]
        if relation == "themes" and core_theme:
            # The core theme is named on its own, just before the others the story flexes to.
            facts.append(f"Core theme: {names.get('themes', {}).get(core_theme, core_theme)}")
            tags = [slug for slug in tags if slug != core_theme]
        if tags:
            words = ", ".join(names.get(relation, {}).get(slug, slug) for slug in tags)
            facts.append(f"{label}: {words}")
    if story.get("kind"):
        facts.append(f"Kind: {names.get('kinds', {}).get(story['kind'], story['kind'])}")
    if story.get("template"):
        template = story["template"]
        facts.append(f"Template: {names.get('templates', {}).get(template, template)}")
    return " · ".join(facts)
