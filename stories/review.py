"""The story coach: a red-flag review of one STAR leadership story.

Interviewers listen for the same few weaknesses in leadership stories (the "Red Flags" of
the leadership-stories guide), and each rule here looks for one of them in the text the
user wrote. The rules are plain-text heuristics: pure, deterministic and quick enough to
run on every keystroke-save. They trade a little precision for predictability; each one
prefers staying quiet to nagging a story that is fine.

Codes, in the order findings are returned (they are part of the API; other tools key on them):

``we_not_i`` (action)
    "We decided to..." hides what *you* did. Raised when the Action's first-person plural
    words (we, us, our, ours, we're, we've, we'd, we'll), plus sentences whose subject is
    the narrator's own team acting as one ("The team migrated the flags", "Our squad..."),
    outnumber its first-person singular words (I, me, my, mine, I'm, I've, I'd, I'll), and
    at least one of them is a "we" or a team that acts. Without that last condition "I
    moved our services to our new cluster" would be flagged for its possessives. "We" in
    the Situation is normal and ignored; "US" in capitals is the country.
``over_crediting`` (action)
    "It's okay to say 'I led' even when it was a team effort." Raised when the Action or
    Result hands the credit away or plays the narrator's part down ("the team did all the
    hard work", "Mei did the clever part", "the real engineering was theirs", "I mainly
    reviewed some pull requests", "I don't think I added much", "my part is not big"; see
    ``_CREDIT_AWAY_RE``), or when the Action's sentences about someone else doing the
    work ("Priya rewrote...", "The platform team built...") outnumber the sentences where
    the narrator acts. A sentence with an "I" in it counts as the narrator acting, so "I
    paired with Priya" is fine. Sentences about "we" or the narrator's own team count for
    neither side (that is ``we_not_i``), nor do others reacting ("Everyone liked it",
    "Eight people volunteered", "The VP approved it"): support is not the key work.
``no_obstacle`` (action)
    "Easy wins aren't leadership stories." Raised when nothing in the Situation, Task or
    Action names a blocker, pushback, disagreement, risk, constraint, deadline or setback
    (see ``_OBSTACLE_RE``). That includes obstacles told only implicitly: damage under way
    (an outage, requests timing out, data or customers being lost, an angry customer), a
    vendor or partner who refuses or switches something off, a date someone promised or
    a notice period, a budget cap or hiring freeze, people leaving, and a team that has
    never done it before ("nobody here had built this"). A slow status quo that nothing
    defended ("builds took 25 minutes", "an inbox nobody read") is not an obstacle, nor is
    support ("my manager approved it the same day"). "No pushback" and "a low-risk
    change" do not count; "no budget" and "only two weeks" do.
``thin_action`` (action)
    Raised when the Action holds under 30% of the words of Situation, Task, Action and
    Result together. Only judged once those four sections hold 40 words, so a form that is
    just being started is not flooded.
``vague_outcome`` (result)
    "'Things went well' isn't memorable; 'revenue increased 30%' is." Raised when the
    Result has no number: no digits, number word ("forty", "half", "a dozen", "twice",
    "three times", "doubled"), money, percentage or duration ("within a week"). An empty
    Result is vague. Years ("in 2023", "spring 2024"), versions ("v3.2", "4.1.0", "version
    7", "release 4.0", "Java 17") and names such as "Q3", "EC2" or "3-D Secure" are not
    outcomes.
``no_learning`` (learning)
    "Especially for failure stories, show what changed afterward." Raised when no
    reflection is found: the Learning is empty or holds only more outcome (every sentence
    a measure, praise or a dated report: "the partner was satisfied, $3M processed", "the
    COO thanked the team", "closed on Friday", with no "I", "you" or "should"), and the
    last two sentences of the Result say nothing about what the narrator learned or
    changed. Reflection need not say "learned": "next time I would...", "since then I...",
    "it taught me...", "I changed how I...", or a general lesson ("Measure before
    arguing") all count. An error for a story with the ``failure-recovery`` theme, else a
    warning.
``too_short`` / ``too_long`` (story)
    The guide asks for 2-3 minutes. Speaking time is estimated at
    ``stories.star.WORDS_PER_MINUTE`` (150) words a minute over all five sections, and
    judged against a ``stories.star.SpokenBand``: by default ``SPOKEN_BAND``, 120-180
    seconds (300-450 words); a user's practice band can be passed instead. Under the
    band's ``min_seconds`` is too short, over its ``max_seconds`` too long, and both
    messages state the band ("aim for 300–450 words, 2–3 minutes").

An entirely empty story is reviewed like any other, so it gets the findings that say what
is missing (no_obstacle, vague_outcome, no_learning, too_short) and none of the findings
that criticise text that is there: a predictable checklist of what to write.

Readiness and score (the formula, exactly):

- ``ready`` is true when the story is within the spoken band (no ``too_short`` or
  ``too_long``), takes at least 60 seconds to say (``SKETCH_SECONDS``; only matters for
  a band shorter than a minute) and has no finding of severity ``"error"``. Warnings
  other than length do not stop a story being ready.
- ``base = max(0, 100 - 30 * errors - 15 * content warnings - 10 * length findings)``
  (``ERROR_WEIGHT``, ``WARNING_WEIGHT``, ``LENGTH_WEIGHT``).
- If ready: ``score = max(READY_SCORE, base)``, i.e. at least 80. If not ready:
  ``score = min(READY_SCORE - 1, base)``, i.e. at most 79. So the "ready" readiness tier
  (score >= 80, ``stories.models.READINESS_TIERS``) means exactly ``Review.ready``.
- A story under 60 seconds of speech (``speaking_seconds < 60``: 148 words or fewer) is then
  capped: ``score = min(score, 50)`` (``SKETCH_SCORE_CAP``), so a keyword-stuffed sketch
  can never look nearly ready.
- An empty story scores 0.

Words are runs of letters or digits joined by apostrophes or hyphens, so "I'm" and
"cross-team" are one word each; curly apostrophes are treated as straight ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from stories.star import SECTIONS, SPOKEN_BAND, WORDS_PER_MINUTE, SpokenBand, speaking_seconds

FAILURE_THEME = "failure-recovery"
THIN_ACTION_SHARE = 0.30
THIN_ACTION_MIN_WORDS = 40

# A score from here up is "ready" (the readiness tiers in stories/models.py start here), and
# the score is built so that it is exactly when Review.ready is true.
READY_SCORE = 80
# A story told in under a minute is a sketch, whatever it says: it scores at most this.
SKETCH_SECONDS = 60
SKETCH_SCORE_CAP = 50

# Each code's name as the pages and exports show it: users never see a code.
FLAG_LABELS = {
    "we_not_i": "“We”, not “I”",
    "over_crediting": "Credit handed away",
    "no_obstacle": "No obstacle",
    "thin_action": "Thin Action",
    "vague_outcome": "Vague outcome",
    "no_learning": "No learning",
    "too_short": "Too short",
    "too_long": "Too long",
}


def flag_label(code: str) -> str:
    """A code's name; an unknown code (from an older version) reads as words too."""
    return FLAG_LABELS.get(code) or code.replace("_", " ").capitalize()


