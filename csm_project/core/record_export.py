"""Export the records of any registered table to CSV or JSON lines, streamed in chunks."""

import csv
import json
from collections.abc import Callable, Iterator
from typing import TextIO

from django.db.models import QuerySet

from csm_project.core.queries import apply_encoded_query
from csm_project.core.wire_values import to_text
from csm_project.registry import FieldSpec, TableSpec

CHUNK = 2000


class UnknownFields(ValueError):
    pass


def export_fields(table: TableSpec, names: list[str] | None) -> list[FieldSpec]:
    if not names:
        return list(table.fields.values())
    unknown = [name for name in names if table.field(name) is None]
    if unknown:
        raise UnknownFields(f"{table.name} has no field(s): {', '.join(unknown)}")
    return [table.fields[name] for name in names]


def records_export(
    *,
    table: TableSpec,
    out: TextIO,
    fmt: str = "csv",
    query: str = "",
    fields: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the rows matching the encoded ``query``; returns how many were written.

    Rows are read with a server-side iterator of ``CHUNK`` rows and only the exported columns,
    so memory stays flat whatever the table size. References are written as sys_ids.
    """
    specs = export_fields(table, fields)
    queryset = apply_encoded_query(table.model.objects.all(), query, table=table)
    total = queryset.count()
    writer = _csv_writer(out, specs) if fmt == "csv" else _jsonl_writer(out, specs)
    written = 0
    for values in export_rows(table, queryset, specs):
        writer(values)
        written += 1
        if progress and written % CHUNK == 0:
            progress(written, total)
    if progress:
        progress(written, total)
    return written


def export_rows(table: TableSpec, queryset: QuerySet, specs: list[FieldSpec]) -> Iterator[list[str]]:
    """The wire text of ``specs`` for each record of ``queryset`` (any filter and order), read in
    chunks of ``CHUNK`` rows with only the exported columns."""
    columns = [table.model._meta.get_field(spec.model_field).attname for spec in specs]
    for row in queryset.values_list(*columns).iterator(chunk_size=CHUNK):
        yield [to_text(spec, value) for spec, value in zip(specs, row, strict=True)]


def _csv_writer(out: TextIO, specs: list[FieldSpec]) -> Callable[[list[str]], None]:
    writer = csv.writer(out)
    writer.writerow([spec.name for spec in specs])
    return writer.writerow


def _jsonl_writer(out: TextIO, specs: list[FieldSpec]) -> Callable[[list[str]], None]:
    names = [spec.name for spec in specs]

    def write(values: list[str]) -> None:
        out.write(json.dumps(dict(zip(names, values, strict=True)), ensure_ascii=False))
        out.write("\n")

    return write

