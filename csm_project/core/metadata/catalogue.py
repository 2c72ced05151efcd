"""``sys_db_object``, ``sys_dictionary``, ``sys_glide_object`` and ``sys_script`` as derived rows.

``catalogue_rows()`` computes every row from the registry (tables, fields, types, references),
the compiled field rules (mandatory and writable fields: ``table_rules``, the ones every write
obeys) and the tables' registered ``RecordRules``; ``catalogue_sync()`` makes the stored tables
equal to it, writing only what differs (a ``migrate`` with nothing new writes nothing). The
stored rows exist so the Table and Aggregate APIs, the encoded-query compiler and paging serve
them as any table; nothing else writes them (the models are ``sys_derived``).

sys_ids are uuid5 of the row's key (``sys_dictionary:customer_contact.email``): the same on
every run and in every database, so a client may keep them.

Pitfall: a field's row is on the table that defines it. A child table (``customer_contact``
extends ``sys_user``) lists only the fields it adds; its ``super_class`` holds the rest, as on
the platform. ``fields_of(table)`` gives every field, the inherited ones included.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils.text import capfirst

from csm_project.core.models import BusinessRule, DictionaryEntry, GlideType, SysRecord, TableObject
from csm_project.core.records.field_rules import table_rules
from csm_project.core.records.hooks import RecordRules, registered_rules
from csm_project.core.records.wire_values import text_writer
from csm_project.registry import FieldSpec, FieldType, TableSpec, all_tables

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://csm-platform.invalid/metadata")

#: Registry field type -> name of its ``sys_glide_object`` row. A choice field is a string with
#: ``choice`` set, as on the platform.
GLIDE_NAMES: dict[FieldType, str] = {
    FieldType.STRING: "string",
    FieldType.CHOICE: "string",
    FieldType.INTEGER: "integer",
    FieldType.DECIMAL: "decimal",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATETIME: "glide_date_time",
    FieldType.DATE: "glide_date",
    FieldType.REFERENCE: "reference",
    FieldType.JSON: "json",
    FieldType.PASSWORD: "password",
}
COLLECTION = "collection"

#: name -> (label, scalar type, scalar length)
GLIDE_TYPES: dict[str, tuple[str, str | None, int | None]] = {
    "string": ("String", "string", None),
    "integer": ("Integer", "integer", None),
    "decimal": ("Decimal", "decimal", None),
    "boolean": ("True/False", "boolean", None),
    "glide_date_time": ("Date/Time", "datetime", None),
    "glide_date": ("Date", "date", None),
    "reference": ("Reference", "GUID", 32),
    "json": ("JSON", "string", None),
    "password": ("Password (1 Way Encrypted)", "string", None),
    COLLECTION: ("Collection", None, None),
}

#: The platform's labels of the system fields.
SYSTEM_LABELS = {
    "sys_id": "Sys ID",
    "sys_created_on": "Created",
    "sys_created_by": "Created by",
    "sys_updated_on": "Updated",
    "sys_updated_by": "Updated by",
    "sys_mod_count": "Updates",
    "sys_domain": "Domain",
    "sys_domain_path": "Domain Path",
    "sys_class_name": "Class",
    "sys_tags": "Tags",
}


def sys_id_for(table: str, key: str) -> str:
    """The stable sys_id of the ``table`` row keyed ``key`` (uuid5, 32 hex characters)."""
    return uuid.uuid5(NAMESPACE, f"{table}:{key}").hex


def glide_name(spec: FieldSpec) -> str:
    return GLIDE_NAMES[spec.type]


def defines(table: TableSpec, spec: FieldSpec) -> bool:
    """Whether ``table`` itself defines the field (rather than inheriting it from the table it
    extends): the table whose ``sys_dictionary`` rows hold it."""
    return table.model._meta.get_field(spec.model_field).model is table.model


def super_table(table: TableSpec) -> str | None:
    """The registry table ``table`` extends (multi-table inheritance), if any."""
    for parent in table.model._meta.parents:
        name = getattr(parent, "sys_table", "")
        if name in all_tables():
            return name
    return None


def fields_of(table: str) -> dict[str, str]:
    """Every field of ``table`` -> the table whose dictionary row holds it."""
    tables = all_tables()
    spec = tables[table]
    return {
        name: (table if defines(spec, field) else fields_of(super_table(spec))[name])
        for name, field in spec.fields.items()
    }


def _default_text(spec: FieldSpec, model_field: models.Field) -> str | None:
    if not model_field.has_default() or callable(model_field.default) or spec.is_reference:
        return None
    return text_writer(spec.type)(model_field.default) or None


def _dictionary_rows(table: TableSpec) -> Iterable[dict[str, Any]]:
    derived = bool(getattr(table.model, "sys_derived", False))
    rules = None if derived else table_rules(table.name)
    writable = set() if rules is None else set(rules.fields)
    required = set() if rules is None else {rule.name for rule in rules.required}
    yield {
        "sys_id": sys_id_for("sys_dictionary", table.name),
        "name": table.name,
        "element": None,
        "column_label": capfirst(str(table.model._meta.verbose_name)),
        "internal_type_id": COLLECTION,
        "reference_id": None,
        "max_length": None,
        "mandatory": False,
        "read_only": derived,
        "active": True,
        "display": False,
        "primary": False,
        "unique": False,
        "choice": DictionaryEntry.ChoiceKind.NONE,
        "default_value": None,
    }
    for spec in table.fields.values():
        if not defines(table, spec):
            continue
        model_field = table.model._meta.get_field(spec.model_field)
        mandatory = spec.name in required
        if spec.type is FieldType.CHOICE:
            choice = (
                DictionaryEntry.ChoiceKind.DROPDOWN_WITHOUT_NONE
                if mandatory
                else DictionaryEntry.ChoiceKind.DROPDOWN_WITH_NONE
            )
        else:
            choice = DictionaryEntry.ChoiceKind.NONE
        yield {
            "sys_id": sys_id_for("sys_dictionary", f"{table.name}.{spec.name}"),
            "name": table.name,
            "element": spec.name,
            "column_label": SYSTEM_LABELS.get(spec.name) or capfirst(str(model_field.verbose_name)),
            "internal_type_id": glide_name(spec),
            "reference_id": spec.reference,
            "max_length": spec.max_length,
            "mandatory": mandatory,
            "read_only": spec.name not in writable,
            "active": True,
            "display": spec.name == table.display_field,
            "primary": bool(model_field.primary_key),
            "unique": bool(model_field.unique),
            "choice": choice,
            "default_value": _default_text(spec, model_field),
        }


def _table_rows(tables: dict[str, TableSpec]) -> Iterable[dict[str, Any]]:
    parents = {name: super_table(spec) for name, spec in tables.items()}
    extended = {parent for parent in parents.values() if parent}
    for name, spec in tables.items():
        parent = parents[name]
        yield {
            "sys_id": sys_id_for("sys_db_object", name),
            "name": name,
            "label": capfirst(str(spec.model._meta.verbose_name)),
            "super_class_id": sys_id_for("sys_db_object", parent) if parent else None,
            "is_extendable": name in extended,
            "number_prefix": getattr(spec.model, "NUMBER_PREFIX", "") or None,
            "read_only": bool(getattr(spec.model, "sys_read_only", False)),
        }


def _summary(thing: Any) -> str | None:
    text = inspect.getdoc(thing) or ""
    return text.split("\n\n")[0].replace("\n", " ").strip() or None


def _rule_rows(tables: dict[str, TableSpec]) -> Iterable[dict[str, Any]]:
    for table, rules in sorted(registered_rules().items()):
        if table not in tables:
            continue
        kind = type(rules)
        hooks = []
        if kind.clean is not RecordRules.clean:
            hooks.append(("clean", BusinessRule.When.BEFORE))
        if rules.has_after_save():
            hooks.append(("after_save", BusinessRule.When.AFTER))
        for method, when in hooks:
            function = getattr(kind, method)
            yield {
                "sys_id": sys_id_for("sys_script", f"{table}.{method}"),
                "name": f"{kind.__name__} {method.replace('_', ' ')}",
                "collection": table,
                "when": when,
                "order": 100,
                "active": True,
                "action_insert": True,
                "action_update": True,
                "action_delete": False,
                "action_query": False,
                "script": f"{function.__module__}.{function.__qualname__}",
                "description": _summary(kind) or _summary(function),
            }


def catalogue_rows() -> dict[type[SysRecord], list[dict[str, Any]]]:
    """Every row the four derived tables should hold, by model (attribute names as keys)."""
    tables = dict(sorted(all_tables().items()))
    glide = [
        {
            "sys_id": sys_id_for("sys_glide_object", name),
            "name": name,
            "label": label,
            "scalar_type": scalar,
            "scalar_length": length,
            "visible": True,
        }
        for name, (label, scalar, length) in sorted(GLIDE_TYPES.items())
    ]
    return {
        GlideType: glide,
        TableObject: list(_table_rows(tables)),
        DictionaryEntry: [row for spec in tables.values() for row in _dictionary_rows(spec)],
        BusinessRule: list(_rule_rows(tables)),
    }


#: Write order (referenced tables first); removals run the other way.
CATALOGUE_MODELS = _ORDER = (GlideType, TableObject, DictionaryEntry, BusinessRule)


@transaction.atomic
def catalogue_sync(using: str = "default") -> dict[str, int]:
    """Make the derived tables hold exactly ``catalogue_rows()``: rows missing are inserted,
    rows that differ updated, rows no longer derived removed. Returns the rows changed per table."""
    wanted = catalogue_rows()
    changed: dict[str, int] = {}
    stale: dict[type[SysRecord], list[str]] = {}
    for model in _ORDER:
        rows = {row["sys_id"]: row for row in wanted[model]}
        columns = [name for name in next(iter(rows.values()), {}) if name != "sys_id"]
        stored = {row["sys_id"]: row for row in model._base_manager.using(using).values("sys_id", *columns)}
        stale[model] = [sys_id for sys_id in stored if sys_id not in rows]
        new = [_record(model, row) for sys_id, row in rows.items() if sys_id not in stored]
        moved = [_record(model, row) for sys_id, row in rows.items() if sys_id in stored and stored[sys_id] != row]
        model._base_manager.using(using).bulk_create(new, batch_size=500)
        if moved:
            model._base_manager.using(using).bulk_update(moved, [*columns, "sys_updated_on"], batch_size=500)
        changed[model.sys_table] = len(new) + len(moved)
    for model in reversed(_ORDER):
        if stale[model]:
            model._base_manager.using(using).filter(sys_id__in=stale[model]).delete()
            changed[model.sys_table] += len(stale[model])
    return changed


def _record(model: type[SysRecord], row: dict[str, Any]) -> SysRecord:
    record = model(**row)
    record.sys_class_name = model.sys_table
    record.sys_created_by = record.sys_updated_by = "system"
    return record
