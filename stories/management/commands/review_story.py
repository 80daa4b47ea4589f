"""Run the story coach on JSON from a file or standard input, for scripts.

    python manage.py review_story story.json
    echo '{"action": "We decided..."}' | python manage.py review_story -

Input: an object with the keys situation, task, action, result, learning
(missing keys are empty; title and themes optional), or a list of them.
Output: JSON — for an object {"findings": [...], "word_count",
"speaking_seconds", "score"}; for a list, a list in the same order.
Malformed JSON or wrong types: a one-line error on stderr and exit status 2.
"""

import json
import sys

from django.core.management.base import BaseCommand

from stories.review import SECTIONS, review_story

OPTIONAL_KEYS = {"title", "themes"}


class InputError(ValueError):
    pass


def validate(item, where: str) -> tuple[dict, list[str]]:
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(item).__name__}")
    unknown = set(item) - set(SECTIONS) - OPTIONAL_KEYS
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    sections = {}
    for name in SECTIONS:
        value = item.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InputError(f"{where}: {name!r} must be a string, got {type(value).__name__}")
        sections[name] = value
    if "title" in item and not isinstance(item["title"], str | type(None)):
        raise InputError(f"{where}: 'title' must be a string")
    themes = item.get("themes") or []
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        raise InputError(f"{where}: 'themes' must be a list of strings")
    return sections, themes


def review_document(document):
    if isinstance(document, list):
        checked = [validate(item, f"item {i}") for i, item in enumerate(document)]
        return [review_story(sections, themes=themes).to_dict() for sections, themes in checked]
    sections, themes = validate(document, "input")
    return review_story(sections, themes=themes).to_dict()


class Command(BaseCommand):
    help = "Review STAR stories given as JSON (a file, or - for standard input) and print the findings as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON file, or - to read standard input")

    def handle(self, *args, **options):
        try:
            text = read_input(options["file"])
            result = review_document(json.loads(text))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, InputError) as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            self.stderr.write(f"review_story: {message}")
            sys.exit(2)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))


def read_input(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()
