"""``migrate``, with each migration run so that no write beside it commits unaudited
(``csm_project.core.sql.schema_changes``): Django's own command otherwise."""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from csm_project.core.sql.schema_changes import AuditedMigration


class Command(DjangoMigrate):
    help = (
        DjangoMigrate.help + " Each migration runs in one transaction with the rebuild of the audit triggers of the "
        "tables it changes, so concurrent writers wait rather than write unaudited; with nothing to apply, no "
        "trigger is touched."
    )

    def handle(self, *args, **options):
        self._database = options["database"]
        self._running: AuditedMigration | None = None
        try:
            return super().handle(*args, **options)
        except BaseException as error:
            if self._running is not None:
                running, self._running = self._running, None
                running.end(error)
            raise

    def migration_progress_callback(self, action, migration=None, fake=False):
        if action in ("apply_start", "unapply_start") and not fake:
            self._running = AuditedMigration(connections[self._database], migration)
            self._running.begin()
        super().migration_progress_callback(action, migration, fake)
        if action in ("apply_success", "unapply_success") and self._running is not None:
            running, self._running = self._running, None
            running.end()
