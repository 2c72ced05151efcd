"""The shell every import command shares: the file (or standard input) in any shape, the
options of a load, progress, the list of bad rows, the reject file and the summary line.
Subclasses name the table and may add columns (``extension``)."""

import io
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError

from csm_project.core.access.actor import acting_as
from csm_project.core.bulk.files import CSV, FORMATS, JSONL, RowReader, RowWriter, SourceRow
from csm_project.core.bulk.imports import ERROR_COLUMN, Extension, ImportResult, RecordLoader, RowError
from csm_project.core.models import User
from csm_project.core.records.field_rules import table_rules
from csm_project.core.sql.audit import audit_reason

PLAIN_PROGRESS_SECONDS = 5.0


class ImportCommand(BaseCommand):
    #: What the summary calls the loaded records ("rows", "contacts").
    noun = "rows"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Path of the file to load, or - for standard input.")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="csv, jsonl (one object per line), json (an array of objects) or records (the export "
            'shape {"records": [...]}). Default: detected from the first bytes.',
        )
        parser.add_argument("--delimiter", help="CSV delimiter (default: detected among , ; tab |). 'tab' for a tab.")
        parser.add_argument(
            "--encoding",
            help="Text encoding of the file (default: UTF-8, with or without a byte order mark), e.g. cp1252, latin-1.",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="Take the file's column COLUMN as the field FIELD (repeatable). Headers may also be field "
            "names or labels, in any case.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check every row as the load would, and report; write nothing.",
        )
        parser.add_argument(
            "--skip-bad", action="store_true", help="Load the good rows; write bad ones to a reject file."
        )
        parser.add_argument("--reject-file", help="Where --skip-bad writes bad rows (default: FILE.rejects.EXT).")
        parser.add_argument("--upsert", action="store_true", help="Update the record a row matches, add the others.")
        parser.add_argument("--key", help="Column matching rows to records with --upsert (default: sys_id).")
        parser.add_argument("--as-user", help="User name recorded as creator (default: system).")
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows checked and written together.")
        parser.add_argument("--max-errors", type=int, default=100, help="How many bad rows to list.")

    def table_name(self, options: dict[str, Any]) -> str:
        raise NotImplementedError

    def extension(self) -> Extension | None:
        return None

    def handle(self, *args, **options) -> None:
        verbosity = options["verbosity"]
        table = self.table_name(options)
        try:
            rules = table_rules(table)
        except LookupError:
            from csm_project.registry import all_tables

            raise CommandError(f"Unknown table {table!r}. Tables: {', '.join(sorted(all_tables()))}") from None
        if getattr(rules.model, "sys_read_only", False):
            raise CommandError(f"{table} is read-only: it is written by the platform itself, never loaded.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if options["key"] and not options["upsert"]:
            raise CommandError("--key matches rows for --upsert; give both.")
        actor = None
        if options["as_user"]:
            actor = User.objects.filter(user_name=options["as_user"]).first()
            if actor is None:
                raise CommandError(f"No user named {options['as_user']!r}.")
        column_map = {}
        for given in options["map"]:
            source, equals, target = given.partition("=")
            if not equals or not source.strip() or not target.strip():
                raise CommandError(f"--map {given!r}: give COLUMN=FIELD")
            column_map[source.strip()] = target.strip()
        file = options["file"]
        stream = _open(file)
        delimiter = options["delimiter"]
        if delimiter in ("tab", "\\t"):
            delimiter = "\t"
        with stream:
            size = _size(file)
            command = type(self).__module__.rsplit(".", 1)[-1]
            reason = f"{command} {Path(file).name if file != '-' else 'stdin'}"
            with acting_as(actor), audit_reason(reason):
                try:
                    loader = RecordLoader(
                        rules,
                        upsert=options["upsert"],
                        key=options["key"],
                        skip_bad=options["skip_bad"],
                        dry_run=options["dry_run"],
                        batch_size=options["batch_size"],
                        extension=self.extension(),
                        keep_errors=options["max_errors"],
                        column_map=column_map,
                    )
                    reader = RowReader(
                        stream,
                        options["format"],
                        delimiter=delimiter,
                        encoding=options["encoding"],
                        rename=loader.rename_columns,
                    )
                except ValueError as exc:  # FileShapeError, a bad --key, --map or --encoding
                    raise CommandError(str(exc)) from None
                loader.where = "line" if reader.format in (CSV, JSONL) else "record"
                loader.empty_is_absent = reader.format == CSV
                rejects = _Rejects(file, reader, options["reject_file"]) if options["skip_bad"] else None
                progress = _Progress(self, verbosity, size, reader)
                started = time.monotonic()
                try:
                    result = loader.run(reader, on_batch=progress.update, on_reject=rejects.write if rejects else None)
                except ValueError as exc:  # FileShapeError: text not in its encoding, a bad header, ...
                    raise CommandError(f"{file}: {exc}") from None
                finally:
                    progress.close()
                    if rejects:
                        rejects.close()
            elapsed = time.monotonic() - started
        self._report(result, elapsed, options, rejects, file, table)

    def _report(self, result: ImportResult, elapsed: float, options, rejects, file: str, table: str) -> None:
        verbosity = options["verbosity"]
        max_errors = options["max_errors"]
        failed = result.rejected and not options["skip_bad"]
        if failed or verbosity > 0:
            for error in result.errors[:max_errors]:
                self.stderr.write(str(error))
            if result.rejected > min(len(result.errors), max_errors):
                self.stderr.write(f"... and more: {result.rejected} bad row(s) in all")
        rate = result.read / elapsed if elapsed > 0 else 0.0
        written = "would write" if result.dry_run else "written"
        created, updated = ("would create", "would update") if result.dry_run else ("created", "updated")
        summary = (
            f"{table}: read {result.read}, {written} {result.written} ({created} {result.created}, {updated} "
            f"{result.updated}), unchanged {result.unchanged}, rejected {result.rejected}, {elapsed:.2f} s "
            f"({rate:.0f} rows/s)"
        )
        if failed:
            raise CommandError(
                f"{result.rejected} bad row(s) in {result.read} rows of {file}; nothing was written. {summary}"
            )
        if verbosity > 0:
            if options["dry_run"]:
                summary += " [dry run: nothing written]"
            if rejects and result.rejected:
                summary += f"; bad rows in {rejects.path}"
            self.stdout.write(summary)


def _open(file: str) -> BinaryIO:
    if file == "-":
        return sys.stdin.buffer
    try:
        return Path(file).open("rb")
    except OSError as exc:
        raise CommandError(f"Cannot read {file}: {exc}") from None


def _size(file: str) -> int | None:
    if file == "-":
        return None
    try:
        return Path(file).stat().st_size or None
    except OSError:
        return None


class _Rejects:
    """The reject file: bad rows in the input's shape, plus an ``import_error`` column."""

    def __init__(self, file: str, reader: RowReader, path: str | None) -> None:
        if path is None:
            base = Path("rejects" if file == "-" else file)
            suffix = base.suffix or ".txt"
            path = str(base.with_suffix(f".rejects{suffix}"))
        self.path = path
        self.reader = reader
        self.writer: RowWriter | None = None
        self.handle: io.TextIOBase | None = None

    def write(self, source: SourceRow, errors: list[RowError]) -> None:
        if self.writer is None:
            self.handle = Path(self.path).open("w", newline="", encoding="utf-8")
            columns = [*(self.reader.columns or []), ERROR_COLUMN]
            self.writer = RowWriter(self.handle, self.reader.format, columns, delimiter=self.reader.delimiter or ",")
        message = "; ".join((f"{e.field}: " if e.field else "") + e.message for e in errors)
        row = dict(source.values or {})
        row.pop(ERROR_COLUMN, None)
        row[ERROR_COLUMN] = message
        self.writer.write(row)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.handle.close()


class _Progress:
    """A bar (tqdm) on a terminal: rows, rows/s, and percentage and ETA by bytes read when the
    file size is known. Elsewhere a plain line after the first batch and then every few
    seconds. Nothing at verbosity 0."""

    def __init__(self, command: BaseCommand, verbosity: int, size: int | None, reader: RowReader) -> None:
        self.command = command
        self.reader = reader
        self.started = time.monotonic()
        self.last_line = 0.0
        self.bar = None
        self.enabled = verbosity > 0
        self.done = 0
        stream = command.stderr._out
        if self.enabled and getattr(stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(
                total=size,
                unit="B",
                unit_scale=True,
                file=stream,
                bar_format="{l_bar}{bar}| {postfix} [{elapsed}<{remaining}]" if size else "{postfix} [{elapsed}]",
            )

    def update(self, result: ImportResult) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        rate = result.read / elapsed if elapsed > 0 else 0.0
        if self.bar is not None:
            position = self.reader.position()
            self.bar.update(max(0, position - self.done))
            self.done = max(self.done, position)
            self.bar.set_postfix_str(f"{result.read:,} rows, {rate:,.0f} rows/s, {result.rejected} bad", refresh=True)
            return
        if self.last_line and elapsed - self.last_line < PLAIN_PROGRESS_SECONDS:
            return
        self.last_line = max(elapsed, 1e-9)
        self.command.stderr.write(
            f"progress: {result.read} rows read, {result.written} {'would be ' if result.dry_run else ''}written, "
            f"{result.rejected} bad, "
            f"{rate:.0f} rows/s, {elapsed:.1f} s"
        )
        self.command.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
