"""Capture files: pcap (microseconds or nanoseconds, either byte order) and pcapng.

``frames(path)`` yields one ``Frame`` per captured packet, in file order, and reads
the file in chunks: it never holds more than a chunk and one record.
``tcp_segments(path)`` yields the TCP ones already decoded (``decode.py``):
decoding inside the record loop saves a tuple and a lookup per packet, which a
capture of millions of packets notices. ``check(path)`` walks the records and
yields nothing. The pcapng section and interface blocks are read with dpkt's own
structures (``dpkt.pcapng.InterfaceDescriptionBlock``), imported only then: a pcap
file's header is two numbers, read with ``struct``, so listing a pcap file never
imports dpkt (a twentieth of a second at start-up). The per-record loop unpacks
with ``struct`` because it runs once per packet and dpkt builds an object per header.

A frame is a plain tuple, not an object, for the same reason:
``(time, linktype, buf, start, end)``, where the packet is ``buf[start:end]``
(no copy is made) and ``time`` is seconds since the epoch.

Everything wrong with the file raises ``CaptureError`` with one line that names the
file and, for a damaged record, the byte offset where the record starts.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import BinaryIO

from ..inputs import InputError
from .decode import DECODERS, SUPPORTED_LINKTYPES, Decoded
from .errors import CaptureError, empty_file, not_a_capture
from .stream import GZIP_MAGIC, PCAP_MAGICS, PCAPNG_SHB, Counted, Reading, gunzip, open_input

Frame = tuple[float, int, bytes, int, int]

# read in chunks below glibc's mmap threshold (128 KiB): freed, they are reused for the
# next ones, where a megabyte chunk came in fresh pages each time (a page fault every
# 4 KiB of the file: a tenth of the CPU time of reading a big capture)
CHUNK = 1 << 16
# libpcap refuses records longer than this (MAXIMUM_SNAPLEN) unless the snapshot length
# says more; beyond MAX_BLOCK nothing is believed: such a length is damage
MAX_RECORD = 262144
MAX_BLOCK = 1 << 24

_PCAPNG_LE = bytes.fromhex("4d3c2b1a")
_PCAPNG_BE = bytes.fromhex("1a2b3c4d")

_BT_IDB = 1
_BT_PB = 2  # the obsolete Packet Block
_BT_SPB = 3
_BT_EPB = 6

# the snapshot length and link type in a pcap file header (after magic, version, zone,
# sigfigs), in the file's byte order
_PCAP_HEADER = {order: struct.Struct(order + "16xII") for order in "<>"}


@cache
def linktype_names() -> dict[int, str]:
    """dpkt's names of link types (``DLT_...``), for the messages of an unsupported one."""
    import dpkt

    names = {
        value: name.removeprefix("DLT_")
        for name, value in sorted(vars(dpkt.pcap).items())
        if name.startswith("DLT_") and isinstance(value, int)
    }
    names.update({101: "RAW", 108: "LOOP", 228: "IPV4", 229: "IPV6"})
    return names


def linktype_name(linktype: int) -> str:
    name = linktype_names().get(linktype)
    return f"{linktype} ({name})" if name else str(linktype)


def unsupported(label: str, linktype: int) -> CaptureError:
    return CaptureError(
        f"{label}: unsupported link type {linktype_name(linktype)}; this reader knows "
        "Ethernet, Linux cooked (SLL, SLL2), raw IP and BSD loopback"
    )


_CHECK, _FRAMES, _SEGMENTS = 0, 1, 2  # what the record loops hand out


def frames(path: str | Path, label: str | None = None) -> Iterator[Frame]:
    """Every packet of the capture at ``path`` (``-``: standard input), in file order.

    A file that is missing, empty, not a capture, or of an unsupported link type
    raises here; damage further in raises while iterating.
    """
    return _open(path, str(path) if label is None else label, _FRAMES)


def tcp_segments(
    path: str | Path, label: str | None = None, reading: Reading | None = None
) -> Iterator[tuple[float, Decoded]]:
    """``(time, decoded)`` for every TCP packet of the capture, in file order;
    ``reading`` follows the progress and may stop it (see ``stream.Reading``)."""
    return _open(path, str(path) if label is None else label, _SEGMENTS, reading)


def check(path: str | Path, label: str | None = None) -> None:
    """Walk every record of the file, as ``frames`` does, but hand out nothing."""
    for _ in _open(path, str(path) if label is None else label, _CHECK):
        pass