ERROR_WEIGHT = 30
WARNING_WEIGHT = 15
LENGTH_WEIGHT = 10
_LENGTH_CODES = frozenset({"too_short", "too_long"})


@dataclass(frozen=True)
class Finding:
    """One red flag: where it is, how serious, what is wrong and what to do about it."""

    code: str
    section: str
    severity: str
    message: str
    suggestion: str

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "section": self.section,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class Review:
    """The coach's verdict on one story."""

    findings: tuple[Finding, ...]
    word_count: int
    speaking_seconds: int
    score: int
    ready: bool = False

    @property
    def codes(self) -> list[str]:
        return [finding.code for finding in self.findings]

    def to_dict(self) -> dict:
        return {
            "findings": [finding.to_dict() for finding in self.findings],
            "word_count": self.word_count,
            "speaking_seconds": self.speaking_seconds,
            "score": self.score,
        }


# --- Text handling -------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})
_WORD_RE = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
# A sentence ends at . ! ? (plus any closing quote or bracket) followed by space, or at a
# line break or semicolon: stories are often written as bullet lists or with "; ".
_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?])[\"')\]\u201d]*\s+|\s*[\n;]\s*")
_BULLET_RE = re.compile(r"^\s*(?:[-*\u2022\u00b7]|\d+[.)])\s+")


def _normalise(text: object) -> str:
    if text is None:
        return ""
    return str(text).translate(_APOSTROPHES)


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def sentences(text: str) -> list[str]:
    """The text's sentences (and bullet or "; " items), trimmed, with words in each."""
    parts = (_BULLET_RE.sub("", part) for part in _SENTENCE_BREAK_RE.split(text))
    return [part.strip() for part in parts if _WORD_RE.search(part)]


class _Story:
    """The story's text, normalised and split once for all the rules."""

    def __init__(self, sections: Mapping[str, str | None], themes: Iterable[str], band: SpokenBand):
        self.band = band
        self.text = {name: _normalise(sections.get(name)) for name in SECTIONS}
        self.words = {name: _words(self.text[name]) for name in SECTIONS}
        self.word_count = sum(len(words) for words in self.words.values())
        self.speaking_seconds = speaking_seconds(self.word_count)
        themes = themes or ()
        if isinstance(themes, str):  # a single slug passed by mistake is still one theme
            themes = (themes,)
        self.is_failure_story = FAILURE_THEME in {str(theme) for theme in themes}


