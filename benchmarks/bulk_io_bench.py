"""Bulk import and export speed against bare COPY of the same rows, over several runs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_perf python benchmarks/bulk_io_bench.py \
        --accounts 200000 --contacts 200000 --runs 3 --memory-rows ""
    python benchmarks/bulk_io_bench.py --accounts 20000 --contacts 5000     # a throwaway SQLite file

Every run starts on a database rebuilt from nothing (on PostgreSQL the named database is dropped,
created and migrated; on SQLite a new file), so runs are alike. For each table (accounts:
``import_records customer_account``; contacts: ``import_contacts``, a ``sys_user`` row and a
``customer_contact`` row per contact) a run measures:

- bare COPY: the same rows, already built as complete column tuples, sent with psycopg's
  ``cursor.copy`` into trigger-less copies of the same tables (``CREATE TABLE ... (LIKE ...
  INCLUDING DEFAULTS INCLUDING INDEXES)``: same columns and indexes, no audit, no counters, no
  sort-key triggers, no foreign keys); only the COPY is timed;
- import: the management command on a CSV file of those rows (reading, every domain rule,
  record numbers, COPY through the real tables' triggers), and bare COPY / import;
- export: ``export_records`` of the table to CSV, against ``COPY (SELECT ...) TO STDOUT`` of the
  same table(s) written to a file (COPY TO / export).

It prints every run's line, then per measure the median ratio and the spread (lowest-highest)
and the load average. Optionally (``--memory-rows``) peak memory (RSS) of ``import_records
customer_account`` in a fresh process by file size. SQLite has no COPY: its baselines are one
``executemany`` into the bare tables and a ``SELECT`` written with ``csv``. Prints figures;
asserts nothing.
"""

import argparse
import csv
import io
import os
import random
import statistics
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


def built_tables(model, header: list[str], rows: list[list[str]]) -> list[tuple[str, list[str], list[tuple]]]:
    """``rows`` (CSV cells) as complete column tuples of each table of ``model``, with the values
    the import stores."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
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
    return tables


def bare_copy(model, header: list[str], rows: list[list[str]]) -> float:
    """Seconds to COPY ``rows`` into trigger-less copies of ``model``'s tables (dropped after)."""
    from django.db import connection, transaction

    from csm_project.core.sql.session import allow_long_statements

    tables = built_tables(model, header, rows)
    quote = connection.ops.quote_name
    with transaction.atomic():
        allow_long_statements(connection)  # as the import does
        with connection.cursor() as cursor:
            for table, _columns, _tuples in tables:
                if connection.vendor == "postgresql":
                    cursor.execute(
                        f"CREATE TABLE {quote('bare_' + table)} (LIKE {quote(table)} "
                        "INCLUDING DEFAULTS INCLUDING INDEXES)"
                    )
                else:
                    bare = quote("bare_" + table)
                    cursor.execute(f"CREATE TABLE {bare} AS SELECT * FROM {quote(table)} WHERE 0")  # noqa: S608
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for table, columns, tuples in tables:
                column_list = ", ".join(quote(c) for c in columns)
                bare = quote("bare_" + table)
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {bare} ({column_list}) FROM STDIN") as copy:  # noqa: S608
                        for row in tuples:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {bare} ({column_list}) VALUES ({marks})", tuples)  # noqa: S608
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)  # the bare tables go again
    return elapsed


def copy_to(select: str, path: Path) -> float:
    """Seconds to write the rows of ``select`` to ``path`` as CSV with the database's own COPY TO."""
    from django.db import connection, transaction

    from csm_project.core.sql.session import allow_long_statements

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor, path.open("wb") as handle:
        allow_long_statements(connection)  # as the export does
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                for block in copy:
                    handle.write(block)
        else:
            cursor.execute(select)
            text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
            writer = csv.writer(text)
            writer.writerow([column[0] for column in cursor.description])
            for row in cursor:
                writer.writerow(row)
            text.flush()
            text.detach()
    return time.perf_counter() - started


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


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


