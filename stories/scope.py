"""Scope against the level: which level a story's scope reads as, by transparent rules.

Senior and staff candidates are judged on scope, and a story that reads as mid-level
scope in a staff loop is a common reason for a down-level. These rules read five kinds
of scope signal from the story's text; each kind scores 0 (mid), 1 (senior) or 2 (staff):

- **Teams and people.** Staff: the organisation, company or several divisions, four
  teams or more, a hundred engineers or more, or leaders above a manager (director,
  VP, CTO, the board). Senior: two or three teams, another named team beside your own
  ("the analytics team"), or several teams without a count. Mid: one team.
- **Time span.** The longest span the work took: a year or more is staff, two months
  to a year (or "a quarter") is senior, days and weeks are mid. Windows after the work
  ("in the next six months", "a year later", "ago") do not count: they measure the
  result, not the work.
- **Direction.** Set (you proposed, led, designed, set, defined, recommended,
  negotiated, mentored) against followed (a ticket, a sprint task, "asked me to", "gave
  me", "followed the guide"). Two or more setting verbs and more setting than following
  score 1; setting verbs about strategy or the organisation ("set the direction",
  "technical vision") score 2.
- **Org-wide and strategy words.** "strategy", "company-wide", "across the
  organisation", "multi-year", "long-term", "vision": two or more distinct words score
  2, one scores 1.
- **Customer or money scale.** Millions of dollars (or a share of company revenue)
  score 2; hundreds of thousands score 1.

The reading is the sum of the five scores: up to MID_MAX reads as mid, up to
SENIOR_MAX as senior, above that as staff (thresholds fitted on the tuning set of
bench/scope_corpus; `make scope-eval` prints the accuracy on it and on the blind set).

Level slugs are the catalogue's (principles seed: mid, senior, staff, in that order).
Pure Python, no database: the story page and the loop planner both call `scope_check`.
"""

import re
from dataclasses import dataclass, field

# The catalogue's level slugs in order, with the short name a sentence uses.
LEVELS = ("mid", "senior", "staff")
LEVEL_NAMES = {"mid": "Mid-level", "senior": "Senior", "staff": "Staff"}

# Fitted on the tuning set (bench/scope_corpus/tuning.jsonl); see the module docstring.
MID_MAX = 1
SENIOR_MAX = 5

# What a story should show to read as each level, phrased as advice; a message names
# the first three kinds (in this order) that fall short of the level.
ADVICE = {
    "teams": {
        "senior": "the other team you worked with",
        "staff": "the decision you drove across teams",
    },
    "span": {"senior": "how many months it ran", "staff": "its time horizon"},
    "org": {"senior": "the roadmap it fed", "staff": "who changed how they work"},
    "direction": {
        "senior": "what you decided and who you guided",
        "staff": "the direction you set",
    },
    "scale": {"senior": "what it was worth", "staff": "its scale in customers or money"},
}

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "several": 3,
    "few": 3,
    "dozen": 12,
}
_NUMBER = r"(?:\d+(?:[.,]\d+)?|(?:a\s+)?(?:" + "|".join(_NUMBER_WORDS) + r")(?:[\s-]+\w+)?)"

_UNIT_MONTHS = {"day": 1 / 30, "week": 0.25, "month": 1, "quarter": 3, "year": 12}
_SPAN_RE = re.compile(
    r"(?P<before>\b\w+\s+\w+\s+)?\b(?P<count>"
    + _NUMBER
    + r"|half\s+a)[\s-]+(?:and\s+a\s+half\s+)?(?P<unit>day|week|month|quarter|year)s?\b"
    r"(?P<after>\s+(?:ago|later|before|earlier))?",
    re.IGNORECASE,
)
_QUARTER_RE = re.compile(
    r"\b(?:the\s+next|for\s+a|over\s+a|in\s+a|the)\s+(?:quarter|half)\b", re.IGNORECASE
)
_MULTI_YEAR_RE = re.compile(r"\b(?:multi-year|long-term|three-year|two-year)\b", re.IGNORECASE)
# A window after the work measures the result, not the work.
_WINDOW_WORDS = ("next", "following", "first", "last", "past")

