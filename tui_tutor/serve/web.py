"""``tui-tutor serve-web``: the tutor in a browser through textual-serve.

textual-serve starts the same app command for every browser tab and relays it
over a websocket. It has no authentication of its own: anyone who can reach
the port plays as ``--learner``, so it listens on 127.0.0.1 unless told
otherwise (``--public``). Every request must name this server in its Host
header and, when a browser sends one, its Origin: a page on another site cannot
drive the tutor from the learner's browser, nor can a name of theirs that
resolves to 127.0.0.1 (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import logging
import shlex
import socket
from pathlib import Path
from urllib.parse import urlsplit

from .pty import tutor_command

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"", "0.0.0.0", "::"})

log = logging.getLogger("tui-tutor.serve-web")


def is_loopback(host: str) -> bool:
    """True if every address ``host`` names is this machine's loopback."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    if host in WILDCARDS:
        return False
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


def served_names(host: str) -> frozenset[str]:
    """The names a browser may use for this server: the address it listens on, the
    loopback names when that is loopback, this machine's names when it is every address."""
    names = {host.lower().rstrip(".")}
    if is_loopback(host) or host in WILDCARDS:
        names |= LOOPBACK_NAMES
    if host in WILDCARDS:
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        try:
            infos = socket.getaddrinfo(socket.gethostname(), None, type=socket.SOCK_STREAM)
            names |= {str(info[4][0]) for info in infos}
        except OSError:
            pass
    return frozenset(names - WILDCARDS)


def split_host(value: str, default_port: int) -> tuple[str, int] | None:
    """``name:port`` (or ``[v6]:port``, or a name alone) from a Host header; None if bad."""
    try:
        parts = urlsplit(f"//{value}")
        port = parts.port or default_port
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.path:
        return None
    return parts.hostname.rstrip("."), port


def web_command(
    data_dir: Path,
    learner: str | None = None,
    lessons: Path | None = None,
    captures: Path | None = None,
) -> str:
    """The shell command textual-serve runs per browser tab."""
    from ..progress import default_learner

    command = tutor_command(learner or default_learner(), data_dir, lessons, captures=captures)
    return shlex.join(command)


def make_server(command: str, host: str, port: int, public_url: str | None = None):
    """textual-serve's server, with Host and Origin checked on every request."""
    from aiohttp import web
    from textual_serve.server import Server

    names = served_names(host)
    allowed = {(name, port) for name in names}
    if public_url:
        parts = urlsplit(public_url)
        default = 443 if parts.scheme == "https" else 80
        if parts.hostname:
            allowed.add((parts.hostname.lower(), parts.port or default))

    class GuardedServer(Server):
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(guard)
            return app

        async def handle_index(self, request: web.Request):
            if public_url is None:  # the page's websocket goes back to the name it came by
                self.public_url = f"http://{request.host}"
            return await super().handle_index(request)

    @web.middleware
    async def guard(request: web.Request, handler):
        host = split_host(request.headers.get("Host", ""), 80)
        if host is None or (host[0].lower(), host[1]) not in allowed:
            log.warning("refused: Host %r is not this server", request.headers.get("Host", ""))
            raise web.HTTPForbidden(text="tui-tutor: this server does not answer to that name\n")
        origin = request.headers.get("Origin")
        if origin is not None:
            parts = urlsplit(origin)
            default = 443 if parts.scheme == "https" else 80
            try:
                where = ((parts.hostname or "").lower(), parts.port or default)
            except ValueError:
                where = ("", 0)
            if parts.scheme not in ("http", "https") or where not in allowed:
                log.warning("refused: Origin %r is not this server", origin)
                raise web.HTTPForbidden(text="tui-tutor: pages of other sites may not use it\n")
        return await handler(request)

    return GuardedServer(command, host=host, port=port, title="tui-tutor", public_url=public_url)


def serve_web(
    host: str,
    port: int,
    data_dir: Path,
    learner: str | None = None,
    lessons: Path | None = None,
    captures: Path | None = None,
    public_url: str | None = None,
) -> None:
    """Serve until Ctrl-C or SIGTERM."""
    command = web_command(data_dir, learner, lessons, captures)
    make_server(command, host, port, public_url).serve()
