"""English words left in Chinese text: shared by the tests of feedback and of screens."""

from __future__ import annotations

import re

# What stays as it is in Chinese text: the RFC's names of states, flags and variables, and
# every other name in capitals (ISN, MSL, RFC, TLS, SND.NXT, a misspelt LASK_ACK quoted to be
# corrected), code (`ss -tan`, close(), "Connection refused") and seq=/ack= notation, as Chinese
# textbooks write them; a few names and units written the same in Chinese, and "SYN cookie",
# which Chinese texts leave in English. Words in lower case are English.
NAMES_KEPT = {"Linux", "netstat", "Web", "GiB", "Gbit", "cookie", "IPsec"}
# Socket calls and their arguments, named as in code even in Chinese prose.
NAMES_KEPT |= {"shutdown", "accept", "backlog"}
_CODE = re.compile(r"`[^`]*`|\b\w+\([^)]*\)|\"[ -~]*\"|“[ -~]*”|\b(?:seq|ack|len)\s*=")
_WORD = re.compile(r"[A-Za-z][A-Za-z_.0-9-]*[A-Za-z0-9]")
_CAPITALS = re.compile(r"[A-Z0-9_.-]+")


def english_words(text: str) -> list[str]:
    """Words of two letters or more that are English (code, quotes and capitals aside)."""
    text = _CODE.sub(" ", text)
    return [
        w
        for w in _WORD.findall(text)
        # snake_case is a name from code (the sysctl tcp_fin_timeout), left as it is
        if not _CAPITALS.fullmatch(w) and w not in NAMES_KEPT and "_" not in w
    ]
