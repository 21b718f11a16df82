"""The one error the capture reader raises: a bad file, said in one line.

The command line prints the message as it is and exits with status 2; the app
shows it in a dialog. Every message names the file, so it reads alone.
"""

from __future__ import annotations


class CaptureError(Exception):
    """A file that cannot be read as a capture. ``str(err)`` is the whole message."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def no_connections(label: str) -> str:
    """What is said of a capture that holds no TCP connection at all."""
    return f"no TCP connections in {label}"


def empty_file(label: str) -> str:
    return f"{label}: empty file, not a capture"


def not_a_capture(label: str) -> str:
    # never a byte of it: the file may be anybody's (/etc/shadow, named over SSH)
    return f"{label}: not a pcap or pcapng file"
