"""Coverage by distinct stories: which themes, principles and levels a bank can
answer with a *different* story each, and which it still lacks.

Counting tags would let one story tagged with every theme "cover" all eight.
Instead each catalogue column gets stories of its own through a maximum
bipartite matching (SciPy's `linear_sum_assignment`):

- themes: each story fills at most one theme, each theme takes one story, and a
  story's core theme is preferred over the other themes it flexes to;
- principles: each principle takes `slots` stories (the user's target), each
  story fills at most one slot per principle and at most
  `PRINCIPLE_SLOTS_PER_STORY` slots in all;
- levels: like themes, without a core.

The gaps, the stretched stories and the grid's marks all read the one matching,
so the gap list can never contradict the grid.

Pure: works on stand-ins for stories (`pk`, `title`, `core_theme_id`), a map of
their tag ids (story id -> relation -> ids) and the catalogue's entries (`pk`,
`slug`, `name`), all loaded beforehand, so the page runs a fixed number of
queries however many stories there are.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

# The guide: prepare at least eight strong stories, one per core theme.
GOAL_STORIES = 8
# A story can carry an answer for at most this many principles: past three, one
# story is being asked to prove too much.
PRINCIPLE_SLOTS_PER_STORY = 3

NO_TAGS: dict[str, set[int]] = {}


@dataclass
class Column:
    """One theme, principle or level, and the stories the matching gave it."""

    slug: str
    name: str
    slots: int = 1
    # Counted stories tagged with it (whether or not the matching gave it to them).
    count: int = 0
    stories: list = field(default_factory=list)

    @property
    def story(self):
        """The one story of a single-slot column (themes, levels), or None."""
        return self.stories[0] if self.stories else None

    @property
    def missing(self) -> int:
        return self.slots - len(self.stories)

    @property
    def is_gap(self) -> bool:
        """Fewer stories of its own than it asks for."""
        return self.missing > 0

    @property
    def is_empty(self) -> bool:
        return not self.stories


@dataclass(frozen=True)
class Cell:
    """A story × column cell: tagged (the story carries it) and/or assigned
    (the matching gave the column this story)."""

    tagged: bool = False
    assigned: bool = False


@dataclass
class Row:
    story: object
    cells: list[Cell]

    @property
    def marks(self) -> list[bool]:
        return [cell.tagged for cell in self.cells]


@dataclass(frozen=True)
class Stretch:
    """A story tagged with columns that still lack a story, which it cannot fill
    because it already fills as many as one story may."""

    story: object
    carried: tuple[Column, ...]
    fills: tuple[Column, ...]
    unfilled: tuple[Column, ...]


@dataclass
class Grid:
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    # How many columns one story may fill.
    per_story: int = 1

    @property
    def gaps(self) -> list[Column]:
        return [column for column in self.columns if column.is_gap]

    @property
    def covered(self) -> int:
        """Columns with at least one story of their own."""
        return sum(not column.is_empty for column in self.columns)

    @property
    def full(self) -> int:
        """Columns with every slot filled."""
        return sum(not column.is_gap for column in self.columns)

    @property
    def filled_slots(self) -> int:
        return sum(len(column.stories) for column in self.columns)

    @property
    def total_slots(self) -> int:
        return sum(column.slots for column in self.columns)

    @property
    def stretched(self) -> list[Stretch]:
        result = []
        for row in self.rows:
            carried = [c for c, cell in zip(self.columns, row.cells, strict=True) if cell.tagged]
            fills = [c for c, cell in zip(self.columns, row.cells, strict=True) if cell.assigned]
            unfilled = [c for c in carried if c.is_gap and c not in fills]
            if len(carried) > 1 and unfilled:
                result.append(Stretch(row.story, tuple(carried), tuple(fills), tuple(unfilled)))
        return result


@dataclass
class Coverage:
    themes: Grid
    principles: Grid
    levels: Grid
    # How many stories the matching counted.
    story_count: int
    # The bank's stories the default leaves out, and why (counted anyway with
    # `counting_all`).
    drafts: list = field(default_factory=list)
    not_ready: list = field(default_factory=list)
    counting_all: bool = False
    # Every story of the bank, counted or not (the selector sets it).
    all_stories: list = field(default_factory=list)

    @property
    def left_out(self) -> int:
        """Stories not counted: none when counting all."""
        return 0 if self.counting_all else len(self.drafts) + len(self.not_ready)

    @property
    def stories_counted_toward_goal(self) -> int:
        return min(self.story_count, GOAL_STORIES)

    @property
    def goal_met(self) -> bool:
        return self.story_count >= GOAL_STORIES and not self.themes.gaps

    @property
    def progress_percent(self) -> int:
        """Progress toward the guide's goal, 8 stories over all 8 themes, in two halves:

        - stories: each counted story adds 1/8 of this half, up to eight stories;
        - themes: each theme with a story of its own (from the matching) adds 1/8.

        A story counts once in the first half and fills at most one theme in the
        second, so no single story can be worth more than 1/8 of either.
        """
        stories_part = self.stories_counted_toward_goal / GOAL_STORIES
        themes_total = len(self.themes.columns) or 1
        return round(50 * stories_part + 50 * self.themes.covered / themes_total)


def assign(
    edges: dict[tuple[int, int], int],
    *,
    rows: int,
    columns: int,
    row_capacity: int = 1,
    column_capacity: int = 1,
) -> list[tuple[int, int]]:
    """The largest set of edges (row, column) such that each row is in at most
    `row_capacity` of them and each column in at most `column_capacity`, each
    edge used once. `edges` maps an edge to its cost (0 preferred, higher less):
    among the largest sets, the cheapest; among those, the one that gives more
    columns their first story.

    One `linear_sum_assignment` on this bipartite graph:

    - left: `row_capacity` copies of each row, then an "end" node per edge;
    - right: `column_capacity` slots of each column, then a "start" node per edge.

    A row copy may take the start of one of its edges, an edge's end may take a
    slot of its column, and an edge's end may pair with its own start (the edge
    left unused). Every edge node is worth a large reward, so the optimum pairs
    all of them; an edge is then used exactly when its start went to a row copy
    and its end to a column slot. Using an edge earns a further reward, so the
    optimum uses as many as the capacities allow.
    """
    if not edges:
        return []
    edge_list = sorted(edges)
    n_edges = len(edge_list)
    n_left = rows * row_capacity + n_edges
    n_right = columns * column_capacity + n_edges
    preference_max = max(edges.values()) + 1
    # Weights, each larger than anything the smaller terms can add up to.
    use_reward = (preference_max + 1) * (n_edges + 1)
    node_reward = (use_reward + preference_max + 1) * (n_edges + 1) * 4
    cost = np.zeros((n_left, n_right))
    allowed = np.zeros((n_left, n_right), dtype=bool)
    first_start = columns * column_capacity
    first_end = rows * row_capacity
    for i, (row, column) in enumerate(edge_list):
        start, end = first_start + i, first_end + i
        for copy in range(row_capacity):
            cost[row * row_capacity + copy, start] = -node_reward + edges[row, column]
            allowed[row * row_capacity + copy, start] = True
        for slot in range(column_capacity):
            first_story_bonus = 1 if slot == 0 else 0
            cost[end, column * column_capacity + slot] = (
                -node_reward - use_reward - first_story_bonus
            )
            allowed[end, column * column_capacity + slot] = True
        cost[end, start] = -2 * node_reward
        allowed[end, start] = True
    left, right = linear_sum_assignment(cost)
    used = []
    for left_node, right_node in zip(left, right, strict=True):
        if allowed[left_node, right_node] and left_node >= first_end and right_node < first_start:
            used.append(edge_list[left_node - first_end])
    return sorted(used)


def build_grid(
    stories: Sequence,
    tag_ids: dict,
    entries: Iterable,
    relation: str,
    *,
    slots: int = 1,
    per_story: int = 1,
    core: dict[int, int] | None = None,
) -> Grid:
    """The matching of `stories` to the `entries` of one relation, as a grid.

    `core` maps a story id to the entry id it is mainly about: that entry is one
    of the story's tags and preferred in the matching.
    """
    entries = list(entries)
    index = {entry.pk: i for i, entry in enumerate(entries)}
    columns = [Column(slug=e.slug, name=e.name, slots=slots) for e in entries]
    core = core or {}
    edges: dict[tuple[int, int], int] = {}
    for row, story in enumerate(stories):
        tagged = set(tag_ids.get(story.pk, NO_TAGS).get(relation, ()))
        if story.pk in core:
            tagged.add(core[story.pk])
        for tag_id in tagged:
            if tag_id in index:
                edges[row, index[tag_id]] = 0 if core.get(story.pk) == tag_id else 1
    matched = set(
        assign(
            edges,
            rows=len(stories),
            columns=len(columns),
            row_capacity=per_story,
            column_capacity=slots,
        )
    )
    grid = Grid(columns=columns, per_story=per_story)
    for row, story in enumerate(stories):
        cells = [
            Cell(tagged=(row, col) in edges, assigned=(row, col) in matched)
            for col in range(len(columns))
        ]
        for column, cell in zip(columns, cells, strict=True):
            column.count += cell.tagged
            if cell.assigned:
                column.stories.append(story)
        grid.rows.append(Row(story=story, cells=cells))
    return grid


def build_coverage(
    stories: Sequence,
    tag_ids: dict,
    *,
    themes,
    principles,
    levels,
    principle_slots: int,
    drafts: Sequence = (),
    not_ready: Sequence = (),
    counting_all: bool = False,
) -> Coverage:
    """`stories` are the counted ones; `tag_ids` maps story id ->
    {"principles"|"themes"|"levels": {tag ids}}; each story may have a
    `core_theme_id`. `drafts` and `not_ready` are the stories the default
    leaves out: only reported here, matched only if they are in `stories`."""
    stories = list(stories)
    core = {
        story.pk: story.core_theme_id
        for story in stories
        if getattr(story, "core_theme_id", None) is not None
    }
    return Coverage(
        themes=build_grid(stories, tag_ids, themes, "themes", core=core),
        principles=build_grid(
            stories,
            tag_ids,
            principles,
            "principles",
            slots=principle_slots,
            per_story=PRINCIPLE_SLOTS_PER_STORY,
        ),
        levels=build_grid(stories, tag_ids, levels, "levels"),
        story_count=len(stories),
        drafts=list(drafts),
        not_ready=list(not_ready),
        counting_all=counting_all,
    )
