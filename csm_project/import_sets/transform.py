"""Transforming staging rows into records: the Import Set API's domain layer.

``import_rows`` keeps each posted row (an ``ImportSetRow``) and runs every active transform map
of its staging table over all the rows, map after map in their order (so an account map has
written its accounts before the contact map that refers to them runs). A map reads each row's
source columns into its target fields; when the map has a coalesce field and the row gives it,
the target record holding that value is updated (``updated``, or ``ignored`` when no value
differs), otherwise a record is inserted (``inserted``).

The rows of a map are written by the bulk loader (``csm_project.core.bulk.imports.RecordLoader``,
the one that ``import_records`` runs): every row through the table's field rules and its own
rules, references and unique values checked for the whole batch, new records written at once
with their audit rows, updates saved one by one through the record services, field rights
checked. The staged texts are read as display values (a reference by the target's display value
or its sys_id, a choice by its label or value, a date-time in the caller's time zone). A refused
row is that row's ``error`` (with every refusal) and writes nothing of it, while the other rows
and maps go on. Rows of one request sharing a coalesce value are loaded one after another (the
first inserts, the next ones update what it wrote). The import set and its rows are saved in
the same transaction as the writes they describe.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from csm_project.core.access.actor import current_actor_name
from csm_project.core.bulk.files import SourceRow
from csm_project.core.bulk.imports import RecordLoader, RowError, insert_rows
from csm_project.core.errors import DomainError
from csm_project.core.models import new_sys_id
from csm_project.core.records.field_rules import TableRules, table_rules
from csm_project.import_sets.models import FieldMap, ImportSet, ImportSetRow, StagingTable, TransformMap
from csm_project.registry import UnknownTable, get_table

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
    rules: TableRules
    fields: tuple[tuple[str, str], ...]  # (source column, target field)
    coalesce: str | None  # the target field matching existing records

    @property
    def target(self) -> str:
        return self.rules.table.name


def _maps(staging: StagingTable) -> list[_Map]:
    maps = []
    active = list(TransformMap.objects.filter(staging_table=staging, active=True).order_by("order", "name"))
    entries: dict[int, list[FieldMap]] = {}
    for entry in FieldMap.objects.filter(transform_map__in=active).order_by("id"):
        entries.setdefault(entry.transform_map_id, []).append(entry)
    for transform in active:
        try:
            rules = table_rules(get_table(transform.target_table).name)
        except UnknownTable as exc:
            raise DomainError(f"Transform map {transform.name}: {exc.message}") from None
        mine = entries.get(transform.pk, [])
        coalesce = [entry.target_field for entry in mine if entry.coalesce]
        if len(coalesce) > 1:
            raise DomainError(f"Transform map {transform.name} has several coalesce fields; one is allowed")
        maps.append(
            _Map(
                name=transform.name,
                rules=rules,
                fields=tuple((entry.source_field, entry.target_field) for entry in mine),
                coalesce=coalesce[0] if coalesce else None,
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
    results: list[list[dict[str, Any]]] = [[] for _ in rows]
    with transaction.atomic():
        import_set = ImportSet.objects.create(
            staging_table=staging, multiple=multiple, row_count=len(rows), created_by=current_actor_name()
        )
        for transform in maps:
            _run_map(transform, rows, results)
        kept = [
            ImportSetRow(
                import_set=import_set, staging_table=staging, index=index, values=values, results=results[index]
            )
            for index, values in enumerate(rows)
        ]
        _keep(kept)
    return import_set, kept


_ROW_COLUMNS = ("sys_id", "import_set", "staging_table", "index", "values", "results")


def _keep(rows: list[ImportSetRow]) -> None:
    """The staging rows, written at once (COPY on PostgreSQL) by the bulk loader's writer."""
    fields = [ImportSetRow._meta.get_field(name) for name in _ROW_COLUMNS]
    insert_rows(
        ImportSetRow._meta.db_table,
        [field.column for field in fields],
        [(row.sys_id, row.import_set_id, row.staging_table_id, row.index, json.dumps(row.values),
          json.dumps(row.results)) for row in rows],
    )  # fmt: skip


def _run_map(transform: _Map, rows: list[dict[str, str]], results: list[list[dict[str, Any]]]) -> None:
    targets = [{field: values[source] for source, field in transform.fields if source in values} for values in rows]
    waves: list[list[int]] = []  # the n-th row of each coalesce value goes in wave n
    seen: dict[str, int] = {}
    for index, target in enumerate(targets):
        key = target.get(transform.coalesce) if transform.coalesce else None
        wave = 0
        if key not in (None, ""):
            wave = seen.get(key, 0)
            seen[key] = wave + 1
        while len(waves) <= wave:
            waves.append([])
        waves[wave].append(index)
    for wave in waves:
        _load(transform, wave, targets, results)


def _load(transform: _Map, indexes: list[int], targets: list[dict[str, str]], results) -> None:
    """One wave of a map's rows through the bulk loader; each row's result appended."""
    rules, key = transform.rules, transform.coalesce
    existing: dict[str, list[tuple[str, int]]] = {}
    if key:
        attname = rules.fields[key].attname if key in rules.fields else key
        wanted = {targets[i][key] for i in indexes if targets[i].get(key) not in (None, "")}
        if wanted:
            found = rules.model._base_manager.filter(**{f"{attname}__in": wanted})
            for pk, value, count in found.values_list("pk", attname, "sys_mod_count"):
                existing.setdefault(str(value), []).append((pk, count))
    new_ids: dict[int, str] = {}
    sources = []
    for i in indexes:
        values = dict(targets[i])
        if not key or not existing.get(str(values.get(key, ""))):
            new_ids[i] = values["sys_id"] = new_sys_id()
        sources.append(SourceRow(line=i, values=values))
    rejected: dict[int, list[RowError]] = {}
    loader = RecordLoader(rules, upsert=bool(key), key=key, skip_bad=True, where="row", input_display_value=True)
    loader.run(sources, on_reject=lambda source, errors: rejected.__setitem__(source.line, errors))
    matched = [pk for records in existing.values() for pk, _count in records]
    after = dict(rules.model._base_manager.filter(pk__in=matched).values_list("pk", "sys_mod_count")) if matched else {}
    for i in indexes:
        result: dict[str, Any] = {"transform_map": transform.name, "table": transform.target, "sys_id": ""}
        if i in rejected:
            result.update(status=ERROR, error_message=_message(rejected[i]))
        elif i in new_ids:
            result.update(status=INSERTED, sys_id=new_ids[i])
        else:
            pk, count = existing[str(targets[i][key])][0]
            if after.get(pk) != count:
                result.update(status=UPDATED, sys_id=pk)
            else:
                result.update(status=IGNORED, sys_id=pk, status_message="No field values changed")
        results[i].append(result)


def _message(errors: list[RowError]) -> str:
    return "; ".join(f"{error.field}: {error.message}" if error.field else error.message for error in errors)
