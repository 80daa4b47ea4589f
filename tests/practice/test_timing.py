"""Durations as m:ss and the verdict against a band (pure, no database)."""

import pytest

from practice.timing import band_verdict, mmss


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0:00"), (59, "0:59"), (150, "2:30"), (600, "10:00"), (-5, "-0:05")]
)
def test_mmss(seconds, text):
    assert mmss(seconds) == text


def test_band_verdict_includes_both_ends_of_the_band():
    assert [band_verdict(s, 120, 180) for s in (119, 120, 180, 181)] == [
        "under",
        "inside",
        "inside",
        "over",
    ]