def _times(count: int) -> str:
    return {0: "not once", 1: "once", 2: "twice"}.get(count, f"{count} times")


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} seconds"
    text = f"{minutes} minute" + ("s" if minutes > 1 else "")
    return f"{text} {rest} seconds" if rest else text


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string, so long lists stay compact."""
    return frozenset(words.split())


# --- we_not_i --------------------------------------------------------------------------------

_WE_SUBJECTS = frozenset({"we", "we're", "we've", "we'd", "we'll"})
_PLURAL_WORDS = _WE_SUBJECTS | {"us", "our", "ours", "ourselves"}
_I_SUBJECTS = frozenset({"i", "i'm", "i've", "i'd", "i'll"})
_SINGULAR_WORDS = _I_SUBJECTS | {"me", "my", "mine", "myself"}


# "The team migrated the flags" is the narrator's own team acting as one: a "we" in
# other words. "The platform team built it" is someone else (see over_crediting).
_OWN_TEAM_RE = re.compile(
    r"^(?:the|our|my)(?: whole| entire)? (?:team|squad|group)(?![\w'-])"
    r"(?! (?:lead|leads|manager|managers|member|members|lead's)\b)",
    re.IGNORECASE,
)


def _is_own_team(subject: list[str]) -> bool:
    return bool(_OWN_TEAM_RE.match(" ".join(subject[:4])))


def _check_we_not_i(story: _Story) -> Finding | None:
    words = [word for word in story.words["action"] if word != "US"]  # the country
    lowered = [word.lower() for word in words]
    teams = sum(
        _is_own_team(_subject_words(sentence)) for sentence in sentences(story.text["action"])
    )
    plural = sum(word in _PLURAL_WORDS for word in lowered) + teams
    singular = sum(word in _SINGULAR_WORDS for word in lowered)
    if plural <= singular or not (teams or any(word in _WE_SUBJECTS for word in lowered)):
        return None
    return Finding(
        code="we_not_i",
        section="action",
        severity="warning",
        message=(
            f"Your Action says \u201cwe\u201d or \u201cour\u201d {_times(plural)} "
            f"and \u201cI\u201d or \u201cmy\u201d {_times(singular)}. The interviewer "
            "is hiring you, not your team, and can't tell what you did."
        ),
        suggestion=(
            "Rewrite each step as what you did: \u201cI proposed\u2026\u201d, "
            "\u201cI led\u2026\u201d, \u201cI convinced\u2026\u201d. It is fine to say "
            "\u201cI led\u201d even when it was a team effort."
        ),
    )


# --- over_crediting --------------------------------------------------------------------------

_KEY_WORK = (
    r"(?:real |hard |heavy |actual |clever |key |difficult |important |technical )?"
    r"(?:work|lifting|part|parts|bits?|engineering|fix|thinking)"
)
_CREDIT_AWAY_RE = re.compile(
    # Someone else did the key part: "Mei did the clever part", "they did the hard bits".
    r"\b(?!(?:i|we)\b)\w+ did (?:(?:all|most) (?:of )?the |the )" + _KEY_WORK + r"\b"
    r"|\bthe (?:real |hard |clever |key |actual |heavy )" + _KEY_WORK + r" (?:was|were) "
    r"(?:theirs|(?:all |really )?(?:done by|from|(?-i:[A-Z])\w*'s))"
    r"|\b(?:was|were) (?:all |really |mostly )?theirs\b"
    r"|\bthe person who (?:made|did|really did) (?:this|it|that|the \w+)"
    r"|\b(?:the )?(?:most|bulk) of the work (?:is|was) (?:from|done by|\w+'s)"
    r"|\b(?:the )?most work (?:is|was) (?:from|done by)"
    r"|\b(?:mostly|really|honestly|basically),? it was (?-i:[A-Z])\w+"
    r"|\bit was (?:all|really|mostly) (?:them|theirs|the team|their (?:work|doing|effort)|"
    r"(?-i:[A-Z])\w+)\b"
    r"|\b(?:all (?:of )?the |the )?credit (?:really |all |truly |entirely )?"
    r"(?:belongs|goes) to\b"
    r"|\ball (?:of )?the credit (?:went|belonged) to\b"
    r"|\b(?:they|the team|my team|the others) deserves? (?:all |the |most of the )?"
    r"(?:credit|praise)\b"
    # The narrator plays their own part down: "I mostly kept the board tidy", "I only
    # reviewed their pull requests", "I just scheduled the calls".
    r"|\bi (?:was )?(?:just|only|merely|simply|mostly|mainly|basically) "
    r"(?!(?:had|have|needed|need|got|took|takes|wanted|asked for)\b)"
    r"|\bi helped where\b|\bthat was about it\b|\bwhich was not much\b"
    r"|\ball i (?:really |actually )?did was\b"
    r"|\bi (?:didn't|did not|can't say i|cannot say i) (?:really |actually )?(?:do|did) "
    r"(?:very )?(?:much|anything|a lot)\b"
    r"|\bi (?:don't|do not) think i (?:added|did|contributed|brought) (?:very )?(?:much|a lot|"
    r"anything)\b"
    r"|\bi (?:can't|cannot|don't want to|do not want to|won't) (?:take|claim) "
    r"(?:the |any |much |all the )?credit\b"
    r"|\bi (?:don't|do not|didn't|did not) (?:really )?deserve (?:much |any |the |all the )?"
    r"(?:credit|praise)\b"
    r"|\bi was (?:just|only|merely) (?:a |the )?(?:helper|bystander|passenger|"
    r"there to help|along for the ride)"
    r"|\bi played (?:only )?a (?:small|minor|tiny|supporting) (?:part|role)\b"
    r"|\bmy (?:role|part|contribution) (?:was|is) (?:small|minor|tiny|limited|not (?:so |very )?"
    r"(?:big|much|large|important))\b",
    re.IGNORECASE,
)

_PEOPLE_NOUNS = _word_set(
    "team teams engineer engineers developer developers dev devs manager managers lead leads "
    "designer designers pm pms colleague colleagues teammate teammates coworker coworkers "
    "co-worker co-workers peer peers architect architects director directors vp vps cto ceo sre "
    "sres dba dbas intern interns contractor contractors consultant consultants analyst analysts "
    "tester testers qa squad squads folks people staff boss leadership management everyone "
    "everybody others someone somebody tech-lead mentee mentees"
)
_OTHER_PRONOUNS = _word_set(
    "they he she they've they'd they're they'll he'd she'd he's she's everyone everybody others "
    "someone somebody"
)
_DETERMINERS = _word_set(
    "the our my their his her a an another two three four five several some both all other each "
    "most"
)
_PREPOSITIONS = frozenset(
    ["for", "to", "with", "from", "by", "in", "on", "at", "about", "into", "over", "under"]
)
_NARRATOR_NOUNS = _word_set(
    "first next plan approach role job goal idea proposal fix step priority solution aim answer "
    "response focus design decision"
)
_CONNECTIVE_RE = re.compile(
    r"^\W*(?:then|next|finally|later|also|so|and|but|meanwhile|afterwards|afterward|"
    r"eventually|ultimately|initially|first|second|third|together|luckily|fortunately|"
    r"unfortunately|thankfully|instead|soon|still|now)\b[\s,]*",
    re.IGNORECASE,
)
_INTRO_WORDS = _word_set(
    "after when once while during over in on at by within for with before since as because if "
    "although though until following despite to from throughout without unlike like given "
    "towards toward"
)
_TIME_INTRO_RE = re.compile(r"^\W*(?:[\w-]+\s+){0,3}(?:later|ago|afterwards)\s*,", re.IGNORECASE)
_IRREGULAR_PAST = _word_set(
    "wrote rewrote ran led built rebuilt drove took made set got met sent spent found kept held "
    "brought bought taught thought chose began gave told sold split cut put shut broke spoke sat "
    "went came became knew grew drew threw flew saw won lost left paid read said stood understood "
    "fought sought caught meant felt dealt did had was were"
)
# Capitalised words that start sentences but are not people's names.
_COMMON_WORDS = (
    _word_set(
        "the a an this that these those it its it's there there's then next finally later also so "
        "and but or yet because since as if although though when while once after before during "
        "over in on at by for with within without to from into until unless whether which who what "
        "where why how each every all both most some many few several any no none not nothing "
        "everything something one two three four five six seven eight nine ten first second third "
        "initially eventually ultimately meanwhile afterwards afterward instead still however "
        "therefore thus together soon now today yesterday here again just only even already almost "
        "nearly about around yes we us our you your my me i he she they them their his her let's "
        "let please monday tuesday wednesday thursday friday saturday sunday january february "
        "march april june july august september october november december despite rather per via"
    )
    | _IRREGULAR_PAST
    | _DETERMINERS
)


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.lower().endswith("'s") else word


def _looks_like_verb(word: str) -> bool:
    lowered = word.lower()
    return (len(lowered) >= 5 and lowered.endswith("ed")) or lowered in _IRREGULAR_PAST


def _subject_words(sentence: str) -> list[str]:
    """The words a sentence starts with once connectives and an opening phrase are cut."""
    head = _CONNECTIVE_RE.sub("", sentence, count=1)
    first_words = _words(head)
    opens_with_phrase = bool(first_words) and (
        first_words[0].lower() in _INTRO_WORDS or first_words[0].lower().endswith("ing")
    )
    comma = head.find(",")
    if _TIME_INTRO_RE.match(head) or (
        opens_with_phrase and comma != -1 and len(_words(head[:comma])) <= 10
    ):
        head = _CONNECTIVE_RE.sub("", head[comma + 1 :], count=1)
    return _words(head)


def _is_name(words: list[str]) -> bool:
    word = _strip_possessive(words[0])
    if not (word[0].isupper() and any(char.islower() for char in word)):
        return False
    lowered = word.lower()
    if lowered in _COMMON_WORDS or lowered.endswith(("ly", "ing")):
        return False
    # "Proposed a fallback." is a note-style step; "Mohammed rewrote it." is a person.
    return not _looks_like_verb(word) or (len(words) > 1 and _looks_like_verb(words[1]))


def _mentions_people(words: list[str]) -> bool:
    start = 1 if words[0].lower() in _DETERMINERS else 0
    for word in words[start : start + 4]:
        lowered = _strip_possessive(word).lower()
        if lowered in _PREPOSITIONS:
            return False
        if lowered in _PEOPLE_NOUNS:
            return True
    return False


_REACTION_VERBS = _word_set(
    "liked loved enjoyed volunteered approved agreed praised thanked said asked offered reviewed "
    "shared welcomed signed adopted started cheered applauded celebrated complimented pinned "
    "noticed mentioned like love enjoy volunteer approve agree praise thank say ask offer"
)
_MOODS = _word_set("happy excited pleased glad thrilled delighted keen eager grateful")


def _reacts(subject: list[str]) -> bool:
    """Whether the first verb after a sentence's subject is a reaction, not work done."""
    for index, word in enumerate(subject[1:7], start=1):
        lowered = word.lower()
        if lowered in _REACTION_VERBS:
            return True
        if lowered in {"was", "were", "is", "are"}:
            return index + 1 < len(subject) and subject[index + 1].lower() in _MOODS
        if _looks_like_verb(word):
            return False
    return False


