"""Bulk import and export speed: rows per second and peak memory of the management commands.

    python benchmarks/bulk_io_bench.py                         # a throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csm_bulk python benchmarks/bulk_io_bench.py
    python benchmarks/bulk_io_bench.py --accounts 100000 --contacts 20000

Generates CSV files, then times ``import_records customer_account`` (bulk inserts),
``import_records customer_contact`` (multi-table rows: saved one by one), ``import_contacts``
(the Contact API's rules) and ``export_records`` of each table, in this one process. On
PostgreSQL the named database is dropped and re-created first. Prints figures; asserts nothing.
"""

import argparse
import csv
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def prepare_database(url: str | None, workdir: Path) -> None:
    if url is None:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bulk.sqlite3'}"
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def write_csv(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def timed(label: str, rows: int, action) -> None:
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<46} {rows:>8} rows {elapsed:7.2f} s {rows / elapsed:9.0f} rows/s   peak RSS {peak_mib:6.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--contacts", type=int, default=5_000)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="csm-bulk-"))
    url = os.environ.get("DATABASE_URL")
    prepare_database(url, workdir)
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csm_project.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    cities = ["Orlando", "Paris", "Osaka", "Lagos", "Lima", "Oslo"]
    accounts = workdir / "accounts.csv"
    write_csv(accounts, ["name", "city", "phone", "customer"],
              ([f"Account {n}", rng.choice(cities), f"+1 555 {n:07d}", "true"] for n in range(args.accounts)))
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    print(f"database: {connection.vendor}; files in {workdir}")
    timed("import_records customer_account (bulk)", args.accounts,
          lambda: call_command("import_records", "customer_account", str(accounts), **quiet))

    from contacts.models import Account

    account_ids = list(Account.objects.values_list("sys_id", flat=True)[:100])
    for name, command in (("contacts_raw.csv", ["import_records", "customer_contact"]),
                          ("contacts_api.csv", ["import_contacts"])):
        path = workdir / name
        prefix = name.split(".")[0]
        write_csv(path, ["user_name", "first_name", "last_name", "email", "account", "city"],
                  ([f"{prefix}.{n}", "Bulk", f"Contact{n}", f"{prefix}.{n}@example.com", rng.choice(account_ids),
                    rng.choice(cities)] for n in range(args.contacts)))
        timed(" ".join(command) + (" (row by row)" if "import_records" in command else " (API rules)"),
              args.contacts, lambda command=command, path=path: call_command(*command, str(path), **quiet))

    for table, rows in (("customer_account", args.accounts), ("customer_contact", 2 * args.contacts)):
        out = workdir / f"{table}.out.csv"
        timed(f"export_records {table}", rows,
              lambda table=table, out=out: call_command("export_records", table, "--output", str(out), **quiet))


if __name__ == "__main__":
    main()