def _open(path: str | Path, label: str, what: int, reading: Reading | None = None) -> Iterator:
    try:
        # "-" is standard input; else only a regular file: a FIFO would hang the reader,
        # /dev/stdin take the keys (the generator returned closes it)
        raw = open_input(path, label, reading)
    except InputError as err:
        raise CaptureError(str(err)) from None
    f: BinaryIO | Counted = raw
    try:
        head = f.read(24)
        raw.reading.size = raw.size()
        if head[:2] == GZIP_MAGIC:
            f = gunzip(raw, head)
            head = _read_head(f, label)
        if not head:
            raise CaptureError(empty_file(label))
        magic = head[:4]
        # a record that would end past this is cut short: say so at once rather than
        # read the rest of the file to find out (unknown for a pipe or gzip)
        size = (f is raw and raw.reading.size) or 1 << 62
        if magic in PCAP_MAGICS:
            return _pcap(f, head, label, what, size, raw.reading)
        if magic == PCAPNG_SHB:
            return _pcapng(f, head, label, what, size, raw.reading)
        # never a byte of it: the file may be anybody's (/etc/shadow, named over SSH)
        raise CaptureError(not_a_capture(label))
    except OSError as err:
        f.close()
        raise CaptureError(f"{label}: {err.strerror or err}") from None
    except BaseException:
        f.close()
        raise


def _read_head(f: BinaryIO, label: str) -> bytes:
    try:
        return f.read(24)
    except (OSError, EOFError, zlib.error) as err:
        raise _unreadable(label, err) from None


def _unreadable(label: str, err: Exception) -> CaptureError:
    if isinstance(err, OSError) and err.strerror:
        return CaptureError(f"{label}: {err.strerror}")
    return CaptureError(f"{label}: damaged gzip data: {err}")


class _Stopped(Exception):
    """The reading was stopped (``Reading.stopped``): the records end here."""


def _chunks(f: BinaryIO | Counted, label: str, reading: Reading) -> Iterator[bytes]:
    """The file in chunks of at most ``CHUNK`` bytes, as they come; ``_Stopped`` when
    the reading is stopped (the record loops catch it and end as at the end of file)."""
    read = getattr(f, "read1", f.read)
    while True:
        try:
            chunk = read(CHUNK)
        except (OSError, EOFError, zlib.error) as err:
            raise _unreadable(label, err) from None
        if not chunk:
            reading.done = True
            reading.tick()
            return
        reading.tick()
        if reading.stopped:
            raise _Stopped
        yield chunk


def _gather(rest: bytes, chunks: Iterator[bytes], need: int) -> tuple[bytes, bool]:
    """``rest`` and as many chunks as make it ``need`` bytes long (at least one), joined
    once: a record many chunks long is not copied again with each. True: the file ended."""
    parts = [rest]
    have = len(rest)
    for chunk in chunks:
        parts.append(chunk)
        have += len(chunk)
        if have >= need:
            return b"".join(parts), False
    return b"".join(parts), True


def _truncated(label: str, offset: int, what: str) -> CaptureError:
    return CaptureError(f"{label}: truncated record at byte {offset}: the file ends inside {what}")


# ---------------------------------------------------------------------- pcap


def _pcap(
    f: BinaryIO | Counted, head: bytes, label: str, what: int, size: int, reading: Reading
) -> Iterator:
    """The records of a pcap file, as ``what`` says (the loop is the hot path)."""
    order, unit, rec_len = PCAP_MAGICS[head[:4]]
    if len(head) < 24:
        raise _truncated(label, 0, "the file header")
    snaplen, linktype = _PCAP_HEADER[order].unpack_from(head)
    # the upper bits of the link type field carry FCS information (pcap spec, LinkType)
    linktype &= 0xFFFF
    if linktype not in SUPPORTED_LINKTYPES:
        raise unsupported(label, linktype)
    limit = max(MAX_RECORD, min(snaplen, MAX_BLOCK))
    return _pcap_records(f, label, what, order, unit, rec_len, linktype, limit, size, reading)


