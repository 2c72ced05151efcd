"""Audit history (``sys_audit``) written by database triggers, on SQLite and on PostgreSQL.

Every registered table (except ``sys_audit`` itself) gets AFTER INSERT / UPDATE / DELETE
triggers that write one ``sys_audit`` row per changed field, in the same statement, hence the
same transaction, as the change. So every way of writing is covered alike: ``save()``,
``bulk_create``, ``QuerySet.update()`` (the ``F()`` bump of ``sys_mod_count``), cascades, raw
SQL and PostgreSQL ``COPY``. ``docs/audit.md`` explains the choice.

- Inserts: one row per field with a value (old value ``""``). Updates: one row per field whose
  value changed. Deletes: one row per field that had a value (new value ``""``) and one row
  with field name ``DELETED`` whose old value is the record's display value.
- ``documentkey`` is the record's sys_id, lower-cased (sys_ids are lower-case hex anyway): one
  case, so history look-ups compare it exactly and its index serves them.
- Values are wire text: ``""`` for empty, booleans ``true``/``false``, date-times
  ``YYYY-MM-DD HH:MM:SS`` UTC, references as the referenced sys_id.
- System fields (``sys_*``) are not audited field by field; ``record_checkpoint`` is the
  record's ``sys_mod_count`` after the change.
- The acting user and the reason come from ``csm_project.core.access.actor``: on SQLite the triggers
  call two functions registered on each connection; on PostgreSQL every write statement sent
  through Django is preceded, in its transaction, by ``set_config('csm.actor', ..., true)``
  (a write outside a transaction is wrapped in one, so the setting never outlives it).

Pitfalls:
- Triggers are dropped before ``migrate`` runs and recreated from the models after it
  (``post_migrate``): a migration never trips over a trigger naming a column it removes, and
  a new field is audited from the next migrate on. Data changed by migrations is not audited.
- On SQLite, a program writing the database with another client than Django (the ``sqlite3``
  shell) fails on audited tables: the actor functions exist only on Django's connections.
- Code that writes with ``COPY`` on a raw psycopg cursor bypasses Django's execute wrappers:
  call ``audit_context_sync(connection)`` first, or inserts fall back to the rows'
  ``sys_created_by`` as the user.
"""

# The trigger SQL is built from model metadata only (identifiers quoted by _q, literals by _lit);
# no request data ever reaches it.
# ruff: noqa: S608
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from csm_project.core.access.actor import current_actor_name
from csm_project.core.models import SYSTEM_FIELDS

AUDIT_TABLE = "sys_audit"
TRIGGER_PREFIX = "csm_audit_"
DELETED = "DELETED"
ACTOR_SETTING = "csm.actor"
REASON_SETTING = "csm.reason"

#: Fields never audited one by one: the system fields (their change is the audit row itself).
NOT_AUDITED = frozenset(SYSTEM_FIELDS)

_reason: ContextVar[str] = ContextVar("csm_audit_reason", default="")


def current_reason() -> str:
    return _reason.get()


@contextmanager
def audit_reason(text: str) -> Iterator[None]:
    """Record ``text`` as the ``reason`` of every audit row written inside the block."""
    token = _reason.set(text[:255])
    try:
        yield
    finally:
        _reason.reset(token)


# --- Which columns each table audits --------------------------------------------------------


class AuditedColumn:
    def __init__(self, name: str, column: str, field: models.Field):
        self.name = name  # the wire field name written to sys_audit.fieldname
        self.column = column
        self.field = field


class AuditedTable:
    """One database table of a registered record and the triggers' facts about it."""

    def __init__(self, *, wire_name: str, model: type[models.Model], columns: list[AuditedColumn]):
        self.wire_name = wire_name
        self.model = model
        self.db_table = model._meta.db_table
        self.pk_column = model._meta.pk.column
        self.columns = columns
        local = {field.name for field in model._meta.local_concrete_fields}
        # The table holding the system fields (a contact's are in sys_user, its parent).
        self.is_root = "sys_mod_count" in local
        self.root_table = None if self.is_root else _root_model(model)._meta.db_table
        display = getattr(model, "sys_display_field", "")
        self.display_column = model._meta.get_field(display).column if display in local else self.pk_column


def _root_model(model: type[models.Model]) -> type[models.Model]:
    return model._meta.get_field("sys_mod_count").model


