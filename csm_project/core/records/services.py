"""Writes of any registry table: create, update and delete one record with every rule that
must hold however data arrives (a record API, the Table API, the admin, an import).

Two layers of rules run on every write:

1. Field rules derived from the model and the registry, compiled once per table
   (``csm_project.core.records.field_rules``).
2. The table's own domain rules (``RecordRules``, ``csm_project.core.records.hooks``),
   registered by the app owning the table in its ``AppConfig.ready()``: closing a lead stamps
   its closed date, an interaction's ``opened_by`` is the acting user, a contact without a user
   name gets its sys_id, ...

A ``work_notes`` value becomes a journal entry on the record. Record numbers are drawn by the
models on insert, inside the write's transaction. A refused write raises ``DomainError`` with
one ``FieldError`` per bad field and writes nothing; a write the caller has no right to (a login,
a guarded field: ``csm_project.core.access.fields``) raises ``AccessDenied`` in place of
any other refusal.
"""

import copy
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError

from csm_project.core.access.fields import check_delete, check_update
from csm_project.core.errors import UNIQUE, DomainError, ProtectedRecord
from csm_project.core.models import JournalEntry, SysRecord
from csm_project.core.records.field_rules import CleanRow, TableRules, check_references, check_unique, table_rules
from csm_project.core.records.hooks import rules_for
from csm_project.core.records.journal import journal_add
from csm_project.registry import UnknownTable

# --- one record -------------------------------------------------------------------------------


def record_create(*, table: str, values: dict[str, Any], input_display_value: bool = False) -> SysRecord:
    """Insert a record of ``table`` from wire values; see the module docstring."""
    rules = _rules(table)
    with transaction.atomic():
        record = rules.model()
        _write(rules, record, values, creating=True, input_display_value=input_display_value)
    return record


def record_update(*, instance: SysRecord, values: dict[str, Any], input_display_value: bool = False) -> SysRecord:
    """Change the given fields of ``instance``; only fields whose value differs are written."""
    rules = _rules(instance.sys_table)
    with transaction.atomic():
        _write(rules, instance, values, creating=False, input_display_value=input_display_value)
    return instance


def record_delete(*, instance: SysRecord) -> None:
    """Delete ``instance`` with what it owns (rows that cascade, and every deleted record's
    journal entries); references that may be emptied are cleared. Raises ``ProtectedRecord``
    when other records protect it."""
    check_delete(instance)
    using = router.db_for_write(type(instance), instance=instance)
    with transaction.atomic(using=using):
        collector = Collector(using=using)
        try:
            collector.collect([instance])
        except ProtectedError as exc:
            raise _protected(exc.protected_objects) from None
        except RestrictedError as exc:
            raise _protected(exc.restricted_objects) from None
        # What the collector deletes: loaded rows, and querysets it deletes without loading.
        doomed = [(model, [obj.pk for obj in objects]) for model, objects in collector.data.items()]
        doomed += [(queryset.model, queryset.values("pk")) for queryset in collector.fast_deletes]
        for model, ids in doomed:
            name = getattr(model, "sys_table", "")
            if name and model is not JournalEntry:
                JournalEntry.objects.filter(name=name, element_id__in=ids).delete()
        try:
            with transaction.atomic(using=using):
                collector.delete()
        except IntegrityError:
            raise ProtectedRecord("The record cannot be deleted: other records refer to it") from None


def _protected(objects: Iterable[models.Model]) -> ProtectedRecord:
    tables = sorted({getattr(obj, "sys_table", "") or type(obj).__name__ for obj in objects})
    return ProtectedRecord(f"The record cannot be deleted: {', '.join(tables)} records refer to it")


def _rules(table: str) -> TableRules:
    try:
        return table_rules(table)
    except UnknownTable:
        raise DomainError(f"Invalid table {table}") from None


def record_check(
    *,
    table: str,
    values: dict[str, Any],
    instance: SysRecord | None = None,
    input_display_value: bool = False,
    exclude: Iterable[str] = (),
) -> None:
    """Raise the ``DomainError`` that ``record_create`` (no ``instance``) or ``record_update``
    would raise for ``values``, writing nothing: forms check with it before they save. Errors
    on the fields of ``exclude`` are left out (a form's parent reference, set on save)."""
    rules = _rules(table)
    record = copy.copy(instance) if instance is not None else rules.model()
    try:
        _prepare(rules, record, values, creating=instance is None, input_display_value=input_display_value)
    except DomainError as exc:
        skipped = set(exclude)
        errors = [error for error in exc.errors if error.field not in skipped]
        if errors:
            raise DomainError(errors) from None


def _prepare(
    rules: TableRules, record: SysRecord, values: dict[str, Any], *, creating: bool, input_display_value: bool
) -> tuple[CleanRow, dict[str, Any]]:
    """Apply ``values`` to ``record`` with every rule; the row read and the changed fields."""
    if not isinstance(values, dict):
        raise DomainError("The values of a record must be a map of field names to values")
    choices = rules.load_choices([name for name in values if name in rules.fields]) if rules.choice_fields else {}
    row = rules.clean(values, choices=choices, input_display_value=input_display_value)
    check_references(rules, [row], input_display_value=input_display_value)
    changed: dict[str, Any] = {}
    for name, value in row.values.items():
        rule = rules.fields[name]
        old = None if creating else getattr(record, rule.attname)
        if creating or old != value:
            changed[name] = old
            setattr(record, rule.attname, value)
    if not creating:
        check_update(rules.table, record, changed)
    errors = list(row.errors)
    errors += rules_for(rules.table.name).clean(record, creating=creating, changed=changed)
    if creating:
        errors += [error for error in rules.missing(record) if error.field not in {e.field for e in errors}]
    unique_row = CleanRow(
        values={rule.name: getattr(record, rule.attname) for rule in rules.unique if creating or rule.name in changed}
    )
    check_unique(rules, [unique_row], exclude_pk=None if creating else record.pk)
    errors += unique_row.errors
    if errors:
        raise DomainError(errors)
    return row, changed


def _write(
    rules: TableRules, record: SysRecord, values: dict[str, Any], *, creating: bool, input_display_value: bool
) -> None:
    row, changed = _prepare(rules, record, values, creating=creating, input_display_value=input_display_value)
    if creating or changed:
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            # A concurrent write took a unique value between the check and the save.
            raise DomainError("The record conflicts with another record", code=UNIQUE) from None
    rules_for(rules.table.name).after_save(record, creating=creating, changed=changed)
    if row.work_note:
        journal_add(record=record, text=row.work_note)
