"""Parsed encoded query -> Django `Q` and ordering, for one table of the registry (docs/encoded-queries.md).

`compile_query(table, query, now=..., user_sys_id=...)` gives a `CompiledQuery`: the filter,
the ordering (always ending in a primary-key tiebreak, so offset paging neither skips nor
repeats rows) and the invalid terms. The caller decides the policy for invalid terms
(docs/encoded-queries.md): `csm_project.core.records.queries` reads the system property.

What the compiler guarantees:

- Only registry fields are queryable (`TableSpec.fields`),
  and dot-walking (`account.name`) follows only registry references. Names never reach the ORM
  unchecked: a name with `__` or an unknown segment is an invalid term, so a query cannot reach
  `password` or any other field the registry does not expose.
- Values reach the database only as bound parameters of ORM lookups.
- Strings compare ignoring case on SQLite and PostgreSQL: `LOWER(field)` against `LOWER(value)`
  for `=`, `IN`, ranges, field comparisons and ordering (both sides lowered by the database, so
  the same folding applies to each), `icontains`/`istartswith`/`iendswith` for patterns (Django
  escapes `%` and `_`). Ranges and ordering on strings use code-point order (`COLLATE "C"` on
  PostgreSQL, `BINARY` on SQLite), so both databases sort alike whatever the database locale.
  `ORDERBYsys_id` (the table's own) is the exception: sys_ids are lower-case hex, stored order
  is code-point order, so it sorts by the primary key as stored and its index serves the order.
  Pitfall: SQLite folds case for ASCII letters only, so non-ASCII case-insensitivity is
  PostgreSQL-only. Fields that hold sys_ids (`sys_id`, a model's `sys_id_fields` such as the
  audit's `documentkey`) are stored lower-cased: the operand is lowered and compared exactly,
  so the column's own index serves `=` and `IN` (a `LOWER()` comparison would scan the table).
- NULL rules (docs/encoded-queries.md): empty strings count as empty (they are normally stored as NULL); `=` with
  an empty value or `NULL` tests emptiness; `!=`, `NOT IN`, `NOT LIKE`, `NSAMEAS` and `NOTON`
  never match an empty value.
- Date-times have whole-second meaning, like the platform: a stored value is compared as if
  truncated to the second (`x <= '... 10:00:00'` includes `10:00:00.7`). Literal values are UTC
  (docs/encoded-queries.md); `javascript:` periods ("today") and `DATEPART` (weekday, hour...) follow the caller's
  time zone `tz`, as they do for the platform's users.
- References compare by sys_id with `=`, `!=`, `IN`, `NOT IN`, `ISEMPTY`, `ISNOTEMPTY`, `SAMEAS`
  and `NSAMEAS`; string operators (`LIKE`, `STARTSWITH`, ...) and `ORDERBY` use the referenced
  record's display field.
- Subqueries: `RLQUERY` becomes `EXISTS` / `NOT EXISTS` for "at least one" / "none" and a
  correlated `COUNT(*)` otherwise; `JOIN` becomes `field IN (SELECT other_field ...)`, NULLs left
  out. Their conditions compile with a compiler of the other table (same caller, same rights, no
  allowlist), whose invalid terms join the outer list. The table a subquery enters must be one
  `may_read` allows, else the subquery is invalid with the reason an unknown table gets.
- `DYNAMIC` supports the "Me" filter only (`DYNAMIC_ME`): the caller's sys_id.
- A password field (`FieldType.PASSWORD`) is never compared nor sorted by: an invalid term.
- A value of the wrong type (`count=abc`), an operator that does not apply to the field's type,
  a NUL character, or a `javascript:` result out of range makes the term invalid, never an error.

Importing this module registers two transforms on `CharField` and `TextField`, named so they
cannot clash with Django's own: `eq_lower` (`LOWER()`) and `eq_codepoint` (code-point collation).

Invalid terms are dropped (an `^OR` partner of a dropped term stands alone; a group whose terms
are all dropped is dropped; nothing left matches everything).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Transform,
    Value,
)
from django.db.models.expressions import Expression
from django.db.models.expressions import OrderBy as OrderExpression
from django.db.models.functions import Coalesce, Extract, Lower
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual

from csm_project.encoded_query import dates
from csm_project.encoded_query.dates import Helper
from csm_project.encoded_query.parser import InvalidTerm, JoinQuery, Operand, OrderBy, Query, RelatedListQuery, Term
from csm_project.registry import FieldSpec, FieldType, TableSpec, UnknownTable, get_table

__all__ = ["CompiledQuery", "compile_query"]


_INT_RANGE = (-(2**63), 2**63 - 1)
_INTEGER = re.compile(r"[+-]?\d{1,19}")
_DECIMAL = re.compile(r"[+-]?(?:\d{1,30}(?:\.\d{0,30})?|\.\d{1,30})")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})")
_SECOND = timedelta(seconds=1)
_NOTHING = Q(pk__in=[])
_STRING_TYPES = frozenset({FieldType.STRING, FieldType.CHOICE})
_DATE_PART_LOOKUPS = {
    "dayofweek": "iso_week_day",
    "month": "month",
    "quarter": "quarter",
    "year": "year",
    "dayofmonth": "day",
    "hour": "hour",
    "week": "week",
}
_COMPARISONS = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "=": "exact"}
_LOOKUPS = {"=": Exact, ">": GreaterThan, ">=": GreaterThanOrEqual, "<": LessThan, "<=": LessThanOrEqual}
_FIELD_COMPARISONS = {
    "SAMEAS": "exact",
    "GT_FIELD": "gt",
    "LT_FIELD": "lt",
    "GT_OR_EQUALS_FIELD": "gte",
    "LT_OR_EQUALS_FIELD": "lte",
}
_LOOKUPS_ALL = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}
#: The sys_id of the platform's "Me" dynamic filter (`assigned_toDYNAMIC<this>`).
DYNAMIC_ME = "90d1921e5f510100a9ad2572f2b477fe"
_DURATION_UNITS = frozenset({"minute", "hour", "day", "week"})
_MAX_INTERVAL = timedelta(days=36_525)


class _CodePointOrder(Transform):
    """`<expr> COLLATE "C"` (PostgreSQL) / `COLLATE BINARY` (SQLite): compare by code point.

    PostgreSQL otherwise compares text with the database locale's rules, which differ from
    SQLite's and from Python's, so `<` and ORDERBY would change with the server's locale.
    """

    lookup_name = "eq_codepoint"

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        if connection.vendor == "postgresql":
            return f'{sql} COLLATE "C"', params
        if connection.vendor == "sqlite":
            return f"{sql} COLLATE BINARY", params
        return sql, params


for _text_field in (CharField, TextField):
    _text_field.register_lookup(Lower, "eq_lower")
    _text_field.register_lookup(_CodePointOrder)
del _text_field


class _OwnColumn(Expression):
    """A column of the query's base table that is not a model field (kept by triggers)."""

    def __init__(self, column: str, output_field):
        super().__init__(output_field=output_field)
        self.column = column

    def as_sql(self, compiler, connection):
        alias = compiler.query.base_table
        return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name(self.column)}", []


