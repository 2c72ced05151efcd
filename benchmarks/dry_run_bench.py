"""A dry run against the load of the same file: seconds of each and load / dry-run ratios.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dry python benchmarks/dry_run_bench.py --rows 5000
    python benchmarks/dry_run_bench.py --rows 5000      # a throwaway SQLite file

On a database rebuilt from nothing (``throwaway_database``), for each case it times
``--dry-run`` of a file, then the load of the same file, and checks that the dry run's summary
counts equal the load's and that the dry run changed no row count. Cases:

- ``import_records customer_account``: new accounts (COPY);
- ``import_contacts``: new contacts (a ``sys_user`` and a ``customer_contact`` row each, a
  reference to an account and a unique user name per row);
- ``import_records customer_account --upsert``: the export of the accounts with a tenth of the
  cities changed (every row matched, a tenth updated one by one through the record save).

Prints figures (the goal: every ratio at least 3x); asserts only that the reports agree.
"""

import argparse
import csv
import io
import os
import re
import tempfile
import time
from pathlib import Path

from bulk_io_bench import CITIES, account_rows, contact_rows, setup_django, write_csv
from throwaway_database import prepare_database

COUNTS = re.compile(r"read (\d+), (?:would write|written) (\d+) \((?:would create|created) (\d+), "
                    r"(?:would update|updated) (\d+)\), unchanged (\d+), rejected (\d+)")  # fmt: skip


def run(*args: str) -> tuple[float, tuple[int, ...]]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command(*args, stdout=out, stderr=io.StringIO())
    seconds = time.perf_counter() - started
    match = COUNTS.search(out.getvalue())
    assert match, out.getvalue()
    return seconds, tuple(int(n) for n in match.groups())


def row_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in ("customer_account", "customer_contact", "sys_user", "sys_audit", "sys_number_counter"):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our names
            counts[table] = cursor.fetchone()[0]
    return counts


def compare(label: str, dry_args: list[str], load_args: list[str]) -> float:
    before = row_counts()
    dry, dry_counts = run(*dry_args, "--dry-run")
    assert row_counts() == before, f"{label}: the dry run changed rows"
    load, load_counts = run(*load_args)
    assert dry_counts == load_counts, f"{label}: dry run {dry_counts} != load {load_counts}"
    print(f"{label:<48} load {load:7.2f} s  dry run {dry:7.2f} s  ratio {load / dry:5.2f}x  counts {load_counts}")
    return load / dry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="csm-dry-"))
    url = os.environ.get("DATABASE_URL")
    prepare_database(url, workdir, "dry.sqlite3")
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; {args.rows} rows; load average {os.getloadavg()}", flush=True)
    from contacts.models import Account

    accounts = workdir / "accounts.csv"
    write_csv(accounts, ["name", "city", "phone", "customer"], account_rows(args.rows))
    ratios = [compare("import_records customer_account", *[["import_records", "customer_account", str(accounts)]] * 2)]

    contacts = workdir / "contacts.csv"
    account_ids = list(Account.objects.values_list("sys_id", flat=True)[:100])
    write_csv(
        contacts,
        ["user_name", "first_name", "last_name", "email", "account", "city"],
        contact_rows(args.rows, account_ids),
    )
    ratios.append(compare("import_contacts", *[["import_contacts", str(contacts)]] * 2))

    exported = workdir / "accounts.export.csv"
    call_command("export_records", "customer_account", "--fields", "sys_id,name,city", "-o", str(exported), verbosity=0)
    changed = workdir / "accounts.changed.csv"
    with exported.open(newline="") as source, changed.open("w", newline="") as target:
        reader, writer = csv.reader(source), csv.writer(target)
        writer.writerow(next(reader))
        for number, (sys_id, name, city) in enumerate(reader):
            writer.writerow(
                [sys_id, name, CITIES[(CITIES.index(city) + 1) % len(CITIES)] if number % 10 == 0 else city]
            )
    upsert = ["import_records", "customer_account", str(changed), "--upsert"]
    ratios.append(compare("import_records customer_account --upsert", upsert, upsert))
    print(f"lowest ratio {min(ratios):.2f}x (goal: 3x); load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
