"""The shell every import command shares: a file or standard input, CSV or JSON lines, a dry
run, the user recorded as creator, progress on stderr, every bad row listed by line, and a
summary. Subclasses say what one import does in ``run_import``.

On SQLite the whole database has one write lock, so a load in one transaction would make every
API write wait for all of it (and fail past the busy timeout). There, a load runs in two passes
over the file: a check of every row (reads only, no lock held), then, if all rows are good, the
load committing batch by batch, so an API write waits at most for one batch. Should a batch still
fail (the database changed between the passes), the rows already committed are deleted again:
nothing stays written, although other sessions may have seen them meanwhile. On PostgreSQL a load
is one transaction: other writers are not blocked by it.
"""

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from csm_project.core.actor import acting_as
from csm_project.core.audit import audit_reason
from csm_project.core.models import User
from csm_project.core.record_import import ImportResult


class ImportCommand(BaseCommand):
    #: What the summary calls the imported records ("rows", "contacts").
    noun = "rows"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Path of the file to load, or - for standard input.")
        parser.add_argument("--format", choices=["csv", "jsonl"], help="Default: from the file name (.csv/.jsonl).")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")
        parser.add_argument("--as-user", help="User name recorded as creator (default: system).")
        parser.add_argument("--max-errors", type=int, default=100, help="How many bad rows to list.")

    def run_import(self, stream: TextIO, fmt: str, *, dry_run: bool, progress, commit_each_batch: bool = False,
                   **options) -> ImportResult:
        raise NotImplementedError

    def load(self, stream: TextIO, fmt: str, *, dry_run: bool, progress, **options) -> ImportResult:
        """Check or load ``stream``: on SQLite in two passes (see the module docstring)."""
        if dry_run or connection.vendor != "sqlite":
            return self.run_import(stream, fmt, dry_run=dry_run, progress=progress, **options)
        if not stream.seekable():  # a pipe: keep a copy to read twice
            with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as copy:
                shutil.copyfileobj(stream, copy)
                copy.seek(0)
                return self.load(copy, fmt, dry_run=dry_run, progress=progress, **options)
        start = stream.tell()
        checked = self.run_import(stream, fmt, dry_run=True, progress=progress, **options)
        if checked.errors:
            return checked
        stream.seek(start)
        return self.run_import(stream, fmt, dry_run=False, progress=progress, commit_each_batch=True, **options)

    def handle(self, *args, file: str, format: str | None, dry_run: bool, as_user: str | None,
               max_errors: int, **options) -> None:
        fmt = format or ("jsonl" if file.endswith((".jsonl", ".json")) else "csv")
        actor = None
        if as_user:
            actor = User.objects.filter(user_name=as_user).first()
            if actor is None:
                raise CommandError(f"No user named {as_user!r}.")
        try:
            stream = sys.stdin if file == "-" else Path(file).open(newline="", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None

        def progress(result: ImportResult) -> None:
            self.stderr.write(f"  {result.rows_read} rows read, {len(result.errors)} problem(s)")

        started = time.monotonic()
        command = type(self).__module__.rsplit(".", 1)[-1]
        with stream, acting_as(actor), audit_reason(f"{command} {Path(file).name if file != '-' else 'stdin'}"):
            try:
                result = self.load(stream, fmt, dry_run=dry_run, progress=progress, **options)
            except UnicodeDecodeError as exc:
                raise CommandError(f"{file} is not UTF-8 text: {exc}") from None
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
            f"Imported {result.imported} {self.noun} in {elapsed:.1f}s ({rate:.0f} rows/s)."
        ))