_ORG_PEOPLE_RE = re.compile(
    r"\b(?:directors?|vps?|vice\s+president|cto|ceo|cfo|chief\s+\w+\s+officer|executives?|"
    r"the\s+board|leadership|heads?\s+of|divisions?|departments?|business\s+units?|"
    r"architecture\s+(?:council|group)|engineering\s+organi[sz]ation|"
    r"across\s+the\s+(?:company|organi[sz]ation)|(?:company|organi[sz]ation)-wide)\b",
    re.IGNORECASE,
)
_TEAM_COUNT_RE = re.compile(
    r"\b(?P<count>" + _NUMBER + r")\s+(?:\w+\s+){0,2}?(?:teams|squads|groups)\b", re.IGNORECASE
)
# Units bigger than a team: two or more of them is the organisation.
_UNIT_COUNT_RE = re.compile(
    r"\b(?P<count>" + _NUMBER + r")\s+(?:\w+\s+)?(?:divisions|departments|business\s+units|"
    r"product\s+(?:lines|groups|areas)|organi[sz]ations)\b",
    re.IGNORECASE,
)
_PEOPLE_COUNT_RE = re.compile(
    r"\b(?P<count>\d+|(?:\w+\s+)?hundred|\w+)\s+(?:engineers|people|developers)\b", re.IGNORECASE
)
_OTHER_TEAM_RE = re.compile(
    r"\b(?:the|their|other|neighbouring|neighboring|partner|two|both|each|three)\s+"
    r"(?:[a-z-]+\s+){0,2}?teams?\b",
    re.IGNORECASE,
)
_OWN_TEAM_RE = re.compile(
    r"\b(?:my|our|the)\s+(?:own\s+)?(?:small\s+)?team\b(?!s)(?!\s+of)", re.IGNORECASE
)

# Verbs of setting direction, counted only after "I" in the same sentence (a clause
# such as "I was the senior engineer and led the design" counts; "they proposed" does not).
_SET_RE = re.compile(
    r"\b(?:proposed|led|designed|set|defined|decided|recommended|negotiated|mentored|"
    r"coached|convinced|chose|introduced|chaired|started|formed|organised|organized|"
    r"presented|assigned|reorganised|reorganized|argued|"
    r"ran\s+(?:a|the)\s+(?:\w+\s+)?(?:review|workshop|working|forum|sessions?)|"
    r"wrote\s+(?:a|the)\s+(?:\w+\s+)?(?:design|plan|proposal|roadmap|strategy|architecture|"
    r"decision|style|guide|framework|policy|vision)|"
    r"built\s+a\s+coalition|took\s+(?:it|the\s+\w+)\s+(?:to|through)|"
    r"(?:made|asked)\s+each|broke\s+the\s+work|split\s+the\s+work|took\s+ownership)\b"
    r"|\b(?:tech(?:nical)?\s+lead)\b",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"[^.!?]+[.!?]?")
_I_RE = re.compile(r"\bI\b")
_STRATEGY_SET_RE = re.compile(
    r"\b(?:set\s+(?:the\s+)?(?:technical\s+)?direction|technical\s+(?:vision|strategy)|"
    r"wrote\s+(?:a|the)\s+(?:\w+\s+){0,2}strategy|strategy\s+document|set\s+the\s+vision)\b",
    re.IGNORECASE,
)
_FOLLOW_RE = re.compile(
    r"\b(?:ticket|sprint|(?:lead|manager)\s+(?:asked|gave|assigned)|"
    r"asked\s+me(?:,\s[^,]+,)?\s+to\s+(?!lead|recommend|say|act)|gave\s+me|"
    r"assigned\s+to\s+me|my\s+task|following\s+(?:our|the)\s+runbook|followed\s+(?:it|the|their)|"
    r"picked\s+up|the\s+design\s+was\s+already|already\s+agreed|came\s+to\s+me|"
    r"came\s+from\s+the)\b",
    re.IGNORECASE,
)

_ORG_WORDS = {
    "strategy": r"strateg(?:y|ies|ic)",
    "company-wide": r"(?:company|organi[sz]ation|org)-wide|across\s+the\s+(?:company|organi[sz]ation)",
    "organisation": r"organi[sz]ation(?:al)?",
    "multi-year": r"multi-year|long-term|three-year|years?-long",
    "vision": r"vision",
    "culture": r"culture|how\s+(?:the\s+)?(?:teams|groups|leaders|the\s+organi[sz]ation)\s+"
    r"(?:work|learn|made|make)|changed\s+how",
    "roadmap": r"roadmap",
}
_ORG_RES = {
    name: re.compile(r"\b(?:" + pattern + r")\b", re.IGNORECASE)
    for name, pattern in _ORG_WORDS.items()
}

