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

``Shaper`` compiles the requested columns once per request into small functions, so a list page
costs one pass over its rows. Pitfall: in the display modes a reference reads the referenced
record; the queryset must ``select_related(*shaper.related_paths)`` or each row costs a query.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import tzinfo
from enum import StrEnum
from typing import Any

from django.db import models

from csm_project.api.datetimes import format_display, format_utc
from csm_project.core.choices import choice_labels
from csm_project.encoded_query.compiler import resolve_field
from csm_project.registry import FieldSpec, FieldType, TableSpec

__all__ = ["Column", "DisplayMode", "Shaper", "resolve_columns"]


class DisplayMode(StrEnum):
    VALUE = "false"
    DISPLAY = "true"
    ALL = "all"

    @classmethod
    def from_param(cls, raw: str | None) -> DisplayMode:
        """``true``/``all`` in any case; anything else (absent, ``false``, junk) is ``false``."""
        lowered = (raw or "").strip().lower()
        return cls(lowered) if lowered in ("true", "all") else cls.VALUE


@dataclass(frozen=True)
class Column:
    """One key of the response: its wire name (maybe dotted), the ORM steps from the record to
    the object holding the field, the final field and the table that field belongs to."""

    key: str
    steps: tuple[str, ...]
    spec: FieldSpec
    table: TableSpec

    @property
    def holder_path(self) -> str:
        return "__".join(self.steps[:-1])


def resolve_columns(table: TableSpec, names: list[str] | None) -> list[Column]:
    """The requested names that resolve on ``table`` (dot-walks through references allowed),
    in the order asked; unknown names are dropped. ``None`` means every field of the table."""
    if names is None:
        return [Column(spec.name, (spec.model_field,), spec, table) for spec in table.fields.values()]
    columns = []
    for name in names:
        try:
            resolved = resolve_field(table, name)
        except LookupError:
            continue
        columns.append(Column(name, tuple(resolved.path.split("__")), resolved.spec, resolved.table))
    return columns


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _text_formatter(spec: FieldSpec) -> Callable[[Any], str]:
    """Stored value -> wire text, for every type but references; ``None`` is always ``""``."""
    kind = spec.type
    if kind is FieldType.BOOLEAN:
        return lambda value: "" if value is None else ("true" if value else "false")
    if kind is FieldType.DATETIME:
        return lambda value: "" if value is None else format_utc(value)
    if kind is FieldType.DATE:
        return lambda value: "" if value is None else value.isoformat()
    if kind is FieldType.JSON:
        return lambda value: "" if value is None else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if kind is FieldType.DECIMAL:
        return lambda value: "" if value is None else (_float_text(value) if isinstance(value, float) else str(value))
    return lambda value: "" if value is None else str(value)


class Shaper:
    """Turns records of one table into Table API dicts for one request's parameters."""

    def __init__(
        self,
        columns: list[Column],
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
        self._plan = [(column.key, self._compile(column)) for column in columns]

    @property
    def related_paths(self) -> list[str]:
        """Paths for ``select_related``: dot-walked holders, and references shown by display value."""
        paths = {column.holder_path for column in self.columns if len(column.steps) > 1}
        if self.mode is not DisplayMode.VALUE:
            paths |= {"__".join(column.steps) for column in self.columns if column.spec.is_reference}
        paths.discard("")
        return sorted(paths)

    def shape(self, record: models.Model) -> dict[str, Any]:
        return {key: read(record) for key, read in self._plan}

    def shape_all(self, records: Iterable[models.Model]) -> list[dict[str, Any]]:
        plan = self._plan
        return [{key: read(record) for key, read in plan} for record in records]

    # --- compiling one column ---------------------------------------------------------------

    def _load_labels(self) -> dict[tuple[str, str, str], str]:
        lists = {(c.table.name, c.spec.name) for c in self.columns if c.spec.type is FieldType.CHOICE}
        return choice_labels(lists=lists)

    def _compile(self, column: Column) -> Callable[[models.Model], Any]:
        holder = _holder_reader(column.steps[:-1])
        if column.spec.is_reference:
            return self._reference(column, holder)
        model_field = column.table.model._meta.get_field(column.spec.model_field)
        attname = model_field.attname
        text = _text_formatter(column.spec)
        display = self._display_formatter(column, model_field, text)
        mode = self.mode

        def read(record: models.Model) -> Any:
            owner = holder(record)
            value = None if owner is None else getattr(owner, attname)
            if mode is DisplayMode.VALUE:
                return text(value)
            if mode is DisplayMode.DISPLAY:
                return display(value)
            return {"display_value": display(value), "value": text(value)}

        return read

    def _display_formatter(
        self, column: Column, model_field: models.Field, text: Callable[[Any], str]
    ) -> Callable[[Any], str]:
        if self.mode is DisplayMode.VALUE:
            return text
        if column.spec.type is FieldType.DATETIME:
            zone = self.zone
            return lambda value: "" if value is None else format_display(value, zone)
        if column.spec.type is FieldType.CHOICE:
            table, element, labels = column.table.name, column.spec.name, self.labels
            fallback = {str(value): str(label) for value, label in (model_field.flatchoices or ())}

            def label(value: Any) -> str:
                if value is None:
                    return ""
                found = labels.get((table, element, value))
                return found if found is not None else fallback.get(value, str(value))

            return label
        return text

    def _reference(self, column: Column, holder: Callable[[models.Model], Any]) -> Callable[[models.Model], Any]:
        model_field = column.table.model._meta.get_field(column.spec.model_field)
        attname, name = model_field.attname, model_field.name
        prefix = f"{self.base_url}/api/now/table/{column.spec.reference}/"
        mode, exclude = self.mode, self.exclude_links

        def read(record: models.Model) -> Any:
            owner = holder(record)
            sys_id = None if owner is None else getattr(owner, attname)
            if sys_id is None:
                return {"display_value": "", "value": ""} if mode is DisplayMode.ALL else ""
            if mode is DisplayMode.VALUE:
                return sys_id if exclude else {"link": prefix + sys_id, "value": sys_id}
            target = getattr(owner, name)
            shown = target.display_value if target is not None else ""
            if mode is DisplayMode.DISPLAY:
                return shown if exclude else {"display_value": shown, "link": prefix + sys_id}
            if exclude:
                return {"display_value": shown, "value": sys_id}
            return {"display_value": shown, "link": prefix + sys_id, "value": sys_id}

        return read


def _holder_reader(steps: tuple[str, ...]) -> Callable[[models.Model], Any]:
    """The object a (dot-walked) field lives on; ``None`` past an empty reference."""
    if not steps:
        return lambda record: record

    def walk(record: models.Model) -> Any:
        current: Any = record
        for step in steps:
            current = getattr(current, step)
            if current is None:
                return None
        return current

    return walk
