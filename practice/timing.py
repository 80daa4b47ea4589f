"""How long an answer took, in words: durations as m:ss and the verdict against a band.

Pure, no database: the models, the charts, the session page and the template
filters all read times through these two functions, so "inside the band"
means the same everywhere. The band's own limits (30 to 900 seconds, start
before end) are a rule of the data and live on the models.
"""


def mmss(seconds: float) -> str:
    """125 → "2:05"; a negative time keeps its sign ("-0:05")."""
    seconds = round(seconds)
    sign = "-" if seconds < 0 else ""
    minutes, rest = divmod(abs(seconds), 60)
    return f"{sign}{minutes}:{rest:02d}"


def band_verdict(seconds: int, band_min: int, band_max: int) -> str:
    """ "under", "inside" or "over" the band; both ends count as inside."""
    if seconds < band_min:
        return "under"
    if seconds > band_max:
        return "over"
    return "inside"
