"""Subcommands of ``tui-tutor``, one module each, and the error they all raise."""

from __future__ import annotations


class CommandError(Exception):
    """Bad input: each line is printed to stderr as is; the process exits with ``status``."""

    def __init__(self, lines: list[str] | str, status: int = 2) -> None:
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        self.status = status
        super().__init__("\n".join(self.lines))