_MONEY_RE = re.compile(
    r"(?:\$\s?(?P<digits>\d[\d,.]*)\s*(?P<suffix>million|m\b|k\b|thousand|billion)?|"
    r"\b(?P<words>(?:\w+[\s-]){0,3}?)(?P<scale>million|thousand|billion)\s+(?:dollars|pounds|euros))",
    re.IGNORECASE,
)
_REVENUE_SHARE_RE = re.compile(
    r"\b(?:percent|%|fifth|quarter|third|half)\s+of\s+(?:the\s+company's\s+|global\s+|our\s+)?revenue",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ScopeCheck:
    """A story's scope against a level: what it reads as, whether that fits, and why."""

    reads_as: str
    fits: bool
    message: str
    signals: list[str] = field(default_factory=list)
    level: str = ""
    score: int = 0


@dataclass(frozen=True)
class _Kind:
    score: int
    signal: str = ""


def _number(text: str) -> float | None:
    """The number a phrase such as "two", "forty", "18", "a dozen" or "three hundred" names."""
    words = text.lower().replace("-", " ").split()
    total = None
    for word in words:
        word = word.replace(",", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", word):
            total = (total or 0) + float(word)
        elif word == "hundred":
            total = (total or 1) * 100
        elif word == "thousand":
            total = (total or 1) * 1000
        elif word in _NUMBER_WORDS and word not in {"a", "an"}:
            total = (total or 0) + _NUMBER_WORDS[word]
        elif word in {"a", "an"}:
            total = total if total is not None else 1
    return total


def _teams(text: str) -> _Kind:
    org = sorted({match.lower() for match in _ORG_PEOPLE_RE.findall(text)})
    counts = [_number(match.group("count")) or 0 for match in _TEAM_COUNT_RE.finditer(text)]
    people = [_number(match.group("count")) or 0 for match in _PEOPLE_COUNT_RE.finditer(text)]
    most_teams = max(counts, default=0)
    most_people = max(people, default=0)
    units = [_number(match.group("count")) or 0 for match in _UNIT_COUNT_RE.finditer(text)]
    if max(units, default=0) >= 2:
        org.append(f"{int(max(units))} divisions")
    if most_teams >= 4 or most_people >= 100 or len(org) >= 2:
        parts = [f"{int(most_teams)} teams"] if most_teams >= 4 else []
        parts += [f"{int(most_people)} people"] if most_people >= 100 else []
        return _Kind(2, "across the organisation: " + ", ".join(parts + org))
    others = {match.lower() for match in _OTHER_TEAM_RE.findall(text)} - {"the team"}
    if most_teams >= 2 or len(others) >= 2 or org:
        return _Kind(1, "more than one team: " + ", ".join(sorted(others | set(org))[:3]))
    return _Kind(0, "one team" if _OWN_TEAM_RE.search(text) else "")


def _span(text: str) -> _Kind:
    longest = 0.0
    for match in _SPAN_RE.finditer(text):
        before = (match.group("before") or "").lower().split()
        if match.group("after") or any(word in _WINDOW_WORDS for word in before[-2:]):
            continue
        count = (
            0.5
            if match.group("count").lower().startswith("half")
            else _number(match.group("count"))
        )
        if count is None:
            continue
        longest = max(longest, count * _UNIT_MONTHS[match.group("unit").lower()])
    if _MULTI_YEAR_RE.search(text):
        longest = max(longest, 24)
    if _QUARTER_RE.search(text):
        longest = max(longest, 3)
    if longest >= 12:
        return _Kind(2, f"a span of {_months(longest)}")
    if longest >= 2:
        return _Kind(1, f"a span of {_months(longest)}")
    return _Kind(0, f"a span of {_months(longest)}" if longest else "")


def _months(months: float) -> str:
    if months >= 12:
        years = months / 12
        return f"{years:g} year" + ("s" if years != 1 else "")
    if months >= 1:
        return f"{months:g} month" + ("s" if months != 1 else "")
    return "weeks or days"


def _direction(text: str) -> _Kind:
    setting = 0
    for sentence in _SENTENCE_RE.findall(text):
        subject = _I_RE.search(sentence)
        if subject:
            setting += len(_SET_RE.findall(sentence, subject.end()))
    following = len(_FOLLOW_RE.findall(text))
    strategic = _STRATEGY_SET_RE.search(text)
    if strategic:
        return _Kind(2, f"set direction ({strategic.group(0).lower()})")
    if setting >= 2 and setting > following:
        return _Kind(1, f"set direction ({setting} decisions or leads, {following} followed)")
    return _Kind(0, f"followed direction ({following} assigned)" if following else "")


def _org(text: str) -> _Kind:
    found = [name for name, pattern in _ORG_RES.items() if pattern.search(text)]
    staff_words = [name for name in found if name != "roadmap"]
    if len(staff_words) >= 2:
        return _Kind(2, "org-wide words: " + ", ".join(staff_words))
    if found:
        return _Kind(1, "org words: " + ", ".join(found))
    return _Kind(0)


def _scale(text: str) -> _Kind:
    largest = 0.0
    for match in _MONEY_RE.finditer(text):
        if match.group("digits"):
            amount = float(match.group("digits").replace(",", "").rstrip("."))
            suffix = (match.group("suffix") or "").lower()
        else:
            amount = _number(match.group("words") or "") or 1
            suffix = match.group("scale").lower()
        amount *= {"million": 1e6, "m": 1e6, "billion": 1e9, "k": 1e3, "thousand": 1e3}.get(
            suffix, 1
        )
        largest = max(largest, amount)
    if largest >= 1e6 or _REVENUE_SHARE_RE.search(text):
        return _Kind(2, "money at company scale" + (f" (${largest:,.0f})" if largest else ""))
    if largest >= 1e5:
        return _Kind(1, f"money at team scale (${largest:,.0f})")
    return _Kind(0, f"money: ${largest:,.0f}" if largest else "")


KINDS = {"teams": _teams, "span": _span, "direction": _direction, "org": _org, "scale": _scale}


def scope_reading(text: str) -> tuple[str, int, dict[str, _Kind]]:
    """The level the text's scope reads as, its score, and each kind's score and signal."""
    kinds = {name: rule(text or "") for name, rule in KINDS.items()}
    score = sum(kind.score for kind in kinds.values())
    reads_as = "mid" if score <= MID_MAX else "senior" if score <= SENIOR_MAX else "staff"
    return reads_as, score, kinds


def scope_check(text: str, level_slug: str) -> ScopeCheck:
    """The story's scope against `level_slug` (a catalogue level slug, else ValueError)."""
    if level_slug not in LEVELS:
        raise ValueError(f"Unknown level {level_slug!r}: expected one of {', '.join(LEVELS)}.")
    reads_as, score, kinds = scope_reading(text)
    fits = LEVELS.index(reads_as) >= LEVELS.index(level_slug)
    reads = f"Reads as {LEVEL_NAMES[reads_as]} scope."
    if fits:
        message = f"{reads} That fits a {LEVEL_NAMES[level_slug]} loop."
    else:
        # Advise on the kinds that fall short of the level, in the order of ADVICE.
        needed = LEVELS.index(level_slug)
        short = [name for name in ADVICE if kinds[name].score < needed][:3]
        advice = [ADVICE[name][level_slug] for name in short] or [ADVICE["teams"][level_slug]]
        message = f"{reads} For {LEVEL_NAMES[level_slug]}, show {_join(advice)}."
    signals = [kind.signal for kind in kinds.values() if kind.signal]
    return ScopeCheck(reads_as, fits, message, signals, level=level_slug, score=score)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + ", and " + parts[-1]


def scope_fit(text: str, level_slug: str) -> float:
    """How well the story's scope fits `level_slug`, from 0 to 1, for the loop planner:
    1 at or above the level, 0.5 a level short, 0 two levels short (a mid story in a
    staff loop is the down-level the check exists to catch)."""
    check = scope_check(text, level_slug)
    short = LEVELS.index(level_slug) - LEVELS.index(check.reads_as)
    return {0: 1.0, 1: 0.5}.get(max(short, 0), 0.0)
