"""`bondline serve` and `bondline migrate`."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import typer

from bondline.cli.common import DatabaseURLOption, console, fail, migrated, out, run, settings_for
from bondline.config import Settings
from bondline.store import DatabaseURLError, Store, parse
from bondline.store import migrate as migrations

DEMO_DATABASE = "bondline-demo.db"


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8080, "--port", help="Port to listen on (0: a free port, with --ephemeral)."),
    database_url: str | None = DatabaseURLOption,
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes (each with its own event loop); "
                                "one that dies is started again."),
    reuse_port: bool = typer.Option(False, "--reuse-port", help="Share the port with a process already listening "
                                    "on it (the kernel then splits connections between the two); without it, "
                                    "a port in use is refused."),
    demo: bool = typer.Option(False, "--demo", help=f"Start with a fresh demo site (in ./{DEMO_DATABASE} unless"
                              " --database-url is given) and print its tokens and curl commands."),
    seed: str | None = typer.Option(None, "--seed", metavar="FILE", help="Load a seed file (YAML or JSON) "
                                    "before serving, and print each user's token."),
    ephemeral: bool = typer.Option(False, "--ephemeral", help="Serve a throw-away database (a temporary SQLite "
                                   "file, or a new schema when --database-url names PostgreSQL), removed on exit; "
                                   "print one JSON line {\"url\", \"tokens\"} on stdout when ready. Enables the "
                                   "control endpoints (/api/v1/_reset, _seed, _faults, _journal)."),
    faults: str | None = typer.Option(None, "--faults", envvar="BONDLINE_FAULTS", show_envvar=True,
                                      metavar="FILE_OR_JSON", help="Fault injection rules: a YAML/JSON file, "
                                      "or the document inline."),
    fault: list[str] | None = typer.Option(None, "--fault", metavar="RULE", help="A fault rule, repeatable: "
                                           "KIND key=value … (e.g. 'rate_limit path=/wiki/* times=2 "
                                           "retryAfter=1', 'latency delay=0.1,0.3', 'error status=503 "
                                           "probability=0.1', 'drop after=5')."),
    fault_seed: int | None = typer.Option(None, "--fault-seed", envvar="BONDLINE_FAULT_SEED",
                                          help="Seed of the faults' random decisions (default 0)."),
    journal_size: int = typer.Option(1000, "--journal-size", min=0, help="With --ephemeral: requests the journal "
                                     "keeps (0: no journal)."),
    exit_with_parent: bool = typer.Option(False, "--exit-with-parent", help="Stop when the process that started "
                                          "this one exits (for test harnesses)."),
    log_level: str = typer.Option("info", "--log-level", help="debug, info, warning or error."),
    log_format: str | None = typer.Option(None, "--log-format", envvar="BONDLINE_LOG_FORMAT",
                                          show_envvar=True, help="text (default) or json: one object "
                                          "per line with the request id."),
    access_log: bool = typer.Option(False, "--access-log", envvar="BONDLINE_ACCESS_LOG", show_envvar=True,
                                    help="Log every request (method, path without query, status, duration, "
                                    "request id, caller)."),
    metrics: bool = typer.Option(True, "--metrics/--no-metrics", envvar="BONDLINE_METRICS", show_envvar=True,
                                 help="Serve Prometheus metrics at /metrics (BONDLINE_METRICS_TOKEN, from the "
                                 "environment only, makes it need Authorization: Bearer <token>)."),
    metrics_tenant_labels: bool = typer.Option(False, "--metrics-tenant-labels",
                                               envvar="BONDLINE_METRICS_TENANT_LABELS", show_envvar=True,
                                               help="Count change requests per tenant in /metrics (a label with "
                                               "each tenant's id; default: summed over tenants)."),
    dispatch: bool = typer.Option(True, "--dispatch/--no-dispatch", envvar="BONDLINE_DISPATCH", show_envvar=True,
                                  help="Deliver webhook events from this server's workers (leased, so any "
                                  "number of workers and `bondline dispatch` processes may run)."),
    webhook_allow_local: bool = typer.Option(False, "--webhook-allow-local", envvar="BONDLINE_WEBHOOK_ALLOW_LOCAL",
                                             show_envvar=True, help="Let webhooks target loopback, link-local and "
                                             "other local addresses (127.0.0.1, ::1, 169.254.169.254, …), refused "
                                             "by default (--ephemeral allows them: a test server's receivers "
                                             "listen on 127.0.0.1)."),
) -> None:
    """Serve the HTTP API: Confluence under /wiki/rest/api, Reltio under /reltio/api, bondline's own under /api/v1."""
    from bondline.cli.seed import print_tokens, read
    from bondline.testing import faults as fault_rules

    if demo and seed:
        fail("--demo is a seed file of its own: give --demo or --seed, not both")
    if ephemeral and workers != 1:
        fail("--ephemeral runs one worker (its journal and fault counters live in that process)")
    if port == 0 and not ephemeral:
        fail("--port 0 (pick a free port) needs --ephemeral, which prints the port it picked")
    if port != 0 and not reuse_port:
        # Before anything else (--demo removes its database): granian listens with SO_REUSEPORT, so a
        # second server on a taken port would start and silently get half of the first one's requests.
        refuse_taken_port(host, port)
    try:
        config = fault_rules.from_setting(faults or "")
        if fault:
            config.rules.extend(fault_rules.parse_flag(rule) for rule in fault)
        if fault_seed is not None:
            config.seed = fault_seed
        fault_rules.parse(fault_rules.as_data(config))  # the same checks as a file gets
    except fault_rules.FaultConfigError as exc:
        fail(str(exc))
    faults_json = fault_rules.to_json(config) if config.rules else ""
    source = "builtin:demo" if demo else seed
    doc = read(source) if source else None

    if log_format is not None and log_format.lower() not in ("text", "json"):
        fail("--log-format must be text or json")
    # Settings every kind of server takes from these options (logs, metrics, webhook dispatch).
    runtime = {"log_format": (log_format or "text").lower(), "access_log": access_log, "metrics": metrics,
               "metrics_tenant_labels": metrics_tenant_labels, "dispatch": dispatch,
               "webhook_allow_local": webhook_allow_local}

    if ephemeral:
        _serve_ephemeral(host, port, database_url, doc, faults_json, journal_size, exit_with_parent,
                         log_level, runtime)
        return

    if demo and database_url is None:
        for suffix in ("", "-wal", "-shm", "-lock"):
            if os.path.exists(DEMO_DATABASE + suffix):
                os.remove(DEMO_DATABASE + suffix)
        database_url = f"sqlite:///{DEMO_DATABASE}"
    settings = settings_for(database_url, faults=faults_json, **runtime)
    migrated(settings)
    if exit_with_parent:
        _watch_parent()
    if doc is not None:
        from bondline.services import seeding

        if demo:
            async def has_users(store: Store) -> bool:
                async with store.read() as tx:
                    return bool(await tx.users.page(0, 1))

            if run(settings, has_users, prepare=False):
                fail("--demo needs a fresh database, and this one already has users")
        report = run(settings, lambda store: seeding.load(store, doc), prepare=False)
        if demo:
            _print_demo(report, host, port)
        else:
            out.print(f"seeded {doc.source}", markup=False, highlight=False)
            print_tokens(report)
            out.print("")
        sys.stdout.flush()
    start_server(settings, host, port, workers, log_level)


