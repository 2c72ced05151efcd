from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

from csm_project.core.sql.row_counts import compact, counted_tables, row_counts_reseed


class Command(BaseCommand):
    help = (
        "Fold each table's row-count deltas into one row (PostgreSQL; docs/platform.md, Counting rows). "
        "With --reseed, count every table again instead (after a load that skipped triggers)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--reseed", action="store_true", help="Count the tables again with COUNT(*).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, reseed: bool, database: str, **options) -> None:
        connection = connections[database]
        if connection.vendor != "postgresql":
            self.stdout.write("Nothing to do: this database counts rows with COUNT(*).")
            return
        if reseed:
            row_counts_reseed(connection)
            self.stdout.write(self.style.SUCCESS(f"Counted {len(counted_tables())} tables again."))
            return
        skipped = [table for table in counted_tables() if not compact(connection, table)]
        done = len(counted_tables()) - len(skipped)
        note = f" ({len(skipped)} busy with another compaction: {', '.join(skipped)})" if skipped else ""
        self.stdout.write(self.style.SUCCESS(f"Compacted the counters of {done} tables{note}."))
