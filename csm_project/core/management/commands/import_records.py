from django.core.management.base import CommandError

from csm_project.core.import_command import ImportCommand
from csm_project.core.record_import import ImportResult, RecordImporter, read_rows
from csm_project.registry import UnknownTable, all_tables, get_table


class Command(ImportCommand):
    help = (
        "Load records into a table (wire name, e.g. customer_account, sn_lead_mgmt_core_lead) from a "
        "CSV file with a header row of field names, or from JSON lines (one object per line), as "
        "stored: no API rule beyond the fields' own (use import_contacts for contacts with the "
        "Contact API's rules). All rows are checked first; if any row is bad, every bad row is "
        "listed with its line number and NOTHING is written. References are sys_ids; dates "
        "YYYY-MM-DD HH:MM:SS (UTC); booleans true/false. Missing record numbers are drawn from "
        "the table's counter."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("table", help="Wire table name.")
        super().add_arguments(parser)
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows checked and inserted per batch.")

    def run_import(self, stream, fmt, *, dry_run, progress, table: str, batch_size: int,
                   commit_each_batch: bool = False, **options) -> ImportResult:
        try:
            spec = get_table(table)
        except UnknownTable:
            raise CommandError(f"Unknown table {table!r}. Tables: {', '.join(sorted(all_tables()))}") from None
        if getattr(spec.model, "sys_read_only", False):
            raise CommandError(f"{table} is read-only: it is written by the platform itself, never loaded.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        return RecordImporter(spec, batch_size=batch_size).run(read_rows(stream, fmt), dry_run=dry_run,
                                                               progress=progress, commit_each_batch=commit_each_batch)
