"""The firewall rules of one live run: added on the run's own ports only, always removed.

Two kinds of rule, both in INPUT (after the capture on ``lo`` has seen the
segment, so a dropped segment is in the capture, as a lost one is in the
engine's trace): a *queue* rule hands every segment between the run's two ports
to our NFQUEUE (``nfqueue.py``), and *drop-first* rules drop the first segment
matching them (for kernels without NFQUEUE, and for the recorders in
``tests/``). Each rule carries a comment naming this process, matches only the
run's addresses and ports, and is removed by ``close`` (a ``with`` block's end,
also on Ctrl+C); a guardian process (``guardian.py``) removes what is left if the
process is killed.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from .system import tool

GUARDIAN = Path(__file__).with_name("guardian.py")


class FirewallError(Exception):
    """A rule could not be added: one line saying which and why."""


def queue_rule(host: str, ports: tuple[int, int], queue: int) -> list[str]:
    """Every segment between the two ports, both ways, to NFQUEUE ``queue``."""
    both = f"{ports[0]},{ports[1]}"
    return [
        *_between(host),
        "-m", "multiport", "--sports", both,
        "-m", "multiport", "--dports", both,
        "-j", "NFQUEUE", "--queue-num", str(queue), "--queue-bypass",
    ]  # fmt: skip


def drop_first_rule(host: str, match: list[str]) -> list[str]:
    """Drop the first segment that matches ``match`` (e.g. ``--sport 40000 --dport 40001``)."""
    return [
        *_between(host),
        *match,
        "-m", "statistic", "--mode", "nth", "--every", "1000000000", "--packet", "0",
        "-j", "DROP",
    ]  # fmt: skip


def _between(host: str) -> list[str]:
    return ["-s", host, "-d", host, "-p", "tcp"]


class Firewall:
    """Adds rules and removes every one of them in ``close``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        name = "ip6tables" if ":" in host else "iptables"
        self.command = tool(name)
        if self.command is None:
            raise FirewallError(f"{name} not found")
        self.tag = f"tui-tutor-live:{os.getpid()}:{secrets.token_hex(4)}"
        self.rules: list[list[str]] = []  # the commands that remove them
        self._guardian: subprocess.Popen | None = None

    def add(self, rule: list[str]) -> None:
        spec = ["INPUT", *rule, "-m", "comment", "--comment", self.tag]
        remove = [str(self.command), "-w", "-D", *spec]
        self._tell("+", remove)  # first, so that a kill right after the rule is covered
        done = subprocess.run(
            [str(self.command), "-w", "-I", *spec], capture_output=True, text=True, timeout=30
        )
        if done.returncode != 0:
            self._tell("-", remove)
            reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
            raise FirewallError(f"iptables: {reason}")
        self.rules.append(remove)

    def close(self) -> None:
        """Remove every rule this run added; tell the guardian it may go."""
        for remove in reversed(self.rules):
            subprocess.run(remove, capture_output=True, timeout=30)
            self._tell("-", remove)
        self.rules.clear()
        if self._guardian is not None:
            try:
                assert self._guardian.stdin is not None
                self._guardian.stdin.write("done\n")
                self._guardian.stdin.close()
            except OSError:
                pass
            self._guardian.wait(timeout=10)
            self._guardian = None

    def __enter__(self) -> Firewall:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tell(self, sign: str, command: list[str]) -> None:
        if self._guardian is None:
            self._guardian = subprocess.Popen(
                [sys.executable, str(GUARDIAN), self.tag],  # the tag: to tell whose it is
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
                start_new_session=True,  # Ctrl+C and a kill of our process group spare it
            )
        assert self._guardian.stdin is not None
        self._guardian.stdin.write(f"{sign} {json.dumps(command)}\n")
        self._guardian.stdin.flush()
