"""A headless Chromium driven over the Chrome DevTools Protocol, for the serve-web tests.

Debian's ``chromium`` package is the browser; the protocol is JSON over a
websocket (aiohttp, which textual-serve already needs), so there is no driver to
download. The browser reaches nothing but loopback: every other host name fails
to resolve (the page asks for a web font).

textual-serve draws the terminal with xterm.js on a canvas, so the screen is not
in the page's DOM. ``screen_text`` reads xterm.js's own buffer, the rows its
renderer draws: the page keeps its terminal in a closure, so the xterm module is
found through ``window.onresize`` (a closure of textual.js) and the live terminal
among the objects of its class (``Runtime.queryObjects``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
    "--window-size=1200,800",
    # loopback only: the page's web font (fonts.googleapis.com) is never fetched
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)

# the xterm.js terminal on the page, kept as window.__tutorTerminal once found
FIND_TERMINAL = "function () { window.__tutorTerminal = this[0]; return this.length; }"
SCREEN_TEXT = """(() => {
    const t = window.__tutorTerminal, rows = [];
    for (let y = 0; y < t.rows; y++) {
        const line = t.buffer.active.getLine(t.buffer.active.viewportY + y);
        rows.push(line ? line.translateToString(true) : "");
    }
    return rows.join("\\n");
})()"""

KEYS = {  # key name: (DOM key, Windows key code, text)
    "enter": ("Enter", 13, "\r"),
    "down": ("ArrowDown", 40, ""),
    "escape": ("Escape", 27, ""),
}


class BrowserError(Exception):
    pass


class Browser:
    """One headless Chromium with one page, in a fresh profile folder."""

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="tui-tutor-chromium-"))
        self.proc: subprocess.Popen | None = None
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)

    async def __aenter__(self) -> Browser:
        assert CHROMIUM is not None
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: all of it ends with it
        )
        try:
            port = await self._devtools_port()
            self.session = aiohttp.ClientSession()
            async with self.session.get(f"http://127.0.0.1:{port}/json/list") as response:
                targets = await response.json()
            page = next(t for t in targets if t["type"] == "page")
            self.ws = await self.session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def _devtools_port(self, timeout: float = 60) -> int:
        """Chromium writes the port it chose into the profile folder."""
        found = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise BrowserError(f"chromium exited with status {self.proc.returncode}")
            with contextlib.suppress(OSError, ValueError, IndexError):
                return int(found.read_text().split()[0])
            await asyncio.sleep(0.1)
        raise BrowserError(f"chromium did not start within {timeout}s")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.session is not None:
            await self.session.close()
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)

    async def send(self, method: str, **params: object) -> dict:
        """One protocol command; its result (events in between are dropped)."""
        assert self.ws is not None
        number = next(self._ids)
        await self.ws.send_json({"id": number, "method": method, "params": params})
        while True:
            message = await self.ws.receive_json()
            if message.get("id") == number:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message["result"]

    async def evaluate(self, expression: str) -> object:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]}: {result['exceptionDetails']['text']}")
        return result["result"].get("value")

    async def open(self, url: str) -> None:
        await self.send("Page.enable")
        await self.send("Page.navigate", url=url)

    # ------------------------------------------------------------ the page's terminal

    async def find_terminal(self, timeout: float = 60) -> None:
        """Wait until textual.js has made its terminal, and keep hold of it."""
        deadline = time.monotonic() + timeout
        while not await self.evaluate("typeof window.onresize === 'function'"):
            if time.monotonic() > deadline:
                raise BrowserError("the page made no terminal")
            await asyncio.sleep(0.2)
        handler = await self.send("Runtime.evaluate", expression="window.onresize")
        terminal_class = await self._in_closures(handler["result"]["objectId"], "Terminal")
        prototype = await self.send(
            "Runtime.callFunctionOn",
            objectId=terminal_class,
            functionDeclaration="function () { return this.prototype; }",
        )
        found = await self.send(
            "Runtime.queryObjects", prototypeObjectId=prototype["result"]["objectId"]
        )
        count = await self.send(
            "Runtime.callFunctionOn",
            objectId=found["objects"]["objectId"],
            functionDeclaration=FIND_TERMINAL,
            returnByValue=True,
        )
        if count["result"]["value"] != 1:
            raise BrowserError(f"{count['result']['value']} terminals on the page, not 1")

    async def _in_closures(self, function: str, name: str) -> str:
        """The object id of ``something.NAME`` for a variable in ``function``'s closures."""
        internal = await self.send("Runtime.getProperties", objectId=function)
        (scopes,) = [p for p in internal["internalProperties"] if p["name"] == "[[Scopes]]"]
        listed = await self.send(
            "Runtime.getProperties", objectId=scopes["value"]["objectId"], ownProperties=True
        )
        for scope in listed["result"]:
            if scope["value"].get("description") != "Closure":
                continue
            variables = await self.send(
                "Runtime.getProperties", objectId=scope["value"]["objectId"], ownProperties=True
            )
            for variable in variables["result"]:
                value = variable.get("value", {})
                if "objectId" not in value:
                    continue
                members = await self.send(
                    "Runtime.getProperties", objectId=value["objectId"], ownProperties=True
                )
                for member in members["result"]:
                    if member["name"] == name and "objectId" in member.get("value", {}):
                        return member["value"]["objectId"]
        raise BrowserError(f"no {name} in the closures of the page's script")

    async def screen_text(self) -> str:
        return str(await self.evaluate(SCREEN_TEXT))

    async def wait_for(self, *texts: str, timeout: float = 40) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = await self.screen_text()
            if all(text in shown for text in texts):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{texts} not on the page within {timeout}s; it shows:\n{shown}"
                )
            await asyncio.sleep(0.2)

    async def focus(self) -> None:
        """Keys go to the terminal from now on (a click would do it too, and the tutor
        would take the click: it opens the lesson under the mouse)."""
        await self.evaluate("window.__tutorTerminal.focus()")

    async def type(self, key: str) -> None:
        """A key pressed on the page, as a learner's keyboard sends it: a named key from
        ``KEYS`` or one character."""
        dom_key, code, text = KEYS[key] if key in KEYS else (key, ord(key.upper()), key)
        event = {"key": dom_key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
        await self.send("Input.dispatchKeyEvent", type="keyDown", text=text, **event)
        await self.send("Input.dispatchKeyEvent", type="keyUp", **event)
