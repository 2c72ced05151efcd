"""Migrations run beside live writers without a write ever committing unaudited (docs/audit.md).

The audit triggers name columns, so a migration that removes, renames or rebuilds a table's
columns cannot run with them in place (SQLite refuses to drop a column a trigger names; on
PostgreSQL the trigger would fail on the next write), and must leave them rebuilt for the new
columns. ``AuditedMigration`` runs one migration inside a transaction of its own that also drops
the triggers of the tables it touches first and rebuilds them last: writers to those tables wait
for the transaction (PostgreSQL's table locks, SQLite's write lock) and never find the table
without its triggers. ``manage.py migrate`` (``core/management/commands/migrate.py``) wraps
every migration so; a migrate with nothing to apply runs none of this, and ``post_migrate``
then finds every trigger as it should be and changes nothing.

Pitfalls:
- A migration declared ``atomic = False`` cannot run inside a transaction: its tables' triggers
  are dropped before and rebuilt after it, and writes in between are not audited.
- The transaction holds its locks for the whole migration: a migration rewriting a large table
  blocks that table's writers for as long (it would anyway, by its own ``ALTER TABLE``). The
  statement time limit is lifted for it; the lock limit (``DB_LOCK_TIMEOUT``) stays, so a
  migration waiting too long for a busy table fails rather than stalls every writer behind it.
- Rows a migration writes are audited by whatever triggers are in place (none on the tables it
  touches, between the drop and the rebuild).
"""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations import Migration
from django.db.migrations.operations import RunPython
from django.db.migrations.operations.base import Operation
from django.db.migrations.operations.fields import FieldOperation
from django.db.migrations.operations.models import IndexOperation, ModelOperation, RenameModel

from csm_project.core.sql.audit import audit_tables_of, audit_triggers_drop, audit_triggers_install
from csm_project.core.sql.session import allow_long_statements
from csm_project.core.sql.triggers import supported


def tables_touched(migration: Migration) -> set[str] | None:
    """The database tables whose schema ``migration`` may change; None when it cannot be told
    (raw SQL, an operation of another kind, a model no longer in the code): every table."""
    names: set[str] = set()
    for operation in migration.operations:
        if isinstance(operation, RunPython):
            continue  # data only
        models = _models_named(operation)
        if models is None:
            return None
        names.update(models)
    tables = set()
    for name in names:
        try:
            model = apps.get_model(migration.app_label, name)
        except LookupError:
            return None
        tables.add(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            through = getattr(field.remote_field, "through", None)
            if through is not None and not isinstance(through, str):
                tables.add(through._meta.db_table)
    return tables


def _models_named(operation: Operation) -> list[str] | None:
    if isinstance(operation, RenameModel):
        return [operation.new_name]  # the model as the code knows it now
    if isinstance(operation, ModelOperation):
        return [operation.name]
    if isinstance(operation, (FieldOperation, IndexOperation)):
        return [operation.model_name]
    return None


class AuditedMigration:
    """One migration in one transaction with the rebuild of the audit triggers it touches
    (module docstring). ``begin()`` before the migration, ``end(error)`` after it."""

    def __init__(self, connection: BaseDatabaseWrapper, migration: Migration) -> None:
        self.connection = connection
        self.migration = migration
        touched = tables_touched(migration)
        self.tables = None if touched is None else audit_tables_of(touched)
        self.atomic = None
        self.constraints_off = False

    def begin(self) -> None:
        if not supported(self.connection):
            return
        if self.migration.atomic:
            if self.connection.vendor == "sqlite" and not self.connection.in_atomic_block:
                # Django's SQLite schema editor needs foreign keys off, which SQLite allows only
                # outside a transaction: turned off here, before ours begins, back on after it.
                self.constraints_off = self.connection.disable_constraint_checking()
            self.atomic = transaction.atomic(using=self.connection.alias)
            self.atomic.__enter__()
            allow_long_statements(self.connection)
        if self.tables is None or self.tables:
            audit_triggers_drop(self.connection, tables=self.tables)

    def end(self, error: BaseException | None = None) -> None:
        if not supported(self.connection):
            return
        try:
            if error is None:
                audit_triggers_install(self.connection, tables=self.tables)
        except BaseException as failure:
            error = failure
            raise
        finally:
            if self.atomic is not None:
                self.atomic.__exit__(type(error) if error else None, error, error.__traceback__ if error else None)
                self.atomic = None
            if self.constraints_off:
                self.connection.enable_constraint_checking()
                self.constraints_off = False
