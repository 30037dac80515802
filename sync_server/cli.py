"""``sync-server``: run the server, create a team, invite a device.

    sync-server init   --db veldwerk.db [--role PROCESREGISSEUR] [--json]
    sync-server invite --db veldwerk.db --team TEAM --role VELDWERKER [--json]
    sync-server serve  --db veldwerk.db [--host 127.0.0.1] [--port 8765] [--public-url URL] [--workers N]
                       [--trusted-proxy ADDRESS[,ADDRESS...]]
    sync-server migrate --db veldwerk.db
    sync-server export --db veldwerk.db [--team TEAM] FILE
    sync-server import --db postgresql://... FILE

``export`` / ``import`` move a team (or every team) between databases, e.g. from SQLite to PostgreSQL,
copying sealed data as bytes without reading it (see ``store.transfer``); import needs an empty database.

``--db`` is a SQLite file (the embedded default) or a PostgreSQL URL ``postgresql://...`` (the
``veldwerk[postgres]`` extra), which several server processes (``--workers N``, or several machines) share.

``--trusted-proxy`` (or ``VELDWERK_TRUSTED_PROXIES``) names the reverse proxies whose ``X-Forwarded-For``
header is believed; without it the client is the socket's peer, whatever a request says.

With ``--json``, ``init`` and ``invite`` print exactly one line: ``{"team": ..., "code": ..., "role": ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sqlite3
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from field_app.crypto.canonical import b64e, join_id_values

from . import protocol
from .settings import Settings, now_ms, trusted_proxies
from .store import SqliteStore, open_store, transfer
from .store.base import SchemaTooNew, StoreError, UnknownTeam

_DAY_MS = 24 * 3600_000


def _valid_days(text: str) -> int:
    days = int(text)
    if not 1 <= days <= 90:
        raise argparse.ArgumentTypeError("must be 1-90 days")
    return days


def _role(text: str) -> str:
    role = text.upper()
    if role not in protocol.ROLES:
        raise argparse.ArgumentTypeError(f"unknown role; one of {', '.join(protocol.ROLES)}")
    return role


_ENV_PROXIES = "VELDWERK_TRUSTED_PROXIES"
_DB_HELP = "SQLite database file (created if missing) or postgresql://... URL"


def _workers(text: str) -> int:
    workers = int(text)
    if not 1 <= workers <= 64:
        raise argparse.ArgumentTypeError("must be 1-64")
    return workers


def _proxies(text: str) -> tuple[str, ...]:
    try:
        return trusted_proxies(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sync-server", description="Veldwerk sync server")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--db", required=True, help=_DB_HELP)
    serve.add_argument("--workers", type=_workers, default=1,
                       help="server processes on this port (1-64); on SQLite they share the file's write lock")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--public-url", help="base URL clients use (default http://HOST:PORT)")
    serve.add_argument(
        "--trusted-proxy", action="append", type=_proxies, metavar="ADDRESS[,ADDRESS...]",
        help="IP address or network (CIDR) of a reverse proxy whose X-Forwarded-For is believed; repeatable "
             f"(default ${_ENV_PROXIES}, else none: the socket's peer is the client)")
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )

    default_days = protocol.CODE_TTL_MS // _DAY_MS
    init = commands.add_parser("init", help="create a team and a code for its first (beheer) device")
    init.add_argument("--db", required=True, help=_DB_HELP)
    init.add_argument("--role", type=_role, default=protocol.DEFAULT_FIRST_ROLE)
    init.add_argument("--valid-days", type=_valid_days, default=default_days, help="code lifetime in days")
    init.add_argument("--json", action="store_true", help="print one JSON line")

    invite = commands.add_parser("invite", help="a one-time enrolment code for another device")
    invite.add_argument("--db", required=True, help=_DB_HELP)
    invite.add_argument("--team", required=True)
    invite.add_argument("--role", type=_role, required=True)
    invite.add_argument("--valid-days", type=_valid_days, default=default_days, help="code lifetime in days")
    invite.add_argument("--json", action="store_true", help="print one JSON line")

    migrate = commands.add_parser("migrate", help="bring the database schema up to date and print its version")
    migrate.add_argument("--db", required=True, help=_DB_HELP)

    export = commands.add_parser("export", help="write a team (or all teams) to a file, sealed data as it is")
    export.add_argument("--db", required=True, help=_DB_HELP)
    export.add_argument("--team", help="only this team (default: every team)")
    export.add_argument("file", help="the export file to create (0600; never overwritten)")

    import_ = commands.add_parser("import", help="load an export into an empty database")
    import_.add_argument("--db", required=True, help=_DB_HELP)
    import_.add_argument("file", help="a file written by sync-server export")
    return parser


def create_team(store: SqliteStore, role: str, valid_ms: int, now: int) -> tuple[str, str]:
    """A new team and the one-time code of its first device (which gets beheer); returns (team, code)."""
    team = b64e(secrets.token_bytes(protocol.ID_BYTES))
    store.create_team(team, now)
    return team, _add_code(store, team, role, True, now + valid_ms)


def invite_device(store: SqliteStore, team: str, role: str, valid_ms: int, now: int) -> str:
    """A one-time code for another device of ``team``; raises UnknownTeam."""
    return _add_code(store, team, role, False, now + valid_ms)


def _add_code(store: SqliteStore, team: str, role: str, beheer: bool, expires_at: int) -> str:
    code = protocol.new_enrolment_code()
    hashed = protocol.code_hash(code)
    assert hashed is not None
    store.add_code(hashed, team, role, beheer, expires_at)
    return code


def _print_code(team: str, code: str, role: str, expires_at: int, as_json: bool, first: bool) -> None:
    if as_json:
        print(json.dumps({"team": team, "code": code, "role": role}))
        return
    until = datetime.fromtimestamp(expires_at / 1000, UTC).astimezone(ZoneInfo("Europe/Amsterdam"))
    if first:
        print(f"Team aangemaakt / team created: {team}")
    print(f"Koppelcode / enrolment code:    {code}")
    print(f"Rol / role:                     {role}" + ("  (beheer)" if first else ""))
    print(f"Eenmalig, geldig tot / single use, valid until: {until:%Y-%m-%d %H:%M} (Europe/Amsterdam)")


def main(argv: list[str] | None = None) -> int:
    """Run a command; bad input or an unusable database file gives one clear line and exit code 2, never
    a traceback."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except (OSError, sqlite3.Error, StoreError, UnicodeError, ValueError, ImportError, *_pg_errors()) as exc:
        print(f"sync-server: {_problem(exc)}", file=sys.stderr)
        return 2


