"""Who may log in over SSH (an authorized_keys file) and the server's own host key.

Each line of the authorized_keys file is ``TYPE BASE64 COMMENT`` as OpenSSH
writes it; the comment names the learner the key logs in as. Lines with
OpenSSH key options (``from=...``, ``restrict``) are refused rather than
silently ignored, since an option there would promise a restriction the server
does not apply. Every bad line is reported at once, each naming the file and line.

Two lines whose comments differ but name the same learner (``ada`` and ``Ada``,
``Ada Lovelace`` and ``Ada/Lovelace``, ``ada`` and ``ada`` with an invisible
character) would let one person play as another, so they stop the server;
one learner's several keys are listed under exactly the same comment.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from ..inputs import InputError, read_limited

MAX_NAME = 64
# a key line is at most about 750 bytes (RSA 4096 with a long name): room for thousands
AUTHORIZED_KEYS_LIMIT = 4 << 20
HOST_KEY_LIMIT = 64 << 10  # a private key in OpenSSH's format is a few KiB
# what OpenSSH writes as the first word of a public key line
KEY_TYPE = re.compile(r"^(ssh-|ecdsa-sha2-|sk-ssh-|sk-ecdsa-)[A-Za-z0-9@.-]+$")


class KeyFileError(Exception):
    """A key file cannot be used; ``lines`` says why, one problem per line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


# Unicode's Default_Ignorable_Code_Point: characters that draw as nothing at all
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def learner_id(name: str) -> str:
    """A key comment as a learner id: letters and digits of any script, ``.``, ``_``, ``-``, ``@``.

    Invisible characters go first, then NFKC folds look-alike forms (full-width
    letters, ligatures) into one spelling; anything else (spaces, control
    characters, slashes) becomes one ``-`` so that "Ada Lovelace" stays readable
    in the log and the report.
    """
    name = unicodedata.normalize("NFKC", INVISIBLE.sub("", name))
    name = INVISIBLE.sub("", name)  # NFKC can make some (a compatibility form of one)
    out: list[str] = []
    for ch in name:
        if ch.isalnum() or ch in "._-@":
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-.")[:MAX_NAME]


def same_learner(name: str) -> str:
    """What two learner ids must differ in to be two learners: not case, not ``-`` runs."""
    return re.sub(r"[-._]+", "-", name.casefold())


@dataclass(frozen=True)
class AuthorizedKeys:
    """The keys that may log in, each to the learner its comment names."""

    path: Path
    learners: dict[bytes, str]  # the key's public blob -> learner id

    def learner(self, key: asyncssh.SSHKey) -> str | None:
        return self.learners.get(key.public_data)

    @property
    def names(self) -> list[str]:
        return sorted(set(self.learners.values()))


def read_authorized_keys(path: Path) -> AuthorizedKeys:
    """Read ``path``; every problem in it comes back at once as ``KeyFileError``."""
    if not path.exists():
        raise KeyFileError([f"{path}: no such authorized keys file"])
    try:
        # only a regular file, and only so much of it: a FIFO, /dev/zero or a file of
        # gigabytes named here must not hang the server or fill its memory
        data = read_limited(path, AUTHORIZED_KEYS_LIMIT, f"{path} (authorized keys)")
        # utf-8-sig: a file saved by Notepad starts with a byte order mark
        text = data.decode("utf-8-sig")
    except InputError as err:
        raise KeyFileError([str(err)]) from None
    except UnicodeDecodeError as err:
        raise KeyFileError(
            [f"{path}: cannot read the authorized keys file: not UTF-8 at byte {err.start}"]
        ) from None
    learners: dict[bytes, str] = {}
    named: dict[str, tuple[str, str]] = {}  # same_learner(id) -> (line, comment) naming it first
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path}:{number}"
        words = line.split(None, 2)
        if not KEY_TYPE.match(words[0]):
            problems.append(
                f"{where}: key options such as {words[0].split(',')[0]!r} are not supported;"
                " write the line as TYPE KEY NAME"
            )
            continue
        if len(words) < 2:
            problems.append(f"{where}: {words[0]} has no key after it")
            continue
        try:
            key = asyncssh.import_public_key(f"{words[0]} {words[1]}")
        except (asyncssh.KeyImportError, ValueError) as err:
            problems.append(f"{where}: not a public key ({err})")
            continue
        comment = words[2].strip() if len(words) > 2 else ""
        if not comment:
            problems.append(
                f"{where}: the key has no comment; put the learner's name after the key"
            )
            continue
        name = learner_id(comment)
        if not name:
            problems.append(f"{where}: {comment!r} has no letters or digits to name a learner")
            continue
        first_where, first_comment = named.setdefault(same_learner(name), (where, comment))
        if first_comment != comment:
            problems.append(
                f"{first_where} {first_comment!r} and {where} {comment!r} are one learner"
                f" ({name!r}); give each learner their own name, or write exactly the same"
                " comment on both lines if they are one learner's keys"
            )
            continue
        other = learners.get(key.public_data)
        if other is not None and other != name:
            problems.append(f"{where}: this key is already listed for {other!r}")
            continue
        learners[key.public_data] = name
    if problems:
        raise KeyFileError(problems)
    if not learners:
        raise KeyFileError([f"{path}: no keys in the authorized keys file"])
    return AuthorizedKeys(path, learners)


def load_host_key(path: Path) -> tuple[asyncssh.SSHKey, bool]:
    """The host key kept at ``path``, made on first start (mode 0600). True if it is new."""
    if path.exists():
        try:
            data = read_limited(path, HOST_KEY_LIMIT, f"{path} (host key)")
            return asyncssh.import_private_key(data), False
        except InputError as err:
            raise KeyFileError([str(err)]) from None
        except (asyncssh.KeyImportError, ValueError) as err:
            raise KeyFileError([f"{path}: cannot read the host key: {err}"]) from None
    key = asyncssh.generate_private_key("ssh-ed25519", comment="tui-tutor host key")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two servers started at once must not overwrite each other's key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key.export_private_key())
        path.with_name(path.name + ".pub").write_bytes(key.export_public_key())
    except OSError as err:
        raise KeyFileError([f"{path}: cannot write the host key: {err.strerror}"]) from None
    return key, True


def host_key_exposed(path: Path) -> str | None:
    """A warning if users other than the owner may read or change the host key (whoever
    reads it can pose as this server), or None."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if mode & 0o077 == 0:
        return None
    return f"warning: {path} is open to other users (mode {mode:04o}); run: chmod 600 {path}"
