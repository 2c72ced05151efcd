"""Bulk loads into any registry table, with the same domain rules as every other write.

Rows are read as a stream (``record_files``) and handled in batches inside ONE transaction:

1. Each row goes through the table's field rules (``records.TableRules.clean``: types, lengths,
   mandatory fields, choice values from lists loaded once), then the whole batch through
   ``check_references`` and ``check_unique`` (one query per field for the batch), and each new
   row through the table's own rules (``RecordRules.clean_new``, no model instance; tables whose
   rules need one get it).
2. New rows are written with PostgreSQL ``COPY`` (each table of a multi-table record, e.g. the
   ``sys_user`` and ``customer_contact`` rows of a contact) or, on SQLite, one ``executemany``
   per table. Record numbers are drawn for the batch at once, on PostgreSQL in a short
   transaction of their own (``numbers.reserve_numbers(apart=True)``): the load never holds the
   number counter, so API inserts into the same table never wait for it. Rows that update a record
   (``--upsert``) are saved one by one, and only when a value differs.

Earlier batches are written before the next is checked, so a unique value repeated anywhere in
the file is caught by the database query of a later batch. A key (``sys_id``, or the upsert key)
given twice in a file is a bad row, the second time, in every mode.

A dry run (``dry_run``) reads and checks only: the same steps, the same queries, the same report
(counts of records it would create and update, every bad row with its reason), and nothing is
written: no row, no audit row, no number drawn. What earlier batches would have written is kept
in memory instead (the sys_ids and numbers the file gives, the values of unique fields, the
sys_ids a later row may reference), so a later batch is judged as the load would judge it. That
memory grows with the file (a few values per row), unlike a load's. A bad row never stops the reading:
every bad row is reported. Without ``skip_bad`` any bad row rolls everything back; with it the
good rows stay and the bad ones go to the caller (a reject file). An interrupted load leaves
nothing (the transaction never commits); loading the file again with ``upsert`` finishes it.

Identity columns: a file's ``sys_id`` is kept for a new record (so references between loaded
files hold and a re-run can match rows), and so is its ``number``; the number counter is moved
past numbers loaded this way. Other system columns of an export are skipped.
"""

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from secrets import token_hex
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from csm_project.core.access.actor import current_actor_name
from csm_project.core.access.fields import AccessDenied, check_update
from csm_project.core.bulk.columns import ColumnNames
from csm_project.core.bulk.files import SourceRow
from csm_project.core.errors import REFERENCE, UNIQUE, FieldError
from csm_project.core.models import SYSTEM_FIELDS, JournalEntry, SysRecord, is_sys_id
from csm_project.core.records.field_rules import (
    WORK_NOTES,
    CleanRow,
    TableRules,
    check_references,
    check_unique,
    taken_error,
    unique_key,
)
from csm_project.core.records.hooks import RecordRules, rules_for
from csm_project.core.records.services import Write, record_save
from csm_project.core.sql.audit import audit_context_sync
from csm_project.core.sql.numbers import advance_past, reserve_numbers
from csm_project.core.sql.session import allow_long_statements

NUMBER = "number"
#: Columns a file may carry that are not fields to write: system fields and login bookkeeping of
#: an export, and the error column of a reject file.
ERROR_COLUMN = "import_error"
SKIPPED_COLUMNS = frozenset({*SYSTEM_FIELDS, "roles", "last_login", ERROR_COLUMN})


@dataclass(frozen=True)
class RowError:
    line: int
    field: str | None
    message: str
    where: str = "line"

    def __str__(self) -> str:
        return f"{self.where} {self.line}" + (f", {self.field}" if self.field else "") + f": {self.message}"


@dataclass
class ImportResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False
    #: The first rows of each outcome (``sample_rows`` of the loader): ``insert`` and ``update``
    #: (``line``, ``values`` as given, and for an update its ``sys_id`` and ``changed`` fields),
    #: ``reject`` (``line``, ``values``, ``errors``).
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"insert": [], "update": [], "reject": []})

    @property
    def written(self) -> int:
        return self.created + self.updated

    def report(self) -> dict[str, Any]:
        """What a load and a dry run of the same file agree on: the counts and every bad row."""
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [str(error) for error in self.errors],
        }