def _actor(sentence: str) -> str:
    """Who acts in a sentence of the Action: "narrator", "other" or "" (can't tell, or we)."""
    lowered = [word.lower() for word in _words(sentence)]
    if any(word in _I_SUBJECTS for word in lowered):
        return "narrator"
    if lowered[:1] == ["my"] and len(lowered) > 1 and lowered[1] in _NARRATOR_NOUNS:
        return "narrator"
    words = _subject_words(sentence)
    if any(word.lower() in _WE_SUBJECTS for word in words[:6]):
        return ""  # "Towards the end we worked weekends": a "we" sentence
    if not words or _is_own_team(words):
        return ""  # the narrator's own team acting as one is a "we": that is we_not_i
    first = words[0].lower()
    if first in _OTHER_PRONOUNS or _mentions_people(words) or _is_name(words):
        # Others liking, approving or volunteering is support, not the key work.
        return "" if _reacts(words) else "other"
    if words[0][0].isupper() and _looks_like_verb(words[0]):
        return "narrator"  # "Proposed a fallback design." in a bullet list
    return ""


def _check_over_crediting(story: _Story) -> Finding | None:
    suggestion = (
        "Tell it as what you did: \u201cI led\u2026\u201d, \u201cI proposed\u2026\u201d, "
        "\u201cI convinced\u2026\u201d, and bring colleagues in as people you worked with "
        "(\u201cI paired with Priya on\u2026\u201d). It is okay to say \u201cI led\u201d "
        "even when it was a team effort."
    )
    for name in ("action", "result"):
        handed_away = _CREDIT_AWAY_RE.search(story.text[name])
        if handed_away:
            return Finding(
                code="over_crediting",
                section="action",
                severity="warning",
                message=(
                    f"Your {name.title()} hands the credit away "
                    f"(\u201c{handed_away.group(0)}\u201d), so the interviewer can't see "
                    "your part."
                ),
                suggestion=suggestion,
            )
    actors = [_actor(sentence) for sentence in sentences(story.text["action"])]
    others, narrator = actors.count("other"), actors.count("narrator")
    if others <= narrator:
        return None
    return Finding(
        code="over_crediting",
        section="action",
        severity="warning",
        message=(
            f"{others} of the sentences in your Action are about what others did, and "
            f"{narrator} about what you did."
        ),
        suggestion=suggestion,
    )


