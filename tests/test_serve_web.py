"""``tui-tutor serve-web``: the page answers on its port and its websocket runs the tutor.

What needs a browser (drawing the page, typing in it) is not tested here; the
websocket is what the page's script talks to, so a client on it sees the same
screen bytes a browser would draw.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from tui_tutor import cli

REPO = Path(__file__).resolve().parent.parent
PICKER = "how TCP opens and closes connections"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, timeout: float = 20) -> str:
    """The page at ``url``, once the server answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def web(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "tui_tutor", "serve-web", "--port", str(port)),
            *("--data-dir", str(tmp_path / "data"), "--learner", "ada"),
        ],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield port, proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def test_the_page_answers_on_its_port_and_loads_the_app(web):
    port, _proc = web
    page = get(f"http://127.0.0.1:{port}/")
    assert "textual.js" in page, "the page loads textual-serve's terminal"
    assert f"ws://127.0.0.1:{port}/ws" in page, "and connects it to this server's app"
    assert "<div>tui-tutor</div>" in page, "named tui-tutor, not by its command line"


async def test_the_websocket_runs_the_tutor_as_the_learner(web):
    port, _proc = web
    await asyncio.to_thread(get, f"http://127.0.0.1:{port}/")
    screen = b""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=120&height=36") as ws,
    ):
        deadline = time.monotonic() + 40
        while PICKER.encode() not in screen or b"ada" not in screen:
            assert time.monotonic() < deadline, f"no picker in {screen[-300:]!r}"
            message = await ws.receive(timeout=deadline - time.monotonic())
            if message.type == aiohttp.WSMsgType.BINARY:
                screen += message.data
            elif message.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"websocket ended: {message}")


def test_sigterm_stops_the_web_server(web):
    port, proc = web
    get(f"http://127.0.0.1:{port}/")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0


def test_a_port_in_use_is_one_line(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = cli.main(["serve-web", "--port", str(port), "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err.splitlines()
    assert (status, err) == (2, [f"127.0.0.1:{port}: cannot listen: Address already in use"])
