"""HTTP Range requests for the recording player (RFC 9110 §14): one byte range or none.

The player seeks by asking for bytes; a header this does not understand (another
unit, several ranges, garbage) is ignored and the whole file is sent, as the RFC
allows. A range that starts past the end is unsatisfiable (416).
"""

import re

_SINGLE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    """The range asks only for bytes past the end of the file."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte positions, inclusive, for `header` on a file of `size` bytes.

    None means "send the whole file" (no header, or one to ignore);
    `Unsatisfiable` means answer 416.
    """
    match = _SINGLE.match((header or "").strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # bytes=-n: the last n bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid: ignored
    if start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)