def one_run(args, run: int, workdir: Path) -> dict[str, tuple[int, float, float]]:
    """One run on a database rebuilt for it: measure -> (rows, seconds, baseline seconds)."""
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    prepare_database(args.database_url, workdir, f"bulk_{run}.sqlite3")
    if args.database_url is None:
        connections["default"].settings_dict["NAME"] = str(workdir / f"bulk_{run}.sqlite3")
    from contacts.models import Account, Contact

    call_command("migrate", verbosity=0)
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO(), "verbosity": 0}
    figures: dict[str, tuple[int, float, float]] = {}

    def record(label: str, rows: int, seconds: float, baseline: float) -> None:
        figures[label] = (rows, seconds, baseline)
        print(
            f"run {run}  {label:<40} {rows:>8} rows {seconds:7.2f} s {rows / seconds:8.0f} rows/s"
            f"  baseline {baseline:6.2f} s  {baseline / seconds:5.2f}x",
            flush=True,
        )

    header = ["name", "city", "phone", "customer"]
    accounts = workdir / "accounts.csv"
    rows = list(account_rows(args.accounts))
    write_csv(accounts, header, rows)
    baseline = bare_copy(Account, header, rows)
    del rows
    seconds = timed(lambda: call_command("import_records", "customer_account", str(accounts), **quiet))
    record("import_records customer_account", args.accounts, seconds, baseline)
    out = workdir / "accounts.out.csv"
    seconds = timed(lambda: call_command("export_records", "customer_account", "-o", str(out), **quiet))
    baseline = copy_to("SELECT * FROM customer_account", workdir / "accounts.copy.csv")
    record("export_records customer_account (csv)", args.accounts, seconds, baseline)

    account_ids = list(Account.objects.values_list("sys_id", flat=True)[:100])
    header = ["user_name", "first_name", "last_name", "email", "account", "city"]
    contacts = workdir / "contacts.csv"
    rows = list(contact_rows(args.contacts, account_ids))
    write_csv(contacts, header, rows)
    baseline = bare_copy(Contact, header, rows)
    del rows
    seconds = timed(lambda: call_command("import_contacts", str(contacts), **quiet))
    record("import_contacts", args.contacts, seconds, baseline)
    out = workdir / "contacts.out.csv"
    seconds = timed(lambda: call_command("export_records", "customer_contact", "-o", str(out), **quiet))
    both = "SELECT u.*, c.* FROM customer_contact c JOIN sys_user u ON u.sys_id = c.user_ptr_id"
    baseline = copy_to(both, workdir / "contacts.copy.csv")
    record("export_records customer_contact (csv)", args.contacts, seconds, baseline)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--memory-rows", default="", help="Comma-separated file sizes for peak RSS (e.g. 50000,500000)."
    )
    args = parser.parse_args()
    args.database_url = os.environ.get("DATABASE_URL")

    workdir = Path(tempfile.mkdtemp(prefix="csm-bulk-"))
    prepare_database(args.database_url, workdir, "bulk_0.sqlite3")
    setup_django()
    from django.db import connection

    print(f"database: {connection.vendor}; files in {workdir}; load average {os.getloadavg()}", flush=True)
    runs = [one_run(args, run, workdir) for run in range(1, args.runs + 1)]
    print(f"\nratios over {len(runs)} runs (baseline seconds / product seconds; >= 0.5x is the goal):")
    for label in runs[0]:
        ratios = sorted(figures[label][2] / figures[label][1] for figures in runs)
        rates = sorted(figures[label][0] / figures[label][1] for figures in runs)
        print(
            f"  {label:<40} median {statistics.median(ratios):5.2f}x  spread {ratios[0]:.2f}-{ratios[-1]:.2f}x"
            f"  ({statistics.median(rates):.0f} rows/s)"
        )
    print(f"load average after: {os.getloadavg()}")

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