def _print_demo(report: Any, host: str, port: int) -> None:
    from bondline import demo as demo_site

    site = demo_site.site_of(report)
    base = f"http://{_client_host(host)}:{port}"
    out.print("[bold]bondline demo site[/]")
    for account_id, token in site.tokens.items():
        out.print(f"  {account_id} <{site.emails[account_id]}>  token: {token}")
    env = demo_site.env_lines(site, base)
    try:
        env_path: str | None = demo_site.write_env(demo_site.ENV_FILE, env)
    except OSError as exc:  # a read-only working directory: the lines are printed below anyway
        env_path = None
        console.print(f"could not write {demo_site.ENV_FILE}: {exc.strerror or exc}")
    if env_path:
        out.print(f"\nIn another shell, load the tokens and ids (the tutorial does this; file mode 0600):\n"
                  f"  . {env_path}", markup=False, highlight=False)
    else:
        out.print("\nIn another shell, paste:", markup=False)
        for line in env:
            out.print("  " + line, markup=False, highlight=False)
    out.print("\nTry:")
    for line in demo_site.curl_examples(site, base):
        out.print("  " + line, markup=False, highlight=False)
    out.print(f"\nReview the Reltio tenant's change requests at {base}/ui/ (sign in with demo-alice's token).")
    out.print(f"Interactive API documentation (Swagger UI): {base}/docs; the OpenAPI document: {base}/openapi.json")
    out.print("A walkthrough of this site: the tutorial, docs/tutorial.md.", markup=False)
    out.print(f"Webhooks: register a receiver as demo-alice (a site admin) with POST {base}/api/v1/webhooks "
              "{\"url\": …, \"events\": [\"*\"]} or `bondline webhooks add URL --events '*' --database-url "
              f"sqlite:///{DEMO_DATABASE}`; this server delivers the events (docs: how-to/webhooks). A receiver "
              "on this machine (127.0.0.1, localhost) is refused unless the server runs with --webhook-allow-local.",
              markup=False)
    out.print("")


