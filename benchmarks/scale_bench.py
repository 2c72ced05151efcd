"""Benchmark: list and get latency at a million rows against the same at a few hundred (PostgreSQL).
Prints figures; asserts nothing; never part of the test suite.

    python benchmarks/scale_bench.py [--big-url URL] [--small-url URL] [--rows N] [--small-rows N] [--rebuild]

1. Builds, once, two databases (defaults ``csm_scale_big`` and ``csm_scale_small`` on the local
   server): ``--rows`` contacts (default 1,000,000) and as many leads, and ``--small-rows``
   (default 300) of each. Rows are written by ``COPY`` with triggers off for the load (no audit
   history of generated rows), and the row counters are then counted again
   (``compact_row_counts --reseed``). Contacts and leads are spread over accounts of about 100
   each. Later runs reuse the databases; ``--rebuild`` starts over.
2. Serves the product under gunicorn (``--workers`` sync workers, DEBUG off) on each database.
3. From ``--threads`` client threads, sends ``--requests`` requests of each kind to each server,
   alternating between them in ``--rounds`` rounds, and prints p50 and p99 latency of both and the
   ratio big / small:
   - the default Contact list (``GET /api/now/contact``) and Lead list (``GET /api/sn_lead_mgmt_core/lead``),
   - a filtered list of each: three terms and an ORDERBY, on one account at a time,
   - a get by sys_id of each (random records).

Targets: p99 at most 50 ms for the default lists and gets, big / small within 1.5x.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_serving import ROOT, environment, migrated_database, start_server, wait_ready  # noqa: E402 - the benchmarks' helpers
from lead_api_bench import BENCH_PASSWORD, BENCH_USER, _reference_rows  # noqa: E402

BIG_URL = "postgres://postgres@127.0.0.1:5432/csm_scale_big"
SMALL_URL = "postgres://postgres@127.0.0.1:5432/csm_scale_small"
PER_ACCOUNT = 100
QUIET = ["--access-logfile", "/dev/null"]  # gunicorn.conf.py logs every request otherwise
LEAD_TABLE = "sn_lead_mgmt_core_lead"
STAGES = ("100_new", "200_contacted", "300_nurturing", "400_closed_won", "500_closed_lost")
SOURCES = ("inbound_web", "inbound_phone", "inbound_email")
SYSTEM = ("admin", "admin", 0, "global", "/")


def _ids(rows: int) -> tuple[list[str], list[str], list[str]]:
    """The generated accounts', contacts' and leads' sys_ids (the same on every build)."""
    accounts = [f"a{n:031x}" for n in range(max(1, rows // PER_ACCOUNT))]
    return accounts, [f"c{n:031x}" for n in range(1, rows + 1)], [f"e{n:031x}" for n in range(1, rows + 1)]


def ensure_database(url: str, rows: int, *, rebuild: bool) -> None:
    import psycopg

    name = url.rpartition("/")[2]
    migrated_database(url, rebuild=rebuild)
    env = environment(url)
    with psycopg.connect(url) as connection:
        have = connection.execute("SELECT count(*) FROM customer_contact").fetchone()[0]
    if have >= rows:
        print(f"database {name}: {have} contacts already there (--rebuild to start over)")
        return
    started = time.perf_counter()
    _reference_rows(url)
    for role in ("csm_ws_integration",):
        subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "manage.py", "grant_role", BENCH_USER, role], cwd=ROOT, env=env, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    with psycopg.connect(url) as connection:
        _copy_rows(connection, rows)
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "compact_row_counts", "--reseed"], cwd=ROOT, env=env, check=True
    )
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")  # as autovacuum would have by now
    print(f"database {name}: built {rows} contacts and {rows} leads in {time.perf_counter() - started:.0f} s")


