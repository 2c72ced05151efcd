"""Transforming staging rows into records: the Import Set API's domain layer.

``import_rows`` keeps each posted row (an ``ImportSetRow``) and runs every active transform map
of its staging table on it, in order. A map reads the row's source columns into its target
fields; when the map has coalesce fields and the row gives them all, the one target record
whose fields equal them is updated (``updated``, or ``ignored`` when no value differs),
otherwise a record is inserted (``inserted``). Every target write goes through the record
services (``csm_project.core.records.services``) with the staged texts read as display values
(a reference by the target's display value or its sys_id, a choice by its label or value, a
date-time in the caller's time zone), so the table's rules, the field rights and
the audit hold as for any other write; a refused write is that row's ``error`` (with the
refusal's message) and leaves nothing of that row in the target, while the other rows and maps
go on. Each map of each row runs in a savepoint; the import set and its rows are saved in the
same transaction as the writes they describe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from csm_project.core.access.actor import current_actor_name
from csm_project.core.errors import DomainError
from csm_project.core.records.field_rules import table_rules
from csm_project.core.records.services import record_create, record_update
from csm_project.import_sets.models import FieldMap, ImportSet, ImportSetRow, StagingTable, TransformMap
from csm_project.registry import get_table

INSERTED, UPDATED, IGNORED, ERROR = "inserted", "updated", "ignored", "error"


class UnknownStagingTable(DomainError):
    """No staging table has this name (a 400, as an unknown Table API table is)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Invalid table {name[:80]}")


def staging_table_get(name: str) -> StagingTable:
    table = StagingTable.objects.filter(name=name).first()
    if table is None:
        raise UnknownStagingTable(name)
    return table


@dataclass(frozen=True)
class _Map:
    """A transform map read once for the whole request."""

    name: str
    target: str
    fields: tuple[tuple[str, str], ...]  # (source column, target field)
    coalesce: tuple[tuple[str, str], ...]  # (source column, target field to match on)


def _maps(staging: StagingTable) -> list[_Map]:
    maps = []
    active = TransformMap.objects.filter(staging_table=staging, active=True).order_by("order", "name")
    entries: dict[int, list[FieldMap]] = {}
    for entry in FieldMap.objects.filter(transform_map__in=active).order_by("id"):
        entries.setdefault(entry.transform_map_id, []).append(entry)
    for transform in active:
        rules = table_rules(get_table(transform.target_table).name)  # UnknownTable: a map staff must fix
        mine = entries.get(transform.pk, [])
        maps.append(
            _Map(
                name=transform.name,
                target=transform.target_table,
                fields=tuple((entry.source_field, entry.target_field) for entry in mine),
                coalesce=tuple(
                    (entry.source_field, entry.target_field)
                    for entry in mine
                    if entry.coalesce and entry.target_field in rules.fields
                ),
            )
        )
    return maps


def staging_values(raw: Any) -> dict[str, str]:
    """A posted row as the staging table keeps it: column name -> text (the vendor's staging
    columns are strings; a number or boolean is kept as its text, null as empty)."""
    if not isinstance(raw, dict):
        raise DomainError("Each row must be an object of column names and values")
    values = {}
    for name, value in raw.items():
        if isinstance(value, (dict, list)):
            raise DomainError(f"Column {str(name)[:100]!r} must be a single value, not a list or object")
        if isinstance(value, bool):
            value = "true" if value else "false"
        values[str(name)] = "" if value is None else str(value)
    return values


def import_rows(
    *, staging: StagingTable, rows: list[dict[str, str]], multiple: bool
) -> tuple[ImportSet, list[ImportSetRow]]:
    """Keep ``rows`` (already ``staging_values``) in a new import set and transform them."""
    maps = _maps(staging)
    with transaction.atomic():
        import_set = ImportSet.objects.create(
            staging_table=staging, multiple=multiple, row_count=len(rows), created_by=current_actor_name()
        )
        kept = [
            ImportSetRow(import_set=import_set, staging_table=staging, index=index, values=values,
                         results=[_transform(transform, values) for transform in maps])
            for index, values in enumerate(rows)
        ]  # fmt: skip
        ImportSetRow.objects.bulk_create(kept, batch_size=1000)
    return import_set, kept


def _transform(transform: _Map, values: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = {"transform_map": transform.name, "table": transform.target, "sys_id": ""}
    target = {field: values[source] for source, field in transform.fields if source in values}
    try:
        with transaction.atomic():
            existing = _coalesced(transform, values)
            if existing is None:
                record = record_create(table=transform.target, values=target, input_display_value=True)
                result.update(status=INSERTED, sys_id=record.pk)
            else:
                before = existing.sys_mod_count
                record = record_update(instance=existing, values=target, input_display_value=True)
                result.update(status=UPDATED if record.sys_mod_count != before else IGNORED, sys_id=record.pk)
                if result["status"] == IGNORED:
                    result["status_message"] = "No field values changed"
    except DomainError as error:
        result.update(status=ERROR, error_message="; ".join(
            f"{problem.field}: {problem.message}" if problem.field else problem.message for problem in error.errors
        ))  # fmt: skip
    return result


def _coalesced(transform: _Map, values: dict[str, str]):
    """The target record the row's coalesce values name, None to insert; a DomainError when
    several records match."""
    if not transform.coalesce:
        return None
    given = {}
    for source, field in transform.coalesce:
        value = values.get(source, "")
        if value == "":
            return None  # a row without its coalesce values is a new record
        given[field] = value
    rules = table_rules(transform.target)
    typed = rules.clean(given, choices={})  # the values as the fields hold them
    if typed.errors:
        raise DomainError(typed.errors)
    wanted = {rules.fields[field].attname: value for field, value in typed.values.items()}
    matches = list(rules.model.objects.filter(**wanted)[:2])
    if len(matches) > 1:
        raise DomainError(f"Several {transform.target} records match the coalesce fields")
    return matches[0] if matches else None