def _client_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def refuse_taken_port(host: str, port: int) -> None:
    """Fail when another process listens on host:port. The probe binds the way a lone server does:
    SO_REUSEADDR (a closed server's TIME_WAIT connections do not block) but not SO_REUSEPORT."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(f"port {port} on {host} is already in use by another process; stop it, choose another "
                     "--port, or pass --reuse-port to share the port with it on purpose")
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def _serve_ephemeral(host: str, port: int, database_url: str | None, doc: Any, faults_json: str,
                     journal_size: int, exit_with_parent: bool, log_level: str, runtime: dict[str, Any]) -> None:
    """Everything but the one JSON line goes to stderr, so a harness in any language can read stdout."""
    from bondline.services import seeding
    from bondline.testing import ephemeral as throwaway

    # A SIGTERM before the server runs (it installs its own handlers) still removes the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if exit_with_parent:
        _watch_parent()
    if database_url and database_url.startswith("sqlite:"):
        console.print("--ephemeral: the SQLite database URL is ignored; a temporary file is used")
        database_url = None
    try:
        url, remove = throwaway.create(database_url)
    except DatabaseURLError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - a connection problem, said plainly
        fail(f"cannot create a throw-away database: {exc}")
    try:
        settings = settings_for(url, test_mode=True, journal_size=journal_size, faults=faults_json, **runtime)
        migrated(settings)
        tokens: dict[str, str] = {}
        if doc is not None:
            tokens = run(settings, lambda store: seeding.load(store, doc), prepare=False).tokens
        if port == 0:
            port = free_port(host)
        base = f"http://{_client_host(host)}:{port}"

        def announce() -> None:
            sys.stdout.write(json.dumps({"url": base, "tokens": tokens}) + "\n")
            sys.stdout.flush()

        _when_ready(base, announce)
        start_server(settings, host, port, 1, log_level, log_to_stderr=True)
    finally:
        remove()


def _when_ready(base: str, then: Callable[[], None], timeout: float = 60.0) -> None:
    """Call `then` once the server answers (from a thread; the server runs in the main thread).

    Granian forks its worker from this process while the thread polls. A thread caught inside a C
    library at that moment (OpenSSL's locks, say) would leave the worker a lock nobody releases, so
    the thread polls with http.client (no TLS) and never holds the fork guard while a fork runs."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    guard = threading.Lock()
    os.register_at_fork(before=guard.acquire, after_in_parent=guard.release, after_in_child=guard.release)

    def answers() -> bool:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=1)
        try:
            conn.request("GET", "/api/v1/_faults")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def wait() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with guard:
                if answers():
                    then()
                    return
            time.sleep(0.02)
        console.print(f"[bold red]error:[/] the server did not answer at {base} within {timeout:g} s")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=wait, name="bondline-ready", daemon=True).start()


def _watch_parent() -> None:
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.2)
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="bondline-parent", daemon=True).start()


def start_server(settings: Settings, host: str, port: int, workers: int, log_level: str,
                 log_to_stderr: bool = False) -> None:
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server

    from bondline import logs

    os.environ.update(settings.to_env())
    metrics_dir = None
    if settings.metrics and workers > 1:
        # Each worker writes its numbers here every second; whichever answers /metrics sums them.
        import tempfile

        metrics_dir = tempfile.mkdtemp(prefix="bondline-metrics-")
        os.environ["BONDLINE_METRICS_DIR"] = metrics_dir
    else:
        os.environ.pop("BONDLINE_METRICS_DIR", None)
    extras = []
    if settings.test_mode:
        extras.append("test mode")
    if settings.faults:
        extras.append("faults on")
    console.print(f"bondline serving on http://{host}:{port} ({workers} worker{'s' if workers > 1 else ''}, "
                  f"database {parse(settings.database_url).redacted()}{''.join(', ' + e for e in extras)})")
    try:
        import uvloop  # noqa: F401

        loop = Loops.uvloop
    except ImportError:
        loop = Loops.asyncio
    log_config = logs.config(settings.log_format, log_level.lower(),
                             "ext://sys.stderr" if log_to_stderr else "ext://sys.stdout")
    server = Server(
        "bondline.bootstrap:create_app",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        loop=loop,
        websockets=False,
        log_level=LogLevels(log_level.lower()),
        log_access=False,  # bondline's own access log (settings.access_log) carries request ids
        log_dictconfig=log_config,
        backlog=2048,
        # A worker that dies (killed, out of memory) is started again instead of taking the server down;
        # granian still exits if the same worker dies again within seconds of being started.
        respawn_failed_workers=True,
        # a test server stops within seconds even if its worker is stuck
        workers_kill_timeout=5 if settings.test_mode else None,
    )
    try:
        server.serve()
    finally:
        if metrics_dir is not None:
            import shutil

            shutil.rmtree(metrics_dir, ignore_errors=True)


def migrate(database_url: str | None = DatabaseURLOption) -> None:
    """Create the database if needed and bring its schema up to date."""
    settings = settings_for(database_url)
    url = parse(settings.database_url)
    migrated(settings)
    out.print(f"{url.redacted()} is at revision {migrations.current(url)} (head {migrations.head()})")
