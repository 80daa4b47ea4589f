"""What a user aims for: the spoken length of a story and how many stories each
principle needs, and the level they interview at (the scope check reads it). All
are set in practice settings, a higher app; this module is
the one door the stories app reads them through.

Practice registers the reader in `PracticeConfig.ready()` (the same shape as the
export's `ExtraSection` registry), so the stories app never imports practice.
Until something is registered, and for a user who never saved settings, the
defaults apply.
"""

from collections.abc import Callable
from dataclasses import dataclass

from stories.star import SPOKEN_BAND, SpokenBand

# A common Amazon preparation target: two different stories for each principle.
PRINCIPLE_SLOTS = 2
PRINCIPLE_SLOTS_MAX = 5
# The level most users prepare for, as practice's default_target_level picks it.
LEVEL_SLUG = "senior"


@dataclass(frozen=True)
class Targets:
    band: SpokenBand = SPOKEN_BAND
    principle_slots: int = PRINCIPLE_SLOTS
    level_slug: str = LEVEL_SLUG


DEFAULT_TARGETS = Targets()

_reader: list[Callable[[object], Targets]] = []


def register_targets(reader: Callable[[object], Targets]) -> None:
    """Install the function that reads a user's targets (practice does, once)."""
    _reader[:] = [reader]


def targets_for(user) -> Targets:
    """The user's targets: their practice settings, or the defaults (one query at most)."""
    if not _reader or user is None or not getattr(user, "pk", None):
        return DEFAULT_TARGETS
    return _reader[0](user)