# --- no_obstacle -----------------------------------------------------------------------------

_NUMBER_WORDS = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|dozen"
)
_DURATION_UNITS = r"(?:days?|weeks?|months?|hours?|sprints?|quarters?)"
_OBSTACLE_RE = re.compile(
    r"\b(?:"
    # Phrases that contain a negation but still name a constraint come first, so the
    # negation check below never sees them.
    r"no (?:clear )?(?:owner|budget|headcount|documentation|docs|tests|access|time|"
    r"authority|buy-in|runbook|roadmap|rate limit\w*)"
    r"|without (?:any )?(?:authority|access|budget|headcount|buy-in|documentation|notice)"
    r"|(?:without|with no|with zero) (?:any )?(?:breaking|losing|downtime|customer impact|"
    r"impact|disruption|data loss|giving away)"
    r"|without (?:raising|increasing|adding|growing|exceeding|hurting|losing)"
    r"|nobody owned|no one owned|no one wanted|nobody wanted|nobody (?:could|would)"
    # Nobody here had done it before: the team's inexperience is an obstacle.
    r"|(?:nobody|no one|none of us)(?: [\w-]+){0,3} had (?:ever )?(?:built|done|used|touched|"
    r"worked|run|shipped)"
    r"|never (?:been )?(?:built|done|tested|used|shipped)|not designed for"
    r"|only (?:a|an|one|a few|a couple of|\d+|" + _NUMBER_WORDS + r") (?:[\w-]+ )?"
    r"(?:days?|weeks?|months?|hours?|sprints?|quarters?|engineers?|people|developers?)"
    r"|couldn't|could not|can't(?! take)|cannot(?! take)|wouldn't|would not|won't|will not"
    r"|didn't want|did not want|(?:did not|didn't) (?:answer|respond|reply|agree|approve)"
    r"|blocked|blockers?|blocking|unblock(?:ed|ing|s)?"
    r"|pushback|push(?:ed|es|ing)? back"
    r"|disagree(?:d|s|ing|ment|ments)?|resist(?:ed|ing|s|ance|ant)?|argu(?:e|ed|ing|ments?)"
    r"|objected|objecting|objections?|conflicts?|conflicting|conflicted|blam(?:e|ed|ing)"
    r"|(?:is|was|were|are) against|split (?:about|on|over)|bureaucra\w+"
    r"|(?<!low-)(?:risks?|risky|riskier|riskiest)|constraints?|constrained|deadlines?"
    r"|setbacks?|(?:no|tight|frozen|limited|small|fixed|capped|reduced) budgets?"
    r"|budget (?:caps?|freeze|cuts?|that was|of)|over budget|within (?:the |our |its )?budget"
    r"|budget (?:was )?(?:spent|burnt|burned|exhausted|blown)|hard (?:cap|limit|stop)|cap\b|capped|targets?"
    r"|trade-?offs?|trade offs?|s[kc]eptic(?:al|ism|s)?|concerns?|concerned|tensions?"
    r"|refus(?:e|ed|es|ing|al)|reject(?:ed|ing|s|ion)|obstacles?|hurdles?|bottlenecks?"
    r"|challeng(?:e|es|ed|ing)|(?<!what was )difficult(?:y|ies)?|tough|hard(?:est)? "
    r"(?:part|call|decision|conversation)s?|pressure|urgen(?:t|cy)|tight|crunch"
    r"|compromise|both sides|middle ground|estimate was"
    # Damage under way: an outage, data or customers being lost, an angry customer.
    r"|outages?|(?:an?|the|major|serious|big|sev-?\d) incident|downtime"
    r"|fail(?:ed|ing|ure|ures|s)?|broke|broken|breaking|crash(?:ed|ing)"
    r"|(?:was|were|went) down|(?:took|taken|take|taking)(?: [\w-]+){0,3} down|went wrong"
    r"|wrong(?:ly)?|mistakes?|corrupt(?:ed|ing|ion)?|roll(?:ed)? back|leak(?:s|ed|ing)?"
    r"|tim(?:ed|ing|es) out|timeouts?|ran out|running out|run out|threat(?:en\w*|s)?"
    r"|(?:dropp(?:ed|ing)|los(?:t|ing)|lose|missing|missed)(?: [\w-]+){0,2} (?:orders|"
    r"events|messages|data|candidates|customers|users|revenue|money|sales|payments|"
    r"targets?|dates?|deadlines?)"
    r"|(?:under|over|double-)charg(?:ed|ing|es?)|duplicat(?:e|es|ed|ion)"
    r"|bugs? in (?:production|prod)|(?:a|the|nasty|serious|critical|major) bug\b"
    r"|kept(?: [\w-]+)? (?:failing|crashing|breaking|changing|cancel\w*|timing|dropping|"
    r"losing|paging)|cancel(?:l)?ed|stopped working|until (?:it|this|that) (?:is|was) fixed"
    r"|stop(?:ped)? (?:all|the)(?: [\w-]+)? (?:campaigns|batch|releases?|rollout|deploys?|"
    r"sales|jobs?)"
    r"|angry|furious|upset|in a rage|nervous|worried|afraid|scared|anxious|burn(?:t|ed) out"
    r"|burnout|morale|avoid(?:ed|ing|s)?|stuck|stall(?:ed|ing)|delay(?:ed|s)?"
    r"|behind schedule|slip(?:ped|ping|s)?|stragglers"
    # A date someone else set: a promise, a vendor's notice, an end of life, a freeze.
    r"|promis(?:e|ed|es|ing)|announced|end[- ]of[- ]life|notice|acquired|price (?:rise|"
    r"increase|hike)|(?:code )?freeze|frozen|in time"
    r"|(?:make|hit|meet|miss|keep|making|hitting|meeting|missing|threatened|moved|set|gave) "
    r"(?:that|the|a|our|their) (?:launch |release |target |go-live )?date\b"
    r"|there was a date|(?:\d+|a few|"
    + _NUMBER_WORDS
    + r") "
    + _DURATION_UNITS
    + r" to (?:do|finish|ship|deliver|fix|move|make|get|migrate|build)\b"
    r"|regulat\w+|gdpr|hipaa|pci|data[- ]residency|residency rules"
    r"|went silent|choked|allow(?:s|ed)? only|only allow(?:s|ed)?|no more than|a limit of"
    r"|rate limit of|(?:is|was|are|were) limited"
    r"|(?:\d+|a few|a couple of|"
    + _NUMBER_WORDS
    + r")(?: [\w-]+)? "
    + _DURATION_UNITS
    + r" (?:away|out|left|to go|before)"
    r"|(?:lease|contract|support|licen[cs]e)(?: [\w-]+)? (?:ended|ending|ends|expir\w+|"
    r"ran out|runs out)"
    r"|before (?:the )?(?:[\w-]+ ){1,3}(?:ended|ends|expired|expires|(?:was|is) switched off|"
    r"shut down|(?:was|is) retired|went live|goes live)"
    r"|cope|(?:going|went|goes) on (?:[\w-]+ )?leave|relied on (?:a single|one)"
    # A third party switching something off; people about to leave; ownership fights.
    r"|(?:would|will|to|going to) (?:switch|turn|shut) (?:it |them |\w+ )?(?:off|down)"
    r"|(?:the|a) (?:switch|shut)-?(?:off|down)|quit(?:ting|s)?"
    r"|(?:thinking of|about to|wants? to|wanted to|going to|planning to) leav(?:e|ing)"
    r"|not good enough|revert(?:ed|ing|s)?|overwr(?:ote|iting|ites)|claimed (?:the )?ownership"
    r"|turf"
    r"|single point of failure|bus factor"
    r"|(?:before|by) (?:the )?(?:black friday|cyber monday|launch|go-live|going live|peak|"
    r"weekend|holidays?|year[- ]end|end of|first of|next|new|q[1-4]\b|public disclosure|"
    r"disclosure|contract|deadline)"
    r"|security researcher|vulnerab\w+|breach\w*|fraud|abuse|legal|compliance|"
    r"penetration test|pen test|required"
    r"|oppos(?:ed|ition|ing)|reluctan(?:t|ce)|hesita(?:nt|nce|ted)|unconvinced"
    r"|convinc(?:e|ed|ing)|persuad(?:e|ed|ing)|buy-in|negotiat(?:e|ed|ing|ion)|to agree"
    r"|w[io]n (?:\w+ )?over|on board"
    r"|competing priorities|(?:own|other) priorities|understaffed|short-?staffed|shortage"
    r"|short of (?:people|staff|engineers)|(?:people|engineers) short|stretched|overloaded"
    r"|(?:is|was|were) thin|had left|left suddenly|resign(?:ed|ations?)|without a lead"
    r"|another time zone|hours ahead|limited|stakes"
    r"|escalat(?:e|ed|ing|ions?)|friction|frustrat(?:ed|ion|ing)"
    r")\b"
)
# "There was no pushback" is an easy win, not an obstacle.
_NEGATIONS = frozenset(
    [
        "no",
        "without",
        "zero",
        "never",
        "little",
        "hardly",
        "any",
        "nor",
        "wasn't",
        "weren't",
        "nobody",
        "none",
    ]
)


