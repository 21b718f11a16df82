"""``tui-tutor serve-web``: the tutor in a browser through textual-serve.

textual-serve starts the same app command for every browser tab and relays it
over a websocket. It has no authentication of its own: anyone who can reach
the port plays as ``--learner``, so it listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from .pty import tutor_command


def web_command(data_dir: Path, learner: str | None = None, lessons: Path | None = None) -> str:
    """The shell command textual-serve runs per browser tab."""
    from ..progress import default_learner

    return shlex.join(tutor_command(learner or default_learner(), data_dir, lessons))


def serve_web(
    host: str, port: int, data_dir: Path, learner: str | None = None, lessons: Path | None = None
) -> None:
    """Serve until Ctrl-C or SIGTERM."""
    from textual_serve.server import Server

    Server(web_command(data_dir, learner, lessons), host=host, port=port, title="tui-tutor").serve()