def _pg_errors() -> tuple[type[Exception], ...]:
    try:
        import psycopg
        import psycopg_pool
    except ImportError:
        return ()
    return (psycopg.Error, psycopg_pool.PoolTimeout)


def _problem(exc: BaseException) -> str:
    if isinstance(exc, transfer.TransferRefused):
        return str(exc)
    if isinstance(exc, SchemaTooNew):
        return (f"de database is van een nieuwere server (schema {exc.found}, deze kent {exc.known}) /"
                f" the database is from a newer server (schema {exc.found}, this one knows {exc.known})")
    if isinstance(exc, ImportError):
        return "PostgreSQL vraagt pip install 'veldwerk[postgres]' / PostgreSQL needs pip install 'veldwerk[postgres]'"
    if isinstance(exc, _pg_errors()):
        return "de PostgreSQL-database is niet bruikbaar / the PostgreSQL database cannot be used"
    if isinstance(exc, UnicodeError):
        return "een argument is geen geldige tekst (UTF-8) / an argument is not valid text (UTF-8)"
    if isinstance(exc, IsADirectoryError):
        return "--db is een map, geen bestand / --db is a folder, not a file"
    if isinstance(exc, PermissionError):
        return "geen toegang tot het databasebestand / no access to the database file"
    if isinstance(exc, OSError):
        return f"het databasebestand is niet bruikbaar / the database file cannot be used ({exc.strerror or exc})"
    if isinstance(exc, sqlite3.Error):
        return "dit is geen bruikbare Veldwerk-database / this is not a usable Veldwerk database"
    return f"ongeldige invoer / invalid input ({type(exc).__name__})"


def _main(argv: list[str] | None) -> int:
    # team ids are base64url: about one in 64 starts with "-"
    args = build_parser().parse_args(join_id_values(sys.argv[1:] if argv is None else list(argv), ("--team",)))
    if args.command == "serve":
        return _serve(args)
    if args.command in ("export", "import"):
        return _transfer(args)
    store = open_store(args.db)
    if args.command == "migrate":
        print(f"Schema versie / schema version: {store.schema_version()}")
        return 0
    now = now_ms()
    valid_ms = args.valid_days * _DAY_MS
    if args.command == "init":
        team, code = create_team(store, args.role, valid_ms, now)
        _print_code(team, code, args.role, now + valid_ms, args.json, first=True)
        return 0
    try:
        code = invite_device(store, args.team, args.role, valid_ms, now)
    except UnknownTeam:
        print(f"sync-server: onbekend team / unknown team: {args.team}", file=sys.stderr)
        return 2
    _print_code(args.team, code, args.role, now + valid_ms, args.json, first=False)
    return 0


