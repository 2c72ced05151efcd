"""Statistics over one table's records, computed by the database in one query.

``aggregate(queryset, table, request)`` takes an already filtered queryset and a parsed
``StatsRequest``: with no grouping one ``SELECT COUNT(*), AVG(..), ..`` row; with grouping one
``SELECT .. GROUP BY .. HAVING .. ORDER BY ..`` query, one result per group. Rows are never
loaded into Python. Figures come back as the platform shows them: every one a string, averages
with four decimals, an aggregate over no values (no rows, or only empty values) ``""``.

Parameter forms:
- ``sysparm_<avg|min|max|sum>_fields``: comma-separated field names. ``avg`` and ``sum`` take
  number fields; ``min`` and ``max`` any field but references and JSON.
- ``sysparm_group_by``: comma-separated field names (references group by sys_id).
- ``sysparm_having``: comma-separated ``aggregate^field^operator^value`` (``count^^>^5`` and
  ``count^>^5`` ignore the field), operators ``= != > >= < <=``, a number value. Only with
  grouping; a group whose aggregate is empty never matches.
- ``sysparm_order_by``: comma-separated ``field``, ``COUNT`` or ``AGGREGATE^field``, each
  optionally followed by ``^DESC``. Groups are otherwise ordered by their group-by values
  (empty first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import Avg, Count, DecimalField, F, FloatField, Max, Min, Q, QuerySet, Sum

from csm_project.core.records.choices import choice_labels
from csm_project.core.records.datetimes import format_display
from csm_project.core.records.wire_values import to_text
from csm_project.registry import FieldSpec, FieldType, TableSpec

FUNCTIONS = {"avg": Avg, "min": Min, "max": Max, "sum": Sum}
NUMERIC = frozenset({FieldType.INTEGER, FieldType.DECIMAL})
_NOT_COMPARABLE = frozenset({FieldType.REFERENCE, FieldType.JSON})
_OPERATORS = {"=": "exact", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "!=": None}
_FOUR_PLACES = Decimal("0.0001")


class InvalidStatsRequest(ValueError):
    """A parameter naming an unknown field, a wrong aggregate or a malformed clause."""


@dataclass(frozen=True)
class Having:
    function: str  # count, avg, min, max, sum
    field: str | None
    operator: str
    value: Decimal


@dataclass(frozen=True)
class OrderItem:
    function: str | None  # None: a group-by field
    field: str | None
    descending: bool


@dataclass
class StatsRequest:
    count: bool = False
    fields: dict[str, list[str]] = field(default_factory=dict)  # function -> field names
    group_by: list[str] = field(default_factory=list)
    having: list[Having] = field(default_factory=list)
    order_by: list[OrderItem] = field(default_factory=list)
    display: str = "false"  # false, true, all


def _names(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _field(table: TableSpec, name: str, *, function: str | None = None) -> FieldSpec:
    spec = table.field(name)
    if spec is None or spec.is_secret:  # a password is no statistic: told as an unknown field
        raise InvalidStatsRequest(f"Invalid field {name[:80]!r} for table {table.name}")
    if function in ("avg", "sum") and spec.type not in NUMERIC:
        raise InvalidStatsRequest(f"{function} needs a number field; {name} is not one")
    if function in ("min", "max") and spec.type in _NOT_COMPARABLE:
        raise InvalidStatsRequest(f"{function} cannot be taken over {name}")
    return spec


def parse_request(table: TableSpec, params) -> StatsRequest:
    """The statistics asked by the query parameters ``params`` (a QueryDict-like mapping)."""
    request = StatsRequest(
        count=(params.get("sysparm_count") or "").strip().lower() == "true",
        display=(params.get("sysparm_display_value") or "false").strip().lower(),
    )
    if request.display not in ("true", "all"):
        request.display = "false"
    for function in FUNCTIONS:
        names = _names(params.get(f"sysparm_{function}_fields"))
        for name in names:
            _field(table, name, function=function)
        if names:
            request.fields[function] = list(dict.fromkeys(names))
    request.group_by = list(dict.fromkeys(_names(params.get("sysparm_group_by"))))
    for name in request.group_by:
        if _field(table, name).type is FieldType.JSON:
            raise InvalidStatsRequest(f"Cannot group by {name}")
    request.having = [_having(table, clause) for clause in _names(params.get("sysparm_having"))]
    request.order_by = [_order(table, clause, request.group_by) for clause in _names(params.get("sysparm_order_by"))]
    return request


def _having(table: TableSpec, clause: str) -> Having:
    parts = clause.split("^")
    function = parts[0].strip().lower()
    if function == "count" and len(parts) == 3:
        parts = [parts[0], "", parts[1], parts[2]]
    if len(parts) != 4 or function not in ("count", *FUNCTIONS):
        raise InvalidStatsRequest(f"Invalid sysparm_having clause {clause[:80]!r}: aggregate^field^operator^value")
    _, name, operator, raw = (part.strip() for part in parts)
    if operator not in _OPERATORS:
        raise InvalidStatsRequest(f"Invalid operator {operator[:10]!r} in sysparm_having")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidStatsRequest(f"sysparm_having compares with a number, not {raw[:40]!r}") from None
    if not value.is_finite():
        raise InvalidStatsRequest(f"sysparm_having compares with a number, not {raw[:40]!r}")
    if function == "count":
        return Having("count", None, operator, value)
    _field(table, name, function=function)
    return Having(function, name, operator, value)


def _order(table: TableSpec, clause: str, group_by: list[str]) -> OrderItem:
    parts = [part.strip() for part in clause.split("^")]
    descending = len(parts) > 1 and parts[-1].upper() == "DESC"
    if descending or (len(parts) > 1 and parts[-1].upper() == "ASC"):
        parts = parts[:-1]
    head = parts[0].lower()
    if head == "count" and len(parts) == 1:
        return OrderItem("count", None, descending)
    if head in FUNCTIONS and len(parts) == 2:
        _field(table, parts[1], function=head)
        return OrderItem(head, parts[1], descending)
    if len(parts) == 1 and parts[0] in group_by:
        return OrderItem(None, parts[0], descending)
    raise InvalidStatsRequest(f"Invalid sysparm_order_by {clause[:80]!r}: a group-by field, COUNT or AGGREGATE^field")


# --- computing ---------------------------------------------------------------------------------


def _alias(function: str, name: str | None) -> str:
    return "stats_count" if function == "count" else f"stats_{function}__{name}"


def _expression(table: TableSpec, function: str, name: str | None):
    """The SQL aggregate for ``function`` over ``name``. Sums of decimals keep the field's
    places but not its digit limit (a sum outgrows it); averages are compared as floats here
    (``having``/``order by``), while the figures shown are computed exactly (``_avg_parts``)."""
    if function == "count":
        return Count("pk")
    spec = table.fields[name]
    column = spec.model_field
    if function == "avg":
        return Avg(column, output_field=FloatField())
    if function == "sum" and spec.type is FieldType.DECIMAL:
        places = table.model._meta.get_field(column).decimal_places
        return Sum(column, output_field=DecimalField(max_digits=38, decimal_places=places))
    return FUNCTIONS[function](column)


def _avg_parts(table: TableSpec, name: str) -> dict[str, Any]:
    """An average shown is SUM / COUNT of the non-empty values, both exact from the database,
    divided here: a float ``AVG`` would round differently on SQLite and PostgreSQL."""
    return {
        f"stats_avgsum__{name}": _expression(table, "sum", name),
        f"stats_avgn__{name}": Count(table.fields[name].model_field),
    }


def _average(row: dict[str, Any], name: str) -> str:
    total, count = row[f"stats_avgsum__{name}"], row[f"stats_avgn__{name}"]
    if not count or total is None:
        return ""
    exact = Decimal(str(total)) / Decimal(count)
    return str(exact.quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP))


def _figure(table: TableSpec, spec: FieldSpec | None, function: str, value: Any) -> str:
    if value is None:
        return ""
    if function == "count":
        return str(int(value))
    if spec is not None and spec.type is FieldType.DECIMAL:
        # SQLite hands decimals back as floats or integers: show the field's own places.
        places = table.model._meta.get_field(spec.model_field).decimal_places
        return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return to_text(spec, value)


def _stats(table: TableSpec, request: StatsRequest, row: dict[str, Any]) -> dict[str, Any]:
    stats: dict[str, Any] = {}
    if request.count:
        stats["count"] = _figure(table, None, "count", row[_alias("count", None)])
    for function, names in request.fields.items():
        if function == "avg":
            stats[function] = {name: _average(row, name) for name in names}
        else:
            stats[function] = {
                name: _figure(table, table.fields[name], function, row[_alias(function, name)]) for name in names
            }
    return stats


def _wanted(request: StatsRequest) -> dict[str, tuple[str, str | None]]:
    """Every aggregate the request shows, filters on or orders by: alias -> (function, field)."""
    wanted: dict[str, tuple[str, str | None]] = {}
    if request.count:
        wanted[_alias("count", None)] = ("count", None)
    for function, names in request.fields.items():
        if function == "avg":
            continue  # shown from exact parts, see ``_avg_parts``
        for name in names:
            wanted[_alias(function, name)] = (function, name)
    for item in [*request.having, *request.order_by]:
        if item.function is not None:
            wanted.setdefault(_alias(item.function, item.field), (item.function, item.field))
    return wanted


def aggregate(queryset: QuerySet, table: TableSpec, request: StatsRequest, *, zone: tzinfo) -> dict | list:
    """``{"stats": {...}}`` without grouping, else one ``{"stats", "groupby_fields"}`` per group."""
    queryset = queryset.order_by()
    wanted = _wanted(request)
    expressions = {alias: _expression(table, function, name) for alias, (function, name) in wanted.items()}
    for name in request.fields.get("avg", ()):
        expressions.update(_avg_parts(table, name))
    if not request.group_by:
        row = queryset.aggregate(**expressions) if expressions else {}
        return {"stats": _stats(table, request, row)}

    # A count is always taken, so the query groups even when nothing else is asked.
    expressions.setdefault(_alias("count", None), Count("pk"))
    specs = [table.fields[name] for name in request.group_by]
    columns = [spec.model_field for spec in specs]
    display_columns = _display_columns(table, specs) if request.display != "false" else {}
    grouped = queryset.values(*columns, *display_columns.values()).annotate(**expressions)
    for having in request.having:
        grouped = grouped.filter(_having_condition(_alias(having.function, having.field), having))
    ordering = []
    for item in request.order_by:
        name = table.fields[item.field].model_field if item.function is None else _alias(item.function, item.field)
        ordering.append(F(name).desc(nulls_last=True) if item.descending else F(name).asc(nulls_first=True))
    ordering += [F(column).asc(nulls_first=True) for column in columns]
    grouped = grouped.order_by(*ordering)

    labels = _labels(table, specs) if request.display != "false" else {}
    results = []
    for row in grouped:
        groupby_fields = []
        for spec in specs:
            value = row[spec.model_field]
            entry = {"field": spec.name, "value": to_text(spec, value)}
            if request.display != "false":
                shown = _display(table, spec, value, row, display_columns, labels, zone)
                if request.display == "true":
                    entry["value"] = shown
                else:
                    entry["display_value"] = shown
            groupby_fields.append(entry)
        results.append({"stats": _stats(table, request, row), "groupby_fields": groupby_fields})
    return results


def _having_condition(alias: str, having: Having) -> Q:
    if having.operator == "!=":
        return Q(**{f"{alias}__lt": having.value}) | Q(**{f"{alias}__gt": having.value})
    return Q(**{f"{alias}__{_OPERATORS[having.operator]}": having.value})


def _display_columns(table: TableSpec, specs: list[FieldSpec]) -> dict[str, str]:
    """For each reference grouped on, the ORM path of the referenced record's display field."""
    columns = {}
    for spec in specs:
        target = table.referenced_table(spec) if spec.is_reference else None
        if target is not None and target.display_field in target.fields:
            columns[spec.name] = f"{spec.model_field}__{target.fields[target.display_field].model_field}"
    return columns


def _labels(table: TableSpec, specs: list[FieldSpec]) -> dict[tuple[str, str, str], str]:
    return choice_labels(lists=[(table.name, spec.name) for spec in specs if spec.type is FieldType.CHOICE])


def _display(table, spec, value, row, display_columns, labels, zone) -> str:
    if value is None:
        return ""
    if spec.is_reference:
        column = display_columns.get(spec.name)
        shown = row.get(column) if column else None
        return "" if shown is None else str(shown)
    if spec.type is FieldType.CHOICE:
        found = labels.get((table.name, spec.name, value))
        if found is not None:
            return found
        model_field = table.model._meta.get_field(spec.model_field)
        return str(dict(model_field.flatchoices or ()).get(value, value))
    if spec.type is FieldType.DATETIME:
        return format_display(value, zone) or ""
    return to_text(spec, value)
