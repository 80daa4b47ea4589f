"""Join a recording's segments into one Opus-in-WebM file (PyAV, no database).

The browser uploads one segment per recorder run (a reload starts a new one);
the chunks of a segment, byte-concatenated, are one container stream, but two
segments are two containers that cannot be glued byte by byte. So each segment
is decoded, resampled to one format and encoded again, in order, into one file.
A segment cut short by a crash decodes up to its last whole frame.
"""

from collections.abc import Iterable
from fractions import Fraction
from typing import BinaryIO

import av

JOINED_MIME = "audio/webm"
JOINED_EXTENSION = "webm"
RATE = 48_000
# Speech in mono Opus: 48 kbit/s is transparent for a voice and keeps 15 minutes near 5 MB.
BIT_RATE = 48_000
TIME_BASE = Fraction(1, RATE)


class JoinError(Exception):
    """No segment held decodable audio; the message is for the user."""


def _decoded(source: BinaryIO, resampler: av.AudioResampler):
    """The segment's audio frames, resampled; stops quietly at a damaged tail."""
    try:
        container = av.open(source, mode="r")
    except (av.FFmpegError, ValueError):
        return
    with container:
        if not container.streams.audio:
            return
        try:
            for frame in container.decode(audio=0):
                frame.pts = None
                yield from resampler.resample(frame)
        except (av.FFmpegError, ValueError):
            pass  # a truncated last cluster: keep what decoded
        yield from resampler.resample(None)


def join_segments(segments: Iterable[BinaryIO], out: BinaryIO) -> int:
    """Write the segments, in order, to `out` as one Opus WebM; return its length in ms."""
    output = av.open(out, mode="w", format=JOINED_EXTENSION)
    samples = 0
    with output:
        stream = output.add_stream("libopus", rate=RATE, layout="mono")
        stream.bit_rate = BIT_RATE
        for source in segments:
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            for frame in _decoded(source, resampler):
                frame.pts = samples
                frame.time_base = TIME_BASE
                samples += frame.samples
                output.mux(stream.encode(frame))
        if not samples:
            raise JoinError("No audio arrived for this recording.")
        output.mux(stream.encode(None))
    return samples * 1000 // RATE