def _transfer(args: argparse.Namespace) -> int:
    """``export`` / ``import``: one summary line on success; one line and exit 2 when refused."""
    if args.command == "import" and not os.path.isfile(args.file):
        print(f"sync-server: het exportbestand bestaat niet / the export file does not exist: {args.file}",
              file=sys.stderr)
        return 2
    if args.command == "export" and os.path.exists(args.file):
        print(f"sync-server: het bestand bestaat al / the file already exists: {args.file}", file=sys.stderr)
        return 2
    store = open_store(args.db)
    try:
        if args.command == "export":
            counts = transfer.export_file(store, args.file, args.team)
            print(f"Geëxporteerd / exported: {counts.summary()}")
        else:
            counts = transfer.import_file(store, args.file)
            print(f"Geïmporteerd / imported: {counts.summary()}")
    except UnknownTeam:
        print(f"sync-server: onbekend team / unknown team: {args.team}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .http_head import BoundedHttpTools

    host = f"[{args.host}]" if ":" in args.host else args.host
    public_url = args.public_url or f"http://{host}:{args.port}"
    store = open_store(args.db)  # migrates once, before any worker starts; refuses a newer schema
    # uvicorn's access log names method, path and status only: no bodies, tokens or codes.
    # SIGTERM / SIGINT: stop accepting, finish requests in flight, close idle connections; give up on
    # what is still open after a few seconds, so a service manager never has to kill it.
    # uvicorn raises the signal again once it has shut down; after that graceful stop we exit with 0.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))
    # Pushes run in worker threads beside the event loop: a thread waiting for the GIL gets it after 1 ms
    # instead of Python's 5, so a push holding the write lock does not wait out the loop's turns (push p99
    # at 200 devices under load 5: 0.4-0.7 s against 0.5-1.3 s, bench/server_rounds.py).
    sys.setswitchinterval(0.001)
    # the request head bounded (431) and malformed HTTP answered in the JSON error shape (http_head.py)
    # uvicorn's own proxy headers stay off: by default it believes X-Forwarded-For from any loopback peer,
    # so anything on the machine could choose the address its failed attempts are counted on. The app
    # believes it from the proxies the operator named only (app.create_app).
    options = dict(host=args.host, port=args.port, log_level=args.log_level, server_header=False,
                   timeout_graceful_shutdown=5, http=BoundedHttpTools, proxy_headers=False)
    if args.trusted_proxy is None:
        try:
            proxies = trusted_proxies(os.environ.get(_ENV_PROXIES, ""))
        except ValueError as exc:
            print(f"sync-server: {_ENV_PROXIES}: {exc}", file=sys.stderr)
            return 2
    else:
        proxies = tuple(dict.fromkeys(p for group in args.trusted_proxy for p in group))
    if args.workers == 1:
        uvicorn.run(create_app(Settings(public_url=public_url, trusted_proxies=proxies), store), **options)
        return 0
    # Each worker process builds its own app and connection pool from the environment: nothing that must
    # hold across processes lives in a process's memory (codes, challenges, tokens, attempt counts, the
    # ledger head and the seq counter are all in the database).
    os.environ[_ENV_DB], os.environ[_ENV_URL], os.environ[_ENV_PROXIES] = args.db, public_url, ",".join(proxies)
    uvicorn.run("sync_server.cli:worker_app", factory=True, workers=args.workers, **options)
    return 0


_ENV_DB, _ENV_URL = "VELDWERK_SERVER_DB", "VELDWERK_SERVER_PUBLIC_URL"


def worker_app():  # noqa: ANN201 - a FastAPI app, imported lazily
    """The app of one ``--workers`` process (uvicorn's factory)."""
    from .app import create_app

    store = open_store(os.environ[_ENV_DB], migrate=False)
    store.inline = False  # several processes on one file: every store call in a worker thread
    settings = Settings(public_url=os.environ[_ENV_URL],
                        trusted_proxies=trusted_proxies(os.environ.get(_ENV_PROXIES, "")))
    return create_app(settings, store)


if __name__ == "__main__":
    sys.exit(main())
