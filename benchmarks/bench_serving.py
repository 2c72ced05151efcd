"""What the server benchmarks share: the environment a server runs in, starting gunicorn on a
loopback port, waiting for it to answer, and sending requests from client threads."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A whole table's exact row count as the product reads it on PostgreSQL: the sum of the deltas
# its triggers append (csm_project.core.sql.row_counts), not COUNT(*) over the table. The raw
# endpoints read it too, or their floor would be a scan the product no longer makes.
ROW_COUNT_SQL = "SELECT COALESCE(sum(delta), 0) AS total FROM sys_row_count WHERE table_name = %s"


def environment(database_url: str) -> dict[str, str]:
    """A production-like server environment (DEBUG off) on ``database_url``; the raw endpoints
    read the same URL from ``BENCH_DATABASE_URL``."""
    return {**os.environ, "DATABASE_URL": database_url, "BENCH_DATABASE_URL": database_url,
            "SECRET_KEY": "bench-only", "DEBUG": "false", "LOG_LEVEL": "WARNING", "ALLOWED_HOSTS": "127.0.0.1",
            "PYTHONPATH": str(ROOT)}  # fmt: skip


def migrated_database(database_url: str, *, rebuild: bool = False) -> None:
    """The PostgreSQL database named by ``database_url``, created when missing (dropped and
    created anew with ``rebuild``), then migrated."""
    import psycopg
    from psycopg import sql

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=environment(database_url), check=True
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(target: list[str], port: int, workers: int, database_url: str) -> subprocess.Popen:
    """gunicorn serving ``target`` (a WSGI application path and its options) with ``workers`` sync
    workers on 127.0.0.1:``port``, with the project's gunicorn.conf.py (read from the repository
    root); its access log (standard output) is discarded, its errors are shown."""
    command = [sys.executable, "-m", "gunicorn", *target, "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--log-level", "warning"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=environment(database_url), stdout=subprocess.DEVNULL)  # noqa: S603


def raw_server(module: str, port: int, workers: int, database_url: str) -> subprocess.Popen:
    """gunicorn serving ``raw_app`` of the benchmark module ``module`` (a file in benchmarks/)."""
    return start_server(["--chdir", str(ROOT / "benchmarks"), f"{module}:raw_app"], port, workers, database_url)


def stop_servers(servers: list[subprocess.Popen]) -> None:
    for server in servers:
        server.terminate()
    for server in servers:
        server.wait(15)


def wait_ready(url: str, auth, timeout: float = 60.0, statuses: tuple[int, ...] = (200, 206)) -> None:
    """Poll ``url`` until it answers one of ``statuses`` (a server starting up refuses connections)."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, auth=auth, timeout=10).status_code in statuses:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server at {url} did not answer in {timeout:.0f} s")


def measure(
    send: Callable, *, auth, requests_total: int, threads: int, time_limit: float, expect: int
) -> tuple[float, int, int]:
    """(requests per second, requests done, answers other than ``expect``) for ``requests_total``
    calls of ``send(session, index)`` spread over ``threads`` sessions, stopping early at
    ``time_limit`` seconds."""
    import requests

    counter = iter(range(requests_total))
    lock = threading.Lock()
    done = errors = 0
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        nonlocal done, errors
        session = requests.Session()
        session.auth = auth
        while time.monotonic() < deadline:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            response = send(session, index)
            with lock:
                done += 1
                errors += response.status_code != expect

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(threads):
            pool.submit(worker)
    return done / (time.perf_counter() - started), done, errors
