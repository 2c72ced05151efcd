"""How the admin shows values to staff: choice labels instead of codes, references by their
record's display value, numbers as the APIs write them.

- ``label_column`` / ``number_column``: list columns for a choice field (its ``sys_choice``
  label, read in the list's own query) and a decimal field (``92``, not ``92.00``).
- ``ChoiceLabelFilter``: the filter sidebar of a choice field, offering the labels of its
  choice list (no ``SELECT DISTINCT`` over the table to find the values).
- ``audit_values``: old and new values of audit rows as staff read them (labels, display
  values, numbers), the stored text kept beside them, with one query per referenced table and
  one per table whose choice lists are needed.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy

from csm_project.core.models import Choice, is_sys_id
from csm_project.registry import FieldType, UnknownTable, get_table


def number_text(value: Any) -> str:
    """A number as the APIs write it: ``92`` for a whole value, ``40.5`` otherwise, ``""`` for none."""
    if value is None or value == "":
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


class NumberInput(forms.NumberInput):
    """A decimal field's box showing the number as the APIs do (``92``, not ``92.00``)."""

    def format_value(self, value):
        if isinstance(value, (Decimal, float, int)) and not isinstance(value, bool):
            return number_text(value)
        return super().format_value(value)


# --- list columns ------------------------------------------------------------------------------


def choice_label_annotation(table: str, name: str) -> Subquery:
    """The label of ``name``'s value, read by the list's own query."""
    return Subquery(
        Choice.objects.filter(name=table, element=name, value=OuterRef(name)).order_by("inactive").values("label")[:1]
    )


def label_column(model: type[models.Model], name: str, fallback: dict[str, str]) -> Callable[[models.Model], str]:
    """A list column showing the label of choice field ``name`` (from the annotation
    ``<name>_choice_label``, else the model's own choices ``fallback``, else the code)."""

    def column(obj: models.Model) -> str:
        value = getattr(obj, name)
        return getattr(obj, f"{name}_choice_label", None) or fallback.get(str(value)) or value or "-"

    column.short_description = model._meta.get_field(name).verbose_name.capitalize()
    column.admin_order_field = name
    column.__name__ = f"{name}_label"
    return column


def number_column(model: type[models.Model], name: str) -> Callable[[models.Model], str]:
    def column(obj: models.Model) -> str:
        return number_text(getattr(obj, name)) or "-"

    column.short_description = model._meta.get_field(name).verbose_name.capitalize()
    column.admin_order_field = name
    column.__name__ = f"{name}_number"
    return column


# --- filter sidebars ---------------------------------------------------------------------------


class ChoiceLabelFilter(admin.ChoicesFieldListFilter):
    """A choice field's filter: the labels of its choice list (``sys_choice``, else the model's
    choices), in the list's order, plus "Empty" for a field that may be empty."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        from csm_project.core.records.field_rules import table_rules  # records imports the models

        super().__init__(field, request, params, model, model_admin, field_path)
        rules = table_rules(model_admin.model.sys_table)
        self.choice_items = list(rules.load_choices([field.name]).get(field.name, {}).items())

    def has_output(self) -> bool:
        return bool(self.choice_items)

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{index}__c": models.Count(pk_attname, filter=models.Q((self.lookup_kwarg, value)))
            for index, (value, _) in enumerate(self.choice_items)
        }

    def choices(self, changelist):
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        yield {
            "selected": self.lookup_val is None and not self.lookup_val_isnull,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]),
            "display": gettext_lazy("All"),
        }
        for index, (value, label) in enumerate(self.choice_items):
            yield {
                "selected": self.lookup_val is not None and str(value) in self.lookup_val,
                "query_string": changelist.get_query_string({self.lookup_kwarg: value}, [self.lookup_kwarg_isnull]),
                "display": f"{label} ({counts[f'{index}__c']})" if counts else label,
            }
        if self.field.null:
            yield {
                "selected": bool(self.lookup_val_isnull),
                "query_string": changelist.get_query_string({self.lookup_kwarg_isnull: "True"}, [self.lookup_kwarg]),
                "display": gettext_lazy("Empty"),
            }


# --- audit values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownValue:
    """A stored audit value and how staff read it; ``shown`` equals ``raw`` when they are one."""

    raw: str
    shown: str

    @property
    def differs(self) -> bool:
        return self.raw != self.shown


def audit_values(rows: Iterable[Any]) -> None:
    """Set ``old_shown`` and ``new_shown`` (``ShownValue``) on each audit row: a choice field's
    label, a reference's display value (a deleted record keeps its sys_id), a number as the APIs
    write it, any other value as stored."""
    rows = list(rows)
    readers: dict[tuple[str, str], Callable[[str], str] | None] = {}
    references: dict[str, set[str]] = defaultdict(set)
    wanted_choices: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        key = (row.tablename, row.fieldname)
        if key not in readers:
            readers[key] = _kind(*key)
        kind = readers[key]
        if kind == "reference":
            target = get_table(row.tablename).field(row.fieldname).reference
            references[target].update(value for value in (row.oldvalue, row.newvalue) if is_sys_id(value))
        elif kind == "choice":
            wanted_choices[row.tablename].add(row.fieldname)
    display = _display_values(references)
    labels = _choice_labels(wanted_choices)
    for row in rows:
        kind = readers[(row.tablename, row.fieldname)]
        for side in ("old", "new"):
            raw = getattr(row, f"{side}value")
            shown = raw
            if raw and kind == "reference":
                target = get_table(row.tablename).field(row.fieldname).reference
                shown = display.get((target, raw), raw)
            elif raw and kind == "choice":
                shown = labels.get((row.tablename, row.fieldname), {}).get(raw, raw)
            elif raw and kind == "number":
                shown = number_text(raw)
            setattr(row, f"{side}_shown", ShownValue(raw=raw, shown=shown))


def _kind(table_name: str, field_name: str) -> str | None:
    try:
        spec = get_table(table_name).field(field_name)
    except UnknownTable:
        return None
    if spec is None:
        return None
    if spec.is_reference:
        return "reference"
    if spec.type is FieldType.CHOICE:
        return "choice"
    if spec.type is FieldType.DECIMAL:
        return "number"
    return None


def _display_values(references: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    from csm_project.core.admin.tools import record_display_values  # tools imports this module

    return record_display_values([(table, sys_id) for table, ids in references.items() for sys_id in ids])


def _choice_labels(wanted: dict[str, set[str]]) -> dict[tuple[str, str], dict[str, str]]:
    """Labels of every value the lists have held (an inactive value's label too: history shows
    values since retired), else the model field's own choices."""
    labels: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for table, fields in wanted.items():
        model = get_table(table).model
        for field in fields:
            model_field = model._meta.get_field(get_table(table).field(field).model_field)
            labels[(table, field)].update({str(value): str(label) for value, label in model_field.flatchoices})
        rows = Choice.objects.filter(name=table, element__in=fields).order_by("-inactive")
        for element, value, label in rows.values_list("element", "value", "label"):
            labels[(table, element)][value] = label
    return labels