def audited_tables() -> list[AuditedTable]:
    """The tables of every registered record, each with the columns its triggers audit."""
    from csm_project.registry import all_tables

    result = []
    for spec in all_tables().values():
        if spec.name == AUDIT_TABLE:
            continue
        model = spec.model
        excluded = NOT_AUDITED | frozenset(getattr(model, "sys_audit_exclude", ()))
        local = {field.name: field for field in model._meta.local_concrete_fields}
        columns = [
            AuditedColumn(field_spec.name, local[field_spec.model_field].column, local[field_spec.model_field])
            for field_spec in spec.fields.values()
            if field_spec.model_field in local and field_spec.name not in excluded
        ]
        result.append(AuditedTable(wire_name=spec.name, model=model, columns=columns))
    return result


# --- Values as wire text, in each database's SQL -----------------------------------------------


def _text_sql(vendor: str, ref: str, field: models.Field) -> str:
    """SQL giving the wire text of the column ``ref`` (``NEW."col"``), ``''`` when empty."""
    if isinstance(field, models.BooleanField):
        return f"(CASE WHEN {ref} IS NULL THEN '' WHEN {ref} THEN 'true' ELSE 'false' END)"
    if isinstance(field, models.DateTimeField):
        if vendor == "postgresql":
            return f"COALESCE(to_char({ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '')"
        return f"COALESCE(substr({ref}, 1, 19), '')"
    if isinstance(field, models.DateField):
        if vendor == "postgresql":
            return f"COALESCE(to_char({ref}, 'YYYY-MM-DD'), '')"
        return f"COALESCE({ref}, '')"
    if isinstance(field, models.DecimalField) and vendor != "postgresql":
        return f"COALESCE(printf('%.{int(field.decimal_places)}f', {ref}), '')"
    if isinstance(field, models.JSONField) and vendor != "postgresql":
        return f"COALESCE(json({ref}), '')"
    if vendor == "postgresql":
        return f"COALESCE({ref}::text, '')"
    return f"COALESCE(CAST({ref} AS TEXT), '')"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_AUDIT_COLUMNS = (
    "sys_id, sys_created_on, sys_created_by, sys_updated_on, sys_updated_by, sys_mod_count, "
    'sys_domain, sys_domain_path, sys_class_name, tablename, documentkey, fieldname, oldvalue, newvalue, "user", '
    "reason, record_checkpoint"
)


# --- SQLite: three row triggers per table --------------------------------------------------------


def _tablename_sql(t: AuditedTable, row: str) -> str:
    """SQL for the audited record's table name: a root table's rows name their own class."""
    if t.is_root:
        return f"COALESCE(NULLIF({row}.sys_class_name, ''), {_lit(t.wire_name)})"
    return _lit(t.wire_name)


def _checkpoint_sql(t: AuditedTable, row: str) -> str:
    """SQL for the record's sys_mod_count after the change (kept on the root table)."""
    if t.is_root:
        return f"{row}.sys_mod_count"
    return f"COALESCE((SELECT p.sys_mod_count FROM {_q(t.root_table)} p WHERE p.sys_id = {row}.{_q(t.pk_column)}), 0)"


def _sqlite_trigger_sql(table: AuditedTable) -> list[str]:
    t = table
    new_id = (
        "printf('%014x', CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) || lower(hex(randomblob(9)))"
    )
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    ctx = "(SELECT csm_audit_user() AS u, csm_audit_reason() AS r LIMIT 1) AS ctx"

    def insert(row: str, values_sql: str) -> str:
        return (
            f"INSERT INTO {AUDIT_TABLE} ({_AUDIT_COLUMNS}) "
            f"SELECT {new_id}, {now}, ctx.u, {now}, ctx.u, 0, 'global', '/', 'sys_audit', "
            f"{_tablename_sql(t, row)}, lower({row}.{_q(t.pk_column)}), fv.f, fv.o, fv.n, ctx.u, ctx.r, "
            f"{_checkpoint_sql(t, row)} "
            f"FROM {ctx}, ({values_sql}) AS fv"
        )

    statements = []
    name = _q(f"{TRIGGER_PREFIX}{t.db_table}")
    if t.columns:
        inserted = " UNION ALL ".join(
            f"SELECT {_lit(c.name)} AS f, '' AS o, {_text_sql('sqlite', 'NEW.' + _q(c.column), c.field)} AS n"
            for c in t.columns
        )
        statements.append(
            f'CREATE TRIGGER {name[:-1]}_ins" AFTER INSERT ON {_q(t.db_table)} FOR EACH ROW BEGIN '
            f"{insert('NEW', 'SELECT * FROM (' + inserted + ') WHERE n <> ' + _lit(''))}; END"
        )
        changed = " UNION ALL ".join(
            f"SELECT {_lit(c.name)} AS f, {_text_sql('sqlite', 'OLD.' + _q(c.column), c.field)} AS o, "
            f"{_text_sql('sqlite', 'NEW.' + _q(c.column), c.field)} AS n "
            f"WHERE OLD.{_q(c.column)} IS NOT NEW.{_q(c.column)}"
            for c in t.columns
        )
        any_change = " OR ".join(f"OLD.{_q(c.column)} IS NOT NEW.{_q(c.column)}" for c in t.columns)
        statements.append(
            f'CREATE TRIGGER {name[:-1]}_upd" AFTER UPDATE ON {_q(t.db_table)} FOR EACH ROW '
            f"WHEN {any_change} BEGIN {insert('NEW', changed)}; END"
        )
    removed = [
        f"SELECT {_lit(c.name)} AS f, {_text_sql('sqlite', 'OLD.' + _q(c.column), c.field)} AS o, '' AS n"
        for c in t.columns
    ]
    if t.is_root:
        removed.append(
            f"SELECT {_lit(DELETED)} AS f, COALESCE(CAST(OLD.{_q(t.display_column)} AS TEXT), '') AS o, '' AS n"
        )
    if removed:
        statements.append(
            f'CREATE TRIGGER {name[:-1]}_del" AFTER DELETE ON {_q(t.db_table)} FOR EACH ROW BEGIN '
            f"{insert('OLD', 'SELECT * FROM (' + ' UNION ALL '.join(removed) + ') WHERE o <> ' + _lit('') + ' OR f = ' + _lit(DELETED))}; END"  # noqa: E501
        )
    return statements


