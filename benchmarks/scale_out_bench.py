"""List throughput on scale-out parts: reads on the primary only vs primary + a streaming
replica, with one vs two gunicorn app servers behind HAProxy (docs/deployment.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csm_scale_bench python benchmarks/scale_out_bench.py
    ... --duration 15 --threads 8 --workers 2 --rounds 2 --rows 5000

Steps: the named database dropped and made anew, migrated, ``seed_demo`` and ``--rows``
accounts loaded with ``import_records``; a streaming replica of the local server
(``pg_basebackup``) and Redis (the shared credential cache) started once
(tests/scaleout/parts.py); then, for each configuration in turn and for ``--rounds`` rounds
(interleaved, so a busy machine weighs on all alike), ``--servers`` gunicorn servers of
``--workers`` workers each behind HAProxy, ``--threads`` client threads sending
``GET /api/now/table/customer_account?sysparm_limit=50&sysparm_offset=<random>`` for
``--warmup`` seconds (not counted) then ``--duration`` seconds. Prints requests per second,
p50/p99 latency and the page reads the replica counted, with the machine's core count: on a
machine whose cores also run the primary and the replica, a replica takes CPU from the rest
rather than adding it. Asserts nothing.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_serving import environment, migrated_database  # noqa: E402
from tests.scaleout.parts import Parts, caught_up, wait_for  # noqa: E402

PASSWORD = "demo-bench-1"  # noqa: S105 - a throwaway local database
PAGE = 50


def prepare(database_url: str, rows: int) -> None:
    migrated_database(database_url, rebuild=True)
    env = environment(database_url)
    run = {"cwd": ROOT, "env": env, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([sys.executable, "manage.py", "seed_demo", "--password", PASSWORD], **run)  # noqa: S603
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as accounts:
        accounts.write("name,city\n" + "".join(f"Bench account {n},City {n % 97}\n" for n in range(rows)))
    subprocess.run([sys.executable, "manage.py", "import_records", "customer_account", accounts.name], **run)  # noqa: S603
    os.unlink(accounts.name)
    with psycopg.connect(database_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def replica_page_reads(parts: Parts) -> int:
    with psycopg.connect(parts.replica.dsn(parts.database), autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = %s",
            ["customer_account"],
        ).fetchone()
    return row[0] if row else 0


def load(url: str, *, threads: int, warmup: float, duration: float, rows: int) -> tuple[float, float, float, int]:
    """(requests per second, p50 ms, p99 ms, answers other than 200) over ``duration`` seconds."""
    latencies: list[float] = []
    failures = 0
    problems: dict[int, str] = {}
    lock = threading.Lock()
    start = time.monotonic()
    measuring_from, end = start + warmup, start + warmup + duration

    def client(seed: int) -> None:
        nonlocal failures
        pick = random.Random(seed)
        with requests.Session() as session:
            session.auth = ("admin", PASSWORD)
            while (now := time.monotonic()) < end:
                params = {"sysparm_limit": PAGE, "sysparm_offset": pick.randrange(0, max(1, rows - PAGE))}
                response = session.get(url + "/api/now/table/customer_account", params=params, timeout=120)
                done = time.monotonic()
                if now >= measuring_from:
                    with lock:
                        latencies.append(done - now)
                        if response.status_code != 200:
                            failures += 1
                            problems[response.status_code] = response.text[:200]

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for status, text in problems.items():
        print(f"  answered {status}: {text}")
    latencies.sort()
    if not latencies:
        return 0.0, 0.0, 0.0, failures
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return len(latencies) / duration, p50, p99, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres://"):
        raise SystemExit("set DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a throwaway database>")
    name = database_url.rsplit("/", 1)[1]
    prepare(database_url, args.rows)

    configurations = [(servers, replica) for servers in (1, 2) for replica in (False, True)]
    results: dict[tuple[int, bool], list[tuple]] = {configuration: [] for configuration in configurations}
    parts = Parts(
        database=name, app_settings={"DJANGO_SETTINGS_MODULE": "csm_project.settings", "LOG_LEVEL": "WARNING"}
    )
    try:
        parts.replica.start()
        parts.start_redis()
        caught_up(parts.replica.dsn(name))
        for _ in range(args.rounds):
            for servers, replica in configurations:
                parts.app_servers = servers
                parts.app_settings["WEB_CONCURRENCY"] = str(args.workers)
                replica_url = parts.replica.dsn(name).replace("postgresql://", "postgres://")
                parts.app_settings["DATABASE_REPLICA_URLS"] = replica_url if replica else ""
                parts.start_app_servers()
                parts.start_haproxy()
                if replica:
                    for number in range(1, servers + 1):
                        url = parts.app_url(f"app{number}") + "/readyz"
                        wait_for(
                            lambda url=url: "ok" in requests.get(url, timeout=30).json()["replicas"]["replica_1"], url
                        )
                before = replica_page_reads(parts)
                figures = load(
                    parts.url, threads=args.threads, warmup=args.warmup, duration=args.duration, rows=args.rows
                )
                for part in ["haproxy", *[f"app{number}" for number in range(servers, 0, -1)]]:
                    parts.servers.pop(part).stop()
                results[(servers, replica)].append((*figures, replica_page_reads(parts) - before))
    finally:
        parts.stop()

    print(f"\nList throughput: GET /api/now/table/customer_account, {PAGE} rows a page at random offsets of "
          f"{args.rows}; {args.threads} client threads, {args.workers} gunicorn workers per server, "
          f"{args.duration:.0f} s per run, {args.rounds} interleaved rounds. nproc = {os.cpu_count()}")  # fmt: skip
    print(f"{'app servers':>11}  {'reads':<18} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-200':>8} "
          f"{'replica scans':>14}")  # fmt: skip
    for (servers, replica), runs in results.items():
        rate = sum(run[0] for run in runs) / len(runs)
        p50 = sum(run[1] for run in runs) / len(runs)
        p99 = sum(run[2] for run in runs) / len(runs)
        failures = sum(run[3] for run in runs)
        scans = sum(run[4] for run in runs)
        where = "primary + replica" if replica else "primary only"
        print(f"{servers:>11}  {where:<18} {rate:>8.1f} {p50:>8.1f} {p99:>8.1f} {failures:>8} {scans:>14}")


if __name__ == "__main__":
    main()
