"""Writes of any registry table: create, update and delete one record with every rule that
must hold however data arrives (a record API, the Table API, the admin, an import).

Two layers of rules run on every write:

1. Field rules derived from the model and the registry, compiled once per table
   (``csm_project.core.records.field_rules``).
2. The table's own domain rules (``RecordRules``, ``csm_project.core.records.hooks``),
   registered by the app owning the table in its ``AppConfig.ready()``: closing a lead stamps
   its closed date, an interaction's ``opened_by`` is the acting user, a contact without a user
   name gets its sys_id, ...

A ``work_notes`` value becomes a journal entry on the record (and a ``comments`` value one of
that journal, on tables keeping it: ``sys_journal_fields``). Record numbers are drawn by the
models on insert, inside the write's transaction. A refused write raises ``DomainError`` with
one ``FieldError`` per bad field and writes nothing; a write the caller has no right to (a login,
a guarded field: ``csm_project.core.access.fields``) raises ``AccessDenied`` in place of
any other refusal.
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError

from csm_project.core.access.fields import check_delete, check_secrets, check_update
from csm_project.core.access.rows import check_row_write
from csm_project.core.errors import REQUIRED, UNIQUE, DomainError, FieldError, ProtectedRecord, quoted
from csm_project.core.models import JournalEntry, SysRecord, User, is_sys_id
from csm_project.core.records.field_rules import CleanRow, TableRules, check_references, check_rows, table_rules
from csm_project.core.records.hooks import rules_for
from csm_project.core.records.journal import journal_add
from csm_project.core.records.users import USER_NAME, user_name_taken_message
from csm_project.registry import UnknownTable

# --- one record -------------------------------------------------------------------------------


def record_create(
    *, table: str, values: dict[str, Any], input_display_value: bool = False, keep_sys_id: bool = False
) -> SysRecord:
    """Insert a record of ``table`` from wire values; see the module docstring.

    With ``keep_sys_id`` (the Table API and the Batch API's items, as the platform does) a
    ``sys_id`` among ``values`` names the new record: it must be 32 lower-case hex characters
    (else a ``DomainError``, 400) and not be used in the table nor a table it extends or that
    extends it (else ``SysIdTaken``, 403), checked before anything is written. Without it (the
    record APIs, the admin) a given ``sys_id`` is ignored like every system field."""
    rules = _rules(table)
    chosen = values.get("sys_id") if keep_sys_id and isinstance(values, dict) else None
    with transaction.atomic():
        record = rules.model()
        if chosen not in (None, ""):
            record.sys_id = _free_sys_id(rules, chosen)
        write = _prepare(rules, record, values, creating=True, input_display_value=input_display_value)
        write.chosen_sys_id = chosen not in (None, "")
        record_save(write)
    return record


class SysIdTaken(DomainError):
    """A sys_id chosen for a new record already names a record of its table."""

    kind = "forbidden"

    def __init__(self, table: str, sys_id: str) -> None:
        super().__init__(f"Operation Failed: a {table} record with sys_id {sys_id} exists", field="sys_id", code=UNIQUE)


def _free_sys_id(rules: TableRules, given: Any) -> str:
    """``given`` if it is a sys_id no record of the table's lineage has (one query)."""
    if not is_sys_id(given):
        text = given if isinstance(given, str) else str(given)
        raise DomainError(f"{quoted(text)} is not a sys_id (32 lower-case hex characters)", field="sys_id")
    root = rules.model._meta.get_field("sys_mod_count").model  # the table holding every row's sys_id
    if root._base_manager.filter(pk=given).exists():
        raise SysIdTaken(rules.table.name, given)
    return given


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
    _rules(instance.sys_table)
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
        rules = table_rules(table)
    except UnknownTable as exc:
        raise DomainError(exc.message) from None
    if rules.table.derived:
        raise ProtectedRecord(f"The table {table} describes the platform itself: it is read-only")
    return rules


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
    write = _prepare(rules, record, values, creating=instance is None, input_display_value=input_display_value)
    skipped = set(exclude)
    errors = [error for error in write.errors if error.field not in skipped]
    if errors:
        raise DomainError(errors)


def _prepare(
    rules: TableRules, record: SysRecord, values: dict[str, Any], *, creating: bool, input_display_value: bool
) -> "Write":
    """Read wire ``values`` with the field rules, then ``_check`` them on ``record``."""
    if not isinstance(values, dict):
        raise DomainError("The values of a record must be a map of field names to values")
    choices = rules.load_choices([name for name in values if name in rules.fields]) if rules.choice_fields else {}
    row = rules.clean(values, choices=choices, input_display_value=input_display_value)
    check_references(rules, [row], input_display_value=input_display_value)
    write = Write(rules, record, creating=creating, work_note=row.work_note, comment=row.comment)
    write.changed = rules.apply(record, row.values, creating=creating)
    _check(write, list(row.errors))
    return write


# --- values already read (a record API reading its own body) -----------------------------------


@dataclass
class Write:
    """One record's write, prepared and checked (``record_prepare``), not yet saved
    (``record_save``): the record holding its new values, the changed fields with their
    previous values, the refusals, the work note to journal."""

    rules: TableRules
    record: SysRecord
    creating: bool
    changed: dict[str, Any] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    work_note: str | None = None
    comment: str | None = None  # a ``comments`` journal entry (tables keeping that journal)
    touch: bool = False  # saved even with no field changed (a work note counts as an update)
    chosen_sys_id: bool = False  # the caller named the new record's sys_id (``record_create``)
    note: JournalEntry | None = None  # the work note's entry, once saved


def record_prepare(
    record: SysRecord,
    values: dict[str, Any],
    *,
    creating: bool,
    work_note: str | None = None,
    touch: bool = False,
    comment: str | None = None,
) -> Write:
    """Prepare the write of typed ``values`` (field name -> value read; references as records,
    or as sys_ids checked here) on ``record``, with the rules of every write: the field rules
    of typed values, the changed fields, the table's ``RecordRules``, mandatory fields,
    references and unique values (one query). Refusals are collected in ``Write.errors``, in
    a stable order (mandatory fields, the table's own rules, other field rules, the look-ups)."""
    rules = table_rules(record.sys_table)
    write = Write(rules, record, creating=creating, work_note=work_note, touch=touch, comment=comment)
    # Mandatory fields given empty here; those left out are told once the table's rules ran
    # (which may fill them: a contact's user name).
    checked = rules.check_values(values, creating=False)
    write.changed = rules.apply(record, values, creating=creating)
    by_id = CleanRow(values={name: values[name] for name in write.changed
                             if name in rules.fields and rules.fields[name].spec.is_reference
                             and isinstance(values[name], str) and values[name]})  # fmt: skip
    _check(write, checked, references=by_id, mandatory_first=True)
    return write


def _check(
    write: Write, errors: list[FieldError], *, references: CleanRow | None = None, mandatory_first: bool = False
) -> None:
    """The rules past the fields' own (whose refusals are ``errors``): the table's
    ``RecordRules`` (which may stamp fields), mandatory fields, then the references of
    ``references`` and the unique values, one query. ``mandatory_first`` orders the refusals
    mandatory fields first, then the table's rules, then the other field rules."""
    rules, record, creating, changed = write.rules, write.record, write.creating, write.changed
    check_secrets(rules.table, record, changed)  # a password: admins only, on create too
    if not creating:
        check_update(rules.table, record, changed)  # a login or a guarded field: AccessDenied first
    own = rules_for(rules.table.name).clean(record, creating=creating, changed=changed)
    check_row_write(rules.table, record, creating=creating)  # inside the caller's rows, once stamped
    if mandatory_first:
        required = [error for error in errors if error.code == REQUIRED]
        if creating:
            required += rules.missing(record, refused={error.field for error in required + own})
        named = {error.field for error in required + own}
        errors = required + own + [error for error in errors if error.code != REQUIRED and error.field not in named]
    else:
        errors = errors + own
        if creating:
            errors += rules.missing(record, refused={error.field for error in errors})
    unique_row = CleanRow(
        values={rule.name: getattr(record, rule.attname) for rule in rules.unique if creating or rule.name in changed}
    )
    check_rows(rules, references=[references] if references else (), unique=[unique_row],
               exclude_pk=None if creating else record.pk)  # fmt: skip
    errors += (references.errors if references else []) + unique_row.errors
    write.errors = errors


def record_save(write: Write) -> SysRecord:
    """Save a prepared write (raises its refusals as one ``DomainError``, writing nothing),
    then the table's after-save rules and the work note's journal entry. Call it inside a
    transaction: a failure undoes the whole write."""
    if write.errors:
        raise DomainError(write.errors)
    record, creating, changed = write.record, write.creating, write.changed
    if creating or changed or write.touch:
        try:
            # No savepoint: a failure gives up the caller's transaction (or savepoint) anyway.
            with transaction.atomic(savepoint=False):
                record.save()
        except IntegrityError:
            # A concurrent write took a unique value between the check and the save.
            raise _conflict(write) from None
    rules_for(write.rules.table.name).after_save(record, creating=creating, changed=changed)
    if write.comment:
        journal_add(record=record, text=write.comment, element="comments")
    if write.work_note:
        write.note = journal_add(record=record, text=write.work_note)
    return record


def _conflict(write: Write) -> DomainError:
    if write.chosen_sys_id:
        # The sys_id was free when checked; a concurrent insert took it (or a unique value) since.
        return SysIdTaken(write.rules.table.name, write.record.pk)
    if isinstance(write.record, User) and (write.creating or USER_NAME in write.changed):
        name = write.record.user_name
        return DomainError(user_name_taken_message(name), field=USER_NAME, code=UNIQUE)
    return DomainError("The record conflicts with another record", code=UNIQUE)


def _write(
    rules: TableRules, record: SysRecord, values: dict[str, Any], *, creating: bool, input_display_value: bool
) -> None:
    record_save(_prepare(rules, record, values, creating=creating, input_display_value=input_display_value))