# --- PostgreSQL: three statement triggers per table, over the transition tables -----------------


def _pg_trigger_sql(table: AuditedTable) -> list[str]:
    t = table
    base = f"{TRIGGER_PREFIX}{t.db_table}"
    actor = f"NULLIF(current_setting({_lit(ACTOR_SETTING)}, true), '')"
    reason = f"COALESCE(current_setting({_lit(REASON_SETTING)}, true), '')"

    def insert_sql(row: str, source: str, lateral: str, where: str, fallback: str) -> str:
        user = f"COALESCE(ctx.u, {fallback}, 'system')"
        return (
            f"INSERT INTO {AUDIT_TABLE} ({_AUDIT_COLUMNS}) "
            f"SELECT lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000000)::bigint), 14, '0') "
            f"|| substr(md5(random()::text), 1, 18), statement_timestamp(), {user}, statement_timestamp(), {user}, "
            f"0, 'global', '/', 'sys_audit', {_tablename_sql(t, row)}, lower({row}.{_q(t.pk_column)}), "
            f"fv.f, fv.o, fv.n, {user}, "
            f"ctx.r, {_checkpoint_sql(t, row)} "
            f"FROM (SELECT {actor} AS u, {reason} AS r) AS ctx "
            f"CROSS JOIN {source} CROSS JOIN LATERAL (VALUES {lateral}) AS fv(f, o, n, changed) WHERE {where}"
        )

    def function(op: str, body: str) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {_q(base + '_' + op)}() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
            f"BEGIN {body}; RETURN NULL; END $fn$"
        )

    def trigger(op: str, event: str, referencing: str) -> str:
        return (
            f"CREATE TRIGGER {_q(base + '_' + op)} AFTER {event} ON {_q(t.db_table)} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {_q(base + '_' + op)}()"
        )

    statements = []
    creator = "n.sys_created_by" if t.is_root else "NULL"
    if t.columns:
        values = ", ".join(
            f"({_lit(c.name)}, '', {_text_sql('postgresql', 'n.' + _q(c.column), c.field)}, true)" for c in t.columns
        )
        statements += [
            function("ins", insert_sql("n", "new_rows AS n", values, "fv.n <> ''", creator)),
            trigger("ins", "INSERT", "NEW TABLE AS new_rows"),
        ]
        values = ", ".join(
            f"({_lit(c.name)}, {_text_sql('postgresql', 'o.' + _q(c.column), c.field)}, "
            f"{_text_sql('postgresql', 'n.' + _q(c.column), c.field)}, "
            f"o.{_q(c.column)} IS DISTINCT FROM n.{_q(c.column)})"
            for c in t.columns
        )
        source = f"new_rows AS n JOIN old_rows AS o ON o.{_q(t.pk_column)} = n.{_q(t.pk_column)}"
        statements += [
            function("upd", insert_sql("n", source, values, "fv.changed", "NULL")),
            trigger("upd", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ]
    removed = [
        f"({_lit(c.name)}, {_text_sql('postgresql', 'o.' + _q(c.column), c.field)}, '', true)" for c in t.columns
    ]
    if t.is_root:
        removed.append(f"({_lit(DELETED)}, COALESCE(o.{_q(t.display_column)}::text, ''), '', true)")
    if removed:
        statements += [
            function(
                "del",
                insert_sql("o", "old_rows AS o", ", ".join(removed), f"(fv.o <> '' OR fv.f = {_lit(DELETED)})", "NULL"),
            ),
            trigger("del", "DELETE", "OLD TABLE AS old_rows"),
        ]
    return statements


# --- Installing and removing the triggers --------------------------------------------------------


def existing_triggers(connection: BaseDatabaseWrapper, prefix: str = TRIGGER_PREFIX) -> list[tuple[str, str]]:
    """(trigger name, table) of every trigger whose name starts with ``prefix`` (the audit
    triggers' by default) in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace s ON s.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE %s AND s.nspname = current_schema()",
                [prefix + "%"],
            )
        else:
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [prefix + "%"],
            )
        return list(cursor.fetchall())


def audit_triggers_drop(connection: BaseDatabaseWrapper) -> None:
    """Remove every audit trigger (and, on PostgreSQL, its function)."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for name, table in existing_triggers(connection):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {_q(name)} ON {_q(table)}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {_q(name)}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {_q(name)}")


