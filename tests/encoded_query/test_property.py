"""Property: for random records and random well-formed queries, the database returns exactly the
rows (in exactly the order) that a small, independent in-Python evaluation of the parsed tree selects.

The evaluator below implements docs/encoded-queries.md directly on Python values (lower-case
comparison, empty = NULL or "", whole-second date-times, empty values first when sorting, a
sys_id tiebreak). It shares nothing with the compiler but the parser's tree and, for the few
`javascript:` helpers used, `dates.resolve` (whose arithmetic `test_dates.py` pins down).
Runs on whichever database the suite runs on: SQLite locally, PostgreSQL in CI.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csm_project.encoded_query import dates
from csm_project.encoded_query.compiler import compile_query
from csm_project.encoded_query.parser import Query, Term, parse
from csm_project.registry import get_table
from tests.eqtestapp.models import EqAccount, EqRecord

NOW = datetime(2026, 1, 10, 12, 0, 0, tzinfo=UTC)
ACCOUNTS = {"a" * 32: "Alpha", "b" * 32: "beta", "c" * 32: None}

KINDS = {
    "name": "string",
    "description": "string",
    "state": "string",
    "account.name": "string",
    "count": "number",
    "amount": "number",
    "active": "boolean",
    "opened_at": "datetime",
    "closed_at": "datetime",
    "due": "date",
    "account": "reference",
}

# --- data -------------------------------------------------------------------------------------

TEXT = st.text(alphabet="aAbB_%\\ ^", max_size=3)
DATETIMES = st.builds(
    lambda day, hour, minute, second, micro: datetime(2026, 1, day, hour, minute, second, micro, tzinfo=UTC),
    st.integers(8, 12),
    st.sampled_from([0, 10, 23]),
    st.sampled_from([0, 59]),
    st.sampled_from([0, 1, 59]),
    st.sampled_from([0, 0, 500000]),
)
DATES = st.builds(lambda day: date(2026, 1, day), st.integers(8, 12))

ROW = st.fixed_dictionaries(
    {
        "name": st.none() | TEXT,
        "description": st.none() | TEXT,
        "state": st.none() | st.sampled_from(["open", "Closed", "new"]),
        "count": st.none() | st.integers(-3, 12),
        "amount": st.none() | st.decimals(min_value=-10, max_value=10, places=2, allow_nan=False),
        "active": st.booleans(),
        "opened_at": st.none() | DATETIMES,
        "closed_at": st.none() | DATETIMES,
        "due": st.none() | DATES,
        "account_id": st.none() | st.sampled_from(sorted(ACCOUNTS)),
    }
)

# --- queries ----------------------------------------------------------------------------------


def escape(value: str) -> str:
    return value.replace("^", "^^")


def dt_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


QUERY_TEXT = st.text(alphabet="aAbB_%\\ ^", min_size=1, max_size=3)
QUERY_DATETIME = DATETIMES.map(dt_text) | DATES.map(lambda day: day.isoformat())
HELPERS = st.sampled_from(
    [
        "javascript:gs.beginningOfToday()",
        "javascript:gs.endOfYesterday()",
        "javascript:gs.daysAgo(1)",
        "javascript:gs.hoursAgoStart(2)",
        "javascript:gs.dateGenerate('2026-01-09','end')",
    ]
)
STRING_FIELDS = st.sampled_from(["name", "description", "state", "account.name"])


def string_terms():
    value = QUERY_TEXT.map(escape) | st.sampled_from(["", "NULL", "open", "OPEN", "alpha"])
    items = st.lists(st.text(alphabet="aAbB_% ", max_size=2) | st.just("open"), min_size=1, max_size=3)
    return st.one_of(
        st.tuples(STRING_FIELDS, st.sampled_from(["=", "!="]), value),
        st.tuples(
            STRING_FIELDS,
            st.sampled_from(["STARTSWITH", "ENDSWITH", "LIKE", "NOT LIKE", "*", "!*", "<", "<=", ">", ">="]),
            QUERY_TEXT.map(escape),
        ),
        st.tuples(STRING_FIELDS, st.sampled_from(["IN", "NOT IN"]), items.map(",".join)),
        st.tuples(STRING_FIELDS, st.sampled_from(["ISEMPTY", "ISNOTEMPTY", "ANYTHING", "EMPTYSTRING"]), st.just("")),
        st.tuples(STRING_FIELDS, st.just("BETWEEN"), st.tuples(QUERY_TEXT, QUERY_TEXT).map("@".join).map(escape)),
        st.tuples(st.sampled_from(["name", "description"]), st.sampled_from(["SAMEAS", "NSAMEAS"]), STRING_FIELDS),
    ).map("".join)


def number_terms():
    integer = st.integers(-4, 13).map(str)
    decimal = integer | st.sampled_from(["2.5", "-1.25", "10.50", "0.0"])
    symbols = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])
    return st.one_of(
        st.tuples(st.just("count"), symbols, integer),
        st.tuples(st.just("amount"), symbols, decimal),
        st.tuples(
            st.just("count"), st.sampled_from(["IN", "NOT IN"]), st.lists(integer, min_size=1, max_size=3).map(",".join)
        ),
        st.tuples(st.just("count"), st.just("BETWEEN"), st.tuples(integer, integer).map("@".join)),
        st.tuples(st.just("amount"), st.just("BETWEEN"), st.tuples(decimal, decimal).map("@".join)),
        st.tuples(st.sampled_from(["count", "amount"]), st.sampled_from(["ISEMPTY", "ISNOTEMPTY"]), st.just("")),
        st.tuples(st.sampled_from(["count", "amount"]), st.sampled_from(["=", "!="]), st.sampled_from(["", "NULL"])),
    ).map("".join)


def boolean_terms():
    return st.tuples(
        st.just("active"), st.sampled_from(["=", "!="]), st.sampled_from(["true", "false", "TRUE", "False"])
    ).map("".join)


def datetime_terms():
    field = st.sampled_from(["opened_at", "closed_at"])
    moment = QUERY_DATETIME | HELPERS
    return st.one_of(
        st.tuples(field, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), moment),
        st.tuples(field, st.just("BETWEEN"), st.tuples(moment, moment).map("@".join)),
        st.tuples(
            field,
            st.sampled_from(["ON", "NOTON"]),
            st.tuples(st.just("x"), DATES.map(date.isoformat) | HELPERS, DATES.map(date.isoformat) | HELPERS).map(
                "@".join
            ),
        ),
        st.tuples(
            field,
            st.sampled_from(["RELATIVEGT", "RELATIVELT"]),
            st.tuples(
                st.just(""),
                st.sampled_from(["minute", "hour", "day", "week"]),
                st.sampled_from(["ago", "ahead"]),
                st.integers(0, 60).map(str),
            ).map("@".join),
        ),
        st.tuples(
            field,
            st.just("DATEPART"),
            st.sampled_from(
                [
                    "Monday@javascript:gs.datePart('dayofweek','monday','EE')",
                    "x@javascript:gs.datePart('dayofweek','friday','GE')",
                    "x@javascript:gs.datePart('hour','10','LT')",
                    "x@javascript:gs.datePart('dayofmonth','10','EE')",
                ]
            ),
        ),
        st.tuples(
            field,
            st.sampled_from(["MORETHAN", "LESSTHAN"]),
            st.tuples(
                st.sampled_from(["opened_at", "closed_at"]),
                st.sampled_from(["hour", "day"]),
                st.sampled_from(["before", "after"]),
                st.integers(0, 30).map(str),
            ).map("@".join),
        ),
        st.tuples(
            field,
            st.sampled_from(["SAMEAS", "NSAMEAS", "GT_FIELD", "LT_FIELD", "GT_OR_EQUALS_FIELD", "LT_OR_EQUALS_FIELD"]),
            st.sampled_from(["opened_at", "closed_at"]),
        ),
        st.tuples(field, st.sampled_from(["ISEMPTY", "ISNOTEMPTY"]), st.just("")),
    ).map("".join)


def date_terms():
    day = DATES.map(date.isoformat)
    return st.one_of(
        st.tuples(st.just("due"), st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), day),
        st.tuples(st.just("due"), st.just("ON"), st.tuples(st.just("x"), day, day).map("@".join)),
        st.tuples(st.just("due"), st.sampled_from(["ISEMPTY", "ISNOTEMPTY"]), st.just("")),
    ).map("".join)


def reference_terms():
    ids = st.sampled_from([*sorted(ACCOUNTS), "d" * 32, ("a" * 32).upper()])
    return st.one_of(
        st.tuples(st.just("account"), st.sampled_from(["=", "!="]), ids | st.just("")),
        st.tuples(
            st.just("account"), st.sampled_from(["IN", "NOT IN"]), st.lists(ids, min_size=1, max_size=2).map(",".join)
        ),
        st.tuples(st.just("account"), st.sampled_from(["ISEMPTY", "ISNOTEMPTY"]), st.just("")),
        st.tuples(
            st.just("account"), st.sampled_from(["STARTSWITH", "LIKE", "NOT LIKE"]), st.sampled_from(["al", "B", "x"])
        ),
    ).map("".join)


INVALID_TERMS = st.sampled_from(["bogus=1", "nameVALCHANGES", "count=abc", "RLQUERYx,>1^name=a^ENDRLQUERY"])
VALID_TERMS = st.one_of(
    string_terms(), number_terms(), boolean_terms(), datetime_terms(), date_terms(), reference_terms()
)
# About one term in twelve is invalid, so most queries are fully valid and some test dropping.
TERMS = st.one_of(*[VALID_TERMS] * 11, INVALID_TERMS)
ORDER_TERMS = st.tuples(
    st.sampled_from(["ORDERBY", "ORDERBYDESC"]),
    st.sampled_from(["name", "state", "count", "amount", "active", "opened_at", "due", "account", "account.name"]),
).map("".join)


@st.composite
def queries(draw) -> str:
    groups = draw(
        st.lists(
            st.lists(st.lists(TERMS, min_size=1, max_size=3).map("^OR".join), min_size=1, max_size=3).map("^".join),
            min_size=0,
            max_size=2,
        )
    )
    text = "^NQ".join(groups)
    orders = draw(st.lists(ORDER_TERMS, max_size=2))
    return "^".join(part for part in [text, *orders] if part)


# --- the independent evaluator ----------------------------------------------------------------


@dataclass
class Row:
    sys_id: str
    values: dict


def field_value(row: Row, name: str):
    if name == "account.name":
        account = row.values["account_id"]
        return ACCOUNTS[account] if account else None
    if name == "account":
        return row.values["account_id"]
    return row.values[name]


def is_empty(value) -> bool:
    return value is None or value == ""


def truncated(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def as_moment(operand, *, end_of_day: bool = False) -> datetime:
    if isinstance(operand, dates.Helper):
        return dates.resolve(operand, now=NOW, user_sys_id=None)
    if len(operand) == 10:
        day = datetime.fromisoformat(operand).replace(tzinfo=UTC)
        return day + timedelta(days=1, seconds=-1) if end_of_day else day
    return datetime.fromisoformat(operand).replace(tzinfo=UTC)


def convert(kind: str, operand):
    if kind == "string":
        return operand.lower()
    if kind == "number":
        return Decimal(operand)
    if kind == "boolean":
        return operand.lower() == "true"
    if kind == "datetime":
        return as_moment(operand)
    if kind == "date":
        return date.fromisoformat(operand)
    return operand.lower()


def comparable(kind: str, value):
    if kind == "string":
        return value.lower()
    if kind == "datetime":
        return truncated(value)
    return value


def equals(kind: str, value, operand) -> bool:
    if operand in ("", "NULL"):
        return is_empty(value)
    return not is_empty(value) and comparable(kind, value) == convert(kind, operand)


def compare(kind: str, value, symbol: str, operand) -> bool:
    if value is None:
        return False
    left, right = comparable(kind, value), convert(kind, operand)
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[symbol]


def shifted(unit: str, amount: int) -> datetime:
    return NOW + timedelta(**{unit + "s": amount})


def evaluate_term(term: Term, row: Row) -> bool:
    kind = KINDS[term.field]
    value = field_value(row, term.field)
    op, operands = term.operator, term.operands
    if op == "ANYTHING":
        return True
    if op == "ISEMPTY":
        return is_empty(value)
    if op == "ISNOTEMPTY":
        return not is_empty(value)
    if op == "EMPTYSTRING":
        return value == ""
    if op == "=":
        return equals(kind, value, operands[0])
    if op == "!=":
        if operands[0] in ("", "NULL"):
            return not is_empty(value)
        return not is_empty(value) and not equals(kind, value, operands[0])
    if op == "IN":
        return any(equals(kind, value, item) for item in operands)
    if op == "NOT IN":
        return not is_empty(value) and not any(equals(kind, value, item) for item in operands if item != "")
    if op in ("<", "<=", ">", ">="):
        return compare(kind, value, op, operands[0])
    if op == "BETWEEN":
        return compare(kind, value, ">=", operands[0]) and compare(kind, value, "<=", operands[1])
    if op in ("STARTSWITH", "ENDSWITH", "LIKE", "NOT LIKE"):
        if kind == "reference":
            value = ACCOUNTS[value] if value else None
        if op == "NOT LIKE":
            return not is_empty(value) and operands[0].lower() not in value.lower()
        if value is None:
            return False
        method = {"STARTSWITH": str.startswith, "ENDSWITH": str.endswith, "LIKE": str.__contains__}[op]
        return method(value.lower(), operands[0].lower())
    if op in ("ON", "NOTON"):
        if kind == "date":
            start, end = as_moment(operands[0]).date(), as_moment(operands[1]).date()
            inside = value is not None and start <= value <= end
        else:
            start, end = as_moment(operands[0]), as_moment(operands[1], end_of_day=True)
            inside = value is not None and start <= truncated(value) <= end
        return inside if op == "ON" else value is not None and not inside
    if op in ("RELATIVEGT", "RELATIVELT"):
        unit, direction, count = operands
        moment = shifted(unit, int(count) * (-1 if direction == "ago" else 1))
        if value is None:
            return False
        return truncated(value) > moment if op == "RELATIVEGT" else truncated(value) < moment
    if op == "DATEPART":
        part, number, symbol = operands
        if value is None:
            return False
        actual = {"dayofweek": value.isoweekday(), "hour": value.hour, "dayofmonth": value.day}[part]
        return {"=": actual == int(number), ">=": actual >= int(number), "<": actual < int(number)}[symbol]
    if op in ("MORETHAN", "LESSTHAN"):
        other_name, unit, direction, count = operands
        other = field_value(row, other_name)
        if value is None or other is None:
            return False
        delta = timedelta(**{unit + "s": int(count)})
        if direction == "after":
            return value > other + delta if op == "MORETHAN" else value < other + delta
        return value < other - delta if op == "MORETHAN" else value > other - delta
    # field against field
    other = field_value(row, operands[0])
    if value is None or other is None:
        return False
    left, right = (value.lower(), other.lower()) if kind == "string" else (value, other)
    if op == "NSAMEAS":
        return not is_empty(value) and not is_empty(other) and left != right
    return {
        "SAMEAS": left == right,
        "GT_FIELD": left > right,
        "LT_FIELD": left < right,
        "GT_OR_EQUALS_FIELD": left >= right,
        "LT_OR_EQUALS_FIELD": left <= right,
    }[op]


def is_valid(term) -> bool:
    """Independent of the compiler: the invalid terms this test generates are known by name."""
    return isinstance(term, Term) and term.field in KINDS and not (term.field == "count" and term.value == "abc")


def selects(query: Query, row: Row) -> bool:
    groups = []
    for group in query.groups:
        clauses = [[term for term in clause.terms if is_valid(term)] for clause in group.clauses]
        clauses = [clause for clause in clauses if clause]
        if clauses:
            groups.append(all(any(evaluate_term(term, row) for term in clause) for clause in clauses))
    return not groups or any(groups)


def sort_key_value(row: Row, name: str):
    if name == "account":
        name = "account.name"
    value = field_value(row, name)
    return value.lower() if isinstance(value, str) else value


def ordered(query: Query, rows: list[Row]) -> list[Row]:
    def compare_rows(first: Row, second: Row) -> int:
        for order in query.order_by:
            left, right = sort_key_value(first, order.field), sort_key_value(second, order.field)
            if left == right:
                continue
            if left is None or right is None:
                result = -1 if left is None else 1
            else:
                result = -1 if left < right else 1
            return -result if order.descending else result
        return -1 if first.sys_id < second.sys_id else 1

    return sorted(rows, key=functools.cmp_to_key(compare_rows))


# --- the property -----------------------------------------------------------------------------


@pytest.fixture
def accounts(db):
    for sys_id, name in ACCOUNTS.items():
        EqAccount.objects.create(sys_id=sys_id, name=name)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rows=st.lists(ROW, max_size=8), texts=st.lists(queries(), min_size=1, max_size=4))
def test_database_and_independent_evaluator_select_the_same_rows_in_the_same_order(accounts, rows, texts):
    EqRecord.objects.all().delete()
    records = [Row(sys_id=f"{index:032x}", values=values) for index, values in enumerate(rows)]
    EqRecord.objects.bulk_create(EqRecord(sys_id=record.sys_id, **record.values) for record in records)
    table = get_table("eq_test_record")
    for text in texts:
        query = parse(text)
        compiled = compile_query(table, query, now=NOW)
        from_database = list(
            EqRecord.objects.filter(compiled.q).order_by(*compiled.order_by).values_list("sys_id", flat=True)
        )
        expected = [record.sys_id for record in ordered(query, [r for r in records if selects(query, r)])]
        if query.order_by:
            assert from_database == expected, text
        else:
            assert sorted(from_database) == sorted(expected), text
        any_invalid = any(not is_valid(term) for term in query.terms())
        # What the returns-no-rows property acts on (tests/encoded_query/test_filter_backend.py).
        assert bool(compiled.invalid) == any_invalid, (text, compiled.invalid)


def test_evaluator_is_not_trivial():
    """Guards the property against a vacuous evaluator: it tells rows apart."""
    query = parse("name=ab^ORcount>3")
    matching = Row("1", {"name": "AB", "count": None})
    other = Row("2", {"name": "abc", "count": 3})
    assert selects(query, matching) and not selects(query, other)


# --- subqueries: the same evaluator, one level down ---------------------------------------------

COMPARISONS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


@st.composite
def inner_queries(draw) -> str:
    """Conditions for inside a subquery: a query without ORDERBY (it sorts nothing there)."""
    groups = draw(
        st.lists(
            st.lists(st.lists(TERMS, min_size=1, max_size=2).map("^OR".join), min_size=1, max_size=2).map("^".join),
            max_size=2,
        )
    )
    return "^NQ".join(groups)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    rows=st.lists(ROW, max_size=8),
    inner=inner_queries(),
    comparison=st.sampled_from(sorted(COMPARISONS)),
    count=st.integers(0, 3),
)
def test_related_list_and_join_queries_count_what_the_evaluator_counts(accounts, rows, inner, comparison, count):
    EqRecord.objects.all().delete()
    records = [Row(sys_id=f"{index:032x}", values=values) for index, values in enumerate(rows)]
    EqRecord.objects.bulk_create(EqRecord(sys_id=record.sys_id, **record.values) for record in records)
    table = get_table("eq_test_account")
    inner_query = parse(inner)
    matched = [record for record in records if selects(inner_query, record)]

    text = f"RLQUERYeq_test_record.account,{comparison}{count}" + (f"^{inner}" if inner else "") + "^ENDRLQUERY"
    compiled = compile_query(table, parse(text), now=NOW)
    expected = {
        account
        for account in ACCOUNTS
        if COMPARISONS[comparison](sum(1 for r in matched if r.values["account_id"] == account), count)
    }
    assert set(EqAccount.objects.filter(compiled.q).values_list("sys_id", flat=True)) == expected, text
    any_invalid = any(not is_valid(term) for term in inner_query.terms())
    assert bool(compiled.invalid) == any_invalid, (text, compiled.invalid)

    if "^NQ" not in inner and "RLQUERY" not in inner:  # a join's conditions end at ^NQ and RLQUERY
        joined = compile_query(table, parse(f"JOINeq_test_account.sys_id=eq_test_record.account!{inner}"), now=NOW)
        expected = {r.values["account_id"] for r in matched if r.values["account_id"]}
        assert set(EqAccount.objects.filter(joined.q).values_list("sys_id", flat=True)) == expected, inner
