"""Removes the firewall rules of a live run whose process died without removing them.

Started by ``firewall.py`` as a separate process in its own session (so Ctrl+C in
the terminal does not reach it) with a pipe from the live run on its stdin. The
run writes one line per rule it adds (``+ ["iptables", "-w", "-D", ...]``: the
command that removes it) and per rule it removes itself (``- [...]``), then
``done``. If the pipe closes without ``done`` (the run was killed, even by
SIGKILL, or crashed), this runs the commands of the rules still listed.

Standard library only and run as a script, so it starts fast and needs nothing
of the package. Its one argument, the rules' comment tag, only names it in ``ps``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    left: list[list[str]] = []
    for line in sys.stdin:
        sign, _, rest = line.strip().partition(" ")
        if sign == "done":
            return 0
        command = json.loads(rest)
        if sign == "+":
            left.append(command)
        elif sign == "-" and command in left:
            left.remove(command)
    for command in reversed(left):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