def audit_triggers_sql(vendor: str) -> list[str]:
    build = _pg_trigger_sql if vendor == "postgresql" else _sqlite_trigger_sql
    return [statement for table in audited_tables() for statement in build(table)]


def audit_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """(Re)create the audit triggers of every registered table from the current models."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    existing = set(connection.introspection.table_names())
    if AUDIT_TABLE not in existing:
        return
    audit_triggers_drop(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for table in audited_tables():
            if table.db_table not in existing:
                continue
            build = _pg_trigger_sql if connection.vendor == "postgresql" else _sqlite_trigger_sql
            for statement in build(table):
                cursor.execute(statement)


def audit_triggers_installed(connection: BaseDatabaseWrapper) -> int:
    return len(existing_triggers(connection))


# --- Passing the actor to the triggers --------------------------------------------------------

_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE ")


def audit_context_sync(connection: BaseDatabaseWrapper) -> None:
    """PostgreSQL: make the current transaction's triggers see the acting user and reason.

    Django's own statements get this automatically; call it before writing with ``COPY``."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [ACTOR_SETTING, current_actor_name(), REASON_SETTING, current_reason()],
        )


class _ContextSet:
    """The actor and reason last set in the open transaction, kept as a (no-op) on-commit
    callback: Django drops its callbacks exactly when PostgreSQL drops a transaction-local
    setting (commit, rollback, rollback to a savepoint taken before the setting), so while
    this is registered the setting holds ``values``."""

    __slots__ = ("values",)

    def __init__(self, values: list[str]) -> None:
        self.values = values

    def __call__(self) -> None:
        pass


def _context_set(connection: BaseDatabaseWrapper) -> list[str] | None:
    for _savepoints, callback, _robust in reversed(connection.run_on_commit):
        if isinstance(callback, _ContextSet):
            return callback.values
    return None


def _pg_actor_wrapper(execute, sql, params, many, context):
    head = sql.lstrip()[:6].upper() if isinstance(sql, str) else ""
    if head not in _WRITES:
        return execute(sql, params, many, context)
    connection = context["connection"]
    values = [ACTOR_SETTING, current_actor_name(), REASON_SETTING, current_reason()]
    setting = "SELECT set_config(%s, %s, true), set_config(%s, %s, true)"
    raw = context["cursor"].cursor
    if connection.in_atomic_block:
        # Once per transaction (and again if the actor or reason changes), not once per write:
        # a Lead POST makes seven writes, each one a round trip more before this.
        if _context_set(connection) != values:
            raw.execute(setting, values)
            connection.on_commit(_ContextSet(values))
        return execute(sql, params, many, context)
    # Autocommit: one transaction around the setting and the write, so the setting ends with it.
    with transaction.atomic(using=connection.alias):
        raw.execute(setting, values)
        return execute(sql, params, many, context)


def connection_prepare(sender, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """``connection_created`` receiver: give the triggers a way to learn who is acting."""
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("csm_audit_user", 0, current_actor_name)
        raw.create_function("csm_audit_reason", 0, current_reason)
    elif connection.vendor == "postgresql" and _pg_actor_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_pg_actor_wrapper)


def before_migrate(sender, using: str = "default", **kwargs) -> None:
    from django.db import connections

    audit_triggers_drop(connections[using])


def after_migrate(sender, using: str = "default", **kwargs) -> None:
    from django.db import connections

    audit_triggers_install(connections[using])
