"""Plan a loop from an account's bank and print the plan as JSON, for scripts.

    python manage.py plan_loop someone@example.com loop.json
    echo '{"level": "senior", "interviewers": [{"principles": ["ownership"]}]}' \\
        | python manage.py plan_loop someone@example.com -

The loop file: {"company": "Amazon", "level": "senior", "interviewers": [{"name":
"Bar raiser", "principles": ["ownership", "dive-deep"]}, ...]}. When no interviewer
lists principles, the typical split of the catalogue's principles is used. Nothing
is saved.

Output: {"company", "level", "slots": [{"interviewer", "principle", "primary",
"backup", "fit", "explanation"}], "gaps": [{"interviewer", "principle", "new_story":
{"principle": slug}, "reuse": title or null, "explanation"}]}. Bad input: one line
on standard error and exit status 2.
"""

import json
import sys

from django.core.management.base import BaseCommand

from config.accounts import account_by_email
from practice import selectors
from practice.models import INTERVIEWER_NAME_MAX, LOOP_COMPANY_MAX, LOOP_INTERVIEWERS_MAX
from principles.models import Level, Principle

MAX_LOOP_BYTES = 100_000


class LoopFileError(ValueError):
    """The loop file is not one this command can plan; the message says why."""


class Command(BaseCommand):
    help = "Plan an interview loop (a JSON file, or - for standard input) from an account's bank."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the account's email address")
        parser.add_argument("file", help="the loop as JSON, or - to read standard input")

    def fail(self, message: str):
        self.stderr.write(f"plan_loop: {' '.join(str(message).split())}")
        sys.exit(2)

    def handle(self, *args, **options):
        user = account_by_email(options["email"])
        if user is None:
            self.fail(f"no account has the email {options['email']!r}")
        try:
            loop = loop_read(read_input(options["file"]))
        except OSError as error:
            self.fail(f"cannot read {options['file']}: {error.strerror or error}")
        except LoopFileError as error:
            self.fail(error)
        slots = selectors.loop_slots(
            (position, label, principles)
            for position, (label, principles) in enumerate(loop["interviewers"], start=1)
        )
        result, _ = selectors.bank_plan(user=user, level=loop["level"], slots=slots)
        self.stdout.write(json.dumps(plan_as_json(loop, result), indent=2, ensure_ascii=False))


def read_input(path: str) -> bytes:
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read(MAX_LOOP_BYTES + 1) if stream else sys.stdin.read().encode()
    else:
        with open(path, "rb") as handle:
            data = handle.read(MAX_LOOP_BYTES + 1)
    if len(data) > MAX_LOOP_BYTES:
        raise LoopFileError(f"the loop file is larger than {MAX_LOOP_BYTES:,} bytes")
    return data


def loop_read(data: bytes) -> dict:
    """The loop file checked and resolved: company, Level, [(label, [Principle])]."""
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise LoopFileError("the loop file is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise LoopFileError(f"the loop file is not valid JSON ({error.msg}, line {error.lineno})") from None
    if not isinstance(document, dict):
        raise LoopFileError(
            'the loop file must be a JSON object: {"level": ..., "interviewers": [...]}'
        )
    company = document.get("company", "")
    if not isinstance(company, str) or len(company) > LOOP_COMPANY_MAX:
        raise LoopFileError(f'"company" must be text of at most {LOOP_COMPANY_MAX} characters')
    levels = {level.slug: level for level in Level.objects.all()}
    level = document.get("level")
    if not isinstance(level, str) or level not in levels:
        raise LoopFileError(f'"level" must be one of {", ".join(sorted(levels))}; got {level!r}')
    interviewers = document.get("interviewers")
    if not isinstance(interviewers, list) or not 1 <= len(interviewers) <= LOOP_INTERVIEWERS_MAX:
        raise LoopFileError(
            f'"interviewers" must be a list of 1 to {LOOP_INTERVIEWERS_MAX} interviewers'
        )
    principles = {p.slug: p for p in Principle.objects.all()}
    resolved = []
    for number, interviewer in enumerate(interviewers, start=1):
        if not isinstance(interviewer, dict):
            raise LoopFileError(
                f'interviewer {number} must be an object: {{"name": ..., "principles": [...]}}'
            )
        name = interviewer.get("name", "")
        if not isinstance(name, str) or len(name) > INTERVIEWER_NAME_MAX:
            raise LoopFileError(
                f'interviewer {number}: "name" must be text of at most {INTERVIEWER_NAME_MAX} characters'
            )
        slugs = interviewer.get("principles")
        if slugs is not None and (
            not isinstance(slugs, list) or not all(isinstance(slug, str) for slug in slugs)
        ):
            raise LoopFileError(
                f'interviewer {number}: "principles" must be a list of principle slugs'
            )
        unknown = [slug for slug in slugs or () if slug not in principles]
        if unknown:
            raise LoopFileError(f"interviewer {number}: no principle has the slug {unknown[0]!r}")
        label = name.strip() or f"Interviewer {number}"
        chosen = None if slugs is None else [principles[slug] for slug in dict.fromkeys(slugs)]
        resolved.append((label, chosen))
    if all(chosen is None for _, chosen in resolved):
        split = selectors.loop_proposed_split(len(resolved))
        resolved = [(label, part) for (label, _), part in zip(resolved, split, strict=True)]
    else:
        resolved = [(label, chosen or []) for label, chosen in resolved]
    return {"company": company.strip(), "level": levels[level], "interviewers": resolved}


def plan_as_json(loop: dict, result) -> dict:
    def title(choice):
        return choice.title if choice else None

    return {
        "company": loop["company"],
        "level": loop["level"].slug,
        "slots": [
            {
                "interviewer": planned.slot.interviewer_label,
                "principle": planned.slot.principle_slug,
                "primary": title(planned.primary),
                "backup": title(planned.backup),
                "fit": planned.fit,
                "explanation": planned.explanation,
            }
            for planned in result.slots
        ],
        "gaps": [
            {
                "interviewer": gap.slot.interviewer_label,
                "principle": gap.slot.principle_slug,
                "new_story": {"principle": gap.gap_ways.principle_slug},
                "reuse": gap.gap_ways.reuse_title,
                "explanation": gap.explanation,
            }
            for gap in result.gaps
        ],
    }
