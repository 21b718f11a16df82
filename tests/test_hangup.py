"""A tutor whose terminal is closed ends, even when no SIGHUP reaches it (run under make)."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest


def _read_until(fd: int, word: bytes, seconds: float) -> bytes:
    seen = b""
    end = time.monotonic() + seconds
    while word not in seen and time.monotonic() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux terminals")
def test_closing_the_terminal_ends_the_tutor_without_a_sighup(tmp_path):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    # SIGHUP ignored, as make (the session's leader) leaves the tutor under it: only the
    # terminal itself can tell the tutor it is gone
    app = subprocess.Popen(
        [sys.executable, "-m", "tui_tutor", "--data-dir", str(tmp_path), "--learner", "ada"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    os.close(slave)
    try:
        assert b"ada" in _read_until(master, b"ada", 60), "the picker never showed"
        os.close(master)  # the window closes
        master = -1
        try:
            app.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail("the tutor lives on without its terminal")
    finally:
        if master >= 0:
            os.close(master)
        if app.poll() is None:
            app.kill()
            app.wait()