class Extension:
    """What a command adds to a table's load: extra columns that are not fields of the table
    (checked with no query), and writes after each batch for the rows that carry them."""

    columns: frozenset[str] = frozenset()

    def check(self, extra: dict[str, Any]) -> list[FieldError]:
        return []

    def after_batch(self, records: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
        """``(sys_id, attribute values, extra columns)`` of each written row that had extras."""


_EXTENSIONS: dict[str, Callable[[], Extension]] = {}


def register_extension(table: str, factory: Callable[[], Extension]) -> None:
    """The extra columns an app's loads of ``table`` read (an app's ``ready``)."""
    _EXTENSIONS[table] = factory


def extension_for(table: str) -> Extension | None:
    factory = _EXTENSIONS.get(table)
    return factory() if factory is not None else None


class _Row:
    """A row on its way: its source, its fields read, extra columns, the record it updates,
    the attribute values of the record it creates, what changed, and its refusals."""

    __slots__ = ("source", "clean", "extra", "existing", "values", "changed", "errors", "unreadable")

    def __init__(
        self, source: SourceRow, clean: CleanRow | None, extra: dict[str, Any], *, errors=None, unreadable: bool = False
    ) -> None:
        self.source = source
        self.clean = clean
        self.extra = extra
        self.existing: SysRecord | None = None
        self.values: dict[str, Any] | None = None  # attribute values of a new record
        self.changed: dict[str, Any] | None = None  # field -> old value of an updated record
        self.errors: list[FieldError] = errors or []
        self.unreadable = unreadable  # refused before its fields were read (unknown columns)


class RecordLoader:
    """Loads rows into one table; see the module docstring."""

    def __init__(
        self,
        rules: TableRules,
        *,
        upsert: bool = False,
        key: str | None = None,
        skip_bad: bool = False,
        dry_run: bool = False,
        batch_size: int = 5000,
        where: str = "line",
        empty_is_absent: bool = False,
        extension: Extension | None = None,
        keep_errors: int = 1000,
        input_display_value: bool = False,
        sample_rows: int = 0,
        column_map: dict[str, str] | None = None,
    ) -> None:
        self.rules = rules
        self.table = rules.table
        self.model = rules.model
        self.record_rules: RecordRules = rules_for(self.table.name)
        self.upsert = upsert
        self.key = key or "sys_id"
        numbered = bool(getattr(rules.model, "NUMBER_PREFIX", ""))
        if self.key not in ("sys_id", *([NUMBER] if numbered else [])) and self.key not in rules.fields:
            raise ValueError(f"{self.table.name} has no writable field {self.key!r} to match rows on")
        self.skip_bad = skip_bad
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.where = where
        self.empty_is_absent = empty_is_absent
        self.extension = extension or Extension()
        self.keep_errors = keep_errors
        # Values read as display values (the Import Set API's staged texts): choice labels,
        # references by display value, date-times in the acting user's zone.
        self.input_display_value = input_display_value
        self.choices = rules.load_choices()
        self.known = set(rules.fields) | {WORK_NOTES, NUMBER, *SKIPPED_COLUMNS} | set(self.extension.columns)
        self.prefix = getattr(self.model, "NUMBER_PREFIX", "") or ""
        self.writer = _TableWriter(self.model)
        self.actor = current_actor_name()
        self.sample_rows = sample_rows
        self.columns = ColumnNames(rules, self.known, self.extension.columns, column_map or {})
        self._keys_seen: dict[str, int] = {}  # key value -> line of its first row in the file
        # What earlier batches of a dry run would have written (see the module docstring).
        self._dry_unique: dict[str, set[Any]] = {rule.name: set() for rule in rules.unique}
        self._dry_identities: dict[str, set[Any]] = {"sys_id": set(), NUMBER: set()}
        self._self_references = [rule for rule in rules.references if rule.spec.reference == self.table.name]

    def rename_columns(self, headers: list[str]) -> list[str]:
        """A file's header row as field names (``ColumnNames``); an unknown header is an error."""
        return self.columns.rename(headers)

    # -- the whole load

    def run(
        self,
        rows: Iterable[SourceRow],
        *,
        on_batch: Callable[[ImportResult], None] | None = None,
        on_reject: Callable[[SourceRow, list[RowError]], None] | None = None,
    ) -> ImportResult:
        result = ImportResult(dry_run=self.dry_run)
        iterator = iter(rows)
        with _few_collections(), transaction.atomic():
            allow_long_statements()
            while batch := list(islice(iterator, self.batch_size)):
                result.read += len(batch)
                for source, errors in sorted(self._load_batch(batch, result), key=lambda bad: bad[0].line):
                    result.rejected += 1
                    if len(result.errors) < self.keep_errors:
                        result.errors.extend(errors)
                    if len(result.samples["reject"]) < self.sample_rows:
                        result.samples["reject"].append(
                            {"line": source.line, "values": source.values or {}, "errors": [str(e) for e in errors]}
                        )
                    if on_reject is not None:
                        on_reject(source, errors)
                if on_batch is not None:
                    on_batch(result)
            if self.dry_run or (result.rejected and not self.skip_bad):
                transaction.set_rollback(True)
                if not self.dry_run:
                    result.created = result.updated = 0
            else:
                result.committed = True
        return result

    def _load_batch(self, batch: list[SourceRow], result: ImportResult) -> Iterator[tuple[SourceRow, list[RowError]]]:
        rows: list[_Row] = []
        for source in batch:
            if source.error is not None:
                yield source, [RowError(source.line, None, source.error, self.where)]
                continue
            rows.append(self._known_columns(source))
        self._refuse_repeated_keys(rows)
        self._match_existing(rows)
        for row in rows:
            if not row.unreadable:
                self._clean(row)
        check_references(self.rules, [row.clean for row in rows], input_display_value=self.input_display_value)
        if self.dry_run and self._self_references:
            self._references_to_earlier_rows(rows)
        creates, updates = [], []
        for row in rows:
            row.errors.extend(row.clean.errors)
            if row.existing is None:
                self._prepare_create(row)
                creates.append(row)
            else:
                self._prepare_update(row)
                updates.append(row)
        self._check_unique(creates, updates)
        self._check_identities(creates)
        good_creates = [row for row in creates if not row.errors]
        good_updates = [row for row in updates if not row.errors]
        for row in rows:
            if row.errors:
                yield row.source, [RowError(row.source.line, e.field, e.message, self.where) for e in row.errors]
        self._sample(good_creates, good_updates, result)
        if self.dry_run:
            self._remember(good_creates, good_updates)
            result.created += len(good_creates)
            for row in good_updates:
                if row.changed:
                    result.updated += 1
                else:
                    result.unchanged += 1
            return
        self._write_creates(good_creates)
        result.created += len(good_creates)
        for row in good_updates:
            if row.changed:
                self._write_update(row)
                result.updated += 1
            else:
                result.unchanged += 1
        extras = [row for row in good_creates if row.extra]  # what extras make comes with new records
        if extras:
            self.extension.after_batch([(row.values["sys_id"], row.values, row.extra) for row in extras])

    # -- reading one row

    def _known_columns(self, source: SourceRow) -> _Row:
        values = source.values or {}
        known = self.known
        if known.issuperset(values):
            return _Row(source, None, {})
        names = {name: self.columns.resolve(name) for name in values}
        if None not in names.values() and len(set(names.values())) == len(names):
            source.values = {names[name]: value for name, value in values.items()}  # labels, --map
            return _Row(source, None, {})
        errors = [FieldError(name, f"{self.table.name} has no such field") for name, to in names.items() if to is None]
        return _Row(source, CleanRow(), {}, errors=errors, unreadable=True)

    def _refuse_repeated_keys(self, rows: list[_Row]) -> None:
        """A row whose key (sys_id or the upsert key) an earlier row of the file gave is refused:
        which of the two should win is the file's mistake, not the loader's guess."""
        seen = self._keys_seen
        for row in rows:
            if row.unreadable:
                continue
            value = (row.source.values or {}).get(self.key)
            if value in (None, ""):
                continue
            text = str(value)
            first = seen.setdefault(text, row.source.line)
            if first != row.source.line:
                message = f"{self.key} {text[:64]!r} is given again (first on {self.where} {first} of the file)"
                row.errors.append(FieldError(self.key, message, UNIQUE))

    def _clean(self, row: _Row) -> None:
        values = row.source.values or {}
        fields = self.rules.fields
        if self.empty_is_absent and row.existing is None and "" in values.values():
            # An empty CSV cell gives nothing to a new record: its defaults and rules apply.
            values = {name: value for name, value in values.items() if value != ""}
        if fields.keys() >= values.keys():
            given = values
        else:
            given = {name: value for name, value in values.items() if name in fields or name == WORK_NOTES}
        if self.extension.columns:
            row.extra = {name: values[name] for name in self.extension.columns if name in values}
        row.clean = self.rules.clean(given, choices=self.choices, input_display_value=self.input_display_value)
        if row.extra:
            row.errors.extend(self.extension.check(row.extra))

    def _match_existing(self, rows: list[_Row]) -> None:
        """The records the rows update (``upsert``), found by key in one query; without
        ``upsert`` a row naming an existing sys_id is refused."""
        keys: dict[Any, list[_Row]] = {}
        for row in rows:
            if row.unreadable:
                continue
            value = (row.source.values or {}).get(self.key)
            if value not in (None, ""):
                keys.setdefault(str(value), []).append(row)
        if not keys or not (self.upsert or self.key == "sys_id"):
            return
        if self.key == "sys_id":
            wanted = [key for key in keys if is_sys_id(key)]
            found = self.model._base_manager.in_bulk(wanted) if wanted else {}
            found_by_key = {pk: [record] for pk, record in found.items()}
        else:
            attname = self.rules.fields[self.key].attname if self.key in self.rules.fields else self.key
            found_by_key = {}
            for record in self.model._base_manager.filter(**{f"{attname}__in": list(keys)}):
                found_by_key.setdefault(str(getattr(record, attname)), []).append(record)
        for key, matching in keys.items():
            records = found_by_key.get(key, [])
            for row in matching:
                if not records:
                    continue
                if not self.upsert:
                    row.errors.append(
                        FieldError(
                            "sys_id", f"A {self.table.name} record with sys_id {key} exists (use --upsert)", UNIQUE
                        )
                    )
                elif len(records) > 1:
                    row.errors.append(FieldError(self.key, f"{len(records)} records have {self.key} {key!r}", UNIQUE))
                else:
                    row.existing = records[0]

    # -- a new record

    def _prepare_create(self, row: _Row) -> None:
        if row.unreadable:
            return
        source = row.source.values or {}
        values = self.writer.new_values()
        sys_id = source.get("sys_id")
        if sys_id not in (None, ""):
            if not is_sys_id(sys_id):
                row.errors.append(FieldError("sys_id", f"{str(sys_id)[:64]!r} is not a sys_id (32 hex characters)"))
            else:
                values["sys_id"] = sys_id
        if self.prefix and source.get(NUMBER) not in (None, ""):
            values[NUMBER] = str(source[NUMBER])
        fields = self.rules.fields
        for name, value in row.clean.values.items():
            values[fields[name].attname] = value
        values["sys_created_by"] = values["sys_updated_by"] = self.actor
        values["sys_class_name"] = self.table.name
        problems = self.record_rules.clean_new(values)
        if problems is None:
            problems = self._clean_with_record(values, row.clean.values)
        row.errors.extend(problems)
        row.errors.extend(self.rules.missing_values(values, refused={error.field for error in row.errors}))
        row.values = values

    def _clean_with_record(self, values: dict[str, Any], given: dict[str, Any]) -> list[FieldError]:
        """Tables whose rules read a model instance: build one, run the rules, read it back."""
        record = self.model(**{name: value for name, value in values.items() if name in self.writer.attnames})
        problems = self.record_rules.clean(record, creating=True, changed=dict.fromkeys(given))
        for attname in self.writer.attnames:
            values[attname] = getattr(record, attname)
        return problems

    # -- an existing record

    def _prepare_update(self, row: _Row) -> None:
        record = row.existing
        changed = self.rules.apply(record, row.clean.values, creating=False)
        if row.clean.work_note:
            changed.setdefault(WORK_NOTES, None)
        if changed:
            try:
                check_update(self.table, record, changed)  # the field rights of the acting user
            except AccessDenied as refused:
                row.errors.extend(refused.errors)
            row.errors.extend(self.record_rules.clean(record, creating=False, changed=changed))
        row.changed = changed

    # -- checks over the batch

    def _check_unique(self, creates: list[_Row], updates: list[_Row]) -> None:
        probes: list[tuple[_Row, CleanRow]] = []
        for row in creates:
            if not row.unreadable:
                values = {rule.name: row.values.get(rule.attname) for rule in self.rules.unique}
                probes.append((row, CleanRow(values=values)))
        for row in updates:
            if row.changed:
                values = {
                    rule.name: getattr(row.existing, rule.attname)
                    for rule in self.rules.unique
                    if rule.name in row.changed
                }
                probes.append((row, CleanRow(values=values)))
        check_unique(self.rules, [probe for _, probe in probes])
        if self.dry_run:
            for rule in self.rules.unique:
                seen, key = self._dry_unique[rule.name], unique_key(self.rules, rule)
                if not seen:
                    continue
                for _, probe in probes:
                    value = probe.values.get(rule.name)
                    if value not in (None, "") and key(value) in seen:
                        del probe.values[rule.name]
                        probe.errors.append(taken_error(self.rules, rule, value))
        for row, probe in probes:
            row.errors.extend(probe.errors)

    def _check_identities(self, creates: list[_Row]) -> None:
        """File-given sys_ids and numbers of new rows: free in the table and in the batch."""
        for attname, label in (("sys_id", "sys_id"), (NUMBER, "number")):
            if attname == NUMBER and not self.prefix:
                continue
            given = {}
            for row in creates:
                if row.values is not None and (row.source.values or {}).get(label) not in (None, ""):
                    given.setdefault(row.values[attname], []).append(row)
            if not given:
                continue
            taken = set(
                self.model._base_manager.filter(**{f"{attname}__in": list(given)}).values_list(attname, flat=True)
            )
            if self.dry_run:
                taken |= self._dry_identities[label] & given.keys()
            for value, rows in given.items():
                for index, row in enumerate(rows):
                    if any(error.field == label for error in row.errors):
                        continue
                    if value in taken or index:
                        row.errors.append(FieldError(label, f"{value!r} is already used by another record", UNIQUE))

    # -- a dry run: what the writes would have left for later batches

    def _remember(self, creates: list[_Row], updates: list[_Row]) -> None:
        for rule in self.rules.unique:
            key = unique_key(self.rules, rule)
            seen = self._dry_unique[rule.name]
            for row in creates:
                value = row.values.get(rule.attname)
                if value not in (None, ""):
                    seen.add(key(value))
            for row in updates:
                if row.changed and rule.name in row.changed:
                    value = getattr(row.existing, rule.attname)
                    if value not in (None, ""):
                        seen.add(key(value))
        for row in creates:
            source = row.source.values or {}
            for label in ("sys_id", NUMBER):
                if source.get(label) not in (None, ""):
                    self._dry_identities[label].add(row.values[label])

    def _references_to_earlier_rows(self, rows: list[_Row]) -> None:
        """A reference to a record of this table that an earlier batch of the file would have
        created holds, as it does in the load."""
        created = self._dry_identities["sys_id"]
        if not created:
            return
        names = {rule.name for rule in self._self_references}
        for row in rows:
            if row.unreadable or not row.clean.errors:
                continue
            for error in list(row.clean.errors):
                if error.field in names and error.code == REFERENCE:
                    given = (row.source.values or {}).get(error.field)
                    if given in created:
                        row.clean.errors.remove(error)
                        row.clean.values[error.field] = given

    def _sample(self, creates: list[_Row], updates: list[_Row], result: ImportResult) -> None:
        wanted = self.sample_rows
        if not wanted:
            return
        inserts, changes = result.samples["insert"], result.samples["update"]
        for row in creates[: max(0, wanted - len(inserts))]:
            inserts.append({"line": row.source.line, "values": row.source.values or {}})
        for row in updates:
            if len(changes) >= wanted:
                break
            if row.changed:
                given = row.source.values or {}
                changed = {name: given.get(name) for name in row.changed}
                changes.append(
                    {"line": row.source.line, "sys_id": row.existing.pk, "values": given, "changed": changed}
                )

    # -- writes

    def _write_creates(self, rows: list[_Row]) -> None:
        if not rows:
            return
        values = [row.values for row in rows]
        if self.prefix:
            given = [row[NUMBER] for row in values if row.get(NUMBER)]
            if given:
                advance_past(self.prefix, given, table=self.table.name, apart=True)
            missing = [row for row in values if not row.get(NUMBER)]
            for row, number in zip(
                missing, reserve_numbers(self.prefix, len(missing), table=self.table.name, apart=True), strict=True
            ):
                row[NUMBER] = number
        self.writer.insert(values)
        notes = [(row.values["sys_id"], row.clean.work_note) for row in rows if row.clean.work_note]
        if notes:
            author = _actor_id()
            JournalEntry.objects.bulk_create(
                JournalEntry(name=self.table.name, element_id=pk, value=text, author_id=author) for pk, text in notes
            )
        if self.record_rules.has_after_save():
            for row in rows:
                record = self.model._base_manager.get(pk=row.values["sys_id"])
                self.record_rules.after_save(record, creating=True, changed=dict.fromkeys(row.clean.values))

    def _write_update(self, row: _Row) -> None:
        # The one record save: the fields the table's rules stamped (a closed date) are written
        # with the changed ones.
        changed = {name: old for name, old in row.changed.items() if name != WORK_NOTES}
        record_save(Write(self.rules, row.existing, creating=False, changed=changed, work_note=row.clean.work_note))


@contextmanager
def _few_collections() -> Iterator[None]:
    """A load makes millions of short-lived objects that reference counting frees: the cyclic
    garbage collector, run every 700 of them over a heap holding the whole program, took more
    time than the load itself. Freeze what exists and collect rarely, for the load only."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(200_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _actor_id() -> str | None:
    from csm_project.core.access.actor import current_actor_user

    user = current_actor_user()
    return user.pk if user is not None else None


# --- writing many rows of a model ----------------------------------------------------------------


class _TableWriter:
    """Inserts new records of a model (every table of a multi-table model, root first) as
    attribute dicts: ``COPY`` on PostgreSQL, ``executemany`` elsewhere."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        chain = [*reversed(model._meta.get_parent_list()), model]
        self.tables: list[tuple[str, list[models.Field]]] = [
            (klass._meta.db_table, list(klass._meta.local_concrete_fields)) for klass in chain
        ]
        self.pk_links = {
            field.attname for _, fields in self.tables for field in fields if field.primary_key and field.remote_field
        }
        concrete = model._meta.concrete_fields
        self.attnames = [f.attname for f in concrete if f.attname not in self.pk_links]
        self.static: dict[str, Any] = {}
        self.dynamic: list[tuple[str, Callable[[], Any]]] = []
        for f in concrete:
            if f.attname in self.pk_links or f.attname in ("sys_id", "sys_created_on", "sys_updated_on"):
                continue
            if f.has_default() and callable(f.default):
                self.dynamic.append((f.attname, f.default))
            else:
                self.static[f.attname] = f.get_default() if f.has_default() else None
        self.now = timezone.now()

    def new_values(self) -> dict[str, Any]:
        values = dict(self.static)
        for attname, default in self.dynamic:
            values[attname] = default()
        values["sys_id"] = token_hex(16)  # the sys_id form, drawn faster than uuid4().hex
        values["sys_created_on"] = values["sys_updated_on"] = self.now
        return values

    def insert(self, rows: list[dict[str, Any]]) -> None:
        self.now = timezone.now()
        postgres = connection.vendor == "postgresql"
        for row in rows:
            row["sys_created_on"] = row["sys_updated_on"] = self.now
        for attname, convert in self._converters(postgres):
            for row in rows:
                if row[attname] is not None:
                    row[attname] = convert(row[attname])
        for db_table, fields in self.tables:
            columns = [f.column for f in fields]
            attnames = ["sys_id" if f.attname in self.pk_links else f.attname for f in fields]
            pick = itemgetter(*attnames)
            tuples = [pick(row) for row in rows] if len(attnames) > 1 else [(pick(row),) for row in rows]
            insert_rows(db_table, columns, tuples)

    def _converters(self, postgres: bool) -> list[tuple[str, Callable[[Any], Any]]]:
        """Columns whose Python values the driver cannot take as they are."""
        converters = []
        for f in self.model._meta.concrete_fields:
            if isinstance(f, models.JSONField) or (
                not postgres and isinstance(f, (models.DateTimeField, models.DecimalField))
            ):
                converters.append((f.attname, lambda value, f=f: f.get_db_prep_save(value, connection)))
        return converters


def insert_rows(db_table: str, columns: list[str], tuples: list[tuple]) -> None:
    """Rows of column values (as the driver takes them) into one table at once: ``COPY`` on
    PostgreSQL, one ``executemany`` elsewhere. Only names from the models are spliced in."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    if connection.vendor != "postgresql":
        sql = f"INSERT INTO {quote(db_table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, tuples)
        return
    connection.ensure_connection()
    audit_context_sync(connection)  # COPY bypasses Django's execute: hand the triggers the actor
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {quote(db_table)} ({names}) FROM STDIN") as copy:
        for values in tuples:
            copy.write_row(values)