class _Invalid(Exception):
    """Raised inside the compiler for a term that cannot be applied; never escapes it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ResolvedField:
    """A (possibly dot-walked) wire name resolved through the registry.

    `path` is the ORM path (`account__name`), `spec` the final field and `table` its table.
    """

    name: str
    path: str
    spec: FieldSpec
    table: TableSpec

    @property
    def kind(self) -> str:
        """`string`, `number`, `boolean`, `datetime`, `date`, `reference`, `id` or `json`."""
        if self.spec.type in _STRING_TYPES:
            return "id" if self.spec.name == "sys_id" or self.spec.holds_sys_id else "string"
        if self.spec.type in (FieldType.INTEGER, FieldType.DECIMAL):
            return "number"
        return self.spec.type.value


@dataclass(frozen=True)
class CompiledQuery:
    """The result of `compile_query`.

    `q` filters (`queryset.filter(compiled.q)`), `order_by` sorts (`queryset.order_by(*...)`),
    `invalid` lists every invalid term (parser's and compiler's).
    """

    q: Q
    order_by: list = field(default_factory=list)
    invalid: list[InvalidTerm] = field(default_factory=list)


def resolve_field(
    table: TableSpec,
    name: str,
    may_read: Callable[[TableSpec], bool] | None = None,
) -> ResolvedField:
    """Resolve a wire name, dot-walking through references; raise `LookupError` with the reason.

    `may_read`, when given, says whether the caller may read a table: a dot-walk enters a
    referenced table only if it may, else the name is refused as an unknown one (the same reason,
    so a refusal tells nothing). A last hop onto the target's display field is the reference's
    display value, part of the field: it needs no right.
    """
    walked = table.walk(name, may_read=may_read)  # the registry's one resolver
    return ResolvedField(name=name, path=walked.path, spec=walked.spec, table=walked.table)


def _display_field(target: ResolvedField) -> ResolvedField:
    """The referenced record's display field, for string operators and ORDERBY on a reference."""
    referenced = target.table.referenced_table(target.spec)
    spec = referenced.display_spec() if referenced else None
    if spec is None:
        raise _Invalid(f"reference {target.name!r} has no display value to compare")
    return ResolvedField(
        name=f"{target.name}.{spec.name}", path=f"{target.path}__{spec.model_field}", spec=spec, table=referenced
    )


