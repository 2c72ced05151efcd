"""The table registry: wire table name -> model, fields (wire name, type, reference), display field.

The encoded-query compiler, serializers and any generic table endpoint read tables from here
rather than repeating field lists. A model joins the registry by subclassing ``SysRecord``
and declaring ``sys_table``; its concrete fields become the table's fields under their own
names (a foreign key ``account`` is the reference field ``account``, holding the referenced
sys_id). A model may list ``sys_api_exclude`` (fields never exposed nor queryable) and
``sys_choice_fields`` (string fields whose values come from a choice list) and
``sys_id_fields`` (string fields that only ever hold sys_ids, stored lower-cased: encoded
queries compare them exactly, as they do ``sys_id``, so a plain index serves the look-up) and
``sys_password_fields`` (wire name -> model field holding a password hash: a ``password`` field,
shown masked, written hashed, never queryable; docs/access.md),
``sys_derived`` (rows the platform derives from its code: ``csm_project.core.metadata``).

Pitfall: the registry is built on first use, after apps are ready; never call it at import
time of a models module.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from django.apps import apps
from django.db import models

# Never exposed through any table, whatever the model says.
ALWAYS_EXCLUDED = frozenset({"password", "is_superuser", "is_staff"})


class FieldType(StrEnum):
    STRING = "string"
    CHOICE = "choice"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    DATE = "date"
    REFERENCE = "reference"
    JSON = "json"
    PASSWORD = "password"  # noqa: S105 - a type name


@dataclass(frozen=True)
class FieldSpec:
    name: str
    model_field: str
    type: FieldType
    reference: str | None = None
    max_length: int | None = None
    #: Holds sys_ids only, always lower-cased (``sys_id_fields``): compared exactly.
    holds_sys_id: bool = False

    @property
    def is_reference(self) -> bool:
        return self.type is FieldType.REFERENCE

    @property
    def is_secret(self) -> bool:
        """A password: shown masked, never compared, grouped nor sorted by."""
        return self.type is FieldType.PASSWORD


@dataclass(frozen=True)
class TableSpec:
    name: str
    model: type[models.Model]
    display_field: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)

    def field(self, name: str) -> FieldSpec | None:
        return self.fields.get(name)

    @property
    def derived(self) -> bool:
        """Whether the platform derives the table's rows from its own code (``sys_derived``:
        ``sys_dictionary``, ``sys_db_object``...): read, never written (docs/table-api.md)."""
        return bool(getattr(self.model, "sys_derived", False))

    def referenced_table(self, spec: FieldSpec) -> "TableSpec | None":
        return get_table(spec.reference) if spec.reference and spec.reference in _tables() else None

    def walk(self, name: str, may_read: "Callable[[TableSpec], bool] | None" = None) -> "FieldWalk":
        """The one resolver of a wire field name, dot-walking through references
        (``account.name``) at most ``MAX_DOT_WALK_DEPTH`` times; raises ``LookupError`` with the
        reason. Queries, ``sysparm_fields`` and the Table API's columns all resolve with it.

        ``may_read``, when given, says whether the caller may read a table (the caller's rights,
        docs/access.md): a dot-walk enters a referenced table only if it may, else the name is
        refused as an unknown one (the same reason, so a refusal tells nothing). A last hop onto
        the target's text display field is the reference's display value, part of the field: it
        needs no right."""
        segments = name.split(".")
        if "" in segments or any("__" in segment for segment in segments) or len(segments) > MAX_DOT_WALK_DEPTH + 1:
            raise LookupError(f"unknown field {name!r}")
        current = self
        steps: list[str] = []
        for index, segment in enumerate(segments):
            spec = current.field(segment)
            if spec is None:
                raise LookupError(f"unknown field {'.'.join(segments[: index + 1])!r} on {current.name}")
            steps.append(spec.model_field)
            if index == len(segments) - 1:
                return FieldWalk(name=name, steps=tuple(steps), spec=spec, table=current)
            following = current.referenced_table(spec) if spec.is_reference else None
            if following is None:
                raise LookupError(f"cannot dot-walk through {'.'.join(segments[: index + 1])!r}")
            if (
                may_read is not None
                and not following.is_display_path(segments[index + 1 :])
                and not may_read(following)
            ):
                raise LookupError(f"unknown field {'.'.join(segments[: index + 2])!r} on {following.name}")
            current = following
        raise LookupError(f"unknown field {name!r}")  # pragma: no cover - the loop always returns

    def display_spec(self) -> FieldSpec | None:
        """The field a reference to this table shows as its display value: the display field
        when it is text (a string or a choice), else none (the display value is then empty). The
        one rule for the Table API's display values, the encoded queries' string operators and
        ORDERBY on a reference, and the dot-walk that needs no right (``is_display_path``)."""
        spec = self.field(self.display_field)
        return spec if spec is not None and spec.type in (FieldType.STRING, FieldType.CHOICE) else None

    def is_display_path(self, rest: "list[str]") -> bool:
        """Whether ``rest`` (what a dot-walk reads once it enters this table) is only the table's
        text display field: the display value a reference to this table already shows."""
        spec = self.display_spec()
        return spec is not None and rest == [spec.name]


#: References followed at most this many times in one name (`a.b.c.d` is three).
MAX_DOT_WALK_DEPTH = 4


@dataclass(frozen=True)
class FieldWalk:
    """A wire name (maybe dotted) resolved on a table (``TableSpec.walk``): the model attributes
    walked (``steps``), the final field and the table holding it. The one resolved-field type of
    queries, ``sysparm_fields`` and the Table API's columns."""

    name: str
    steps: tuple[str, ...]
    spec: FieldSpec
    table: TableSpec

    @property
    def path(self) -> str:
        """The ORM path (``account__name``)."""
        return "__".join(self.steps)

    @property
    def holder_path(self) -> str:
        """The ORM path of the object holding the field (``account``; empty for the record's own)."""
        return "__".join(self.steps[:-1])

    @property
    def is_dot_walk(self) -> bool:
        return len(self.steps) > 1


