"""Bulk import and export speed against raw COPY of the same rows, and peak memory by file size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csm_bulk python benchmarks/bulk_io_bench.py
    python benchmarks/bulk_io_bench.py --accounts 20000 --contacts 5000     # a throwaway SQLite file

On PostgreSQL the named database is dropped and re-created first. For each table (accounts:
``import_records customer_account``; contacts: ``import_contacts``, a ``sys_user`` row and a
``customer_contact`` row per contact) it prints, in this one run:

- raw COPY: the same rows, already built as complete column tuples, sent with psycopg's
  ``cursor.copy`` (only the COPY is timed) and then removed again;
- import: the management command on a CSV file of those rows (reading, every domain rule,
  record numbers, COPY), and its ratio to raw COPY;
- export: ``export_records`` of the table to CSV, and its ratio to raw COPY.

Then peak memory (RSS) of ``import_records customer_account`` run in a fresh process on files
of ``--memory-rows`` sizes (default 50k and 500k rows). SQLite has no COPY: its baseline is one
``executemany`` of the same tuples. Prints figures; asserts nothing.
"""

import argparse
import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throwaway_database import prepare_database

ROOT = Path(__file__).resolve().parents[1]
CITIES = ["Orlando", "Paris", "Osaka", "Lagos", "Lima", "Oslo"]


def setup_django() -> None:
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csm_project.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def write_csv(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def account_rows(count: int, tag: str = "Account"):
    rng = random.Random(7)
    return ([f"{tag} {n}", rng.choice(CITIES), f"+1 555 {n:07d}", "true"] for n in range(count))


def contact_rows(count: int, account_ids: list[str]):
    rng = random.Random(11)
    return (
        [f"bulk.{n}", "Bulk", f"Contact{n}", f"bulk.{n}@example.com", rng.choice(account_ids), rng.choice(CITIES)]
        for n in range(count)
    )


def raw_copy(model, header: list[str], rows: list[list[str]]) -> float:
    """Seconds to COPY ``rows`` (CSV cells) into the tables of ``model`` as complete rows, built
    beforehand with the values the import stores; the rows are deleted afterwards."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import connection, transaction
    from django.utils import timezone

    from csm_project.core.models import new_sys_id

    chain = [*reversed(model._meta.get_parent_list()), model]
    now = timezone.now()
    built = []
    for number, cells in enumerate(rows, start=1):
        given = dict(zip(header, cells, strict=True))
        values = {}
        for field in model._meta.concrete_fields:
            values[field.attname] = field.get_default() if field.has_default() else None
        values.update(
            sys_id=new_sys_id(),
            sys_created_on=now,
            sys_updated_on=now,
            sys_created_by="system",
            sys_updated_by="system",
            sys_class_name=model.sys_table,
        )
        for name, value in given.items():
            field = model._meta.get_field(name)
            values[field.attname] = value == "true" if field.get_internal_type() == "BooleanField" else value
        if hasattr(model, "NUMBER_PREFIX") and model.NUMBER_PREFIX:
            values["number"] = f"RAW{number:08d}"
        if "password" in values:
            values["password"] = UNUSABLE_PASSWORD_PREFIX + "x" * 40
        built.append(values)
    tables = []
    for klass in chain:
        fields = list(klass._meta.local_concrete_fields)
        attnames = ["sys_id" if f.primary_key and f.remote_field else f.attname for f in fields]
        tables.append(
            (klass._meta.db_table, [f.column for f in fields], [tuple(values[a] for a in attnames) for values in built])
        )
    quote = connection.ops.quote_name
    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for table, columns, tuples in tables:
                column_list = ", ".join(quote(c) for c in columns)
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {quote(table)} ({column_list}) FROM STDIN") as copy:  # noqa: S608
                        for row in tuples:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {quote(table)} ({column_list}) VALUES ({marks})", tuples)  # noqa: S608
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)  # the import then loads the same rows
    return elapsed


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def line(label: str, rows: int, seconds: float, baseline: float | None = None) -> None:
    ratio = f"  {baseline / seconds:5.2f}x raw COPY" if baseline else ""
    print(f"{label:<44} {rows:>8} rows {seconds:7.2f} s {rows / seconds:9.0f} rows/s{ratio}", flush=True)


def peak_rss(path: Path) -> float:
    """Peak RSS (MiB) of a fresh process importing ``path`` into customer_account."""
    code = (
        f"import os, sys; sys.path.insert(0, {str(ROOT)!r}); "
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'csm_project.settings'); "
        "import django; django.setup(); from django.core.management import call_command; "
        f"call_command('import_records', 'customer_account', {str(path)!r}, verbosity=0); "
        # VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec).
        "print([line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM')][0])"
    )
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout  # noqa: S603
    return int(output.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--memory-rows", default="50000,500000", help="Comma-separated file sizes for peak RSS.")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="csm-bulk-"))
    prepare_database(os.environ.get("DATABASE_URL"), workdir, "bulk.sqlite3")
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from contacts.models import Account, Contact

    call_command("migrate", verbosity=0)
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO(), "verbosity": 0}
    audit = "sys_audit" in connection.introspection.table_names()
    print(f"database: {connection.vendor}; audit table present: {audit}; files in {workdir}")

    header = ["name", "city", "phone", "customer"]
    accounts = workdir / "accounts.csv"
    rows = list(account_rows(args.accounts))
    write_csv(accounts, header, rows)
    baseline = raw_copy(Account, header, rows)
    del rows
    line("raw COPY customer_account", args.accounts, baseline)
    line(
        "import_records customer_account",
        args.accounts,
        timed(lambda: call_command("import_records", "customer_account", str(accounts), **quiet)),
        baseline,
    )
    out = workdir / "accounts.out.csv"
    line(
        "export_records customer_account (csv)",
        args.accounts,
        timed(lambda: call_command("export_records", "customer_account", "-o", str(out), **quiet)),
        baseline,
    )

    account_ids = list(Account.objects.values_list("sys_id", flat=True)[:100])
    header = ["user_name", "first_name", "last_name", "email", "account", "city"]
    contacts = workdir / "contacts.csv"
    rows = list(contact_rows(args.contacts, account_ids))
    write_csv(contacts, header, rows)
    baseline = raw_copy(Contact, header, rows)
    del rows
    line("raw COPY customer_contact (+ sys_user)", args.contacts, baseline)
    line(
        "import_contacts",
        args.contacts,
        timed(lambda: call_command("import_contacts", str(contacts), **quiet)),
        baseline,
    )
    out = workdir / "contacts.out.csv"
    line(
        "export_records customer_contact (csv)",
        args.contacts,
        timed(lambda: call_command("export_records", "customer_contact", "-o", str(out), **quiet)),
        baseline,
    )
    out = workdir / "contacts.out.jsonl"
    line(
        "export_records customer_contact (jsonl)",
        args.contacts,
        timed(lambda: call_command("export_records", "customer_contact", "--format", "jsonl", "-o", str(out), **quiet)),
        baseline,
    )

    for size in (int(n) for n in args.memory_rows.split(",") if n):
        path = workdir / f"memory_{size}.csv"
        write_csv(path, ["name", "city", "phone", "customer"], account_rows(size, tag=f"Mem{size}"))
        print(
            f"peak RSS import_records customer_account {size:>8} rows: {peak_rss(path):6.0f} MiB "
            f"(file {path.stat().st_size / 2**20:.0f} MiB)",
            flush=True,
        )


if __name__ == "__main__":
    main()
