import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from csm_project.core.actor import acting_as
from csm_project.core.models import User
from csm_project.core.record_import import ImportResult, RecordImporter, read_rows
from csm_project.registry import UnknownTable, all_tables, get_table


class Command(BaseCommand):
    help = (
        "Load records into a table (wire name, e.g. customer_contact, sn_lead_mgmt_core_lead) from a "
        "CSV file with a header row of field names, or from JSON lines (one object per line). "
        "All rows are checked first; if any row is bad, every bad row is listed with its line "
        "number and NOTHING is written. References are sys_ids; dates YYYY-MM-DD HH:MM:SS (UTC); "
        "booleans true/false. Missing record numbers are drawn from the table's counter."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("table", help="Wire table name.")
        parser.add_argument("file", help="Path of the file to load, or - for standard input.")
        parser.add_argument("--format", choices=["csv", "jsonl"], help="Default: from the file name (.csv/.jsonl).")
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows checked and inserted per batch.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")
        parser.add_argument("--as-user", help="User name recorded as creator (default: system).")
        parser.add_argument("--max-errors", type=int, default=100, help="How many bad rows to list.")

    def handle(self, *args, table: str, file: str, format: str | None, batch_size: int, dry_run: bool,
               as_user: str | None, max_errors: int, **options) -> None:
        try:
            spec = get_table(table)
        except UnknownTable:
            raise CommandError(f"Unknown table {table!r}. Tables: {', '.join(sorted(all_tables()))}") from None
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        fmt = format or ("jsonl" if file.endswith((".jsonl", ".json")) else "csv")
        actor = None
        if as_user:
            actor = User.objects.filter(user_name=as_user).first()
            if actor is None:
                raise CommandError(f"No user named {as_user!r}.")
        started = time.monotonic()

        def progress(result: ImportResult) -> None:
            self.stderr.write(f"  {result.rows_read} rows read, {len(result.errors)} bad", ending="\r")

        try:
            stream = sys.stdin if file == "-" else Path(file).open(newline="", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        with stream, acting_as(actor):
            try:
                result = RecordImporter(spec, batch_size=batch_size).run(
                    read_rows(stream, fmt), dry_run=dry_run, progress=progress
                )
            except UnicodeDecodeError as exc:
                raise CommandError(f"{file} is not UTF-8 text: {exc}") from None
        self.stderr.write("")
        elapsed = time.monotonic() - started
        if result.errors:
            for error in result.errors[:max_errors]:
                self.stderr.write(str(error))
            if len(result.errors) > max_errors:
                self.stderr.write(f"... and {len(result.errors) - max_errors} more")
            raise CommandError(
                f"{len(result.errors)} problem(s) in {result.rows_read} rows of {file}; nothing was imported."
            )
        if dry_run:
            checked = f"{result.rows_read} rows checked, all good (dry run: nothing written)."
            self.stdout.write(self.style.SUCCESS(checked))
            return
        rate = result.imported / elapsed if elapsed > 0 else 0
        self.stdout.write(self.style.SUCCESS(
            f"Imported {result.imported} rows into {table} in {elapsed:.1f}s ({rate:.0f} rows/s)."
        ))