def _names_obstacle(text: str) -> bool:
    text = text.lower()
    for match in _OBSTACLE_RE.finditer(text):
        before = [word.lower() for word in _words(text[max(0, match.start() - 40) : match.start()])]
        if not _NEGATIONS.intersection(before[-2:]):
            return True
    return False


def _check_no_obstacle(story: _Story) -> Finding | None:
    if any(_names_obstacle(story.text[name]) for name in ("situation", "task", "action")):
        return None
    return Finding(
        code="no_obstacle",
        section="action",
        severity="warning",
        message=(
            "Nothing in your Situation, Task or Action stood in your way: no blocker, "
            "pushback, risk, deadline or constraint you had to get past. Easy wins aren't "
            "leadership stories."
        ),
        suggestion=(
            "Add the hardest part and how you handled it: who disagreed and how you "
            "convinced them, what was blocked, how tight the deadline or budget was "
            "(\u201cThe blocker was\u2026 I resolved it by\u2026\u201d)."
        ),
    )


# --- thin_action -----------------------------------------------------------------------------


def _check_thin_action(story: _Story) -> Finding | None:
    told = sum(len(story.words[name]) for name in ("situation", "task", "action", "result"))
    action = len(story.words["action"])
    if told < THIN_ACTION_MIN_WORDS or action >= THIN_ACTION_SHARE * told:
        return None
    return Finding(
        code="thin_action",
        section="action",
        severity="warning",
        message=(
            f"Your Action is {action} of the {told} words in Situation, Task, Action and "
            f"Result ({round(100 * action / told)}%). It is the part the interviewer is "
            "listening for."
        ),
        suggestion=(
            "Cut the Situation to two or three sentences and spend the words on what you "
            "did, step by step: what you decided, who you brought along, how you got past "
            "the hardest part. Aim for about half the story."
        ),
    )


# --- vague_outcome ---------------------------------------------------------------------------

