"""API writes while a bulk import runs: their latency and failures, against the same writes alone.

    python benchmarks/import_vs_api_writes.py                  # a throwaway SQLite file
    python benchmarks/import_vs_api_writes.py --rows 100000 --batch-size 1000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csm_bench_import python benchmarks/import_vs_api_writes.py

Generates a CSV of accounts, makes writes through the contact-center API (POST /api/v2/contacts,
in this process, one database connection) for a while alone, then starts
``manage.py import_records customer_account`` in another process and keeps writing until it ends.
Prints the import's time and, for the writes alone and during the import: count, failures (any
non-200 answer), p50/p99/max latency. On PostgreSQL the named database is dropped and re-created
first. Asserts nothing.
"""

import argparse
import base64
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throwaway_database import prepare_database

ROOT = Path(__file__).resolve().parents[1]
PAUSE = 0.02  # seconds between two API writes: a steady trickle, not a flood


def figures(label: str, samples: list[tuple[float, int]]) -> None:
    latencies = sorted(seconds * 1000 for seconds, _ in samples)
    failures = sum(1 for _, status in samples if status != 200)
    if not latencies:
        print(f"{label:<28} no writes")
        return
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"{label:<28} {len(samples):>6} writes {failures:>5} failed   p50 {statistics.median(latencies):8.1f} ms"
        f"   p99 {p99:8.1f} ms   max {latencies[-1]:8.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--alone-seconds", type=float, default=5.0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="csm-import-bench-"))
    prepare_database(os.environ.get("DATABASE_URL"), workdir, "import-bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csm_project.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from csm_project.core.access.roles import user_grant_roles
    from csm_project.core.models import User

    call_command("migrate", verbosity=0)
    user = User.objects.create_user(user_name="bench.admin", password="bench-password")  # noqa: S106
    user_grant_roles(user=user, roles=["contact_center_admin"])
    auth = "Basic " + base64.b64encode(b"bench.admin:bench-password").decode()
    client = Client(HTTP_AUTHORIZATION=auth)

    path = workdir / "accounts.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "city", "phone", "customer"])
        writer.writerows([f"Account {n}", "Orlando", f"+1 555 {n:07d}", "true"] for n in range(args.rows))
    print(f"database: {connection.vendor}; {args.rows} rows in {path}")

    def write_once(n: int) -> tuple[float, int]:
        started = time.perf_counter()
        response = client.post("/api/v2/contacts", {"name": f"Desk {n}"}, content_type="application/json")
        return time.perf_counter() - started, response.status_code

    alone: list[tuple[float, int]] = []
    until = time.monotonic() + args.alone_seconds
    while time.monotonic() < until:
        alone.append(write_once(len(alone)))
        time.sleep(PAUSE)

    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "import_records",
        "customer_account",
        str(path),
        "--batch-size",
        str(args.batch_size),
        "-v",
        "0",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # noqa: S603
    during: list[tuple[float, int]] = []
    while process.poll() is None:
        during.append(write_once(len(alone) + len(during)))
        time.sleep(PAUSE)
    import_seconds = time.perf_counter() - started
    output = process.stdout.read().strip()
    from contacts.models import Account

    print(f"import: exit {process.returncode} in {import_seconds:.1f} s: {output}")
    print(f"accounts stored: {Account.objects.count()} (expected {args.rows})")
    figures("API writes alone", alone)
    figures("API writes during import", during)


if __name__ == "__main__":
    main()
