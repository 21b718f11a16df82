"""A closed terminal ends the tutor, even when no SIGHUP comes to say so.

Closing a terminal window (or its tmux session) hangs the terminal up, and the kernel tells
only the session's leader. Under ``make run`` that leader is make, which dies of it and
passes nothing on: the tutor lived on without a terminal, and Textual's input thread,
reading end-of-file there again and again, took half a core until someone killed it. A
hung-up terminal answers every request with EIO, so one look a second finds it gone.
"""

from __future__ import annotations

import errno
import os
import sys
import termios

EVERY = 1.0  # seconds between looks


def terminal() -> int | None:
    """The descriptor of the terminal the app reads keys from, if it runs on one."""
    stdin = sys.__stdin__  # where Textual's driver reads
    try:
        fd = stdin.fileno() if stdin is not None else -1
    except (ValueError, OSError):
        return None
    return fd if fd >= 0 and os.isatty(fd) else None


def hung_up(fd: int) -> bool:
    try:
        termios.tcgetattr(fd)
    except termios.error as err:
        return bool(err.args) and err.args[0] == errno.EIO
    return False
