"""One connection's analysis (retransmissions, quirks, states), computed once per shape.

Everything ``sequence.analyse`` and ``states.infer`` conclude depends only on each
segment's sender, flags, length and window, and its seq and ack relative to the
two sides' bases: they compare sequence numbers of one side with each other,
never with absolute values, and never look at times. That list is the
connection's *shape*. Busy captures repeat a few shapes many thousands of
times (health checks, short requests, refused probes), so analyses are cached
by shape and shared: an ``Analysis`` must be treated as read-only.

Connections that differ only in how much data they carry have different shapes
but the same *facts* (``states.facts``: which SYN or FIN each segment carries and
acknowledges), and the states depend on nothing else: the inference is cached by
facts too, so a new shape costs the numeric passes but rarely the replay.
"""

from __future__ import annotations

from dataclasses import dataclass

from .decode import ACK
from .quirks import Quirk
from .sequence import Segment, analyse
from .states import Inference, facts, replay

_MASK = 0xFFFFFFFF
# longer connections rarely repeat; their shape would only cost time and memory
MAX_SHAPE = 64
CACHE_SIZE = 4096


@dataclass(eq=False)
class Analysis:
    retransmission: list[bool]
    quirks: dict[int, list[Quirk]]  # sequence quirks and state quirks, by segment index
    inference: Inference
    # the JSON of the rows with relative numbers, a %-template for the times; made on first use
    json_rows: str | None = None


_cache: dict[tuple, Analysis] = {}


def shape(segments: list[Segment], base: list[int | None], partial: bool) -> tuple:
    """The connection as the analysis sees it (see the module doc)."""
    b0 = base[0] or 0  # no base: numbers as they are, which is what shifting by 0 gives
    b1 = base[1] or 0
    # the windows go in whole: simpler than the two facts, and as good for the cache
    return partial, *[
        (
            r,
            flags,
            (seq - (b1 if r else b0)) & _MASK,
            (ack - (b0 if r else b1)) & _MASK if flags & ACK else 0,
            length,
            win,
        )
        for _, r, flags, seq, ack, win, length in segments
    ]


def analysis(segments: list[Segment], base: list[int | None], partial: bool) -> Analysis:
    """The analysis of these segments, from the cache when a connection had the same shape."""
    if len(segments) > MAX_SHAPE:
        return _analyse(segments, partial)
    key = shape(segments, base, partial)
    found = _cache.get(key)
    if found is None:
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        found = _cache[key] = _analyse(segments, partial)
    return found


_inferences: dict[tuple, Inference] = {}


def _analyse(segments: list[Segment], partial: bool) -> Analysis:
    retransmission, quirks = analyse(segments)
    fs = facts(segments)
    if len(fs) > MAX_SHAPE:
        inference = replay(fs, partial)
    else:
        key = (partial, fs)
        inference = _inferences.get(key)  # type: ignore[assignment]
        if inference is None:
            if len(_inferences) >= CACHE_SIZE:
                _inferences.clear()
            inference = _inferences[key] = replay(fs, partial)
    for i, found in inference.quirks.items():
        quirks.setdefault(i, []).extend(found)
    return Analysis(retransmission, quirks, inference)
