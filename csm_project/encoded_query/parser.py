"""Encoded query text -> tree (docs/encoded-queries.md). Pure Python: no Django, no database.

The tree, outermost first:

- `Query.groups`: `Group`s joined by `^NQ`; a row matches the query if it matches any group.
- `Group.clauses`: `Clause`s joined by `^`; a row matches a group if it matches every clause.
- `Clause.terms`: a term and the terms `^OR`-linked to it; a row matches a clause if it matches
  any of its terms. `a^b^ORc^d` is three clauses: `(a)`, `(b, c)`, `(d)`.
- `Query.order_by`: `OrderBy` terms in the order written (first is primary), wherever they stood.
- `Query.invalid`: every `InvalidTerm` met while parsing, with the reason. Invalid terms also stay
  in their clause, so the compiler can apply either policy for invalid terms (drop them, or
  return no rows; docs/encoded-queries.md).

The parser checks syntax only: whether a field exists or a value fits the field's type is the
compiler's business, because only the table registry knows.

Rules and pitfalls:

- `^^` is a literal `^` inside a value; it is recognised before any splitting. `a=x^^^b=y` is
  `a` = `x^` AND `b` = `y` (pairs are taken left to right).
- A segment that starts with `ORDERBY` is an order term, not an `^OR` link to a field `DERBY...`.
- An `^OR` term with no term before it in its group stands alone. ORDERBY terms do not break an
  OR chain: in `a^ORDERBYx^ORb`, `b` is ORed with `a`.
- `EQ` segments (the trailing `^EQ` the platform appends) and empty segments are ignored.
- A term is `<field><operator><value>`: the operator is the first operator keyword or symbol
  found after a non-empty run of field-name characters (`[A-Za-z0-9_.]`), taking the longest
  operator that matches there (`!=` over `!*`... `<=` over `<`, `INSTANCEOF` over `IN`). Platform
  field names are lower-case, so an upper-case keyword cannot be part of one: `nameSTARTSWITHa`
  is `name` STARTSWITH `a`.
- Values are never trimmed; `IN` lists are split on `,` without trimming.
- `javascript:` values are recognised by pattern (see `dates`); an unrecognised one makes the term
  invalid. Nothing is ever executed.
- Subqueries are terms of their own (`RelatedListQuery`, `JoinQuery`) holding a nested `Query`:
  `RLQUERY<table>.<field>,<comparison><n>[,m2m]^<conditions>^ENDRLQUERY` takes every segment up
  to its matching `ENDRLQUERY` (nesting counted); `JOIN<table>.<field>=<table>.<field>!<condition>`
  takes the condition after `!` and the segments that follow it, up to the next `^NQ`, `JOIN`,
  `RLQUERY`, `ENDRLQUERY` or `ORDERBY` segment (so pysnc's `...^JOIN...!a=1^b=2^ORDERBYsys_id` is
  a join on `a=1^b=2`, ordered by sys_id). An `RLQUERY` without its `ENDRLQUERY` swallows the
  rest as one invalid term, so its conditions never leak into the outer query as if ANDed with
  it. Subqueries nest at most `MAX_SUBQUERY_DEPTH` deep.
- `CONTAINS` and `DOES NOT CONTAIN` (what pysnc documents) are `LIKE` and `NOT LIKE`.
- `parse()` never raises on any string; malformed input yields `InvalidTerm`s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from csm_project.encoded_query import dates
from csm_project.encoded_query.dates import Helper

__all__ = [
    "MAX_SUBQUERY_DEPTH",
    "OPERATORS",
    "Clause",
    "Group",
    "InvalidTerm",
    "JoinQuery",
    "Operand",
    "OrderBy",
    "Query",
    "RelatedListQuery",
    "Term",
    "parse",
]

#: An operand is the literal text, or a recognised `javascript:` helper.
Operand = str | Helper

#: Operators (docs/encoded-queries.md), canonical spelling.
OPERATORS = (
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "STARTSWITH",
    "ENDSWITH",
    "LIKE",
    "NOT LIKE",
    "IN",
    "NOT IN",
    "ISEMPTY",
    "ISNOTEMPTY",
    "ANYTHING",
    "EMPTYSTRING",
    "BETWEEN",
    "SAMEAS",
    "NSAMEAS",
    "GT_FIELD",
    "LT_FIELD",
    "GT_OR_EQUALS_FIELD",
    "LT_OR_EQUALS_FIELD",
    "ON",
    "NOTON",
    "RELATIVEGT",
    "RELATIVELT",
    "DATEPART",
    "MORETHAN",
    "LESSTHAN",
    "DYNAMIC",
)
_SHORTHANDS = {"*": "LIKE", "!*": "NOT LIKE", "%": "ENDSWITH", "CONTAINS": "LIKE", "DOES NOT CONTAIN": "NOT LIKE"}
#: Platform operators we recognise so that they are reported by name (and so that, e.g.,
#: `INSTANCEOF` is not read as `IN` followed by the value `STANCEOF...`), but do not support.
_UNSUPPORTED_OPERATORS = (
    "INSTANCEOF",
    "VALCHANGES",
    "CHANGESFROM",
    "CHANGESTO",
    "RELATIVEGE",
    "RELATIVELE",
    "RELATIVEEE",
    "NOTLIKE",
    "NOTIN",
    "NOTEMPTY",
    "BETWEENFIELD",
)
_NO_VALUE = frozenset({"ISEMPTY", "ISNOTEMPTY", "ANYTHING", "EMPTYSTRING"})
_FIELD_OPERAND = frozenset({"SAMEAS", "NSAMEAS", "GT_FIELD", "LT_FIELD", "GT_OR_EQUALS_FIELD", "LT_OR_EQUALS_FIELD"})
#: Segment prefixes of platform constructs we do not support, with the reason reported.
_UNSUPPORTED_PREFIXES = (
    ("ENDRLQUERY", "ENDRLQUERY without RLQUERY"),
    ("123TEXTQUERY321", "text search (123TEXTQUERY321) is not supported"),
    ("IR_AND_OR_QUERY", "text search (IR_AND_OR_QUERY) is not supported"),
    ("IR_OR_QUERY", "text search (IR_OR_QUERY) is not supported"),
    ("IR_AND_QUERY", "text search (IR_AND_QUERY) is not supported"),
    ("GROUPBY", "GROUPBY is not supported"),
    ("SUBQUERY", "SUBQUERY is not supported"),
    ("GOTO", "GOTO is not supported"),
)
_UNSUPPORTED_PREFIX_SPELLINGS = tuple(prefix for prefix, _reason in _UNSUPPORTED_PREFIXES)

# Operator spellings (canonical, shorthand, unsupported) indexed by first character, longest
# first, so scanning a term costs one dict lookup per character.
_BY_FIRST_CHAR: dict[str, list[str]] = {}
for _spelling in (*OPERATORS, *_SHORTHANDS, *_UNSUPPORTED_OPERATORS):
    _BY_FIRST_CHAR.setdefault(_spelling[0], []).append(_spelling)
for _spellings in _BY_FIRST_CHAR.values():
    _spellings.sort(key=len, reverse=True)
del _spelling, _spellings

_FIELD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
_LOWER_FIELD_RUN = re.compile(r"[a-z0-9_.]*")
_FIELD_NAME = re.compile(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")
_COUNT = re.compile(r"\d{1,6}")
_RELATIVE_UNITS = {**{unit: unit for unit in dates.UNITS}, "dayofweek": "day"}
_DATE_PART = re.compile(
    r"javascript:gs\.datePart\(\s*(?P<q1>['\"])(?P<part>\w+)(?P=q1)\s*,"
    r"\s*(?P<q2>['\"])(?P<value>\w+)(?P=q2)\s*,"
    r"\s*(?P<q3>['\"])(?P<cmp>\w+)(?P=q3)\s*\)\s*;?"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_DATE_PART_RANGES = {"quarter": (1, 4), "dayofmonth": (1, 31), "hour": (0, 23), "week": (1, 53), "year": (1, 9999)}
_DATE_PART_COMPARISONS = {"EE": "=", "GT": ">", "GE": ">=", "LT": "<", "LE": "<=", "LTE": "<="}


@dataclass(frozen=True)
class Term:
    """One condition `<field><operator><value>`.

    `operator` is canonical (`*` becomes `LIKE`). `value` is the text after the operator with
    `^^` unescaped. `operands` is the value taken apart for the operator:

    - `IN`/`NOT IN`: the comma-separated items (one `Helper` for a `javascript:` value);
    - `BETWEEN`: (low, high); `ON`/`NOTON`: (start, end), the label dropped;
    - `RELATIVEGT`/`RELATIVELT`: (unit, `"ago"`/`"ahead"`, n as text), unit one of `dates.UNITS`;
    - `MORETHAN`/`LESSTHAN`: (other field, unit, `"before"`/`"after"`, n as text);
    - `DATEPART`: (part, number as text, comparison symbol), e.g. (`"dayofweek"`, `"1"`, `"="`);
      days of the week are ISO numbers (Monday 1), months 1-12;
    - `ISEMPTY`, `ISNOTEMPTY`, `ANYTHING`, `EMPTYSTRING`: () (any value written is ignored);
    - every other operator: (value,).

    Any operand may be a `dates.Helper` for a `javascript:` value.
    """

    field: str
    operator: str
    value: str
    operands: tuple[Operand, ...]
    text: str


@dataclass(frozen=True)
class InvalidTerm:
    """A segment that cannot be used as a condition, and why (docs/encoded-queries.md)."""

    text: str
    reason: str


@dataclass(frozen=True)
class OrderBy:
    """An `ORDERBY<field>` (ascending) or `ORDERBYDESC<field>` term."""

    field: str
    descending: bool = False


#: How deep subqueries (`RLQUERY`, `JOIN`) may nest inside one another.
MAX_SUBQUERY_DEPTH = 3

_RELATED_LIST = re.compile(
    r"RLQUERY(?P<table>[A-Za-z0-9_]+)\.(?P<field>[A-Za-z0-9_]+),(?P<cmp>!=|>=|<=|=|>|<)(?P<count>\d{1,6})(?P<m2m>,m2m)?"
)
_JOIN = re.compile(
    r"JOIN(?P<table>[A-Za-z0-9_]+)\.(?P<field>[A-Za-z0-9_]+)=(?P<join_table>[A-Za-z0-9_]+)\.(?P<join_field>[A-Za-z0-9_]+)!(?P<rest>.*)",
    re.DOTALL,
)
#: Segments that end a JOIN's conditions.
_JOIN_ENDS = ("JOIN", "RLQUERY", "ENDRLQUERY", "ORDERBY")


@dataclass(frozen=True)
class Clause:
    """Terms ORed together: a term and the `^OR` terms that follow it."""

    terms: tuple[Term | InvalidTerm | RelatedListQuery | JoinQuery, ...]


@dataclass(frozen=True)
class Group:
    """Clauses ANDed together: one `^NQ`-separated part of the query."""

    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Query:
    """A parsed encoded query; see the module docstring for its meaning."""

    groups: tuple[Group, ...] = ()
    order_by: tuple[OrderBy, ...] = ()
    invalid: tuple[InvalidTerm, ...] = field(default=())

    def terms(self) -> list[Term | InvalidTerm | RelatedListQuery | JoinQuery]:
        """Every term of every group, in the order written (a subquery is one term)."""
        return [term for group in self.groups for clause in group.clauses for term in clause.terms]

    def all_terms(self) -> list[Term | InvalidTerm | RelatedListQuery | JoinQuery]:
        """Every term, the terms inside subqueries included (what size limits count)."""
        found: list = []
        for term in self.terms():
            found.append(term)
            if isinstance(term, (RelatedListQuery, JoinQuery)):
                found.extend(term.query.all_terms())
        return found


@dataclass(frozen=True)
class RelatedListQuery:
    """`RLQUERY<table>.<field>,<comparison><count>[,m2m]^<query>^ENDRLQUERY`: rows of the queried
    table that `count` rows of `table` (compared with `comparison`: `=`, `!=`, `>`, `>=`, `<`,
    `<=`) refer to through their reference `field` and match `query`. `many_to_many` (`,m2m`) is
    accepted; dot-walks in `query` work either way."""

    table: str
    field: str
    comparison: str
    count: int
    many_to_many: bool
    query: Query
    text: str


@dataclass(frozen=True)
class JoinQuery:
    """`JOIN<table>.<field>=<join_table>.<join_field>!<query>`: rows of the queried table
    (`table`) whose `field` equals `join_field` of some row of `join_table` matching `query`."""

    table: str
    field: str
    join_table: str
    join_field: str
    query: Query
    text: str


def parse(text: str) -> Query:
    """Parse an encoded query. Never raises; malformed segments become `InvalidTerm`s."""
    if not isinstance(text, str):
        return Query(invalid=(InvalidTerm(repr(text), "query is not text"),))
    return _parse_pieces(_split(text), depth=0)


def _parse_pieces(pieces: list[tuple[str, str]], *, depth: int) -> Query:
    groups: list[list[list]] = []
    current: list[list] = []
    order_by: list[OrderBy] = []
    invalid: list[InvalidTerm] = []
    index = 0
    while index < len(pieces):
        connector, segment = pieces[index]
        index += 1
        if connector == "NQ" and current:
            groups.append(current)
            current = []
        if segment in ("", "EQ"):
            continue
        if segment.startswith("ORDERBY"):
            parsed = _order_by(segment)
            if isinstance(parsed, OrderBy):
                order_by.append(parsed)
                continue
            invalid.append(parsed)
            current.append([parsed])
            continue
        if segment.startswith("RLQUERY"):
            end = _related_list_end(pieces, index)
            if end is None:
                rest = "^".join(piece for _connector, piece in pieces[index - 1 :])
                term = InvalidTerm(rest, "RLQUERY without ENDRLQUERY")
                index = len(pieces)
            else:
                term = _related_list(segment, pieces[index:end], depth=depth)
                index = end + 1
        elif segment.startswith("JOIN"):
            end = index
            while end < len(pieces) and pieces[end][0] != "NQ" and not pieces[end][1].startswith(_JOIN_ENDS):
                end += 1
            term = _join(segment, pieces[index:end], depth=depth)
            index = end
        else:
            term = _term(segment)
        if isinstance(term, InvalidTerm):
            invalid.append(term)
        if connector == "OR" and current:
            current[-1].append(term)
        else:
            current.append([term])
    if current:
        groups.append(current)
    return Query(
        groups=tuple(Group(tuple(Clause(tuple(terms)) for terms in group)) for group in groups),
        order_by=tuple(order_by),
        invalid=tuple(invalid),
    )


def _split(text: str) -> list[tuple[str, str]]:
    """Split on `^` into (connector, segment) pairs; connector is `AND`, `OR` or `NQ`.

    `^^` is unescaped to `^` here, before anything looks at a segment's prefix, so `^^OR` in a
    value is text, never a link.
    """
    pieces: list[tuple[str, str]] = []
    connector = "AND"
    buffer: list[str] = []
    position = 0
    length = len(text)
    while True:
        caret = text.find("^", position)
        if caret == -1:
            buffer.append(text[position:])
            break
        if caret + 1 < length and text[caret + 1] == "^":
            buffer.append(text[position : caret + 1])
            position = caret + 2
            continue
        buffer.append(text[position:caret])
        pieces.append((connector, "".join(buffer)))
        buffer = []
        if text.startswith("NQ", caret + 1):
            connector, position = "NQ", caret + 3
        elif text.startswith("OR", caret + 1) and not text.startswith("ORDERBY", caret + 1):
            connector, position = "OR", caret + 3
        else:
            connector, position = "AND", caret + 1
    pieces.append((connector, "".join(buffer)))
    return pieces


def _related_list_end(pieces: list[tuple[str, str]], start: int) -> int | None:
    """The index of the `ENDRLQUERY` closing the `RLQUERY` just before `start` (nesting counted)."""
    depth = 1
    for index in range(start, len(pieces)):
        segment = pieces[index][1]
        if segment.startswith("RLQUERY"):
            depth += 1
        elif segment == "ENDRLQUERY":
            depth -= 1
            if depth == 0:
                return index
    return None


def _pieces_text(head: str, pieces: list[tuple[str, str]]) -> str:
    links = {"AND": "^", "OR": "^OR", "NQ": "^NQ"}
    return head + "".join(links[connector] + segment.replace("^", "^^") for connector, segment in pieces)


def _related_list(header: str, inner: list[tuple[str, str]], *, depth: int) -> RelatedListQuery | InvalidTerm:
    text = _pieces_text(header, inner) + "^ENDRLQUERY"
    if depth >= MAX_SUBQUERY_DEPTH:
        return InvalidTerm(text, f"subqueries nest at most {MAX_SUBQUERY_DEPTH} deep")
    match = _RELATED_LIST.fullmatch(header)
    if not match:
        return InvalidTerm(text, "RLQUERY needs <table>.<field>,<comparison><count>[,m2m]")
    return RelatedListQuery(
        table=match["table"],
        field=match["field"],
        comparison=match["cmp"],
        count=int(match["count"]),
        many_to_many=bool(match["m2m"]),
        query=_parse_pieces(inner, depth=depth + 1),
        text=text,
    )


def _join(segment: str, following: list[tuple[str, str]], *, depth: int) -> JoinQuery | InvalidTerm:
    text = _pieces_text(segment, following)
    if depth >= MAX_SUBQUERY_DEPTH:
        return InvalidTerm(text, f"subqueries nest at most {MAX_SUBQUERY_DEPTH} deep")
    match = _JOIN.fullmatch(segment)
    if not match:
        return InvalidTerm(text, "JOIN needs <table>.<field>=<table>.<field>!<conditions>")
    return JoinQuery(
        table=match["table"],
        field=match["field"],
        join_table=match["join_table"],
        join_field=match["join_field"],
        query=_parse_pieces([("AND", match["rest"]), *following], depth=depth + 1),
        text=text,
    )


def _order_by(segment: str) -> OrderBy | InvalidTerm:
    descending = segment.startswith("ORDERBYDESC")
    name = segment[len("ORDERBYDESC") :] if descending else segment[len("ORDERBY") :]
    if not _FIELD_NAME.fullmatch(name):
        return InvalidTerm(segment, "ORDERBY needs a field name")
    return OrderBy(name, descending)


def _term(segment: str) -> Term | InvalidTerm:
    if segment.startswith(_UNSUPPORTED_PREFIX_SPELLINGS):
        for prefix, reason in _UNSUPPORTED_PREFIXES:
            if segment.startswith(prefix):
                return InvalidTerm(segment, reason)
    found = _find_operator(segment)
    if isinstance(found, InvalidTerm):
        return found
    name, spelling, value = found
    if spelling in _UNSUPPORTED_OPERATORS:
        return InvalidTerm(segment, f"operator {spelling} is not supported")
    if not _FIELD_NAME.fullmatch(name):
        return InvalidTerm(segment, f"malformed field name {name!r}")
    operator = _SHORTHANDS.get(spelling, spelling)
    operands = _operands(operator, value)
    if isinstance(operands, str):
        return InvalidTerm(segment, operands)
    return Term(field=name, operator=operator, value=value, operands=operands, text=segment)


def _find_operator(segment: str) -> tuple[str, str, str] | InvalidTerm:
    """Split a segment into (field, operator spelling, value) at the first operator."""
    index, length = 0, len(segment)
    while index < length:
        # Lower-case field characters cannot start an operator: skip them in one step.
        index = _LOWER_FIELD_RUN.match(segment, index).end()
        if index == length:
            break
        char = segment[index]
        for spelling in _BY_FIRST_CHAR.get(char, ()):
            if segment.startswith(spelling, index):
                if index == 0:
                    return InvalidTerm(segment, "missing field name")
                return segment[:index], spelling, segment[index + len(spelling) :]
        if char not in _FIELD_CHARS:
            return InvalidTerm(segment, f"unknown operator at {segment[index : index + 20]!r}")
        index += 1
    return InvalidTerm(segment, "missing operator")


def _operands(operator: str, value: str) -> tuple[Operand, ...] | str:
    """Take `value` apart for `operator`; a string result is the reason the term is invalid."""
    if operator in _NO_VALUE:
        return ()
    if operator in ("IN", "NOT IN"):
        items = [value] if value.startswith("javascript:") else value.split(",")
        return _scripts(items)
    if operator == "BETWEEN":
        bounds = value.split("@")
        if len(bounds) != 2:
            return "BETWEEN needs two bounds separated by @"
        return _scripts(bounds)
    if operator in ("ON", "NOTON"):
        parts = value.split("@")
        if len(parts) != 3:
            return f"{operator} needs label@start@end"
        return _scripts(parts[1:])
    if operator in ("RELATIVEGT", "RELATIVELT"):
        parts = value.split("@")
        if len(parts) != 4 or parts[0] != "":
            return f"{operator} needs @unit@ago|ahead@count"
        unit, direction, count = parts[1:]
        if unit not in _RELATIVE_UNITS or direction not in ("ago", "ahead") or not _COUNT.fullmatch(count):
            return f"{operator} needs @unit@ago|ahead@count"
        return (_RELATIVE_UNITS[unit], direction, count)
    if operator in ("MORETHAN", "LESSTHAN"):
        parts = value.split("@")
        if len(parts) != 4:
            return f"{operator} needs field@unit@before|after@count"
        other, unit, direction, count = parts
        if (
            not _FIELD_NAME.fullmatch(other)
            or unit not in _RELATIVE_UNITS
            or direction not in ("before", "after")
            or not _COUNT.fullmatch(count)
        ):
            return f"{operator} needs field@unit@before|after@count"
        return (other, _RELATIVE_UNITS[unit], direction, count)
    if operator == "DATEPART":
        return _date_part(value)
    if operator in _FIELD_OPERAND:
        if not _FIELD_NAME.fullmatch(value):
            return f"{operator} needs a field name"
        return (value,)
    return _scripts([value])


def _scripts(items: list[str]) -> tuple[Operand, ...] | str:
    """Replace `javascript:` items by their `Helper`; a string result is an error."""
    operands: list[Operand] = []
    for item in items:
        if item.startswith("javascript:"):
            helper = dates.recognise(item)
            if helper is None:
                return f"unsupported javascript value {item[:60]!r}"
            operands.append(helper)
        else:
            operands.append(item)
    return tuple(operands)


def _date_part(value: str) -> tuple[str, str, str] | str:
    """`<label>@javascript:gs.datePart('<part>','<value>','<EE|GT|GE|LT|LE>')`."""
    error = "DATEPART needs label@javascript:gs.datePart('part','value','EE|GT|GE|LT|LE')"
    _label, _at, script = value.partition("@")
    match = _DATE_PART.fullmatch(script)
    if not match:
        return error
    part, raw, comparison = match.group("part"), match.group("value").lower(), match.group("cmp")
    if comparison not in _DATE_PART_COMPARISONS:
        return error
    if part == "dayofweek" and raw in _WEEKDAYS:
        number = _WEEKDAYS.index(raw) + 1
    elif part == "month" and raw in _MONTHS:
        number = _MONTHS.index(raw) + 1
    elif part in _DATE_PART_RANGES and raw.isdigit() and len(raw) <= 4:
        number = int(raw)
        low, high = _DATE_PART_RANGES[part]
        if not low <= number <= high:
            return f"DATEPART {part} value out of range"
    elif part in ("dayofweek", "month") and raw.isdigit() and len(raw) <= 2:
        number = int(raw)
        if not 1 <= number <= (7 if part == "dayofweek" else 12):
            return f"DATEPART {part} value out of range"
    else:
        return error
    return (part, str(number), _DATE_PART_COMPARISONS[comparison])
