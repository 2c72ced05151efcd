import sys
import time
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contacts.api.serializers import READ_ONLY_KEYS, SOCIAL_KEYS, ContactInputSerializer
from contacts.services import ContactImportRow, SocialProfileRequest, contacts_import
from csm_project.core.actor import acting_as
from csm_project.core.models import User
from csm_project.core.record_import import ImportResult, RowError, read_rows


def contact_rows(rows: Iterator[tuple[int, dict]]) -> Iterator[ContactImportRow | RowError]:
    """Each file row read with the Contact API's types; unreadable values and unknown columns are
    reported (a file's misspelled column is a mistake, unlike an API client's extra field).
    System columns (as ``export_records customer_contact`` writes them) are skipped, and so are
    empty cells."""
    known = set(ContactInputSerializer().fields)
    for line, record in rows:
        if "__error__" in record:
            yield RowError(line, None, record["__error__"])
            continue
        unknown = [key for key in record if key not in known and key not in READ_ONLY_KEYS]
        if unknown:
            for key in unknown:
                yield RowError(line, key, "customer_contact has no such field")
            continue
        # An empty cell means "not given": the field's default applies (a contact is active).
        given = {key: value for key, value in record.items() if key in known and value not in ("", None)}
        serializer = ContactInputSerializer(data=given)
        if not serializer.is_valid():
            for field, messages in serializer.errors.items():
                for message in messages:
                    yield RowError(line, field, str(message))
            continue
        fields = dict(serializer.validated_data)
        social = SocialProfileRequest.from_fields(fields)
        yield ContactImportRow(line, {key: value for key, value in fields.items() if key not in SOCIAL_KEYS}, social)


class Command(BaseCommand):
    help = (
        "Create CSM contacts from a CSV file (header row of field names) or JSON lines (one object "
        "per line), with the Contact API's field names, types and rules: references are sys_ids "
        "that must exist, user names must be free (in any case), social_channel + social_handle + "
        "social_handle_url create a social profile. System columns (sys_*, roles, last_login) are "
        "skipped, so the output of 'export_records customer_contact' loads back. All rows are "
        "checked; if any row is bad, every bad row is listed with its line number and NOTHING is "
        "written. Contacts get no usable password."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Path of the file to load, or - for standard input.")
        parser.add_argument("--format", choices=["csv", "jsonl"], help="Default: from the file name (.csv/.jsonl).")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")
        parser.add_argument("--as-user", help="User name recorded as creator (default: system).")
        parser.add_argument("--max-errors", type=int, default=100, help="How many bad rows to list.")

    def handle(self, *args, file: str, format: str | None, dry_run: bool, as_user: str | None, max_errors: int,
               **options) -> None:
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
            self.stdout.write(f"  {result.rows_read} rows read, {len(result.errors)} problem(s)")

        started = time.monotonic()
        with stream, acting_as(actor):
            try:
                result = contacts_import(rows=contact_rows(read_rows(stream, fmt)), dry_run=dry_run,
                                         progress=progress)
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
            f"Imported {result.imported} contacts in {elapsed:.1f}s ({rate:.0f} rows/s)."
        ))
