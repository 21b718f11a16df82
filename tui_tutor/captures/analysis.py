"""One connection's analysis: which segments are retransmissions, both peers' states.

The states depend only on each segment's *facts* (``states.Facts``: which SYN or
FIN it carries and which of the other side's it acknowledges), never on how much
data it carries or on its times. Busy captures repeat a few sets of facts many
thousands of times (short requests, health checks, refused probes) whatever
their sizes, so for a short connection the inference is cached by its facts and
shared: an ``Inference`` must be treated as read-only. A long connection rarely
repeats; its replay passes over its data in runs instead (see ``states``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .sequence import Segment, retransmissions
from .states import Facts, Inference, replay

# longer connections rarely repeat; their facts would only cost time and memory
MAX_CACHED = 64
CACHE_SIZE = 2048


@dataclass(eq=False)
class Analysis:
    retransmission: list[bool]
    inference: Inference


_inferences: dict[tuple, Inference] = {}


def analysis(segments: list[Segment], partial: bool) -> Analysis:
    """Retransmissions and states of one connection's segments (client's role 0)."""
    return Analysis(retransmissions(segments), inference(segments, partial))


def inference(segments: list[Segment], partial: bool) -> Inference:
    """Both peers' states, from the cache when a short connection had the same facts."""
    fs = Facts(segments)
    if len(segments) > MAX_CACHED:
        return replay(fs, partial)
    key = (partial, fs.all())
    found = _inferences.get(key)
    if found is None:
        if len(_inferences) >= CACHE_SIZE:
            _inferences.clear()
        found = _inferences[key] = replay(fs, partial)
    return found
