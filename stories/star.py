"""How a template's answers become a story's five STAR sections.

Pure functions, no database: a story is always read as situation, task,
action, result and learning, whichever template its answers came from.
"""

from collections.abc import Iterable, Mapping

# The five STAR sections, in the order a story is told, with their labels. The
# one definition: the model's choices, the review, the forms and the export
# formats all read it from here.
SECTION_LABELS = {
    "situation": "Situation",
    "task": "Task",
    "action": "Action",
    "result": "Result",
    "learning": "Learning",
}
SECTIONS = tuple(SECTION_LABELS)

# The guide's advice for a two-to-three-minute answer: set the scene briefly,
# spend most of the time on what you did, land the result and the lesson.
TIME_BUDGET = {"situation+task": 0.20, "action": 0.60, "result+learning": 0.20}


def clean_text(text: str | None) -> str:
    """Trim, normalise line endings and drop NUL characters PostgreSQL refuses."""
    if not text:
        return ""
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def sections_from_answers(answers: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Join each section's answers, in the order written, into one paragraph."""
    parts: dict[str, list[str]] = {name: [] for name in SECTIONS}
    for answer in answers:
        text = clean_text(answer.get("text"))
        section = answer.get("section")
        if text and section in parts:
            parts[section].append(text)
    return {name: " ".join(texts) for name, texts in parts.items()}


def budget_seconds(total_seconds: int) -> dict[str, int]:
    """Split a target answer time across the STAR parts (the practice timer's hint)."""
    return {part: round(total_seconds * share) for part, share in TIME_BUDGET.items()}
