"""A record as the Table API shows it: every leaf a string, in one of three display modes.

- ``value`` (``sysparm_display_value=false``, the default): stored values as text (booleans
  ``"true"``/``"false"``, date-times ``YYYY-MM-DD HH:MM:SS`` UTC, JSON as compact JSON text,
  empty as ``""``); a reference is ``{"link": <its Table API URL>, "value": <sys_id>}``.
- ``display`` (``true``): choice labels (the table's ``sys_choice`` list, else the model's own
  choices, else the value), date-times in the caller's time zone, a reference as
  ``{"display_value": <the target's display field>, "link": ...}``.
- ``all``: every field ``{"display_value": ..., "value": ...}``, plus ``link`` on references.

With ``sysparm_exclude_reference_link=true`` a reference loses its link: the plain sys_id in
``value`` mode, the plain display value in ``display`` mode. An empty reference is ``""``
(``{"display_value": "", "value": ""}`` in ``all`` mode).

``Shaper`` compiles the requested columns once per request into small functions over the tuples
of one ``values_list`` query (``Shaper.rows``): a list page is one query and one pass over its
rows, whatever the references and dot-walks asked for (the database joins them). Columns are the
registry's resolved fields (``FieldWalk``, from ``TableSpec.walk``). Pitfall: a referenced
record's display value is its table's text display field (``TableSpec.display_spec``); a display
field that is not text (a reference) is shown empty rather than followed further.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import tzinfo
from enum import StrEnum
from functools import lru_cache
from typing import Any

from django.db import models

from csm_project.core.records.choices import choice_labels
from csm_project.core.records.datetimes import format_display
from csm_project.core.records.field_paths import resolve_requested_fields
from csm_project.core.records.wire_values import text_writer
from csm_project.registry import FieldSpec, FieldType, FieldWalk, TableSpec

__all__ = ["DisplayMode", "Shaper", "resolve_columns"]


class DisplayMode(StrEnum):
    VALUE = "false"
    DISPLAY = "true"
    ALL = "all"

    @classmethod
    def from_param(cls, raw: str | None) -> DisplayMode:
        """``true``/``all`` in any case; anything else (absent, ``false``, junk) is ``false``."""
        lowered = (raw or "").strip().lower()
        return cls(lowered) if lowered in ("true", "all") else cls.VALUE


def resolve_columns(
    table: TableSpec, names: list[str] | None, may_read: Callable[[TableSpec], bool] | None = None
) -> list[FieldWalk]:
    """The requested names that resolve on ``table`` (``resolve_requested_fields``: dot-walks
    through references allowed, unknown names and dot-walks into tables ``may_read`` refuses
    dropped), in the order asked. ``None`` means every field of the table."""
    if names is None:
        return [FieldWalk(spec.name, (spec.model_field,), spec, table) for spec in table.fields.values()]
    return resolve_requested_fields(table, names, may_read)


def _text_formatter(spec: FieldSpec) -> Callable[[Any], str]:
    """Stored value -> wire text, for every type but references; ``None`` is always ``""``."""
    return text_writer(spec.type)


class Shaper:
    """Turns rows of one table into Table API dicts for one request's parameters.

    Rows are tuples from ``queryset.values_list(*shaper.paths)``: the stored values, the
    dot-walked ones and, in the display modes, each reference's display field, read by the
    database through joins, without building model instances."""

    def __init__(
        self,
        columns: list[FieldWalk],
        *,
        mode: DisplayMode,
        exclude_reference_link: bool,
        base_url: str,
        zone: tzinfo,
    ) -> None:
        self.columns = columns
        self.mode = mode
        self.exclude_links = exclude_reference_link
        self.base_url = base_url.rstrip("/")
        self.zone = zone
        self.labels = self._load_labels() if mode is not DisplayMode.VALUE else {}
        self.paths: list[str] = []
        self._index: dict[str, int] = {}
        self._plan = [(column.name, self._compile(column)) for column in columns]
        self._values_plan = self._value_converters()

    def rows(self, model: type[models.Model]) -> models.QuerySet:
        """A queryset of ``model`` reading exactly what the columns need, as tuples; filter it."""
        return _row_queryset(model, tuple(self.paths or ["pk"]))._chain()

    def shape(self, row: tuple) -> dict[str, Any]:
        return {key: read(row) for key, read in self._plan}

    def shape_all(self, rows: Iterable[tuple]) -> list[dict[str, Any]]:
        if self._values_plan is not None:
            return self._shape_values(rows)
        plan = self._plan
        return [{key: read(row) for key, read in plan} for row in rows]

    def _shape_values(self, rows: Iterable[tuple]) -> list[dict[str, Any]]:
        """The default mode, inlined: a list page is mostly this loop, one step per value."""
        plan = self._values_plan
        shaped = []
        for row in rows:
            record = {}
            for key, at, convert in plan:
                value = row[at]
                record[key] = "" if value is None else (value if convert is None else convert(value))
            shaped.append(record)
        return shaped

    def _value_converters(self) -> list[tuple[str, int, Callable[[Any], Any] | None]] | None:
        """(key, slot, converter of a non-empty value or None for text kept as is) per column, for
        the default mode; None in the display modes."""
        if self.mode is not DisplayMode.VALUE:
            return None
        plan = []
        for column in self.columns:
            at = self._index["__".join(column.steps)]
            if column.spec.is_reference:
                prefix = f"{self.base_url}/api/now/table/{column.spec.reference}/"
                convert = None if self.exclude_links else (lambda value, p=prefix: {"link": p + value, "value": value})
            elif column.spec.type in (FieldType.STRING, FieldType.CHOICE):
                convert = None  # the database gives text already
            else:
                convert = _text_formatter(column.spec)
            plan.append((column.name, at, convert))
        return plan

    # --- compiling one column ---------------------------------------------------------------

    def _load_labels(self) -> dict[tuple[str, str, str], str]:
        lists = {(c.table.name, c.spec.name) for c in self.columns if c.spec.type is FieldType.CHOICE}
        return choice_labels(lists=lists)

    def _slot(self, path: str) -> int:
        index = self._index.get(path)
        if index is None:
            index = self._index[path] = len(self.paths)
            self.paths.append(path)
        return index

    def _compile(self, column: FieldWalk) -> Callable[[tuple], Any]:
        if column.spec.is_reference:
            return self._reference(column)
        at = self._slot("__".join(column.steps))
        text = _text_formatter(column.spec)
        mode = self.mode
        if mode is DisplayMode.VALUE:
            return lambda row: text(row[at])
        display = self._display_formatter(column, text)
        if mode is DisplayMode.DISPLAY:
            return lambda row: display(row[at])
        return lambda row: {"display_value": display(row[at]), "value": text(row[at])}

    def _display_formatter(self, column: FieldWalk, text: Callable[[Any], str]) -> Callable[[Any], str]:
        if column.spec.type is FieldType.DATETIME:
            zone = self.zone
            return lambda value: "" if value is None else format_display(value, zone)
        if column.spec.type is FieldType.CHOICE:
            model_field = column.table.model._meta.get_field(column.spec.model_field)
            table, element, labels = column.table.name, column.spec.name, self.labels
            fallback = {str(value): str(label) for value, label in (model_field.flatchoices or ())}

            def label(value: Any) -> str:
                if value is None:
                    return ""
                found = labels.get((table, element, value))
                return found if found is not None else fallback.get(value, str(value))

            return label
        return text

    def _reference(self, column: FieldWalk) -> Callable[[tuple], Any]:
        path = "__".join(column.steps)
        at = self._slot(path)
        prefix = f"{self.base_url}/api/now/table/{column.spec.reference}/"
        mode, exclude = self.mode, self.exclude_links
        if mode is DisplayMode.VALUE:
            if exclude:
                return lambda row: row[at] or ""
            return lambda row: {"link": prefix + row[at], "value": row[at]} if row[at] else ""
        shown_at, shown_text = self._display_slot(column, path)

        def read(row: tuple) -> Any:
            sys_id = row[at]
            if not sys_id:
                return {"display_value": "", "value": ""} if mode is DisplayMode.ALL else ""
            shown = shown_text(row[shown_at]) if shown_at is not None else ""
            if mode is DisplayMode.DISPLAY:
                return shown if exclude else {"display_value": shown, "link": prefix + sys_id}
            if exclude:
                return {"display_value": shown, "value": sys_id}
            return {"display_value": shown, "link": prefix + sys_id, "value": sys_id}

        return read

    def _display_slot(self, column: FieldWalk, path: str) -> tuple[int | None, Callable[[Any], str]]:
        """Where the referenced record's display field is in the row, and how to show it."""
        target = column.table.referenced_table(column.spec)
        spec = target.display_spec() if target else None
        if spec is None:
            return None, str
        return self._slot(f"{path}__{spec.model_field}"), _text_formatter(spec)


@lru_cache(maxsize=512)
def _row_queryset(model: type[models.Model], paths: tuple[str, ...]) -> models.QuerySet:
    """The unevaluated ``values_list`` of ``paths``, kept per field set: resolving seventy field
    names into columns and joins is most of what Django spends on a wide list page, and it is the
    same for every request asking the same fields. Callers chain from it (never evaluate it)."""
    return model._default_manager.values_list(*paths)