class UnknownTable(LookupError):
    """No registry table has this name; ``message`` is how every API says so."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name
        self.message = f"Invalid table {name}"[:200]


def _field_type(model_field: models.Field, choice_fields: frozenset[str]) -> FieldType | None:
    if isinstance(model_field, (models.ForeignKey, models.OneToOneField)):
        return FieldType.REFERENCE
    if isinstance(model_field, models.BooleanField):
        return FieldType.BOOLEAN
    if isinstance(model_field, models.DateTimeField):
        return FieldType.DATETIME
    if isinstance(model_field, models.DateField):
        return FieldType.DATE
    if isinstance(model_field, (models.IntegerField, models.BigIntegerField)):
        return FieldType.INTEGER
    if isinstance(model_field, (models.DecimalField, models.FloatField)):
        return FieldType.DECIMAL
    if isinstance(model_field, models.JSONField):
        return FieldType.JSON
    if isinstance(model_field, (models.CharField, models.TextField)):
        if model_field.name in choice_fields or model_field.choices:
            return FieldType.CHOICE
        return FieldType.STRING
    return None


def _table_spec(model: type[models.Model]) -> TableSpec:
    excluded = ALWAYS_EXCLUDED | frozenset(getattr(model, "sys_api_exclude", ()))
    choice_fields = frozenset(getattr(model, "sys_choice_fields", ()))
    id_fields = frozenset(getattr(model, "sys_id_fields", ()))
    fields: dict[str, FieldSpec] = {}
    for model_field in model._meta.concrete_fields:
        remote = model_field.remote_field
        if model_field.name in excluded or (remote is not None and remote.parent_link):
            continue
        kind = _field_type(model_field, choice_fields)
        if kind is None:
            continue
        reference = None
        if kind is FieldType.REFERENCE:
            reference = getattr(model_field.related_model, "sys_table", "") or None
            if reference is None:
                continue
        fields[model_field.name] = FieldSpec(
            name=model_field.name,
            model_field=model_field.name,
            type=kind,
            reference=reference,
            max_length=getattr(model_field, "max_length", None),
            holds_sys_id=model_field.name in id_fields,
        )
    for wire_name, attribute in getattr(model, "sys_password_fields", {}).items():
        fields[wire_name] = FieldSpec(
            name=wire_name,
            model_field=attribute,
            type=FieldType.PASSWORD,
            max_length=model._meta.get_field(attribute).max_length,
        )
    return TableSpec(name=model.sys_table, model=model, display_field=model.sys_display_field, fields=fields)


@cache
def _tables() -> dict[str, TableSpec]:
    tables: dict[str, TableSpec] = {}
    for model in apps.get_models():
        name = getattr(model, "sys_table", "")
        if name and model.__dict__.get("sys_table") and not model._meta.abstract:
            tables[name] = _table_spec(model)
    return tables


def get_table(name: str) -> TableSpec:
    try:
        return _tables()[name]
    except KeyError:
        raise UnknownTable(name) from None


def table_for_model(model: type[models.Model]) -> TableSpec:
    return get_table(model.sys_table)


def all_tables() -> dict[str, TableSpec]:
    return dict(_tables())
