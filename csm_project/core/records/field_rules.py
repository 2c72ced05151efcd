"""The field rules of a registry table, derived from the model and the registry and compiled
once per table (``table_rules``): how each writable field reads a wire value.

Type conversion of wire values, maximum lengths and the model's other validators, mandatory
fields (not null, not blank, no default), choice values from the field's ``sys_choice`` list (a
field with no list there uses the model's ``choices``; one with neither takes any text),
references that exist, unique values (user names compared without case). Unknown names, system
fields and fields the model marks not editable (``number``) are ignored; ``""`` and ``None``
clear a field (a field that cannot be empty takes its default, or is refused as mandatory).

Batches (imports) use the same pieces without a query per row: ``TableRules.clean`` reads one
row against choice lists loaded once (``TableRules.load_choices``), then ``check_references``
and ``check_unique`` check many rows with one query per field. One record's write
(``csm_project.core.records.services``) runs them on a batch of one.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value

from csm_project.core.access.actor import current_actor_user
from csm_project.core.errors import CHOICE, INVALID, REFERENCE, REQUIRED, TOO_LONG, UNIQUE, FieldError, quoted
from csm_project.core.models import SYSTEM_FIELDS, Choice, SysRecord, User, is_sys_id
from csm_project.core.records.datetimes import parse_local, user_zone
from csm_project.core.records.journal import work_note_text
from csm_project.core.records.users import USER_NAME, user_name_key, user_name_taken_message, user_names_taken_query
from csm_project.core.records.wire_values import PASSWORD_MASK, from_text, password_text, to_text
from csm_project.registry import FieldSpec, FieldType, TableSpec, get_table

WORK_NOTES = "work_notes"
#: The customer-visible journal, on tables that list it in ``sys_journal_fields`` (cases).
COMMENTS = "comments"
MANDATORY = "Mandatory field is either missing or invalid."
#: Longer input is refused before hashing: hashing cost grows with it.
MAX_PASSWORD_LENGTH = 1024
_SYSTEM = frozenset(SYSTEM_FIELDS)
_TEXT_TYPES = frozenset({FieldType.STRING, FieldType.CHOICE})


# --- field rules, compiled once per table ----------------------------------------------------


@dataclass(frozen=True)
class FieldRule:
    """How one writable field reads a wire value."""

    spec: FieldSpec
    model_field: models.Field
    required: bool
    empty: Any

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def attname(self) -> str:
        return self.model_field.attname


@dataclass
class CleanRow:
    """One row after its field rules: ``values`` by field name (references still as the text
    given, until ``check_references`` turns them into sys_ids), refusals, and the work note."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    work_note: str | None = None
    comment: str | None = None  # a ``comments`` entry, on tables that keep that journal


ChoiceLists = dict[str, dict[str, str]]  # field -> {value: label}


