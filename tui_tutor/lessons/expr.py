"""Sequence-number answers as learners type them: ``x+1``, ``y + 1``, ``1001``, ``１``.

``x`` is the client's ISN and ``y`` the server's. A plain number is read as the
display shows numbers: relative to the ISN of the side it counts from (the
sender's for seq, the receiver's for ack), or absolute. Full-width digits and
signs, as a Chinese input method types them, are accepted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..engine import MODULUS, relative
from . import explain

_WHOLE = re.compile(r"[+-]?(?:x|y|\d+)(?:[+-](?:x|y|\d+))*")
_TERM = re.compile(r"([+-]?)(x|y|\d+)")


class BadExpression(ValueError):
    """An answer that cannot be read; ``text(lang)`` says why in the learner's language."""

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(explain.phrase(key, "en", **values))

    def text(self, lang: str) -> str:
        return explain.phrase(self.key, lang, **self.values)


@dataclass(frozen=True)
class Expression:
    """``symbol + offset``; symbol is "x", "y" or "" for a plain number."""

    symbol: str
    offset: int

    def value(self, x: int | None, y: int | None, base: int | None) -> int:
        """The absolute sequence number; ``base`` is the ISN a plain number counts from."""
        if self.symbol == "x":
            start = x
        elif self.symbol == "y":
            start = y
        else:
            start = base
        if start is None and self.symbol:
            raise BadExpression("e_symbol_unknown", sym=self.symbol)
        return ((start or 0) + self.offset) % MODULUS

    def __str__(self) -> str:
        if not self.symbol:
            return str(self.offset)
        if self.offset == 0:
            return self.symbol
        return f"{self.symbol}{self.offset:+d}"


def parse(text: str | int) -> Expression:
    """Parse ``x+1``, ``y``, ``1001``, ``x+1-1``: at most one x or y, added, plus numbers."""
    if isinstance(text, int):
        return Expression("", text)
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower())
    if not cleaned:
        raise BadExpression("e_empty")
    if any(len(digits) > 20 for digits in re.findall(r"\d+", cleaned)):
        raise BadExpression("e_digits", text=text.strip()[:20])
    if not _WHOLE.fullmatch(cleaned):
        raise BadExpression("e_unreadable", text=text.strip())
    symbol, offset = "", 0
    for sign, term in _TERM.findall(cleaned):
        if term in ("x", "y"):
            if symbol or sign == "-":
                raise BadExpression("e_symbol_once", text=text.strip())
            symbol = term
        else:
            offset += -int(term) if sign == "-" else int(term)
    return Expression(symbol, offset)


def symbolic(value: int, x: int | None, y: int | None, prefer: str) -> str:
    """Write an absolute number as ``x+n`` / ``y+n`` (``prefer`` is the ISN it counts from)."""
    base = x if prefer == "x" else y
    if base is None:
        return str(value)
    delta = relative(value, base)
    if delta == 0:
        return prefer
    if delta < MODULUS // 2:
        return f"{prefer}+{delta}"
    return f"{prefer}-{MODULUS - delta}"