def _copy_rows(connection, rows: int) -> None:
    """Accounts, contacts (sys_user + customer_contact) and leads by COPY, triggers off for the load."""
    accounts, contacts, leads = _ids(rows)
    base = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    connection.execute("SET session_replication_role = replica")  # no audit rows for generated data
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY customer_account (sys_id, number, name, customer, sys_created_on, sys_updated_on, sys_created_by, "
            "sys_updated_by, sys_mod_count, sys_domain, sys_domain_path, sys_class_name) FROM STDIN"
        ) as copy:
            for n, sys_id in enumerate(accounts):
                at = datetime.fromtimestamp(base + n, UTC)
                copy.write_row((sys_id, f"SCALE{n:07d}", f"Scale Account {n}", True, at, at, *SYSTEM,
                                "customer_account"))  # fmt: skip
        with cursor.copy(
            "COPY sys_user (sys_id, user_name, password, first_name, last_name, name, email, active, is_staff, "
            "is_superuser, sys_created_on, sys_updated_on, sys_created_by, sys_updated_by, sys_mod_count, sys_domain, "
            "sys_domain_path, sys_class_name) FROM STDIN"
        ) as copy:
            for n, sys_id in enumerate(contacts, start=1):
                at = datetime.fromtimestamp(base + n, UTC)
                first, last = f"First{n % 101}", f"Last{n % 997}"
                copy.write_row((sys_id, f"scale.contact{n}", "!", first, last, f"{first} {last}",
                                f"contact{n}@example.com", True, False, False, at, at, *SYSTEM,
                                "customer_contact"))  # fmt: skip
        with cursor.copy(
            "COPY customer_contact (user_ptr_id, account_id, city, enable_multifactor_authn, geolocation_tracked, "
            "internal_integration_user, locked_out, vip, web_service_access_only) FROM STDIN"
        ) as copy:
            for n, sys_id in enumerate(contacts, start=1):
                copy.write_row((sys_id, accounts[n % len(accounts)], "Paris", False, False, False, False,
                                n % 7 == 0, False))  # fmt: skip
        with cursor.copy(
            f"COPY {LEAD_TABLE} (sys_id, number, last_name, first_name, company, email, stage, lead_source, "
            "short_description, country, do_not_call, do_not_email, do_not_share, account_id, sys_created_on, "
            "sys_updated_on, sys_created_by, sys_updated_by, sys_mod_count, sys_domain, sys_domain_path, "
            "sys_class_name) FROM STDIN"
        ) as copy:
            for n, sys_id in enumerate(leads, start=1):
                at = datetime.fromtimestamp(base + n, UTC)
                copy.write_row((sys_id, f"LEAD{n:07d}", f"Last{n % 997}", f"First{n % 101}", f"Company {n % 503}",
                                f"lead{n}@example.com", STAGES[n % 5], SOURCES[n % 3], "Generated for the benchmark",
                                "USA", False, False, False, accounts[n % len(accounts)], at, at, *SYSTEM,
                                LEAD_TABLE))  # fmt: skip
        cursor.execute(
            "INSERT INTO sys_number_counter (prefix, \"table\", next_value, digits) VALUES ('LEAD', %s, %s, 7) "
            "ON CONFLICT (prefix) DO UPDATE SET next_value = GREATEST(sys_number_counter.next_value, "
            "EXCLUDED.next_value)", [LEAD_TABLE, rows + 1])  # fmt: skip
    connection.commit()


# --- measuring -----------------------------------------------------------------------------------


def _requests(rows: int, count: int) -> dict[str, list[tuple[str, dict]]]:
    """For each kind of request, ``count`` (path, params) drawn from the generated rows."""
    accounts, contacts, leads = _ids(rows)
    pick = random.Random(17)  # noqa: S311 - spreading benchmark requests, not security

    def filtered_contacts(account: str) -> dict:
        return {"sysparm_query": f"account={account}^active=true^vip=false^ORDERBYlast_name", "sysparm_limit": 20}

    def filtered_leads(account: str) -> dict:
        query = (
            f"account={account}^stage!=500_closed_lost^lead_sourceINinbound_web,inbound_email^ORDERBYDESCsys_created_on"
        )
        return {"sysparm_query": query}

    def spread(make, choices: list[str]) -> list[tuple[str, dict]]:
        return [make(pick.choice(choices)) for _ in range(count)]

    contact, lead = "/api/now/contact", "/api/sn_lead_mgmt_core/lead"
    return {
        "Contact default list": [(contact, {})] * count,
        "Contact 3-term list, ORDERBY": spread(lambda account: (contact, filtered_contacts(account)), accounts),
        "Contact get by sys_id": spread(lambda sys_id: (f"{contact}/{sys_id}", {}), contacts),
        "Lead default list": [(lead, {})] * count,
        "Lead 3-term list, ORDERBY": spread(lambda account: (lead, filtered_leads(account)), accounts),
        "Lead get by sys_id": spread(lambda sys_id: (f"{lead}/{sys_id}", {}), leads),
    }