class TableRules:
    """The field rules of one table; ``table_rules(name)`` builds each once."""

    def __init__(self, table: TableSpec) -> None:
        self.table = table
        self.model = table.model
        self.fields: dict[str, FieldRule] = {}
        for spec in table.fields.values():
            model_field = self.model._meta.get_field(spec.model_field)
            if spec.name in _SYSTEM or not model_field.editable or model_field.primary_key:
                continue
            has_default = model_field.has_default()
            self.fields[spec.name] = FieldRule(
                spec=spec,
                model_field=model_field,
                required=not spec.is_secret and not model_field.null and not model_field.blank and not has_default,
                empty=model_field.get_default() if has_default and not model_field.null else None,
            )
        self.required = [rule for rule in self.fields.values() if rule.required]
        self.keeps_comments = COMMENTS in getattr(self.model, "sys_journal_fields", ())
        self.choice_fields = [rule for rule in self.fields.values() if rule.spec.type is FieldType.CHOICE]
        self.references = [rule for rule in self.fields.values() if rule.spec.is_reference]
        self.unique = [rule for rule in self.fields.values() if rule.model_field.unique and not rule.spec.is_reference]
        # Text fields whose only validators are the length and NUL checks: a short clean string
        # is taken as it is (bulk loads read millions); anything else takes the full path.
        self.plain_text = {
            rule.name: rule.model_field.max_length
            for rule in self.fields.values()
            if rule.spec.type is FieldType.STRING
            and rule.model_field.max_length
            and {type(v).__name__ for v in rule.model_field.validators}
            <= {"MaxLengthValidator", "ProhibitNullCharactersValidator"}
        }

    # -- choice lists

    def load_choices(self, names: Iterable[str] | None = None) -> ChoiceLists:
        """The choice lists of the table's choice fields (or of ``names`` among them) in one
        query: active ``sys_choice`` rows, else the model field's ``choices``."""
        wanted = [rule for rule in self.choice_fields if names is None or rule.name in names]
        lists: ChoiceLists = {rule.name: {} for rule in wanted}
        if wanted:
            rows = Choice.objects.filter(name=self.table.name, element__in=list(lists), inactive=False).values_list(
                "element", "value", "label"
            )
            for element, value, label in rows:
                lists[element][value] = label
        for rule in wanted:
            if not lists[rule.name] and rule.model_field.choices:
                lists[rule.name] = {str(value): str(label) for value, label in rule.model_field.flatchoices}
        return lists

    # -- one row, no query

    def clean(self, values: dict[str, Any], *, choices: ChoiceLists, input_display_value: bool = False) -> CleanRow:
        """Read one row of wire values (field name -> value). Runs no query."""
        row = CleanRow()
        plain_text = self.plain_text
        for name, raw in values.items():
            limit = plain_text.get(name)
            if limit is not None and type(raw) is str and raw and len(raw) <= limit and "\x00" not in raw:
                row.values[name] = raw
                continue
            if name == WORK_NOTES:
                row.work_note = work_note_text(raw)
                continue
            if name == COMMENTS and self.keeps_comments:
                row.comment = work_note_text(raw)
                continue
            rule = self.fields.get(name)
            if rule is None:
                continue
            if rule.spec.is_secret:
                if raw != PASSWORD_MASK:  # the mask written back (a record sent as read) changes nothing
                    try:
                        row.values[name] = password_hash(raw)
                    except FieldProblem as problem:
                        row.errors.append(FieldError(name, problem.message, problem.code))
                continue
            try:
                row.values[name] = self._read(rule, raw, choices, input_display_value)
            except FieldProblem as problem:
                row.errors.append(FieldError(name, problem.message, problem.code))
        return row

    def _read(self, rule: FieldRule, raw: Any, choices: ChoiceLists, input_display_value: bool) -> Any:
        if raw is None or raw == "" or (rule.required and isinstance(raw, str) and not raw.strip()):
            if rule.required:
                raise FieldProblem(MANDATORY, REQUIRED)
            return rule.empty
        if isinstance(raw, dict) and rule.spec.is_reference:
            raw = raw.get("sys_id", raw.get("value"))
            if raw is None or raw == "":
                return self._read(rule, raw, choices, input_display_value)
        if isinstance(raw, (dict, list)) and rule.spec.type is not FieldType.JSON:
            raise FieldProblem("A single value is expected, not a list or object")
        if rule.spec.is_reference:
            text = str(raw)
            if not input_display_value and not is_sys_id(text):
                raise FieldProblem(f"No {rule.spec.reference} record with sys_id {quoted(text)}", REFERENCE)
            return text
        if rule.spec.type is FieldType.CHOICE:
            return self._choice(rule, str(raw), choices, input_display_value)
        if input_display_value and rule.spec.type is FieldType.DATETIME and isinstance(raw, str):
            # A display value: the caller's wall time (their time zone, else the instance's).
            value = parse_local(raw, user_zone(current_actor_user()))
            if value is None:
                raise FieldProblem(f"{quoted(raw)} is not a date and time (YYYY-MM-DD HH:MM:SS, your time zone)")
            return value
        try:
            value = from_text(rule.spec, raw)
        except ValueError as exc:
            raise FieldProblem(str(exc)) from None
        if isinstance(value, Decimal) and not value.is_finite():
            raise FieldProblem(f"{quoted(str(raw))} is not a number")
        if isinstance(value, str) and "\x00" in value:
            raise FieldProblem("The value contains a NUL character")
        if value is None:
            return rule.empty
        try:
            rule.model_field.run_validators(value)
        except ValidationError as exc:
            code = TOO_LONG if exc.error_list[0].code == "max_length" else INVALID
            raise FieldProblem(" ".join(exc.messages), code) from None
        return value

    def _choice(self, rule: FieldRule, text: str, choices: ChoiceLists, input_display_value: bool) -> str:
        allowed = choices.get(rule.name)
        if allowed is None:
            allowed = self.load_choices([rule.name])[rule.name]
        if not allowed or text in allowed:
            if rule.model_field.max_length and len(text) > rule.model_field.max_length:
                raise FieldProblem(f"Ensure this value has at most {rule.model_field.max_length} characters", TOO_LONG)
            return text
        if input_display_value:
            for value, label in allowed.items():
                if label == text:
                    return value
        raise FieldProblem(f"{quoted(text)} is not one of the choices of {rule.name}", CHOICE)

    # -- values already read (a record API's own reader, the admin's form)

    def check_values(
        self, values: dict[str, Any], *, creating: bool, exclude: Iterable[str] = (), prefix: str = ""
    ) -> list[FieldError]:
        """Refusals of typed values (field name -> value) of this table's writable fields:
        mandatory fields left empty (text of only spaces is empty), text that is not text or
        is longer than its column. Field names in the errors get ``prefix``. Runs no query."""
        errors = []
        skipped = set(exclude)
        for rule in self.required:
            if rule.name in skipped:
                continue
            if rule.name not in values and not creating:
                continue
            value = values.get(rule.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                errors.append(FieldError(prefix + rule.name, MANDATORY, REQUIRED))
                skipped.add(rule.name)
        for name, value in values.items():
            rule = self.fields.get(name)
            if rule is None or name in skipped or rule.spec.type not in _TEXT_TYPES or value is None:
                continue
            if not isinstance(value, str):
                errors.append(FieldError(prefix + name, "Value must be text.", INVALID))
            elif rule.model_field.max_length and len(value) > rule.model_field.max_length:
                limit = rule.model_field.max_length
                errors.append(
                    FieldError(prefix + name, f"Value is longer than the maximum of {limit} characters.", TOO_LONG)
                )
        return errors

    # -- a record

    def apply(self, record: SysRecord, values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        """Set ``values`` (field name -> value read, a reference as a sys_id or a record) on
        ``record``; the fields whose value differs, each with its previous value (``None`` on
        create). The one "changed" rule of every write (``same_value``)."""
        changed: dict[str, Any] = {}
        for name, value in values.items():
            rule = self.fields.get(name)
            model_field = rule.model_field if rule is not None else self.model._meta.get_field(name)
            if value == "" and model_field.is_relation:
                value = None  # an empty reference is none
            is_record = isinstance(value, models.Model)
            new = value.pk if is_record else value
            old = None if creating else getattr(record, model_field.attname)
            if creating or not same_value(rule, old, new):
                changed[name] = old
                setattr(record, model_field.name if is_record else model_field.attname, value)
        return changed

    def missing(self, record: SysRecord, *, refused: Iterable[str] = ()) -> list[FieldError]:
        """Mandatory fields ``record`` leaves empty (but those of ``refused``)."""
        return self.missing_values({rule.attname: getattr(record, rule.attname) for rule in self.required}, refused)

    def missing_values(self, values: dict[str, Any], refused: Iterable[str] = ()) -> list[FieldError]:
        """Mandatory fields left empty in ``values`` (attribute name -> value), the one rule of
        mandatory fields for a record and for a batch's new rows."""
        skipped = set(refused)
        return [
            FieldError(rule.name, MANDATORY, REQUIRED)
            for rule in self.required
            if values.get(rule.attname) in (None, "") and rule.name not in skipped
        ]


def same_value(rule: FieldRule | None, old: Any, new: Any) -> bool:
    """A field keeps its value when the new one is equal, or reads the same on the wire (a
    date-time stored with microseconds, loaded back from an export to the second). A password
    given is a change (every hash reads as the same mask) unless neither is usable: removing a
    password from a record without one (an export's empty cell loaded back) changes nothing."""
    if rule is not None and rule.spec.is_secret:
        return not password_text(old) and not password_text(new)
    return old == new or (rule is not None and to_text(rule.spec, old) == to_text(rule.spec, new))


def password_hash(raw: Any) -> str:
    """The stored form of a password given on the wire: its hash (Django's configured hasher);
    ``""`` or ``None`` removes the password (an unusable hash: no login with it)."""
    if raw is None or raw == "":
        return make_password(None)
    if not isinstance(raw, str):
        raise FieldProblem("A password must be text")
    if "\x00" in raw:
        raise FieldProblem("The value contains a NUL character")
    if len(raw) > MAX_PASSWORD_LENGTH:
        raise FieldProblem(f"A password has at most {MAX_PASSWORD_LENGTH} characters", TOO_LONG)
    return make_password(raw)


class FieldProblem(Exception):
    def __init__(self, message: str, code: str = INVALID) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@cache
def table_rules(table: str) -> TableRules:
    """The compiled field rules of a registry table (``UnknownTable`` for any other name)."""
    return TableRules(get_table(table))


# --- many rows, one query per field ----------------------------------------------------------


def check_references(rules: TableRules, rows: Sequence[CleanRow], *, input_display_value: bool = False) -> None:
    """Turn the references of ``rows`` into sys_ids of existing records; a reference to nothing
    is a row error (``check_rows``)."""
    check_rows(rules, references=rows, input_display_value=input_display_value)


def check_unique(rules: TableRules, rows: Sequence[CleanRow], *, exclude_pk: str | None = None) -> None:
    """Refuse values of unique fields held by another record or by an earlier row
    (``check_rows``). User names compare without case."""
    check_rows(rules, unique=rows, exclude_pk=exclude_pk)


def check_rows(
    rules: TableRules,
    *,
    references: Sequence[CleanRow] = (),
    unique: Sequence[CleanRow] = (),
    exclude_pk: str | None = None,
    input_display_value: bool = False,
) -> None:
    """The rules that ask the database, for many rows in ONE query (the look-up of each
    reference field and each unique field joined by ``UNION ALL``; one more for references
    given by display value): the references of ``references`` become sys_ids of existing
    records, a reference to nothing is a row error; a value of a unique field of ``unique``
    held by another record (but ``exclude_pk``) or by an earlier row is a row error."""
    lookups: list[tuple[str, models.QuerySet, str]] = []
    given_refs: dict[str, set[str]] = {}
    for rule in rules.references:
        given = {row.values[rule.name] for row in references if row.values.get(rule.name) is not None}
        if given:
            given_refs[rule.name] = given
            ids = {text for text in given if is_sys_id(text)}
            if ids:
                related = rule.model_field.related_model._base_manager
                lookups.append((rule.name, related.filter(pk__in=ids), "pk"))
    given_unique: dict[str, list[Any]] = {}
    separate: dict[str, set[Any]] = {}
    for rule in rules.unique:
        given = [row.values[rule.name] for row in unique if row.values.get(rule.name) not in (None, "")]
        if not given:
            continue
        given_unique[rule.name] = given
        if _by_case(rules, rule):
            lookups.append((rule.name, user_names_taken_query(given, exclude_pk=exclude_pk), "lowered"))
            continue
        query = rules.model._base_manager.filter(**{f"{rule.attname}__in": set(given)})
        if exclude_pk is not None:
            query = query.exclude(pk=exclude_pk)
        if not isinstance(rule.model_field, (models.CharField, models.TextField)):
            separate[rule.name] = set(query.values_list(rule.attname, flat=True))  # not text: apart
            continue
        lookups.append((rule.name, query, rule.attname))
    found: dict[str, set[Any]] = {name: set() for name in [*given_refs, *given_unique]}
    found.update(separate)
    queries = [query.annotate(lookup_kind=Value(name)).values_list("lookup_kind", column).order_by()
               for name, query, column in lookups]  # fmt: skip
    if queries:
        first, *others = queries
        # No ORDER BY inside a compound statement (SQLite refuses one).
        for kind, value in first.union(*others, all=True) if others else first:
            found[kind].add(value)
    for rule in rules.references:
        if rule.name in given_refs:
            _resolve_references(rules, rule, references, found[rule.name], input_display_value)
    for rule in rules.unique:
        if rule.name in given_unique:
            _refuse_taken(rules, rule, unique, found[rule.name])


def _by_case(rules: TableRules, rule: FieldRule) -> bool:
    return issubclass(rules.model, User) and rule.name == USER_NAME


def _resolve_references(
    rules: TableRules, rule: FieldRule, rows: Sequence[CleanRow], ids: set[str], input_display_value: bool
) -> None:
    found: dict[str, str] = {pk: pk for pk in ids}
    given = {row.values[rule.name] for row in rows if row.values.get(rule.name) is not None}
    if input_display_value:
        target = rules.table.referenced_table(rule.spec)
        names = given - set(found)
        if target is not None and names:
            display = target.display_field
            related = rule.model_field.related_model._base_manager
            rows_by_name = related.filter(**{f"{display}__in": names}).order_by("-sys_created_on", "-pk")
            for name, pk in rows_by_name.values_list(display, "pk"):
                found[str(name)] = pk  # the oldest record of a name wins
    for row in rows:
        text = row.values.get(rule.name)
        if text is None:
            continue
        if text in found:
            row.values[rule.name] = found[text]
        else:
            del row.values[rule.name]
            what = "named" if input_display_value and not is_sys_id(text) else "with sys_id"
            message = f"No {rule.spec.reference} record {what} {quoted(text)}"
            row.errors.append(FieldError(rule.name, message, REFERENCE))


def unique_key(rules: TableRules, rule: FieldRule) -> Callable[[Any], Any]:
    """What two values of a unique field compare by (user names: without case)."""
    return user_name_key if _by_case(rules, rule) else (lambda value: value)


def taken_error(rules: TableRules, rule: FieldRule, value: Any) -> FieldError:
    """The refusal of a unique field's value that another record (or an earlier row) holds."""
    message = (
        user_name_taken_message(value)
        if _by_case(rules, rule)
        else f"{quoted(str(value))} is already used by another {rules.table.name} record"
    )
    return FieldError(rule.name, message, UNIQUE)


def _refuse_taken(rules: TableRules, rule: FieldRule, rows: Sequence[CleanRow], taken: set[Any]) -> None:
    key = unique_key(rules, rule)
    seen: set[Any] = set()
    for row in rows:
        value = row.values.get(rule.name)
        if value in (None, ""):
            continue
        if key(value) in taken or key(value) in seen:
            del row.values[rule.name]
            row.errors.append(taken_error(rules, rule, value))
        else:
            seen.add(key(value))