# "a second" is usually an ordinal ("a second team"), so durations start at minutes.
_TIME_UNITS = r"(?:minute|hour|day|week|month|quarter|year|sprint)s?"
_MEASURE_WORD_RE = re.compile(
    # Number words may head a compound ("twenty-five", "three-week", "two-thirds"); the
    # other words may not, so "double-check" and "double-digit" are not numbers.
    r"(?<![\w-])(?:" + _NUMBER_WORDS + r")(?:-[a-z]+)*(?![\w-])"
    r"|(?<![\w-])(?:zero|half|halves|halved|thirds?|twice|thrice|doubled?|doubles|"
    r"doubling|tripled?|triples|quadrupled?|\w+fold|percent|dollars|euros|pounds|cents)"
    r"(?![\w-])"
    r"|\bper cent\b|\b(?:a|an|one) " + _TIME_UNITS + r"\b"
    r"|\bone (?:incident|outage|ticket|bug|page|person|engineer|team|service|customer|"
    r"click|step|deploy|release)s?\b|\b(?:a|one) third\b|[$\u20ac\u00a3\u00a5%]"
)
# A number that starts a word: "12", "99.2%", "3x", "$40k", "8-week"; not "Q3" or "EC2".
_NUMBER_RE = re.compile(r"(?<![\w.])\d[\d,.]*")
_YEAR_CONTEXT = _word_set(
    "in since by during until of early late mid from spring summer autumn fall winter january february march april may june july "
    "august september october november december"
)


def _is_year(text: str, match: re.Match[str]) -> bool:
    number = match.group(0).rstrip(".,")
    if not re.fullmatch(r"(?:19|20)\d\d", number):
        return False
    before = _words(text[max(0, match.start() - 20) : match.start()])
    return bool(before) and before[-1].lower() in _YEAR_CONTEXT


_VERSION_WORDS = _word_set("version versions release releases v build patch api sdk")
_MONTHS = _word_set(
    "january february march april may june july august september october november december"
)


def _is_version(text: str, match: re.Match[str]) -> bool:
    """ "3.2.1", "version 4", "Java 17", "TLS 1.3": a name, not a measure."""
    number = match.group(0).rstrip(".,")
    if number.count(".") >= 2:
        return True
    after = text[match.end() : match.end() + 2]
    if after[:1] in {"%", "x", "k", "m"}:
        return False
    if after[:1] == "-" and after[1:].isupper():
        return True  # part of a name: "3-D Secure", "4-K"
    before = _words(text[max(0, match.start() - 30) : match.start()])
    if not before or text[match.start() - 1 : match.start()] != " ":
        return False
    word = before[-1]
    if word.lower() in _VERSION_WORDS:
        return True
    # A capitalised product name right before the number ("Java 17", "iOS 16"), unless it
    # starts the sentence or is a month ("March 3").
    starts_sentence = re.search(r"(?:^|[.!?:;\n]\s*)$", text[: match.start() - len(word) - 1])
    return (
        any(char.isupper() for char in word)
        and word.lower() not in _MONTHS
        and word.lower() not in _COMMON_WORDS
        and not starts_sentence
    )


def _is_measurable(text: str) -> bool:
    if _MEASURE_WORD_RE.search(text.lower()):
        return True
    return any(
        not _is_year(text, match) and not _is_version(text, match)
        for match in _NUMBER_RE.finditer(text)
    )


def _check_vague_outcome(story: _Story) -> Finding | None:
    result = story.text["result"]
    if _is_measurable(result):
        return None
    if story.words["result"]:
        message = (
            "Your Result has no number in it, so the outcome is easy to forget. "
            "\u201cThings went well\u201d isn't memorable; \u201crevenue rose 30%\u201d is."
        )
    else:
        message = "Your Result is empty: the interviewer never hears how it turned out."
    return Finding(
        code="vague_outcome",
        section="result",
        severity="warning",
        message=message,
        suggestion=(
            "Give at least one measurable outcome: a percentage, time or money saved, or a "
            "count (\u201ccheckout success rose from 94% to 99.2%\u201d, \u201call 12 "
            "services adopted it within 2 sprints\u201d). An honest estimate is fine."
        ),
    )


# --- no_learning -----------------------------------------------------------------------------

_LEARNING_RE = re.compile(
    r"\blearn(?:ed|t|ing|s)?\b|\blessons?\b|\btaught me\b|\breali[sz](?:e|ed|es|ing|ation)\b"
    r"|\bin hindsight\b|\blooking back\b|\bin retrospect\b|\bnext time\b|\bsince then\b"
    r"|\bever since\b|\bfrom then on\b|\bgoing forward\b|\bnow,? i\b|\bi now\b"
    r"|\bi(?:'ve| have) since\b|\bthese days,? i\b|\bi changed\b|\bchanged (?:how|the way) i\b"
    r"|\bchanged my\b|\bdo (?:it |things )?differently\b|\btake-?aways?\b"
    r"|\bpost-?(?:incident|mortem)\b|\bretrospective\b|\bhabit\b|\bnever again\b"
    r"|\bi still (?:use|do|apply|run|follow)\b|\bi always\b|\bit taught\b"
    r"|\bi(?: would|'d) (?:now |also )?(?:do|start|push|ask|insist|have|spend|plan|involve)\b"
    r"|\bif i (?:did|were to do|had to do) it again\b|\bstuck with me\b"
    r"|\bi (?:now )?(?:try to|make sure|no longer)\b"
)


# A Learning that only reports more outcome or praise ("The COO thanked the team", "the
# open rate looks good", "it went to 100% of users") is no reflection.
_PRAISE_RE = re.compile(
    r"\b(?:thank(?:ed|s)?|prais(?:e|ed)|pleased|satisfied|happy|delighted|impressed|liked|"
    r"loved|congratulat\w+|shout-?out|kudos|looks? (?:good|great)|looked (?:good|great)|"
    r"went well|(?:was|is) a (?:big |huge |real )?success|well received)\b"
)
_ADVICE_WORDS = _word_set(
    "i me my i'm i've i'd i'll myself you your must should need needs always never"
)


