"""Real captures: read pcap/pcapng files into TCP connections the tutor can step through.

The app calls ``read_capture(path)`` (or ``iter_connections`` to stream) and gets
``CapturedConnection``s: the client and server as ``ip:port``, ``partial``, the
numbers relative seq/ack count from (``isns``), and ``steps``, one
``CapturedSegment`` per captured segment. Each step holds the engine's
``SegmentRecord`` (both peers' states filled in), the ``StateChange``s the segment
caused with the engine ``Transition`` that explains each, and the ``Quirk``s:
what the real peers did that the engine would not do, to be told rather than graded.

Modules, in the order the data flows through them: ``pcapfile`` (file formats,
``check`` for damage) -> ``decode`` (link, IP and TCP headers) -> ``split`` (connections,
streamed) -> ``sequence`` (relative numbers, retransmissions, quirks) and ``states``
(RFC 9293 states), run once per connection shape by ``analysis`` -> ``connection``
(what the app sees) -> ``reader`` (the entry points). ``quirks`` words what the engine
would not do; ``errors`` holds ``CaptureError``, the one exception for a bad file.
``stream`` opens files, standard input and gzip and follows the progress;
``pipeline`` reads in a second process for the command line; ``summary`` lists
connections cheaply for a filter.
"""

from .connection import CapturedConnection, CapturedSegment
from .errors import CaptureError
from .pcapfile import check
from .quirks import Quirk, QuirkKind
from .reader import iter_connections, read_capture, read_connection
from .states import StateChange
from .summary import Ending, Summary, select, summaries

__all__ = [
    "CaptureError",
    "CapturedConnection",
    "CapturedSegment",
    "Ending",
    "Quirk",
    "QuirkKind",
    "StateChange",
    "Summary",
    "check",
    "iter_connections",
    "read_capture",
    "read_connection",
    "select",
    "summaries",
]