def _pcap_records(
    f: BinaryIO | Counted,
    label: str,
    what: int,
    order: str,
    unit: float,
    rec_len: int,
    linktype: int,
    limit: int,
    file_size: int,
    reading: Reading,
) -> Iterator:
    unpack = struct.Struct(order + "IIII").unpack_from
    decode = DECODERS[linktype] if what == _SEGMENTS else None
    buf = b""
    pos = 0  # where the next record starts in buf
    base = 24  # file offset of buf[0]
    number = 0
    chunks = _chunks(f, label, reading)
    need = rec_len  # bytes from ``pos`` the next record needs, as far as is known
    ended = False
    try:
        while not ended:
            base += pos
            buf, ended = _gather(buf[pos:], chunks, need)
            pos = 0
            size = len(buf)
            need = rec_len
            while pos + rec_len <= size:
                sec, frac, caplen, _ = unpack(buf, pos)
                if caplen > limit:
                    raise CaptureError(
                        f"{label}: damaged record at byte {base + pos}: it claims {caplen} "
                        f"captured bytes, more than the {limit} a record may hold"
                    )
                end = pos + rec_len + caplen
                if end > size:
                    if base + end > file_size:
                        raise _truncated(label, base + pos, f"packet {number + 1}")
                    need = end - pos
                    break
                number += 1
                if decode is not None:
                    seg = decode(buf, pos + rec_len, end)
                    if seg is not None:
                        yield sec + frac * unit, seg
                elif what:
                    yield sec + frac * unit, linktype, buf, pos + rec_len, end
                pos = end
            reading.packets = number
        if pos < len(buf):
            raise _truncated(label, base + pos, f"packet {number + 1}")
    except _Stopped:
        return
    finally:
        f.close()


# -------------------------------------------------------------------- pcapng


class _Interface:
    """What an Interface Description Block says about the packets of one interface."""

    __slots__ = ("linktype", "per_second", "snaplen", "tsoffset", "unit")

    def __init__(self, linktype: int, snaplen: int, per_second: int, tsoffset: int) -> None:
        self.linktype = linktype
        self.snaplen = snaplen
        self.per_second = per_second  # timestamp units in one second
        self.unit = 1.0 / per_second
        self.tsoffset = tsoffset


def _interface(block: bytes, order: str, label: str, offset: int) -> _Interface:
    import dpkt

    cls = (
        dpkt.pcapng.InterfaceDescriptionBlockLE
        if order == "<"
        else dpkt.pcapng.InterfaceDescriptionBlock
    )
    try:
        idb = cls(block)
        per_second, tsoffset = 10**6, 0
        for opt in idb.opts:
            if opt.code == dpkt.pcapng.PCAPNG_OPT_IF_TSRESOL and opt.data:
                # high bit set: a negative power of 2, else of 10 (pcapng spec, if_tsresol)
                value = opt.data[0]
                per_second = 2 ** (value & 0x7F) if value & 0x80 else 10 ** (value & 0x7F)
            elif opt.code == dpkt.pcapng.PCAPNG_OPT_IF_TSOFFSET and len(opt.data) >= 8:
                tsoffset = struct.unpack(order + "q", opt.data[:8])[0]
    except (dpkt.Error, struct.error, ValueError, IndexError, TypeError):
        raise CaptureError(
            f"{label}: damaged interface description block at byte {offset}"
        ) from None
    if per_second <= 0 or per_second > 10**18:
        raise CaptureError(f"{label}: damaged interface description block at byte {offset}")
    return _Interface(idb.linktype, idb.snaplen, per_second, tsoffset)


def _pcapng(
    f: BinaryIO | Counted, head: bytes, label: str, what: int, size: int, reading: Reading
) -> Iterator:
    try:
        if what != _SEGMENTS:
            yield from _pcapng_blocks(f, head, label, size, reading)
            return
        decoders = DECODERS
        for t, linktype, buf, start, end in _pcapng_blocks(f, head, label, size, reading):
            seg = decoders[linktype](buf, start, end)
            if seg is not None:
                yield t, seg
    except _Stopped:
        return
    finally:
        f.close()