def compile_query(
    table: TableSpec,
    query: Query,
    *,
    now: datetime,
    user_sys_id: str | None = None,
    tz: tzinfo = UTC,
    default_ordering: Sequence[str] = ("sys_created_on",),
    may_read: Callable[[TableSpec], bool] | None = None,
) -> CompiledQuery:
    """Compile `query` for `table` as a request made at `now` (aware) by `user_sys_id` would see it.

    `tz` is the caller's time zone (for `javascript:` periods like "today"). `default_ordering`
    applies when the query has no ORDERBY: wire names, `-` for descending, sorted like ORDERBY
    (strings ignoring case, empty first); a name that is not a registry field is passed to the
    ORM as written (so a typo fails loudly in tests). A primary-key tiebreak is always added.
    `may_read` (see `resolve_field`) makes a dot-walk into a table the caller may not read an
    invalid term, in filters and ORDERBY alike.
    Never raises for anything a client can write.
    """
    compiler = _Compiler(table=table, now=now, user_sys_id=user_sys_id, tz=tz, may_read=may_read)
    invalid: list[InvalidTerm] = []
    combined = compiler.filter(query, invalid)
    ordering = compiler.ordering(query.order_by, invalid)
    if not query.order_by:
        ordering = compiler.default_ordering(default_ordering)
    if not any(_orders_by_pk(expression) for expression in ordering):
        ordering.append("pk")
    return CompiledQuery(q=_as_q(combined), order_by=ordering, invalid=invalid)


def _any(parts: list[Q | bool]) -> Q | bool:
    """OR, with `True` (matches all) and `False` (matches none) folded away.

    Pitfall: Django drops an empty `Q()` from an OR (`Q() | Q(a=1)` is `Q(a=1)`), so "matches all"
    must never be represented as `Q()` inside a combination.
    """
    if any(part is True for part in parts):
        return True
    queries = [part for part in parts if part is not False]
    if not queries:
        return False
    return queries[0] if len(queries) == 1 else Q(*queries, _connector=Q.OR)


def _all(parts: list[Q | bool]) -> Q | bool:
    """AND, with `True` and `False` folded away."""
    if any(part is False for part in parts):
        return False
    queries = [part for part in parts if part is not True]
    if not queries:
        return True
    return queries[0] if len(queries) == 1 else Q(*queries, _connector=Q.AND)


def _as_q(part: Q | bool) -> Q:
    if part is True:
        return Q()
    if part is False:
        return _NOTHING
    return part


