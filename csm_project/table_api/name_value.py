"""Name-value pair filters of a Table API list (``?city=Paris&active=true``), as an encoded query.

Every query parameter that names a field of the table (dot-walks allowed) becomes a ``=`` term,
the terms ANDed; other parameters are not filters and are ignored. A choice field may be given
by its label and a reference by the referenced record's display value: a choice label that is
not itself a value of the list is replaced by its value, and a reference value that is not a
sys_id compares the referenced record's display field. The caller ignores these pairs when
``sysparm_query`` is given, as the platform does.

Values are escaped (``^`` doubled) so a value can never end its term and start another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Q

from csm_project.core.models import Choice, is_sys_id
from csm_project.registry import FieldType, FieldWalk, TableSpec

__all__ = ["name_value_query"]

RESERVED_PREFIX = "sysparm_"


def name_value_query(
    table: TableSpec, pairs: Iterable[tuple[str, str]], may_read: Callable[[TableSpec], bool] | None = None
) -> str:
    """The encoded query equivalent to the name-value pairs that name fields of ``table``; a
    dot-walk into a table ``may_read`` refuses is not a field, so not a filter."""
    terms = []
    for name, value in pairs:
        if name.startswith(RESERVED_PREFIX):
            continue
        try:
            field = table.walk(name, may_read=may_read)
        except LookupError:
            continue
        terms.append(_term(field, value))
    return "^".join(terms)


def _term(field: FieldWalk, value: str) -> str:
    name = field.name
    if field.spec.is_reference and value and not is_sys_id(value):
        referenced = field.table.referenced_table(field.spec)
        display = referenced.field(referenced.display_field) if referenced else None
        if display is not None and display.type in (FieldType.STRING, FieldType.CHOICE):
            name = f"{name}.{display.name}"
    elif field.spec.type is FieldType.CHOICE and value:
        value = _choice_value(field, value)
    return f"{name}={_escape(value)}"


def _choice_value(field: FieldWalk, given: str) -> str:
    """``given`` if it is a value of the field's choice list, else the value whose label it is."""
    rows = list(
        Choice.objects.filter(name=field.table.name, element=field.spec.name)
        .filter(Q(value=given) | Q(label__iexact=given))
        .values_list("value", "label")
    )
    if any(value == given for value, _label in rows):
        return given
    if rows:
        return rows[0][0]
    model_field = field.table.model._meta.get_field(field.spec.model_field)
    for value, label in model_field.flatchoices or ():
        if str(value) == given:
            return given
        if str(label).lower() == given.lower():
            return str(value)
    return given


def _escape(value: str) -> str:
    return value.replace("^", "^^")
