"""The little of netlink that live mode speaks: messages and attributes, packed and read.

Two netlink families are used: sock_diag (``kstate.py``: the state of a socket the
application no longer holds) and nfnetlink_queue (``nfqueue.py``: segments handed to
us to deliver, drop or hold). Both are plain request/answer exchanges on a datagram
socket; this module packs a message, unpacks the answers and turns an error answer
into ``OSError``.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator

NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4

_HEADER = struct.Struct("=IHHII")  # length, type, flags, sequence, port id
_ATTR = struct.Struct("=HH")  # length, type


def message(kind: int, flags: int, body: bytes, seq: int = 0) -> bytes:
    return _HEADER.pack(_HEADER.size + len(body), kind, flags, seq, 0) + body


def attribute(kind: int, data: bytes) -> bytes:
    """One attribute, padded to four bytes."""
    size = _ATTR.size + len(data)
    return _ATTR.pack(size, kind) + data + b"\0" * (-size % 4)


def attributes(buf: bytes) -> dict[int, bytes]:
    """Attribute type (without the nested/byte-order bits) -> its data."""
    found: dict[int, bytes] = {}
    off = 0
    while off + _ATTR.size <= len(buf):
        size, kind = _ATTR.unpack_from(buf, off)
        if size < _ATTR.size:
            break
        found[kind & 0x3FFF] = buf[off + _ATTR.size : off + size]
        off += (size + 3) & ~3
    return found


def messages(buf: bytes) -> Iterator[tuple[int, bytes]]:
    """(type, body) of each message in a datagram; an error answer raises OSError."""
    off = 0
    while off + _HEADER.size <= len(buf):
        size, kind, _flags, _seq, _port = _HEADER.unpack_from(buf, off)
        if size < _HEADER.size:
            break
        body = buf[off + _HEADER.size : off + size]
        off += (size + 3) & ~3
        if kind == NLMSG_ERROR:
            (error,) = struct.unpack_from("=i", body)
            if error:
                raise OSError(-error, os.strerror(-error))
            continue  # an acknowledgement
        if kind == NLMSG_DONE:
            return
        yield kind, body