def _pcapng_blocks(
    f: BinaryIO | Counted, head: bytes, label: str, file_size: int, reading: Reading
) -> Iterator[Frame]:
    order = "<"
    u32: Callable[..., tuple[int, ...]] = struct.Struct("<I").unpack_from
    u32x2 = struct.Struct("<II").unpack_from
    epb = struct.Struct("<IIIII").unpack_from
    interfaces: list[_Interface] = []
    unsupported_types: list[int] = []
    usable = False
    last_time = 0.0
    buf = head
    pos = 0
    base = 0
    number = 0
    chunks = _chunks(f, label, reading)
    more = True
    while True:
        # make sure the whole next block is in buf, reading more when it is not
        if pos + 12 > len(buf) and more:
            reading.packets = number
            buf, base, pos, more = _refill(buf, base, pos, chunks, 12)
            continue
        if pos >= len(buf):
            break
        if pos + 12 > len(buf):
            raise _truncated(label, base + pos, "a block header")
        btype = buf[pos : pos + 4]
        if btype == PCAPNG_SHB:
            bom = buf[pos + 8 : pos + 12]
            if bom == _PCAPNG_LE:
                order = "<"
            elif bom == _PCAPNG_BE:
                order = ">"
            else:
                raise CaptureError(
                    f"{label}: damaged section header at byte {base + pos}: "
                    "unknown byte-order magic"
                )
            u32 = struct.Struct(order + "I").unpack_from
            u32x2 = struct.Struct(order + "II").unpack_from
            epb = struct.Struct(order + "IIIII").unpack_from
        kind, length = u32x2(buf, pos)
        if length < 12 or length % 4 or length > MAX_BLOCK:
            raise CaptureError(
                f"{label}: damaged block at byte {base + pos}: its length {length} is not "
                f"a multiple of 4 from 12 to {MAX_BLOCK}"
            )
        if pos + length > len(buf):
            if more and base + pos + length <= file_size:
                reading.packets = number
                buf, base, pos, more = _refill(buf, base, pos, chunks, length)
                continue
            raise _truncated(label, base + pos, f"a block of {length} bytes")
        if u32(buf, pos + length - 4)[0] != length:
            raise CaptureError(
                f"{label}: damaged block at byte {base + pos}: its two lengths differ"
            )
        start = pos
        pos += length
        if kind in (_BT_EPB, _BT_PB):
            if length < 32:
                raise CaptureError(f"{label}: damaged packet block at byte {base + start}")
            if kind == _BT_EPB:
                iface_id, ts_high, ts_low, caplen, _ = epb(buf, start + 8)
            else:
                iface_id = struct.unpack_from(order + "H", buf, start + 8)[0]
                ts_high, ts_low, caplen, _ = struct.unpack_from(order + "IIII", buf, start + 12)
            if iface_id >= len(interfaces) or caplen > length - 32:
                raise CaptureError(
                    f"{label}: damaged packet block at byte {base + start}: "
                    + (
                        f"no interface {iface_id}"
                        if iface_id >= len(interfaces)
                        else f"{caplen} bytes do not fit in it"
                    )
                )
            iface = interfaces[iface_id]
            if iface.linktype not in SUPPORTED_LINKTYPES:
                continue
            seconds, units = divmod((ts_high << 32) | ts_low, iface.per_second)
            last_time = iface.tsoffset + seconds + units * iface.unit
            number += 1
            yield last_time, iface.linktype, buf, start + 28, start + 28 + caplen
        elif kind == _BT_SPB:
            if not interfaces:
                raise CaptureError(
                    f"{label}: damaged packet block at byte {base + start}: no interface 0"
                )
            iface = interfaces[0]
            if iface.linktype not in SUPPORTED_LINKTYPES:
                continue
            caplen = min(u32(buf, start + 8)[0], length - 16)
            if iface.snaplen:
                caplen = min(caplen, iface.snaplen)
            number += 1
            # a simple packet block has no timestamp: it takes the previous packet's
            yield last_time, iface.linktype, buf, start + 12, start + 12 + caplen
        elif kind == _BT_IDB:
            iface = _interface(buf[start : start + length], order, label, base + start)
            interfaces.append(iface)
            if iface.linktype in SUPPORTED_LINKTYPES:
                usable = True
            else:
                unsupported_types.append(iface.linktype)
        elif btype == PCAPNG_SHB:
            _section(buf[start : start + length], order, label, base + start)
            interfaces = []  # interface numbers start again in each section
    if not usable and unsupported_types:
        raise unsupported(label, unsupported_types[0])


def _section(block: bytes, order: str, label: str, offset: int) -> None:
    import dpkt

    cls = dpkt.pcapng.SectionHeaderBlockLE if order == "<" else dpkt.pcapng.SectionHeaderBlock
    try:
        major = cls(block).v_major
    except (dpkt.Error, struct.error, ValueError, IndexError, TypeError):
        raise CaptureError(f"{label}: damaged section header at byte {offset}") from None
    if major != dpkt.pcapng.PCAPNG_VERSION_MAJOR:
        raise CaptureError(f"{label}: pcapng version {major} is not supported (only 1)")


def _refill(
    buf: bytes, base: int, pos: int, chunks: Iterator[bytes], need: int
) -> tuple[bytes, int, int, bool]:
    """Drop what was consumed and read on until ``need`` bytes from ``pos`` are in;
    ``more`` is False once the file has ended."""
    rest, ended = _gather(buf[pos:], chunks, need)
    return rest, base + pos, 0, not ended
