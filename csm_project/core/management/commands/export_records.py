import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from csm_project.core.bulk.exports import UnknownFields, records_export
from csm_project.core.bulk.files import FORMATS
from csm_project.registry import UnknownTable, all_tables, get_table


class Command(BaseCommand):
    help = (
        "Export the records of a table (wire name) as CSV (header row of field names) or JSON "
        "lines, optionally filtered and sorted by an encoded query, streamed so any table size "
        "fits in memory. The output loads back with import_records."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("table", help="Wire table name, e.g. customer_contact.")
        parser.add_argument("--query", default="", help="Encoded query, e.g. 'active=true^ORDERBYlast_name'.")
        parser.add_argument("--fields", help="Comma-separated field names (default: all).")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="csv",
            help='csv, jsonl, json (an array) or records ({"records": [...]}).',
        )
        parser.add_argument("--output", "-o", default="-", help="File to write (default: standard output).")

    def handle(self, *args, table: str, query: str, fields: str | None, format: str, output: str, **options) -> None:
        verbosity = options["verbosity"]
        started = time.monotonic()
        try:
            spec = get_table(table)
        except UnknownTable:
            raise CommandError(f"Unknown table {table!r}. Tables: {', '.join(sorted(all_tables()))}") from None
        names = [name.strip() for name in fields.split(",") if name.strip()] if fields else None

        def progress(written: int, total: int) -> None:
            if verbosity > 1:
                self.stderr.write(f"  {written}/{total} rows")

        def export(out) -> int:
            return records_export(table=spec, out=out, fmt=format, query=query, fields=names, progress=progress)

        try:
            if output == "-":
                written = export(sys.stdout)
                sys.stdout.flush()
            else:
                with Path(output).open("w", newline="", encoding="utf-8") as out:
                    written = export(out)
        except UnknownFields as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from None
        if verbosity > 0:
            elapsed = time.monotonic() - started
            rate = written / elapsed if elapsed > 0 else 0.0
            self.stderr.write(f"Exported {written} rows of {table} in {elapsed:.2f} s ({rate:.0f} rows/s).")