def measure(base: str, requests_list: list[tuple[str, dict]], *, threads: int) -> tuple[list[float], int]:
    """(latency of each request in ms, unexpected answers), sent from ``threads`` sessions."""
    import requests

    work = iter(requests_list)
    lock = threading.Lock()
    timings: list[float] = []
    errors = 0

    def worker() -> None:
        nonlocal errors
        session = requests.Session()
        session.auth = (BENCH_USER, BENCH_PASSWORD)
        while True:
            with lock:
                item = next(work, None)
            if item is None:
                return
            path, params = item
            started = time.perf_counter()
            response = session.get(base + path, params=params, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                timings.append(elapsed * 1000)
                errors += response.status_code not in (200, 206)

    with ThreadPoolExecutor(threads) as pool:
        for _ in range(threads):
            pool.submit(worker)
    return timings, errors


def percentiles(timings: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return cuts[49], cuts[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big-url", default=BIG_URL)
    parser.add_argument("--small-url", default=SMALL_URL)
    parser.add_argument("--rows", type=int, default=1_000_000, help="contacts and leads in the big database")
    parser.add_argument("--small-rows", type=int, default=300, help="contacts and leads in the small database")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild both databases")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--requests", type=int, default=400, help="requests of each kind per server")
    parser.add_argument("--rounds", type=int, default=8, help="alternating rounds per kind of request")
    parser.add_argument("--port", type=int, default=8741, help="the big server's port; the small one's is next")
    args = parser.parse_args()

    ensure_database(args.big_url, args.rows, rebuild=args.rebuild)
    ensure_database(args.small_url, args.small_rows, rebuild=args.rebuild)
    app = [*QUIET, "csm_project.wsgi:application"]
    servers = {
        "big": (start_server(app, args.port, args.workers, args.big_url), args.port),
        "small": (start_server(app, args.port + 1, args.workers, args.small_url), args.port + 1),
    }
    auth = (BENCH_USER, BENCH_PASSWORD)
    plans = {"big": _requests(args.rows, args.requests), "small": _requests(args.small_rows, args.requests)}
    figures: dict[str, dict[str, tuple[list[float], list[int]]]] = {}
    try:
        for _process, port in servers.values():
            wait_ready(f"http://127.0.0.1:{port}/api/now/contact", auth, timeout=60)
        for size, (_process, port) in servers.items():  # warm every worker up
            for kind in plans[size]:
                measure(f"http://127.0.0.1:{port}", plans[size][kind][:40], threads=args.threads)
        # Interleaved in short rounds (big, small, big, ...) so that a change in the machine's load
        # falls on both databases alike.
        chunk = max(1, args.requests // args.rounds)
        for kind in plans["big"]:
            for start in range(0, args.requests, chunk):
                for size, (_process, port) in servers.items():
                    timings, errors = measure(
                        f"http://127.0.0.1:{port}", plans[size][kind][start : start + chunk], threads=args.threads
                    )
                    seen = figures.setdefault(kind, {}).setdefault(size, ([], [0]))
                    seen[0].extend(timings)
                    seen[1][0] += errors
    finally:
        for process, _port in servers.values():
            process.terminate()
        for process, _port in servers.values():
            process.wait(15)

    print(
        f"\n{args.rows:,} vs {args.small_rows:,} contacts and leads; gunicorn {args.workers} sync workers; "
        f"{args.threads} client threads; {args.requests} requests of each kind per database"
    )
    print(f"{'request':32}{'big p50':>10}{'big p99':>10}{'small p50':>11}{'small p99':>11}{'p50 ratio':>11}"
          f"{'p99 ratio':>11}  unexpected")  # fmt: skip
    for kind, sizes in figures.items():
        (big50, big99), (small50, small99) = percentiles(sizes["big"][0]), percentiles(sizes["small"][0])
        big_errors, small_errors = sizes["big"][1][0], sizes["small"][1][0]
        print(
            f"{kind:32}{big50:8.1f}ms{big99:8.1f}ms{small50:9.1f}ms{small99:9.1f}ms{big50 / small50:10.2f}x"
            f"{big99 / small99:10.2f}x  {big_errors + small_errors}"
        )


if __name__ == "__main__":
    main()
