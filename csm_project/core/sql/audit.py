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
- Triggers are kept in step with the models by ``audit_triggers_install`` (``sql.triggers``:
  only those whose SQL changed are replaced, so a ``migrate`` with nothing to do touches none),
  after ``migrate`` and after each migration inside its own transaction (``schema_changes``),
  so no write beside a migration commits while its table has no trigger.
- Role grants (rows of the user-role link table) are audited as ``sys_user_has_role`` records
  keyed by ``grant_key``; ``is_staff`` and ``is_superuser`` through ``sys_audit_include``.
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

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from csm_project.core.access.actor import current_actor_name
from csm_project.core.models import SYSTEM_FIELDS
from csm_project.core.sql.triggers import TriggerDef, installed, supported, triggers_drop, triggers_sync

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


def audited_tables(db_columns: dict[str, set[str]] | None = None) -> list[AuditedTable]:
    """The tables of every registered record, each with the columns its triggers audit: the
    table's fields (less ``sys_audit_exclude``) and the model's ``sys_audit_include``, fields no
    API shows that staff still need the history of (who was made staff or superuser).

    ``db_columns`` (table -> its columns in the database): audit only columns that exist there
    and leave out tables that do not (between migrations the models may be ahead of the schema).
    """
    from csm_project.registry import all_tables

    result = []
    for spec in all_tables().values():
        model = spec.model
        if spec.name == AUDIT_TABLE or spec.derived:
            continue  # the derived tables (sys_dictionary, ...) follow the code: their history is the code's
        present = None if db_columns is None else db_columns.get(model._meta.db_table)
        if db_columns is not None and present is None:
            continue
        excluded = NOT_AUDITED | frozenset(getattr(model, "sys_audit_exclude", ()))
        local = {field.name: field for field in model._meta.local_concrete_fields}
        names = [field_spec.name for field_spec in spec.fields.values() if field_spec.model_field in local]
        names += [name for name in getattr(model, "sys_audit_include", ()) if name in local and name not in names]
        columns = [
            AuditedColumn(name, local[name].column, local[name])
            for name in names
            if name not in excluded and (present is None or local[name].column in present)
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


# A new audit row's sys_id (time-ordered), its time, and the acting user and reason.
_SQLITE_NEW_ID = (
    "printf('%014x', CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) || lower(hex(randomblob(9)))"
)
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
_SQLITE_CTX = "(SELECT csm_audit_user() AS u, csm_audit_reason() AS r LIMIT 1) AS ctx"


def _sqlite_trigger(table: str, op: str, sql: str) -> TriggerDef:
    name = f"{TRIGGER_PREFIX}{table}_{op}"
    return TriggerDef(name, table, f"CREATE TRIGGER {_q(name)} {sql}")


def _sqlite_trigger_sql(table: AuditedTable) -> list[TriggerDef]:
    t = table

    def insert(row: str, values_sql: str) -> str:
        return (
            f"INSERT INTO {AUDIT_TABLE} ({_AUDIT_COLUMNS}) "
            f"SELECT {_SQLITE_NEW_ID}, {_SQLITE_NOW}, ctx.u, {_SQLITE_NOW}, ctx.u, 0, 'global', '/', 'sys_audit', "
            f"{_tablename_sql(t, row)}, lower({row}.{_q(t.pk_column)}), fv.f, fv.o, fv.n, ctx.u, ctx.r, "
            f"{_checkpoint_sql(t, row)} "
            f"FROM {_SQLITE_CTX}, ({values_sql}) AS fv"
        )

    statements = []

    def trigger(op: str, sql: str) -> TriggerDef:
        return _sqlite_trigger(t.db_table, op, sql)

    if t.columns:
        inserted = " UNION ALL ".join(
            f"SELECT {_lit(c.name)} AS f, '' AS o, {_text_sql('sqlite', 'NEW.' + _q(c.column), c.field)} AS n"
            for c in t.columns
        )
        statements.append(
            trigger(
                "ins",
                f"AFTER INSERT ON {_q(t.db_table)} FOR EACH ROW BEGIN "
                f"{insert('NEW', 'SELECT * FROM (' + inserted + ') WHERE n <> ' + _lit(''))}; END",
            )
        )
        changed = " UNION ALL ".join(
            f"SELECT {_lit(c.name)} AS f, {_text_sql('sqlite', 'OLD.' + _q(c.column), c.field)} AS o, "
            f"{_text_sql('sqlite', 'NEW.' + _q(c.column), c.field)} AS n "
            f"WHERE OLD.{_q(c.column)} IS NOT NEW.{_q(c.column)}"
            for c in t.columns
        )
        any_change = " OR ".join(f"OLD.{_q(c.column)} IS NOT NEW.{_q(c.column)}" for c in t.columns)
        statements.append(
            trigger(
                "upd",
                f"AFTER UPDATE ON {_q(t.db_table)} FOR EACH ROW WHEN {any_change} BEGIN {insert('NEW', changed)}; END",
            )
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
        kept = "SELECT * FROM (" + " UNION ALL ".join(removed) + ") WHERE o <> '' OR f = " + _lit(DELETED)
        statements.append(
            trigger("del", f"AFTER DELETE ON {_q(t.db_table)} FOR EACH ROW BEGIN {insert('OLD', kept)}; END")
        )
    return statements


# --- PostgreSQL: three statement triggers per table, over the transition tables -----------------


_PG_NEW_ID = (
    "lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000000)::bigint), 14, '0') "
    "|| substr(md5(random()::text), 1, 18)"
)
_PG_CTX = (
    f"(SELECT NULLIF(current_setting({_lit(ACTOR_SETTING)}, true), '') AS u, "
    f"COALESCE(current_setting({_lit(REASON_SETTING)}, true), '') AS r) AS ctx"
)


def _pg_trigger(table: str, op: str, event: str, referencing: str, body: str) -> TriggerDef:
    """A statement trigger and the function it alone runs (same name), whose body is ``body``."""
    name = f"{TRIGGER_PREFIX}{table}_{op}"
    return TriggerDef(
        name,
        table,
        f"CREATE TRIGGER {_q(name)} AFTER {event} ON {_q(table)} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_q(name)}()",
        f"CREATE OR REPLACE FUNCTION {_q(name)}() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
        f"BEGIN {body}; RETURN NULL; END $fn$",
    )


def _pg_trigger_sql(table: AuditedTable) -> list[TriggerDef]:
    t = table

    def insert_sql(row: str, source: str, lateral: str, where: str, fallback: str) -> str:
        user = f"COALESCE(ctx.u, {fallback}, 'system')"
        return (
            f"INSERT INTO {AUDIT_TABLE} ({_AUDIT_COLUMNS}) "
            f"SELECT {_PG_NEW_ID}, statement_timestamp(), {user}, statement_timestamp(), {user}, "
            f"0, 'global', '/', 'sys_audit', {_tablename_sql(t, row)}, lower({row}.{_q(t.pk_column)}), "
            f"fv.f, fv.o, fv.n, {user}, "
            f"ctx.r, {_checkpoint_sql(t, row)} "
            f"FROM {_PG_CTX} "
            f"CROSS JOIN {source} CROSS JOIN LATERAL (VALUES {lateral}) AS fv(f, o, n, changed) WHERE {where}"
        )

    def trigger(op: str, event: str, referencing: str, body: str) -> TriggerDef:
        return _pg_trigger(t.db_table, op, event, referencing, body)

    statements = []
    creator = "n.sys_created_by" if t.is_root else "NULL"
    if t.columns:
        values = ", ".join(
            f"({_lit(c.name)}, '', {_text_sql('postgresql', 'n.' + _q(c.column), c.field)}, true)" for c in t.columns
        )
        statements.append(
            trigger(
                "ins",
                "INSERT",
                "NEW TABLE AS new_rows",
                insert_sql("n", "new_rows AS n", values, "fv.n <> ''", creator),
            )
        )
        values = ", ".join(
            f"({_lit(c.name)}, {_text_sql('postgresql', 'o.' + _q(c.column), c.field)}, "
            f"{_text_sql('postgresql', 'n.' + _q(c.column), c.field)}, "
            f"o.{_q(c.column)} IS DISTINCT FROM n.{_q(c.column)})"
            for c in t.columns
        )
        source = f"new_rows AS n JOIN old_rows AS o ON o.{_q(t.pk_column)} = n.{_q(t.pk_column)}"
        statements.append(
            trigger(
                "upd",
                "UPDATE",
                "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                insert_sql("n", source, values, "fv.changed", "NULL"),
            )  # fmt: skip
        )
    removed = [
        f"({_lit(c.name)}, {_text_sql('postgresql', 'o.' + _q(c.column), c.field)}, '', true)" for c in t.columns
    ]
    if t.is_root:
        removed.append(f"({_lit(DELETED)}, COALESCE(o.{_q(t.display_column)}::text, ''), '', true)")
    if removed:
        kept = f"(fv.o <> '' OR fv.f = {_lit(DELETED)})"
        statements.append(
            trigger(
                "del",
                "DELETE",
                "OLD TABLE AS old_rows",
                insert_sql("o", "old_rows AS o", ", ".join(removed), kept, "NULL"),
            )
        )
    return statements


# --- Role grants: rows of a ``sys_user_has_role`` record -------------------------------------------

#: The table name audit rows of a role grant carry (the platform's name for a user-role pair).
GRANT_TABLE = "sys_user_has_role"


def grant_key(user_id: str, role_id: str) -> str:
    """The ``documentkey`` of a user-role pair's audit rows: the same for every grant and revoke
    of that pair, 32 hexadecimal characters like a sys_id (MD5 of ``user:role``; no secret)."""
    return hashlib.md5(f"{user_id}:{role_id}".encode(), usedforsecurity=False).hexdigest()


def _grant_trigger_sql(vendor: str) -> list[TriggerDef]:
    """A grant (a row of the user-role link table) inserted writes ``user`` and ``role`` rows (the
    sys_ids); a revoke writes them as old values and a ``DELETED`` row holding the role's name."""
    from csm_project.core.models import Role, User

    through = User.roles.through._meta
    table, user, role = through.db_table, _q(through.get_field("user").column), _q(through.get_field("role").column)
    roles = _q(Role._meta.db_table)

    def rows(row: str, *, granted: bool) -> list[tuple[str, str, str]]:
        ids = [("user", f"{row}.{user}"), ("role", f"{row}.{role}")]
        if granted:
            return [(field, "''", ref) for field, ref in ids]
        name = f"COALESCE((SELECT r.name FROM {roles} r WHERE r.sys_id = {row}.{role}), '')"
        return [*((field, ref, "''") for field, ref in ids), (DELETED, name, "''")]

    if vendor == "postgresql":

        def body(row: str, source: str, *, granted: bool) -> str:
            values = ", ".join(f"({_lit(f)}, {o}::text, {n}::text)" for f, o, n in rows(row, granted=granted))
            user_name = "COALESCE(ctx.u, 'system')"
            return (
                f"INSERT INTO {AUDIT_TABLE} ({_AUDIT_COLUMNS}) "
                f"SELECT {_PG_NEW_ID}, statement_timestamp(), {user_name}, statement_timestamp(), {user_name}, 0, "
                f"'global', '/', 'sys_audit', {_lit(GRANT_TABLE)}, md5({row}.{user} || ':' || {row}.{role}), "
                f"fv.f, fv.o, fv.n, {user_name}, ctx.r, 0 "
                f"FROM {_PG_CTX} CROSS JOIN {source} CROSS JOIN LATERAL (VALUES {values}) AS fv(f, o, n)"
            )

        return [
            _pg_trigger(table, "ins", "INSERT", "NEW TABLE AS new_rows", body("n", "new_rows AS n", granted=True)),
            _pg_trigger(table, "del", "DELETE", "OLD TABLE AS old_rows", body("o", "old_rows AS o", granted=False)),
        ]

    def insert(row: str, *, granted: bool) -> str:
        values = " UNION ALL ".join(
            f"SELECT {_lit(f)} AS f, {o} AS o, {n} AS n" for f, o, n in rows(row, granted=granted)
        )
        return (
            f"INSERT INTO {AUDIT_TABLE} ({_AUDIT_COLUMNS}) "
            f"SELECT {_SQLITE_NEW_ID}, {_SQLITE_NOW}, ctx.u, {_SQLITE_NOW}, ctx.u, 0, 'global', '/', 'sys_audit', "
            f"{_lit(GRANT_TABLE)}, csm_audit_key({row}.{user}, {row}.{role}), fv.f, fv.o, fv.n, ctx.u, ctx.r, 0 "
            f"FROM {_SQLITE_CTX}, ({values}) AS fv"
        )

    return [
        _sqlite_trigger(
            table, "ins", f"AFTER INSERT ON {_q(table)} FOR EACH ROW BEGIN {insert('NEW', granted=True)}; END"
        ),
        _sqlite_trigger(
            table, "del", f"AFTER DELETE ON {_q(table)} FOR EACH ROW BEGIN {insert('OLD', granted=False)}; END"
        ),
    ]


# --- Installing and removing the triggers --------------------------------------------------------


def existing_triggers(connection: BaseDatabaseWrapper, prefix: str = TRIGGER_PREFIX) -> list[tuple[str, str]]:
    """(trigger name, table) of every trigger whose name starts with ``prefix`` (the audit
    triggers' by default) in the database."""
    return [(name, table) for name, (table, _fingerprint) in sorted(installed(connection, prefix).items())]


def database_columns(connection: BaseDatabaseWrapper) -> dict[str, set[str]]:
    """Every table of the database with its columns (one query)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            )
        else:
            cursor.execute("SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
                           "WHERE m.type = 'table'")  # fmt: skip
        columns: dict[str, set[str]] = {}
        for table, column in cursor.fetchall():
            columns.setdefault(table, set()).add(column)
    return columns


def audit_trigger_defs(vendor: str, db_columns: dict[str, set[str]] | None = None) -> list[TriggerDef]:
    """The audit triggers the models call for (of the tables and columns in ``db_columns`` only,
    when given)."""
    from csm_project.core.models import User

    build = _pg_trigger_sql if vendor == "postgresql" else _sqlite_trigger_sql
    defs = [trigger for table in audited_tables(db_columns) for trigger in build(table)]
    if db_columns is None or User.roles.through._meta.db_table in db_columns:
        defs += _grant_trigger_sql(vendor)
    return defs


def audit_triggers_install(connection: BaseDatabaseWrapper, tables: Iterable[str] | None = None) -> list[TriggerDef]:
    """Bring the audit triggers (of ``tables`` only, when given) in step with the models and the
    schema: those whose definition changed are replaced, missing ones made, stale ones dropped,
    in one transaction; unchanged ones are not touched (``sql.triggers``). The triggers made."""
    if not supported(connection):
        return []
    columns = database_columns(connection)
    if AUDIT_TABLE not in columns:
        return []
    defs = audit_trigger_defs(connection.vendor, columns)
    if tables is not None:
        tables = set(tables)
        defs = [trigger for trigger in defs if trigger.table in tables]
    return triggers_sync(connection, TRIGGER_PREFIX, defs, tables=tables)


def audit_triggers_drop(connection: BaseDatabaseWrapper, tables: Iterable[str] | None = None) -> None:
    """Remove the audit triggers (of ``tables`` only, when given) and, on PostgreSQL, their functions."""
    triggers_drop(connection, TRIGGER_PREFIX, tables=tables)


def audit_triggers_installed(connection: BaseDatabaseWrapper) -> int:
    return len(existing_triggers(connection))


def audit_tables_of(db_tables: Iterable[str]) -> set[str]:
    """The tables whose audit triggers depend on ``db_tables``: those tables, the tables of records
    whose system fields live in one of them (a contact's in ``sys_user``), and the role-grant link
    table when ``sys_user`` or the role table is one."""
    from csm_project.core.models import Role, User

    wanted = set(db_tables)
    result = set(wanted)
    for table in audited_tables():
        if table.root_table in wanted:
            result.add(table.db_table)
    if wanted & {User._meta.db_table, Role._meta.db_table}:
        result.add(User.roles.through._meta.db_table)
    return result


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
        raw.create_function("csm_audit_key", 2, grant_key, deterministic=True)
    elif connection.vendor == "postgresql" and _pg_actor_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_pg_actor_wrapper)


def after_migrate(sender, using: str = "default", **kwargs) -> None:
    """``post_migrate``: the triggers in step with the models; a migrate that changed nothing
    touches no trigger."""
    from django.db import connections

    audit_triggers_install(connections[using])