# A sentence dated to one moment ("closed the incident on Friday") reports, not reflects.
_DATED_RE = re.compile(
    r"\b(?:(?:the )?same (?:day|week|month|afternoon|morning)|on (?:monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)|(?:that|the next|the following) (?:day|week|month|"
    r"morning|afternoon|quarter)|by (?:monday|tuesday|wednesday|thursday|friday)|"
    r"(?:yesterday|last week|last month))\b"
)


def _is_outcome_only(sentence: str) -> bool:
    if _ADVICE_WORDS.intersection(word.lower() for word in _words(sentence)):
        return False
    return (
        _is_measurable(sentence)
        or bool(_PRAISE_RE.search(sentence.lower()))
        or bool(_DATED_RE.search(sentence.lower()))
    )


def _reflects(text: str) -> bool:
    """Whether a Learning says what the narrator learned or changed, not just more result."""
    if _LEARNING_RE.search(text.lower()):
        return True
    return not all(_is_outcome_only(sentence) for sentence in sentences(text))


def _check_no_learning(story: _Story) -> Finding | None:
    if story.words["learning"] and _reflects(story.text["learning"]):
        return None
    if _LEARNING_RE.search(" ".join(sentences(story.text["result"])[-2:]).lower()):
        return None
    failure = story.is_failure_story
    message = "Your story doesn't say what you learned or what you changed afterwards."
    if failure:
        message = (
            "This is a failure story, and it doesn't say what you learned or what you "
            "changed afterwards: that is the part interviewers ask failure stories for."
        )
    return Finding(
        code="no_learning",
        section="learning",
        severity="error" if failure else "warning",
        message=message,
        suggestion=(
            "Fill in the Learning, or end the Result with it: one or two sentences on what "
            "you learned and what you do differently now (\u201cLooking back, I "
            "learned\u2026 Since then, I always\u2026\u201d)."
        ),
    )


# --- too_short / too_long --------------------------------------------------------------------


def _minutes(seconds: int) -> str:
    """Seconds as minutes for a message: 120 is "2", 150 is "2.5", 100 is "1.7"."""
    minutes = seconds / 60
    return f"{minutes:g}" if minutes == round(minutes, 1) else f"{minutes:.1f}"


def _band_text(band: SpokenBand) -> str:
    """The band in words and minutes: "300–450 words, 2–3 minutes"."""
    return (
        f"{band.min_words}–{band.max_words} words, "
        f"{_minutes(band.min_seconds)}–{_minutes(band.max_seconds)} minutes"
    )


def _check_length(story: _Story) -> Finding | None:
    seconds, band = story.speaking_seconds, story.band
    told = f"At {WORDS_PER_MINUTE} words a minute your story takes about {_duration(seconds)}"
    if seconds < band.min_seconds:
        if not story.word_count:
            told = "Your story is empty"
        return Finding(
            code="too_short",
            section="story",
            severity="warning",
            message=(
                f"{told}; a leadership story should take {_minutes(band.min_seconds)} to "
                f"{_minutes(band.max_seconds)} minutes to tell."
            ),
            suggestion=(
                "Add detail where it counts: the obstacle, the steps you took and why, and "
                f"the numbers in the result. Aim for {_band_text(band)}."
            ),
        )
    if seconds > band.max_seconds:
        return Finding(
            code="too_long",
            section="story",
            severity="warning",
            message=(
                f"{told}; past {_minutes(band.max_seconds)} minutes the interviewer loses "
                "the thread."
            ),
            suggestion=(
                "Trim the Situation to the essentials and keep the one or two steps of the "
                f"Action that show your judgement. Aim for {_band_text(band)}."
            ),
        )
    return None


# --- The review ------------------------------------------------------------------------------

_RULES = (
    _check_we_not_i,
    _check_over_crediting,
    _check_no_obstacle,
    _check_thin_action,
    _check_vague_outcome,
    _check_no_learning,
    _check_length,
)


def _is_ready(findings: tuple[Finding, ...]) -> bool:
    return not any(
        finding.code in _LENGTH_CODES or finding.severity == "error" for finding in findings
    )


def _score(findings: tuple[Finding, ...], word_count: int, ready: bool) -> int:
    if not word_count:
        return 0
    penalty = 0
    for finding in findings:
        if finding.code in _LENGTH_CODES:
            penalty += LENGTH_WEIGHT
        elif finding.severity == "error":
            penalty += ERROR_WEIGHT
        else:
            penalty += WARNING_WEIGHT
    base = max(0, 100 - penalty)
    score = max(READY_SCORE, base) if ready else min(READY_SCORE - 1, base)
    if speaking_seconds(word_count) < SKETCH_SECONDS:
        score = min(score, SKETCH_SCORE_CAP)
    return score


def review_story(
    sections: Mapping[str, str | None],
    themes: Iterable[str] = (),
    band: SpokenBand | None = None,
) -> Review:
    """Review a story's five STAR-L sections; missing or None sections count as empty.

    ``themes`` are theme slugs; ``failure-recovery`` makes a missing learning an error.
    ``band`` is the spoken-length target (a user's practice band); by default the guide's
    2-3 minutes, ``stories.star.SPOKEN_BAND``.
    """
    story = _Story(sections, themes, band or SPOKEN_BAND)
    findings = tuple(finding for rule in _RULES if (finding := rule(story)) is not None)
    ready = story.speaking_seconds >= SKETCH_SECONDS and _is_ready(findings)
    return Review(
        findings=findings,
        word_count=story.word_count,
        speaking_seconds=story.speaking_seconds,
        score=_score(findings, story.word_count, ready),
        ready=ready,
    )
