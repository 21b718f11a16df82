"""What this machine lets live mode do: Linux or not, and which privileges the process has.

Live mode needs no privilege to read states (``TCP_INFO`` and sock_diag answer any
user). Capturing segments on ``lo`` needs CAP_NET_RAW (an AF_PACKET socket), and
being the wire (holding, dropping and delivering segments one at a time) needs
CAP_NET_ADMIN and ``iptables`` (an NFQUEUE rule). Root has both.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass

CAP_NET_ADMIN = 12
CAP_NET_RAW = 13
# root's PATH has these; a learner's PATH may not, and iptables lives there
SBIN = "/usr/local/sbin:/usr/sbin:/sbin"


def not_linux() -> str | None:
    """A one-line reason live mode cannot run here, or None on Linux."""
    if sys.platform.startswith("linux"):
        return None
    return (
        f"live mode needs Linux (this is {sys.platform}): it asks the Linux kernel's TCP "
        "for its states"
    )


def effective_capabilities() -> int:
    """The CapEff bit mask of this process (0 when it cannot be read)."""
    try:
        with open("/proc/self/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    return int(line.split()[1], 16)
    except (OSError, ValueError):
        pass
    return 0


def tool(name: str) -> str | None:
    """The path of an administration tool such as iptables, also outside a user's PATH."""
    path = os.environ.get("PATH", "")
    return shutil.which(name, path=f"{path}:{SBIN}" if path else SBIN)


@dataclass(frozen=True)
class Abilities:
    """What this process may do; ``why_not`` says what it may not and why (``words.NOTES``)."""

    capture: bool  # read segments on lo
    control: bool  # add firewall rules (loss, holding segments)
    why_not: tuple[str, ...] = ()


def abilities(caps: int | None = None, host: str = "127.0.0.1") -> Abilities:
    caps = effective_capabilities() if caps is None else caps
    capture = bool(caps >> CAP_NET_RAW & 1)
    control = bool(caps >> CAP_NET_ADMIN & 1)
    why: list[str] = [] if capture else ["no_capture_rights"]
    if not control:
        why.append("no_control_rights")
    elif tool("ip6tables" if ":" in host else "iptables") is None:
        control = False
        why.append("no_iptables")
    return Abilities(capture, control, tuple(why))


# what a learner's own account may do (``LiveSettings.use_privileges=False`` plays as one)
UNPRIVILEGED = Abilities(False, False, ("no_capture_rights", "no_control_rights"))
