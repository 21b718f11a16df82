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

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing slows the app's start
if TYPE_CHECKING:
    from .connection import CapturedConnection, CapturedSegment
    from .errors import CaptureError
    from .pcapfile import check
    from .quirks import Quirk, QuirkKind
    from .reader import iter_connections, read_capture, read_connection
    from .states import StateChange
    from .summary import Ending, Summary, read_summaries, select, summaries

# each name from the module that holds it, imported when first asked for: listing a
# capture's connections (``summary``) then never loads the engine and state inference
_HOMES = {
    "CaptureError": "errors",
    "CapturedConnection": "connection",
    "CapturedSegment": "connection",
    "Ending": "summary",
    "Quirk": "quirks",
    "QuirkKind": "quirks",
    "StateChange": "states",
    "Summary": "summary",
    "check": "pcapfile",
    "iter_connections": "reader",
    "read_capture": "reader",
    "read_connection": "reader",
    "read_summaries": "summary",
    "select": "summary",
    "summaries": "summary",
}
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
    "read_summaries",
    "select",
    "summaries",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
