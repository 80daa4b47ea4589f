"""The coverage matrix: which principles, themes and levels a bank still lacks.

Pure: works on stories and a map of their tag ids (story id -> relation ->
ids) loaded beforehand, so the page runs a fixed number of queries however
many stories there are.
"""

from dataclasses import dataclass, field

# The guide: prepare at least eight strong stories, one per core theme.
GOAL_STORIES = 8


@dataclass
class Column:
    slug: str
    name: str
    count: int = 0

    @property
    def is_gap(self) -> bool:
        return self.count == 0


@dataclass
class Row:
    story: object
    marks: list[bool]


@dataclass
class Grid:
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)

    @property
    def gaps(self) -> list[Column]:
        return [column for column in self.columns if column.is_gap]

    @property
    def covered(self) -> int:
        return len(self.columns) - len(self.gaps)


@dataclass
class Coverage:
    principles: Grid
    themes: Grid
    levels: Grid
    story_count: int

    @property
    def goal_met(self) -> bool:
        return self.story_count >= GOAL_STORIES and not self.themes.gaps

    @property
    def progress_percent(self) -> int:
        """Progress toward the guide's goal: 8 stories, all 8 themes covered (half each)."""
        stories_part = min(self.story_count, GOAL_STORIES) / GOAL_STORIES
        themes_total = len(self.themes.columns) or 1
        return round(50 * stories_part + 50 * self.themes.covered / themes_total)


NO_TAGS: dict[str, set[int]] = {}


def build_grid(stories, tag_ids: dict, entries, relation: str) -> Grid:
    entries = list(entries)
    columns = [Column(slug=entry.slug, name=entry.name) for entry in entries]
    index = {entry.pk: i for i, entry in enumerate(entries)}
    grid = Grid(columns=columns)
    for story in stories:
        marks = [False] * len(columns)
        for tag_id in tag_ids.get(story.pk, NO_TAGS).get(relation, ()):
            if tag_id in index:
                marks[index[tag_id]] = True
        for i, marked in enumerate(marks):
            columns[i].count += marked
        grid.rows.append(Row(story=story, marks=marks))
    return grid


def build_coverage(
    stories, tag_ids: dict, *, principles, themes, levels, ready_only: bool = False
) -> Coverage:
    """`tag_ids` maps story id -> {"principles"|"themes"|"levels": {tag ids}}.

    `ready_only` counts only stories the coach has no red flag against.
    """
    counted = [s for s in stories if not ready_only or not s.red_flags]
    return Coverage(
        principles=build_grid(counted, tag_ids, principles, "principles"),
        themes=build_grid(counted, tag_ids, themes, "themes"),
        levels=build_grid(counted, tag_ids, levels, "levels"),
        story_count=len(counted),
    )
