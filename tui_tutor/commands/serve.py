"""``tui-tutor serve-ssh`` and ``tui-tutor serve-web``: the tutor for learners elsewhere."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import CommandError, add_global_options
from .app import lesson_folder


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve-ssh",
        help="serve the tutor over SSH, each learner logging in with their own key",
        description="Serve the tutor over SSH. Learners log in with a public key listed in the "
        "authorized keys file; the key's comment is the learner's name.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=2222, help="port to listen on (default 2222)")
    p.add_argument(
        "--authorized-keys",
        type=Path,
        required=True,
        metavar="FILE",
        help="OpenSSH authorized_keys file: one key per line, the learner's name as its comment",
    )
    p.add_argument(
        "--host-key",
        type=Path,
        metavar="FILE",
        help="the server's key, made on first start (default DATA_DIR/ssh_host_ed25519_key)",
    )
    add_global_options(p, "data_dir", "lessons")
    p.add_argument(
        "--max-sessions", type=int, default=50, metavar="N", help="sessions at once (default 50)"
    )
    p.add_argument(
        "--idle-timeout",
        type=float,
        default=1800,
        metavar="SECONDS",
        help="close a session after this long without a key press (default 1800)",
    )
    p.add_argument(
        "--rate-limit",
        type=int,
        default=60,
        metavar="N",
        help="new connections per client address per minute (default 60)",
    )
    p.set_defaults(handler=run_ssh)

    w = sub.add_parser(
        "serve-web",
        help="serve the tutor in a browser (no authentication: keep it on 127.0.0.1)",
        description="Serve the tutor in a browser with textual-serve. It has no authentication "
        "of its own: keep it on 127.0.0.1 or behind a proxy that authenticates.",
    )
    w.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    w.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    add_global_options(w, "data_dir", "learner", "lessons")
    w.set_defaults(handler=run_web)


def _check_common(args: argparse.Namespace) -> Path:
    """The options both servers share; returns the data folder, made and writable."""
    from ..progress import ProgressError, ProgressStore, default_data_dir

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port}: not a port number (0 to 65535)")
    lesson_folder(args.lessons)  # a missing folder or an id used twice: refused now
    data_dir = (args.data_dir or default_data_dir()).absolute()
    try:  # fail here, once, rather than in every learner's session
        ProgressStore(data_dir, "-").close()
    except ProgressError as err:
        raise CommandError(str(err)) from None
    return data_dir


def _check_port_free(host: str, port: int) -> None:
    """A port in use is one line now rather than a server that starts and then fails."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise CommandError(f"--host {host}: unknown address ({err.strerror})") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise CommandError(f"{host}:{port}: cannot listen: {err.strerror}") from None


def run_ssh(args: argparse.Namespace) -> int:
    import asyncio

    from ..serve.keys import KeyFileError, load_host_key, read_authorized_keys
    from ..serve.limits import Limits
    from ..serve.ssh import ListenError, ServeConfig, serve

    if args.max_sessions < 1:
        raise CommandError(f"--max-sessions {args.max_sessions}: must be 1 or more")
    if args.idle_timeout <= 0:
        raise CommandError(f"--idle-timeout {args.idle_timeout:g}: must be more than 0 seconds")
    if args.rate_limit < 1:
        raise CommandError(f"--rate-limit {args.rate_limit}: must be 1 or more")
    data_dir = _check_common(args)
    try:
        keys = read_authorized_keys(args.authorized_keys)
        host_key, _new = load_host_key(args.host_key or data_dir / "ssh_host_ed25519_key")
    except KeyFileError as err:
        raise CommandError(err.lines) from None
    config = ServeConfig(
        host=args.host,
        port=args.port,
        keys=keys,
        host_key=host_key,
        data_dir=data_dir,
        lessons=args.lessons.absolute() if args.lessons else None,
        limits=Limits(
            max_sessions=args.max_sessions,
            idle_timeout=args.idle_timeout,
            per_minute=args.rate_limit,
        ),
    )
    try:
        return asyncio.run(serve(config))
    except ListenError as err:
        raise CommandError(str(err)) from None


def run_web(args: argparse.Namespace) -> int:
    from ..serve.web import serve_web

    data_dir = _check_common(args)
    _check_port_free(args.host, args.port)
    try:
        serve_web(args.host, args.port, data_dir, args.learner, args.lessons)
    except OSError as err:
        raise CommandError(f"{args.host}:{args.port}: cannot listen: {err.strerror}") from None
    return 0
