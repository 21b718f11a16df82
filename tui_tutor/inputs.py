"""Opening a file someone named: only a regular file, and never more of it than a limit.

A FIFO blocks whoever opens it, ``/dev/zero`` and ``/dev/urandom`` never end,
``/dev/stdin`` takes the terminal's keys and a folder is not a file: each is refused in
one line before a byte of it is read. The path is looked at with ``stat`` first (opening
some devices does something), then opened without blocking and looked at again through
the descriptor, so what was checked is what is read. Standard library only: the
lessons, the scenarios and the capture reader all read their files through here.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

_KINDS = [
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
]


# the most a lesson or scenario file may hold (the longest bundled lesson has 14 KiB)
TOML_LIMIT = 256 * 1024


class InputError(Exception):
    """A file that cannot be read; ``str(err)`` is one line that names it."""


def _not_regular(mode: int, label: str) -> InputError | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return InputError(f"{label}: {kind}, not a regular file")


def _os_error(err: OSError, label: str) -> InputError:
    if isinstance(err, FileNotFoundError):
        return InputError(f"{label}: no such file")
    return InputError(f"{label}: cannot read: {err.strerror or err}")


def open_regular(path: str | Path, label: str | None = None) -> BinaryIO:
    """``path`` opened for binary reading, if it is a regular file; else ``InputError``."""
    label = str(path) if label is None else label
    try:
        refused = _not_regular(os.stat(path).st_mode, label)
        if refused:
            raise refused
        # O_NONBLOCK: if a FIFO took the file's place since the stat, opening it returns
        # at once instead of waiting for a writer; fstat below refuses it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as err:
        raise _os_error(err, label) from None
    try:
        refused = _not_regular(os.fstat(fd).st_mode, label)
        if refused:
            raise refused
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_limited(path: str | Path, limit: int, label: str | None = None) -> bytes:
    """The whole of a regular file of at most ``limit`` bytes; else ``InputError``."""
    label = str(path) if label is None else label
    with open_regular(path, label) as f:
        try:
            data = f.read(limit + 1)  # one more: a file that grew past the limit shows it
        except OSError as err:
            raise _os_error(err, label) from None
    if len(data) > limit:
        raise InputError(f"{label}: larger than {_size(limit)}, the most such a file may have")
    return data


def _size(count: int) -> str:
    if count % (1 << 20) == 0:
        return f"{count >> 20} MiB"
    return f"{count >> 10} KiB" if count % 1024 == 0 else f"{count} bytes"