@dataclass
class _Compiler:
    table: TableSpec
    now: datetime
    user_sys_id: str | None
    tz: tzinfo
    may_read: Callable[[TableSpec], bool] | None = None

    # --- a whole query ---------------------------------------------------------------------

    def filter(self, query: Query, invalid: list[InvalidTerm]) -> Q | bool:
        """The condition of `query`'s groups (`True`: every row); its invalid terms, the parser's
        and the compiler's, those of subqueries included, are appended to `invalid`."""
        reported = set(query.invalid)
        invalid.extend(query.invalid)
        groups: list[Q | bool] = []
        for group in query.groups:
            clauses: list[Q | bool] = []
            for clause in group.clauses:
                alternatives: list[Q | bool] = []
                for term in clause.terms:
                    if isinstance(term, InvalidTerm):
                        if term not in reported:
                            invalid.append(term)
                        continue
                    try:
                        if isinstance(term, RelatedListQuery):
                            alternatives.append(self.related_list(term, invalid))
                        elif isinstance(term, JoinQuery):
                            alternatives.append(self.join(term, invalid))
                        else:
                            alternatives.append(self.term(term))
                    except _Invalid as error:
                        invalid.append(InvalidTerm(term.text, error.reason))
                if alternatives:
                    clauses.append(_any(alternatives))
            if clauses:
                groups.append(_all(clauses))
        return _any(groups) if groups else True

    # --- subqueries (RLQUERY, JOIN) ---------------------------------------------------------

    def _other_table(self, name: str) -> TableSpec:
        """A table a subquery enters: it must exist and the caller must may read it; both
        refusals read alike, so a subquery tells nothing of a table the caller may not read."""
        try:
            other = get_table(name)
        except UnknownTable:
            raise _Invalid(f"unknown table {name[:80]!r}") from None
        if self.may_read is not None and not self.may_read(other):
            raise _Invalid(f"unknown table {name[:80]!r}")
        return other

    def _inner(self, table: TableSpec, query: Query, invalid: list[InvalidTerm]) -> Q | bool:
        inner = _Compiler(table=table, now=self.now, user_sys_id=self.user_sys_id, tz=self.tz, may_read=self.may_read)
        return inner.filter(query, invalid)

    def _same_lineage(self, other: TableSpec | None) -> bool:
        """Whether `other`'s rows share sys_ids with this table's (one extends the other)."""
        if other is None:
            return False
        mine, theirs = self.table.model, other.model
        return issubclass(mine, theirs) or issubclass(theirs, mine)

    def related_list(self, node: RelatedListQuery, invalid: list[InvalidTerm]) -> Q | bool:
        """Rows that `node.count` (compared) rows of the related table refer to: `EXISTS` /
        `NOT EXISTS` for "at least one" / "none", else a correlated `COUNT(*)`."""
        related = self._other_table(node.table)
        spec = related.field(node.field)
        if spec is None or not spec.is_reference or not self._same_lineage(related.referenced_table(spec)):
            raise _Invalid(f"{node.table}.{node.field} is not a reference to {self.table.name}")
        condition = self._inner(related, node.query, invalid)
        rows = related.model.objects.filter(**{spec.model_field: OuterRef("pk")})
        if condition is False:
            found = 0  # no related row can match: every row has none
            return _LOOKUPS_ALL[node.comparison](found, node.count)
        if condition is not True:
            rows = rows.filter(condition)
        comparison, count = node.comparison, node.count
        if (comparison, count) in ((">=", 1), (">", 0), ("!=", 0)):
            return Q(Exists(rows))
        if (comparison, count) in (("=", 0), ("<", 1), ("<=", 0)):
            return ~Q(Exists(rows))
        counted = Subquery(
            rows.order_by().values(spec.model_field).annotate(n=Count("pk")).values("n"), output_field=IntegerField()
        )
        total = Coalesce(counted, Value(0), output_field=IntegerField())
        if comparison == "!=":
            return ~Q(Exact(total, count))
        return Q(_LOOKUPS[comparison](total, count))

    def join(self, node: JoinQuery, invalid: list[InvalidTerm]) -> Q:
        """Rows whose `node.field` is among `node.join_field` of the joined table's matching rows
        (`IN (SELECT ...)`)."""
        try:
            own = get_table(node.table)
        except UnknownTable:
            own = None
        if own is None or not self._same_lineage(own):
            raise _Invalid(f"JOIN must start from {self.table.name}, not {node.table[:80]!r}")
        target = self.resolve(node.field)
        joined = self._other_table(node.join_table)
        inner = _Compiler(table=joined, now=self.now, user_sys_id=self.user_sys_id, tz=self.tz, may_read=self.may_read)
        other = inner.resolve(node.join_field)
        for side in (target, other):
            if side.kind in ("json", "password"):
                raise _Invalid(f"JOIN cannot compare {side.name!r}")
        if _join_family(target) != _join_family(other):
            raise _Invalid(f"JOIN cannot compare {target.name!r} with {node.join_table}.{other.name}")
        condition = inner.filter(node.query, invalid)
        if condition is False:
            return _NOTHING
        rows = joined.model.objects.filter(**{f"{other.path}__isnull": False})
        if condition is not True:
            rows = rows.filter(condition)
        return Q(**{f"{target.path}__in": rows.values(other.path)})

    # --- fields and values ----------------------------------------------------------------

    def resolve(self, name: str) -> ResolvedField:
        try:
            return resolve_field(self.table, name, self.may_read)
        except LookupError as error:
            raise _Invalid(str(error.args[0])) from None

    def value(self, target: ResolvedField, operand: Operand, *, end_of_day: bool = False):
        """`operand` converted for `target`'s type; raises `_Invalid` on a wrong type."""
        kind = target.kind
        if isinstance(operand, Helper):
            try:
                resolved = dates.resolve(operand, now=self.now, user_sys_id=self.user_sys_id, tz=self.tz)
            except dates.UnsupportedHelper as error:
                raise _Invalid(str(error)) from None
            if isinstance(resolved, str):
                if kind in ("reference", "id", "string"):
                    return resolved.lower() if kind != "string" else resolved
                raise _Invalid(f"{operand.text} is not a value for {target.name!r}")
            if kind == "datetime":
                return resolved
            if kind == "date":
                return resolved.astimezone(self.tz).date()
            if kind == "string":
                return resolved.strftime("%Y-%m-%d %H:%M:%S")
            raise _Invalid(f"{operand.text} is not a value for {target.name!r}")
        if kind in ("string",):
            return operand
        if kind in ("id", "reference"):
            return operand.lower()
        if kind == "number":
            return self._number(target, operand)
        if kind == "boolean":
            lowered = operand.lower()
            if lowered not in ("true", "false"):
                raise _Invalid(f"{operand[:40]!r} is not true or false")
            return lowered == "true"
        if kind in ("datetime", "date"):
            moment = _parse_datetime(operand, end_of_day=end_of_day)
            return moment if kind == "datetime" else moment.date()
        raise _Invalid(f"field {target.name!r} cannot be queried")

    @staticmethod
    def _number(target: ResolvedField, operand: str) -> int | Decimal:
        if target.spec.type is FieldType.INTEGER:
            if not _INTEGER.fullmatch(operand):
                raise _Invalid(f"{operand[:40]!r} is not an integer")
            number = int(operand)
            if not _INT_RANGE[0] <= number <= _INT_RANGE[1]:
                raise _Invalid(f"{operand[:40]!r} is out of range")
            return number
        if not _DECIMAL.fullmatch(operand):
            raise _Invalid(f"{operand[:40]!r} is not a number")
        return Decimal(operand)

    # --- terms ----------------------------------------------------------------------------

    def term(self, term: Term) -> Q | bool:
        """The condition of one term: a `Q`, or `True`/`False` for all/no rows."""
        try:
            return self._term(term)
        except OverflowError:
            raise _Invalid("date out of range") from None

    def _term(self, term: Term) -> Q | bool:
        if "\x00" in term.value:
            raise _Invalid("value contains a NUL character")
        target = self.resolve(term.field)
        operator = term.operator
        if target.kind in ("json", "password"):
            raise _Invalid(f"field {target.name!r} cannot be queried")
        if operator == "DYNAMIC":
            return self._dynamic(target, term.operands[0])
        if operator == "ANYTHING":
            return True
        if operator == "ISEMPTY":
            return _empty(target)
        if operator == "ISNOTEMPTY":
            return _not_empty(target)
        if operator == "EMPTYSTRING":
            self._require(target, operator, "string")
            return Q(**{target.path: ""})
        if operator in ("=", "!="):
            [operand] = term.operands
            if operand in ("", "NULL"):
                return _empty(target) if operator == "=" else _not_empty(target)
            equal = self._equals(target, operand)
            return equal if operator == "=" else _not_empty(target) & ~equal
        if operator in ("IN", "NOT IN"):
            return self._in(target, term.operands, negated=operator == "NOT IN")
        if operator in ("<", "<=", ">", ">="):
            return self._compare(target, operator, term.operands[0])
        if operator in ("STARTSWITH", "ENDSWITH", "LIKE", "NOT LIKE"):
            return self._pattern(target, operator, term.operands[0])
        if operator == "BETWEEN":
            low, high = term.operands
            return _all([self._compare(target, ">=", low), self._compare(target, "<=", high)])
        if operator in ("ON", "NOTON"):
            return self._on(target, term.operands, negated=operator == "NOTON")
        if operator in ("RELATIVEGT", "RELATIVELT"):
            return self._relative(target, operator, term.operands)
        if operator == "DATEPART":
            return self._date_part(target, term.operands)
        if operator in ("MORETHAN", "LESSTHAN"):
            return self._more_or_less(target, operator, term.operands)
        if operator in _FIELD_COMPARISONS or operator == "NSAMEAS":
            return self._field_compare(target, operator, term.operands[0])
        raise _Invalid(f"operator {operator} is not supported")  # pragma: no cover - parser checks

    def _dynamic(self, target: ResolvedField, operand: Operand) -> Q | bool:
        """`DYNAMIC<filter sys_id>`: only the platform's "Me" filter, the caller's own sys_id."""
        self._require(target, "DYNAMIC", "reference", "id")
        if not isinstance(operand, str) or operand.lower() != DYNAMIC_ME:
            raise _Invalid(f"dynamic filter {str(operand)[:40]!r} is not supported")
        if not self.user_sys_id:
            return False  # no caller: nobody is "me"
        return Q(**{target.path: self.user_sys_id.lower()})

    @staticmethod
    def _require(target: ResolvedField, operator: str, *kinds: str) -> None:
        if target.kind not in kinds:
            raise _Invalid(f"{operator} does not apply to {target.name!r}")

    def _equals(self, target: ResolvedField, operand: Operand) -> Q:
        value = self.value(target, operand)
        if target.kind == "string":
            return Q(**{f"{target.path}__eq_lower": Lower(Value(value))})
        if target.kind == "datetime":
            return Q(**{f"{target.path}__gte": value, f"{target.path}__lt": value + _SECOND})
        return Q(**{target.path: value})

    def _in(self, target: ResolvedField, operands: tuple[Operand, ...], *, negated: bool) -> Q | bool:
        empty = any(operand == "" for operand in operands)
        values = [operand for operand in operands if operand != ""]
        if target.kind in ("id", "reference", "number", "boolean", "date"):
            converted = list(dict.fromkeys(self.value(target, operand) for operand in values))
            matches: list[Q | bool] = [Q(**{f"{target.path}__in": converted})] if converted else []
        elif target.kind == "string":
            # One IN, not an OR per item: SQLite refuses expressions nested over 1000 deep.
            lowered = [Lower(Value(self.value(target, operand))) for operand in dict.fromkeys(values)]
            matches = [Q(**{f"{target.path}__eq_lower__in": lowered})] if lowered else []
        else:
            matches = [self._equals(target, operand) for operand in dict.fromkeys(values)]
        if not negated:
            return _any([*matches, _empty(target)] if empty else matches)
        if not matches:
            return _not_empty(target)
        return _not_empty(target) & ~_as_q(_any(matches))

    def _compare(self, target: ResolvedField, operator: str, operand: Operand) -> Q:
        """`<`, `<=`, `>`, `>=` (also BETWEEN's bounds): numbers, dates, strings by code point."""
        self._require(target, operator, "number", "datetime", "date", "string", "id")
        value = self.value(target, operand)
        if target.kind == "datetime" and operator in (">", "<="):
            # whole-second meaning: trunc(x) > v  <=>  x >= v + 1s;  trunc(x) <= v  <=>  x < v + 1s
            operator, value = (">=" if operator == ">" else "<"), value + _SECOND
        lookup = _COMPARISONS[operator]
        if target.kind in ("string", "id"):
            return Q(**{f"{target.path}__eq_lower__eq_codepoint__{lookup}": Lower(Value(value))})
        return Q(**{f"{target.path}__{lookup}": value})

    def _pattern(self, target: ResolvedField, operator: str, operand: Operand) -> Q:
        if target.kind == "reference":
            target = _display_field(target)
        self._require(target, operator, "string", "id")
        value = operand if isinstance(operand, str) else self.value(target, operand)
        lookup = {"STARTSWITH": "istartswith", "ENDSWITH": "iendswith"}.get(operator, "icontains")
        match = Q(**{f"{target.path}__{lookup}": value})
        if operator == "NOT LIKE":
            return _not_empty(target) & ~match
        return match

    def _on(self, target: ResolvedField, operands: tuple[Operand, ...], *, negated: bool) -> Q:
        self._require(target, "ON", "datetime", "date")
        start_operand, end_operand = operands
        start = self.value(target, start_operand)
        end = self.value(target, end_operand, end_of_day=True)
        if target.kind == "datetime":
            inside = Q(**{f"{target.path}__gte": start, f"{target.path}__lt": end + _SECOND})
        else:
            inside = Q(**{f"{target.path}__gte": start, f"{target.path}__lte": end})
        return _not_empty(target) & ~inside if negated else inside

    def _relative(self, target: ResolvedField, operator: str, operands: tuple[Operand, ...]) -> Q:
        self._require(target, operator, "datetime", "date")
        unit, direction, count = operands
        try:
            moment = dates.add_units(
                self.now.replace(microsecond=0), unit, int(count) * (-1 if direction == "ago" else 1)
            )
        except (OverflowError, ValueError):
            raise _Invalid("relative date out of range") from None
        if target.kind == "date":
            lookup = "gt" if operator == "RELATIVEGT" else "lt"
            return Q(**{f"{target.path}__{lookup}": moment.astimezone(self.tz).date()})
        if operator == "RELATIVEGT":
            return Q(**{f"{target.path}__gte": moment + _SECOND})
        return Q(**{f"{target.path}__lt": moment})

    def _date_part(self, target: ResolvedField, operands: tuple[Operand, ...]) -> Q:
        self._require(target, "DATEPART", "datetime", "date")
        part, number, comparison = operands
        if part == "hour" and target.kind == "date":
            raise _Invalid("DATEPART hour does not apply to a date")
        if target.kind == "date":
            return Q(**{f"{target.path}__{_DATE_PART_LOOKUPS[part]}__{_COMPARISONS[comparison]}": int(number)})
        # A date-time's weekday or hour is the caller's: extract it in their time zone.
        extracted = Extract(F(target.path), _DATE_PART_LOOKUPS[part], tzinfo=self.tz)
        return Q(_LOOKUPS[comparison](extracted, int(number)))

    def _more_or_less(self, target: ResolvedField, operator: str, operands: tuple[Operand, ...]) -> Q:
        other_name, unit, direction, count = operands
        self._require(target, operator, "datetime")
        other = self.resolve(other_name)
        self._require(other, operator, "datetime")
        if unit not in _DURATION_UNITS:
            raise _Invalid(f"{operator} supports minute, hour, day and week")
        delta = timedelta(**{unit + "s": int(count)})
        if delta > _MAX_INTERVAL:
            # SQLite computes `field + interval` in Python and fails past year 9999.
            raise _Invalid(f"{operator} interval is longer than 100 years")
        if direction == "after":
            bound, lookup = F(other.path) + delta, "gt" if operator == "MORETHAN" else "lt"
        else:
            bound, lookup = F(other.path) - delta, "lt" if operator == "MORETHAN" else "gt"
        return Q(**{f"{target.path}__{lookup}": bound})

    def _field_compare(self, target: ResolvedField, operator: str, other_name: Operand) -> Q:
        other = self.resolve(str(other_name))
        if _family(target) != _family(other) or target.kind == "boolean" and operator not in ("SAMEAS", "NSAMEAS"):
            raise _Invalid(f"{operator} cannot compare {target.name!r} with {other.name!r}")
        lookup = _FIELD_COMPARISONS.get(operator, "exact")
        if target.kind in ("string", "id"):
            match = Q(**{f"{target.path}__eq_lower__eq_codepoint__{lookup}": Lower(F(other.path))})
        else:
            match = Q(**{f"{target.path}__{lookup}": F(other.path)})
        if operator == "NSAMEAS":
            return _not_empty(target) & _not_empty(other) & ~match
        return match

    # --- ordering -------------------------------------------------------------------------

    def default_ordering(self, names: Sequence[str]) -> list:
        ordering: list = []
        for name in names:
            unknown: list[InvalidTerm] = []
            term = OrderBy(name.removeprefix("-"), descending=name.startswith("-"))
            compiled = self.ordering((term,), unknown)
            ordering.extend([name] if unknown else compiled)
        return ordering

    def _sort_key(self, target: ResolvedField) -> Expression | None:
        """The queried table's own copy of an inherited field's sort key, when its model keeps
        one (`list_sort_keys`, e.g. a contact's last name on customer_contact): it sorts alike
        (lower-cased, code-point order) and is indexed beside the table's own filters."""
        keys = getattr(self.table.model, "list_sort_keys", None)
        if not keys or "__" in target.path or target.path not in keys:
            return None
        output = DateTimeField() if target.kind == "datetime" else TextField()
        return _OwnColumn(keys[target.path], output_field=output)

    def ordering(self, order_by: tuple[OrderBy, ...], invalid: list[InvalidTerm]) -> list:
        expressions: list[OrderExpression] = []
        for term in order_by:
            text = ("ORDERBYDESC" if term.descending else "ORDERBY") + term.field
            try:
                target = self.resolve(term.field)
                if target.kind == "reference":
                    target = _display_field(target)
                if target.kind in ("json", "password"):
                    raise _Invalid(f"cannot order by {target.name!r}")
            except _Invalid as error:
                invalid.append(InvalidTerm(text, error.reason))
                continue
            if _is_own_sys_id(target):
                # sys_ids are 32 lower-case hex characters by construction, so their stored order
                # is their code-point order under any collation: the primary key's index serves
                # it (pysnc pages every query in this order).
                expressions.append(F("pk").desc() if term.descending else F("pk").asc())
                continue
            sort_key = self._sort_key(target)
            if sort_key is not None:
                expression = sort_key
            elif target.kind in ("string", "id"):
                expression = F(f"{target.path}__eq_lower__eq_codepoint")
            else:
                expression = F(target.path)
            if _never_empty(target):
                # No empty values to place: a plain order, which an ordinary index serves.
                expressions.append(expression.desc() if term.descending else expression.asc())
            else:
                # Empty values sort first ascending (last descending) on every database.
                expressions.append(
                    expression.desc(nulls_last=True) if term.descending else expression.asc(nulls_first=True)
                )
        return expressions


