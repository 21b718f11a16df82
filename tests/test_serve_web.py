"""``tui-tutor serve-web``: the page answers on its port and its websocket runs the tutor.

The page itself is loaded in a real headless Chromium (``browser.py``): the
terminal appears, shows the picker, and keys typed into the page reach the tutor.
The other tests talk to the websocket directly, as the page's script does.
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
from browser import CHROMIUM, Browser

from tui_tutor import cli

REPO = Path(__file__).resolve().parent.parent
PICKER = "how TCP opens and closes connections"
PICKER_ZH = "TCP 如何建立和关闭连接"


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


async def test_the_websocket_runs_the_tutor_as_the_learner_served(web, tmp_path):
    port, _proc = web
    await asyncio.to_thread(get, f"http://127.0.0.1:{port}/")
    screen = b""
    url = f"ws://127.0.0.1:{port}/ws?width=120&height=36"
    origin = f"http://localhost:{port}"  # as a browser says it: the name the page came by
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, headers={"Origin": origin}) as ws,
    ):
        deadline = time.monotonic() + 40
        while PICKER.encode() not in screen or b"ada" not in screen:
            assert time.monotonic() < deadline, f"no picker in {screen[-300:]!r}"
            message = await ws.receive(timeout=deadline - time.monotonic())
            if message.type == aiohttp.WSMsgType.BINARY:
                screen += message.data
            elif message.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"websocket ended: {message}")
        (app,) = apps_under(tmp_path / "data")
        assert "--served" in app, "the tutor knows it is served: no path of this machine is typed"


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt install chromium)")
async def test_in_a_browser_the_page_shows_the_picker_and_keys_reach_the_tutor(web):
    port, _proc = web
    await asyncio.to_thread(get, f"http://127.0.0.1:{port}/")
    async with Browser() as browser:
        await browser.open(f"http://localhost:{port}/")
        await browser.find_terminal()
        await browser.wait_for(PICKER, "learner: ada")
        await browser.focus()
        await browser.type("l")
        await browser.wait_for(PICKER_ZH)
        await browser.type("l")
        await browser.wait_for(PICKER)
        await browser.type("enter")  # the first lesson
        await browser.wait_for("step 1/")


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


# ---------------------------------------------------------------- other sites, other names


async def status_of(port: int, path: str = "/", **headers: str) -> int:
    url = f"http://127.0.0.1:{port}{path}"
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status


async def websocket_refused(port: int, **headers: str) -> int:
    """The HTTP status the websocket handshake got (it must not have run the tutor)."""
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(f"ws://127.0.0.1:{port}/ws", headers=headers)
    return refused.value.status


async def test_a_name_that_is_not_this_server_is_refused(web):
    """DNS rebinding: a name of the attacker's that resolves to 127.0.0.1."""
    port, _proc = web
    await asyncio.to_thread(get, f"http://127.0.0.1:{port}/")
    assert await status_of(port, Host=f"rebind.example:{port}") == 403
    assert await status_of(port, "/static/js/textual.js", Host=f"rebind.example:{port}") == 403
    assert await websocket_refused(port, Host=f"rebind.example:{port}") == 403
    assert await status_of(port, Host=f"127.0.0.1:{port + 1}") == 403, "another port is not it"
    assert await status_of(port, Host=f"localhost:{port}") == 200


async def test_a_page_of_another_site_cannot_drive_the_tutor(web):
    port, _proc = web
    await asyncio.to_thread(get, f"http://127.0.0.1:{port}/")
    assert await websocket_refused(port, Origin="http://evil.example") == 403
    assert await websocket_refused(port, Origin=f"http://evil.example:{port}") == 403
    assert await websocket_refused(port, Origin="null") == 403


def apps_under(data_dir: Path) -> list[list[str]]:
    """The command lines of the tutor apps whose progress goes to ``data_dir``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().decode().split("\0")
        except (OSError, UnicodeDecodeError):
            continue
        if "--learner" in argv and str(data_dir) in argv and "serve-web" not in argv:
            found.append(argv)
    return found


def test_a_host_beyond_loopback_needs_public(tmp_path):
    done = subprocess.run(
        [
            *(sys.executable, "-m", "tui_tutor", "serve-web", "--host", "0.0.0.0"),
            *("--port", str(free_port()), "--data-dir", str(tmp_path)),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "--host 0.0.0.0: not a loopback address; serve-web has no authentication, so anyone "
        "who reaches it would play: add --public if that is what you want"
    ]


def test_public_serves_beyond_loopback_with_a_warning(tmp_path, capsys, monkeypatch):
    served = []
    monkeypatch.setattr("tui_tutor.serve.web.serve_web", lambda *args: served.append(args))
    port = free_port()
    argv = ["serve-web", "--host", "0.0.0.0", "--public", "--port", str(port)]
    assert cli.main([*argv, "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"warning: serving on 0.0.0.0 without authentication: anyone who reaches port {port} "
        "plays as the learner"
    ]
    assert served and served[0][:2] == ("0.0.0.0", port)
