"""Export the records of any registered table in every shape the importer reads (CSV, JSON
lines, a JSON array, the export shape ``{"records": [...]}``), streamed.

On PostgreSQL rows stream from the database's own ``COPY (SELECT ...) TO STDOUT`` with each
column turned into its wire text in SQL (the conversion built once per column, in the
statement): CSV is passed through to the file as it arrives, JSON built from its cells.
Elsewhere rows are read with a server-side iterator and converted in Python by one converter
per column (``text_converter``), chosen before the first row.
"""

import codecs
import csv
import json
from collections.abc import Callable
from typing import TextIO

from django.db import connection, transaction

from csm_project.core.bulk.files import CSV, RowWriter
from csm_project.core.records.queries import apply_encoded_query
from csm_project.core.records.wire_values import PASSWORD_MASK, text_converter
from csm_project.core.sql.session import allow_long_statements
from csm_project.registry import FieldSpec, FieldType, TableSpec

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
    columns = [table.model._meta.get_field(spec.model_field).attname for spec in specs]
    if connection.vendor == "postgresql":
        # One long statement: the request-sized time limit does not apply to an export.
        with transaction.atomic():
            allow_long_statements()
            return _copy_out(queryset.values_list(*columns), specs, out, fmt, progress, total)
    rows = queryset.values_list(*columns).iterator(chunk_size=CHUNK)
    writer = RowWriter(out, fmt, [spec.name for spec in specs])
    converters = [text_converter(spec) for spec in specs]  # chosen once per column, not per value
    written = 0
    for row in rows:
        writer.write_values(list(map(_call, converters, row)))
        written += 1
        if progress and written % CHUNK == 0:
            progress(written, total)
    writer.close()
    if progress:
        progress(written, total)
    return written


def _wire_sql(spec: FieldSpec, column: str) -> str:
    """SQL turning ``column`` into the text ``to_text`` gives (NULL stays NULL: an empty cell)."""
    if spec.type is FieldType.BOOLEAN:
        return f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' END"
    if spec.type is FieldType.DATETIME:
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    if spec.type is FieldType.PASSWORD:  # the mask, never the hash (wire_values.password_text)
        return f"CASE WHEN {column} <> '' AND {column} NOT LIKE '!%' THEN '{PASSWORD_MASK}' ELSE '' END"
    return f"{column}::text"


def _copy_out(queryset, specs: list[FieldSpec], out: TextIO, fmt: str, progress, total: int) -> int:
    import psycopg

    inner, params = queryset.query.sql_with_params()
    names = [f"c{index}" for index in range(len(specs))]
    select = ", ".join(_wire_sql(spec, name) for spec, name in zip(specs, names, strict=True))
    # COPY takes no bound parameters: psycopg's client-side binding quotes them into the text.
    connection.ensure_connection()
    bound = psycopg.ClientCursor(connection.connection).mogrify(inner, params)
    statement = f"COPY (SELECT {select} FROM ({bound}) AS t ({', '.join(names)})) TO STDOUT WITH (FORMAT csv)"  # noqa: S608 - our SQL, values bound
    writer = RowWriter(out, fmt, [spec.name for spec in specs])
    decoder = codecs.getincrementaldecoder("utf-8")()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(statement) as copy:
            texts = (decoder.decode(bytes(chunk)) for chunk in copy)
            if fmt == CSV:  # the database's CSV is the file
                seen = 0
                for text in texts:
                    out.write(text)
                    if progress:
                        seen += text.count("\n")
                        progress(min(seen, total), total)
            else:  # cells are wire text already: JSON objects of them
                json_types = [spec.type is FieldType.JSON for spec in specs]
                for count, cells in enumerate(csv.reader(_lines(texts)), start=1):
                    if any(json_types):
                        cells = [
                            json.dumps(json.loads(c), separators=(",", ":")) if j and c else c
                            for c, j in zip(cells, json_types, strict=True)
                        ]
                    writer.write_values(cells)
                    if progress and count % CHUNK == 0:
                        progress(count, total)
        written = cursor.cursor.rowcount
    writer.close()
    if progress:
        progress(written, total)
    return written


def _lines(texts):
    """Lines (with their ends) of a stream of text chunks."""
    rest = ""
    for text in texts:
        text = rest + text
        lines = text.split("\n")
        rest = lines.pop()
        for line in lines:
            yield line + "\n"
    if rest:
        yield rest


def export_rows(table: TableSpec, queryset, specs: list[FieldSpec]):
    """The wire text of ``specs`` for each record of ``queryset`` (any filter and order), read in
    chunks of ``CHUNK`` rows with only the exported columns (the admin's CSV export)."""
    columns = [table.model._meta.get_field(spec.model_field).attname for spec in specs]
    converters = [text_converter(spec) for spec in specs]
    for row in queryset.values_list(*columns).iterator(chunk_size=CHUNK):
        yield list(map(_call, converters, row))


def _call(convert: Callable[[object], str], value: object) -> str:
    return convert(value)