def _orders_by_pk(expression) -> bool:
    """Whether an ordering entry sorts by the primary key (then no tiebreak is needed)."""
    if isinstance(expression, str):
        return expression.removeprefix("-") in ("pk", "sys_id")
    inner = getattr(expression, "expression", None)
    return isinstance(inner, F) and inner.name in ("pk", "sys_id")


def _is_own_sys_id(target: ResolvedField) -> bool:
    """Whether `target` is the queried table's own `sys_id` (its primary key), not a reference's."""
    return target.spec.name == "sys_id" and "__" not in target.path


def _never_empty(target: ResolvedField) -> bool:
    """Whether `target` is a NOT NULL column of the queried table itself (not reached through a
    reference, whose join may yield NULL). Ordering such a column needs no NULLS clause, and
    without one a plain btree index serves the order on PostgreSQL and SQLite alike."""
    if "__" in target.path or target.kind in ("string", "id"):
        return False
    try:
        model_field = target.table.model._meta.get_field(target.path)
    except FieldDoesNotExist:
        return False
    return not model_field.null


def _join_family(target: ResolvedField) -> str:
    return "id" if target.kind in ("id", "reference") else _family(target)


def _family(target: ResolvedField) -> str:
    return "string" if target.kind == "id" else target.kind


def _empty(target: ResolvedField) -> Q:
    if target.kind in ("string", "id"):
        return Q(**{f"{target.path}__isnull": True}) | Q(**{target.path: ""})
    return Q(**{f"{target.path}__isnull": True})


def _not_empty(target: ResolvedField) -> Q:
    if target.kind in ("string", "id"):
        return Q(**{f"{target.path}__isnull": False}) & ~Q(**{target.path: ""})
    return Q(**{f"{target.path}__isnull": False})


def _parse_datetime(text: str, *, end_of_day: bool = False) -> datetime:
    """`YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD` (midnight, or 23:59:59 with `end_of_day`), in UTC."""
    try:
        match = _DATETIME.fullmatch(text)
        if match:
            return datetime(*map(int, match.groups()), tzinfo=UTC)
        match = _DATE.fullmatch(text)
        if match:
            day = date(*map(int, match.groups()))
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1) - _SECOND if end_of_day else moment
    except (ValueError, OverflowError):
        pass
    raise _Invalid(f"{text[:40]!r} is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)")
