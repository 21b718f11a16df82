"""``tui-tutor serve-ssh`` and ``tui-tutor serve-web``: the tutor for learners elsewhere."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from . import DATABASE_ENV, CommandError, add_global_options, database_url
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
    add_global_options(p, "data_dir", "database", "lessons")
    add_global_options(
        p, "captures", help="the folder whose captures learners may open with o (default: none)"
    )
    add_global_options(
        p, "exam", help="give learners this exam (a .toml exam file) instead of the lessons"
    )
    p.add_argument(
        "--max-sessions", type=int, default=50, metavar="N", help="sessions at once (default 50)"
    )
    p.add_argument(
        "--max-sessions-per-learner",
        type=int,
        default=2,
        metavar="N",
        help="sessions at once of one learner (default 2)",
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
    p.add_argument(
        "--allow-live",
        action="store_true",
        help="let learners play lessons on this machine's kernel (live mode, k); off by default",
    )
    p.add_argument(
        "--keepalive",
        type=float,
        default=100,
        metavar="SECONDS",
        help="disconnect a client that answers nothing for this long (default 100)",
    )
    p.add_argument(
        "--session-memory",
        type=int,
        default=1024,
        metavar="MB",
        help="address space each session's tutor may use, in MiB (default 1024)",
    )
    p.add_argument(
        "--cpu-per-learner",
        type=float,
        default=0.5,
        metavar="CORES",
        help="CPU one learner's sessions may use on average, in cores (default 0.5)",
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
    add_global_options(w, "data_dir", "database", "learner", "lessons")
    add_global_options(
        w, "captures", help="the folder whose captures the learner may open with o (default: none)"
    )
    w.add_argument(
        "--public",
        action="store_true",
        help="allow --host beyond loopback: anyone who reaches it plays, unauthenticated",
    )
    w.add_argument(
        "--public-url",
        metavar="URL",
        help="the address learners open, when it is not --host:--port (a reverse proxy)",
    )
    w.set_defaults(handler=run_web)


def _positive(option: str, value: float, unit: str = "") -> None:
    """Every number an option takes is finite and more than 0 (nan would stop a timer)."""
    if not (math.isfinite(value) and value > 0):
        raise CommandError(f"{option} {value:g}: must be a number{unit} more than 0")


def _check_common(args: argparse.Namespace) -> Path:
    """The options both servers share; returns the data folder, made and writable, with a
    progress database that is reachable, up to date and reads whole. The learners' apps
    find the database in their environment (``$TUI_TUTOR_DATABASE``: no password in
    their command line)."""
    import os

    from ..progress import ProgressError, ProgressStore, default_data_dir

    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port}: not a port number (0 to 65535)")
    lesson_folder(args.lessons)  # a missing folder or an id used twice: refused now
    if args.captures is not None and not args.captures.is_dir():
        raise CommandError(f"{args.captures}: no such capture folder")
    data_dir = (args.data_dir or default_data_dir()).absolute()
    database = database_url(args)
    if database is not None:
        from ..db import sqlite_path

        path = sqlite_path(database, None)  # the apps run in /: a relative path would move
        database = f"sqlite://{path.absolute()}" if path is not None else database
        os.environ[DATABASE_ENV] = database
    args.database = database
    try:  # fail here, once, rather than in every learner's session
        store = ProgressStore(data_dir, "-", database)
        try:
            store.check()
        finally:
            store.close()
    except ProgressError as err:
        raise CommandError(str(err)) from None
    return data_dir


def _check_exam(args: argparse.Namespace, data_dir: Path) -> Path | None:
    """The exam file, checked against the lessons now (one line per problem) and made
    known to the database, so that ``report --exam`` names it before anyone starts."""
    if args.exam is None:
        return None
    import time

    from ..exams.attempt import register_exam
    from ..progress import ProgressStore
    from .app import load_exam_file

    folder, _ids = lesson_folder(args.lessons)
    loaded = load_exam_file(args.exam, folder)
    store = ProgressStore(data_dir, "-", args.database)
    store.save(lambda db: register_exam(db, loaded, time.time()))
    store.close()
    unsaved = store.unsaved_line()
    if unsaved is not None:
        raise CommandError(unsaved)
    return args.exam.absolute()


def _check_url(url: str) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        _port = parts.port
    except ValueError as err:
        raise CommandError(f"--public-url {url}: {err}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CommandError(f"--public-url {url}: not an http:// or https:// address")


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

    from ..serve.keys import (
        KeyFileError,
        host_key_exposed,
        load_host_key,
        read_authorized_keys,
    )
    from ..serve.limits import Limits
    from ..serve.ssh import ListenError, ServeConfig, serve

    _positive("--max-sessions", args.max_sessions)
    _positive("--max-sessions-per-learner", args.max_sessions_per_learner)
    _positive("--idle-timeout", args.idle_timeout, " of seconds")
    _positive("--rate-limit", args.rate_limit)
    _positive("--keepalive", args.keepalive, " of seconds")
    _positive("--session-memory", args.session_memory, " of MiB")
    _positive("--cpu-per-learner", args.cpu_per_learner, " of cores")
    data_dir = _check_common(args)
    exam = _check_exam(args, data_dir)
    host_key_path = args.host_key or data_dir / "ssh_host_ed25519_key"
    try:
        keys = read_authorized_keys(args.authorized_keys)
        host_key, _new = load_host_key(host_key_path)
    except KeyFileError as err:
        raise CommandError(err.lines) from None
    warning = host_key_exposed(host_key_path)
    if warning is not None:
        print(warning, file=sys.stderr, flush=True)
    config = ServeConfig(
        host=args.host,
        port=args.port,
        keys=keys,
        host_key=host_key,
        data_dir=data_dir,
        database=args.database,
        lessons=args.lessons.absolute() if args.lessons else None,
        captures=args.captures.absolute() if args.captures else None,
        limits=Limits(
            max_sessions=args.max_sessions,
            max_sessions_per_learner=args.max_sessions_per_learner,
            idle_timeout=args.idle_timeout,
            per_minute=args.rate_limit,
            keepalive=args.keepalive,
            session_memory=args.session_memory,
            cpu_per_learner=args.cpu_per_learner,
        ),
        allow_live=args.allow_live,
        exam=exam,
    )
    try:
        return asyncio.run(serve(config))
    except ListenError as err:
        raise CommandError(str(err)) from None


def run_web(args: argparse.Namespace) -> int:
    from ..serve.web import is_loopback, serve_web

    if not is_loopback(args.host):
        if not args.public:
            raise CommandError(
                f"--host {args.host}: not a loopback address; serve-web has no authentication,"
                " so anyone who reaches it would play: add --public if that is what you want"
            )
        print(
            f"warning: serving on {args.host} without authentication: anyone who reaches "
            f"port {args.port} plays as the learner",
            file=sys.stderr,
            flush=True,
        )
    data_dir = _check_common(args)
    _check_port_free(args.host, args.port)
    captures = args.captures.absolute() if args.captures else None
    if args.public_url is not None:
        _check_url(args.public_url)
    try:
        serve_web(
            args.host, args.port, data_dir, args.learner, args.lessons, captures, args.public_url
        )
    except OSError as err:
        raise CommandError(f"{args.host}:{args.port}: cannot listen: {err.strerror}") from None
    return 0
