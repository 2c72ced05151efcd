"""The encoded query parser (docs/encoded-queries.md): text -> tree, no database."""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csm_project.encoded_query.dates import Helper
from csm_project.encoded_query.parser import (
    MAX_SUBQUERY_DEPTH,
    OPERATORS,
    InvalidTerm,
    JoinQuery,
    OrderBy,
    Query,
    RelatedListQuery,
    Term,
    parse,
)


def shape(query: Query) -> list[list[list[str]]]:
    """Groups -> clauses -> term texts, the structure a query means."""
    return [[[term.text for term in clause.terms] for clause in group.clauses] for group in query.groups]


def only_term(text: str) -> Term:
    query = parse(text)
    assert query.invalid == ()
    [term] = query.terms()
    assert isinstance(term, Term)
    return term


# --- every operator (docs/encoded-queries.md) -------------------------------------------------------------------

OPERATOR_CASES = [
    ("name=Acme", "name", "=", ("Acme",)),
    ("name!=Acme", "name", "!=", ("Acme",)),
    ("lead_score<5", "lead_score", "<", ("5",)),
    ("lead_score<=5", "lead_score", "<=", ("5",)),
    ("lead_score>5", "lead_score", ">", ("5",)),
    ("lead_score>=5", "lead_score", ">=", ("5",)),
    ("nameSTARTSWITHAc", "name", "STARTSWITH", ("Ac",)),
    ("nameENDSWITHme", "name", "ENDSWITH", ("me",)),
    ("nameLIKEcm", "name", "LIKE", ("cm",)),
    ("nameNOT LIKEcm", "name", "NOT LIKE", ("cm",)),
    ("stageIN100_new,200_contacted", "stage", "IN", ("100_new", "200_contacted")),
    ("stageNOT IN100_new,200_contacted", "stage", "NOT IN", ("100_new", "200_contacted")),
    ("emailISEMPTY", "email", "ISEMPTY", ()),
    ("emailISNOTEMPTY", "email", "ISNOTEMPTY", ()),
    ("emailANYTHING", "email", "ANYTHING", ()),
    ("emailEMPTYSTRING", "email", "EMPTYSTRING", ()),
    ("lead_scoreBETWEEN50@80", "lead_score", "BETWEEN", ("50", "80")),
    ("first_nameSAMEASlast_name", "first_name", "SAMEAS", ("last_name",)),
    ("first_nameNSAMEASlast_name", "first_name", "NSAMEAS", ("last_name",)),
    ("sys_updated_onGT_FIELDsys_created_on", "sys_updated_on", "GT_FIELD", ("sys_created_on",)),
    ("sys_updated_onLT_FIELDsys_created_on", "sys_updated_on", "LT_FIELD", ("sys_created_on",)),
    (
        "sys_updated_onGT_OR_EQUALS_FIELDsys_created_on",
        "sys_updated_on",
        "GT_OR_EQUALS_FIELD",
        ("sys_created_on",),
    ),
    (
        "sys_updated_onLT_OR_EQUALS_FIELDsys_created_on",
        "sys_updated_on",
        "LT_OR_EQUALS_FIELD",
        ("sys_created_on",),
    ),
    ("sys_created_onONcustom@2026-01-01@2026-01-31", "sys_created_on", "ON", ("2026-01-01", "2026-01-31")),
    ("sys_created_onNOTONcustom@2026-01-01@2026-01-31", "sys_created_on", "NOTON", ("2026-01-01", "2026-01-31")),
    ("sys_created_onRELATIVEGT@hour@ago@3", "sys_created_on", "RELATIVEGT", ("hour", "ago", "3")),
    ("sys_created_onRELATIVELT@day@ahead@2", "sys_created_on", "RELATIVELT", ("day", "ahead", "2")),
    (
        "sys_created_onDATEPARTMonday@javascript:gs.datePart('dayofweek','monday','EE')",
        "sys_created_on",
        "DATEPART",
        ("dayofweek", "1", "="),
    ),
    (
        "closed_atMORETHANopened_at@hour@after@2",
        "closed_at",
        "MORETHAN",
        ("opened_at", "hour", "after", "2"),
    ),
    (
        "closed_atLESSTHANopened_at@day@before@1",
        "closed_at",
        "LESSTHAN",
        ("opened_at", "day", "before", "1"),
    ),
    (
        "assigned_toDYNAMIC90d1921e5f510100a9ad2572f2b477fe",
        "assigned_to",
        "DYNAMIC",
        ("90d1921e5f510100a9ad2572f2b477fe",),
    ),
]


@pytest.mark.parametrize(("text", "field", "operator", "operands"), OPERATOR_CASES)
def test_each_operator_parses_into_field_operator_and_operands(text, field, operator, operands):
    term = only_term(text)
    assert (term.field, term.operator, term.operands) == (field, operator, operands)


def test_operator_table_covers_every_operator_of_the_contract():
    assert {case[2] for case in OPERATOR_CASES} == set(OPERATORS)


@pytest.mark.parametrize(
    ("text", "operator", "value"),
    [("name*cm", "LIKE", "cm"), ("name!*cm", "NOT LIKE", "cm"), ("name%me", "ENDSWITH", "me")],
)
def test_shorthands_mean_their_operator(text, operator, value):
    term = only_term(text)
    assert (term.field, term.operator, term.operands) == ("name", operator, (value,))


@pytest.mark.parametrize(
    ("text", "field", "operator", "value"),
    [
        # the first operator after the field wins, the longest one at that position
        ("a!=b=c", "a", "!=", "b=c"),
        ("a<=b", "a", "<=", "b"),
        ("a>=b", "a", ">=", "b"),
        ("a=<b", "a", "=", "<b"),
        ("nameNOT INx", "name", "NOT IN", "x"),
        ("nameISNOTEMPTY", "name", "ISNOTEMPTY", ""),
        ("onON@x@y", "on", "ON", "@x@y"),
        ("in_stockIN1,2", "in_stock", "IN", "1,2"),
        ("account.name=Acme", "account.name", "=", "Acme"),
        ("u_field2=x y ", "u_field2", "=", "x y "),
        ("name=", "name", "=", ""),
        ("name=NULL", "name", "=", "NULL"),
        ("description=100% sure", "description", "=", "100% sure"),
    ],
)
def test_term_splits_at_first_and_longest_operator_and_keeps_value_untrimmed(text, field, operator, value):
    term = only_term(text)
    assert (term.field, term.operator, term.value) == (field, operator, value)


def test_in_list_is_split_on_commas_without_trimming():
    assert only_term("stateIN a, b ,").operands == (" a", " b ", "")


def test_operators_are_case_sensitive():
    query = parse("namestartswitha")
    [term] = query.terms()
    assert isinstance(term, InvalidTerm)


# --- precedence (docs/encoded-queries.md) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=1^b=2^ORc=3^d=4", [[["a=1"], ["b=2", "c=3"], ["d=4"]]]),
        ("a=1^b=2^NQc=3^d=4", [[["a=1"], ["b=2"]], [["c=3"], ["d=4"]]]),
        ("a=1^ORb=2^ORc=3", [[["a=1", "b=2", "c=3"]]]),
        ("a=1^ORb=2^c=3^ORd=4", [[["a=1", "b=2"], ["c=3", "d=4"]]]),
        ("a=1^ORb=2^NQc=3^ORd=4", [[["a=1", "b=2"]], [["c=3", "d=4"]]]),
        # an ^OR with nothing before it in its group stands alone
        ("a=1^NQ^ORb=2", [[["a=1"]], [["b=2"]]]),
        # ORDERBY neither filters nor breaks an OR chain
        ("a=1^ORDERBYa^ORb=2", [[["a=1", "b=2"]]]),
        # empty segments and groups are ignored
        ("^a=1^^NQ", [[["a=1^NQ"]]]),
        ("a=1^^NQb=2^NQ", [[["a=1^NQb=2"]]]),
        ("^NQ^NQa=1^", [[["a=1"]]]),
        ("", []),
    ],
)
def test_precedence(text, expected):
    assert shape(parse(text)) == expected


def test_order_by_terms_anywhere_in_order_written():
    query = parse("ORDERBYDESCnumber^active=true^NQname=x^ORDERBYname")
    assert query.order_by == (OrderBy("number", descending=True), OrderBy("name", descending=False))
    assert shape(query) == [[["active=true"]], [["name=x"]]]


def test_order_by_is_not_taken_for_an_or_link():
    query = parse("active=true^ORDERBYnumber")
    assert shape(query) == [[["active=true"]]]
    assert query.order_by == (OrderBy("number"),)


# --- ^^ and ^EQ -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("name=a^^b", ["a^b"]),
        ("name=a^^^^b", ["a^^b"]),
        ("name=a^^^b=c", ["a^", "c"]),
        ("name=^^OR x", ["^OR x"]),
        ("name=a^^^ORb=c", ["a^", "c"]),
    ],
)
def test_double_caret_is_a_literal_caret(text, values):
    query = parse(text)
    assert [term.value for term in query.terms()] == values


@pytest.mark.parametrize("text", ["active=true^EQ", "active=true^EQ^EQ", "EQ^active=true"])
def test_eq_segment_is_ignored(text):
    query = parse(text)
    assert shape(query) == [[["active=true"]]]
    assert query.invalid == ()


# --- javascript: values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("caller_id=javascript:gs.getUserID()", "user_id"),
        ("sys_created_on>javascript:gs.daysAgo(3)", "ago"),
        ("sys_created_on<javascript:gs.dateGenerate('2026-01-02','12:00:00')", "datetime"),
        ('sys_created_on<javascript:gs.dateGenerate("2026-01-02", "end")', "datetime"),
        ('sys_created_on<javascript:gs.dateGenerate("2026-01-02 10:00:00")', "datetime"),
        ("sys_created_on>=javascript:gs.beginningOfThisWeek()", "period"),
    ],
)
def test_javascript_helpers_are_recognised_not_executed(text, kind):
    [operand] = only_term(text).operands
    assert isinstance(operand, Helper)
    assert operand.kind == kind


def test_between_and_on_bounds_may_be_helpers():
    term = only_term(
        'sys_created_onBETWEENjavascript:gs.dateGenerate("2026-01-01 00:00:00")'
        '@javascript:gs.dateGenerate("2026-01-31 23:59:59")'
    )
    assert [operand.kind for operand in term.operands] == ["datetime", "datetime"]


@pytest.mark.parametrize(
    "text",
    [
        "name=javascript:gs.getUser().getName()",
        "name=javascript:new GlideRecord('sys_user').deleteMultiple()",
        "sys_created_on>javascript:gs.daysAgo(3);gs.eval('x')",
        "sys_created_on>javascript:gs.daysAgo('3')",
        "sys_created_on<javascript:gs.dateGenerate('2026-13-45','start')",
        "sys_created_onONToday@javascript:gs.beginningOfToday()@javascript:evil()",
        "assigned_toINjavascript:getMyGroups()",
    ],
)
def test_other_javascript_makes_the_term_invalid(text):
    query = parse(text)
    [term] = query.terms()
    assert isinstance(term, InvalidTerm)
    assert "javascript" in term.reason
    assert query.invalid == (term,)


# --- invalid and malformed input (docs/encoded-queries.md) -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("RLQUERYsys_user.company,>=1^active=true", "RLQUERY without ENDRLQUERY"),
        ("RLQUERYsys_user,>=1^active=true^ENDRLQUERY", "RLQUERY needs"),
        ("RLQUERYsys_user.company,~1^ENDRLQUERY", "RLQUERY needs"),
        ("ENDRLQUERY", "ENDRLQUERY without RLQUERY"),
        ("123TEXTQUERY321=acme", "text search"),
        ("GROUPBYstate", "GROUPBY"),
        ("stateVALCHANGES", "VALCHANGES"),
        ("stateCHANGESFROM3", "CHANGESFROM"),
        ("sys_class_nameINSTANCEOFtask", "INSTANCEOF"),
        ("JOINsys_user.sys_id=sys_user_group.manager", "JOIN needs"),
        ("JOINsys_user=sys_user_group.manager!active=true", "JOIN needs"),
        ("active", "missing operator"),
        ("=x", "missing field"),
        ("na me=x", "unknown operator"),
        ("name~x", "unknown operator"),
        ("name.=x", "malformed field"),
        ("ORDERBY", "ORDERBY"),
        ("ORDERBYna me", "ORDERBY"),
        ("lead_scoreBETWEEN50", "BETWEEN"),
        ("lead_scoreBETWEEN1@2@3", "BETWEEN"),
        ("sys_created_onON2026-01-01", "ON"),
        ("sys_created_onRELATIVEGT@fortnight@ago@3", "RELATIVEGT"),
        ("sys_created_onRELATIVEGT@hour@later@3", "RELATIVEGT"),
        ("sys_created_onRELATIVEGT@hour@ago@-3", "RELATIVEGT"),
        ("sys_created_onRELATIVEGThour@ago@3", "RELATIVEGT"),
        ("closed_atMORETHANopened_at@hour@after", "MORETHAN"),
        ("sys_created_onDATEPARTMonday@javascript:gs.datePart('dayofweek','funday','EE')", "DATEPART"),
        ("sys_created_onDATEPARTx@javascript:gs.datePart('month','13','EE')", "DATEPART"),
        ("first_nameSAMEAS", "SAMEAS"),
    ],
)
def test_unsupported_or_malformed_terms_are_invalid_with_a_reason(text, reason_part):
    query = parse(text)
    assert len(query.invalid) == 1
    assert reason_part in query.invalid[0].reason
    assert query.invalid[0].text == text


def test_related_list_query_is_one_term_holding_its_own_query_and_the_rest_applies():
    query = parse("name=x^RLQUERYsys_user.company,>=1^active=true^ORname=a^^b^ENDRLQUERY^email=y")
    assert shape(query) == [
        [["name=x"], ["RLQUERYsys_user.company,>=1^active=true^ORname=a^^b^ENDRLQUERY"], ["email=y"]]
    ]
    node = query.groups[0].clauses[1].terms[0]
    assert isinstance(node, RelatedListQuery)
    assert (node.table, node.field, node.comparison, node.count, node.many_to_many) == (
        "sys_user",
        "company",
        ">=",
        1,
        False,
    )
    assert shape(node.query) == [[["active=true", "name=a^b"]]]
    assert query.invalid == ()


def test_nested_related_list_queries_match_their_own_ends():
    query = parse("RLQUERYa.b,=0,m2m^RLQUERYc.d,>2^x=1^ENDRLQUERY^y=2^ENDRLQUERY^z=3")
    outer, last = query.terms()
    assert isinstance(outer, RelatedListQuery) and outer.many_to_many and outer.count == 0
    inner, y = outer.query.terms()
    assert isinstance(inner, RelatedListQuery) and (inner.table, inner.comparison, inner.count) == ("c", ">", 2)
    assert (y.text, last.text) == ("y=2", "z=3")


def test_unterminated_related_list_query_swallows_the_rest():
    query = parse("name=x^RLQUERYa.b,>0^active=true^email=y")
    assert shape(query) == [[["name=x"], ["RLQUERYa.b,>0^active=true^email=y"]]]
    assert len(query.invalid) == 1


def test_subqueries_nest_only_so_deep():
    text = "RLQUERYa.b,>0^" * (MAX_SUBQUERY_DEPTH + 1) + "x=1" + "^ENDRLQUERY" * (MAX_SUBQUERY_DEPTH + 1)
    node = parse(text).terms()[0]
    for _level in range(MAX_SUBQUERY_DEPTH - 1):
        node = node.query.terms()[0]
    assert isinstance(node.query.terms()[0], InvalidTerm)


def test_join_takes_the_segments_after_it_up_to_an_order_or_a_new_query():
    query = parse(
        "active=true^JOINsys_user.sys_id=sys_user_group.manager!active=true^ORname=x^email=y^ORDERBYsys_id^city=z"
    )
    active, join, city = query.terms()
    assert isinstance(join, JoinQuery)
    assert (join.table, join.field, join.join_table, join.join_field) == (
        "sys_user",
        "sys_id",
        "sys_user_group",
        "manager",
    )
    assert shape(join.query) == [[["active=true", "name=x"], ["email=y"]]]
    assert (active.text, city.text) == ("active=true", "city=z")
    assert [order.field for order in query.order_by] == ["sys_id"]


def test_join_with_nothing_after_the_bang_has_no_conditions_and_ends_at_nq():
    query = parse("JOINa.sys_id=b.c!^NQname=x")
    [[join]], [[name]] = ([clause.terms for clause in group.clauses] for group in query.groups)
    assert isinstance(join, JoinQuery) and join.query.groups == ()
    assert name.text == "name=x"


@pytest.mark.parametrize(("spelling", "operator"), [("CONTAINS", "LIKE"), ("DOES NOT CONTAIN", "NOT LIKE")])
def test_contains_spellings_are_like_and_not_like(spelling, operator):
    [term] = parse(f"name{spelling}a b").terms()
    assert (term.field, term.operator, term.operands) == ("name", operator, ("a b",))


def test_invalid_term_stays_in_its_or_chain_so_the_partner_can_stand_alone():
    query = parse("bogus~x^ORname=y")
    [clause] = query.groups[0].clauses
    assert isinstance(clause.terms[0], InvalidTerm)
    assert isinstance(clause.terms[1], Term)


def test_value_given_to_a_no_value_operator_is_ignored():
    assert only_term("emailISEMPTYjunk").operands == ()


@pytest.mark.parametrize(
    "text",
    [
        "^",
        "^^",
        "^^^",
        "^OR",
        "^NQ",
        "ORDERBYDESC",
        "\x00=\x00",
        "name=\x00",
        "'; DROP TABLE sys_user; --",
        "name=' OR 1=1 --",
        "name__password=x",
        "名前=値^ORname=ü",
        "a" * 100_000,
        "name=" + "^^" * 50_000,
        "a=1^" * 20_000,
        "javascript:",
        "name=javascript:" + "(" * 1000,
        "\ud800=x",
    ],
)
def test_malformed_input_never_raises(text):
    query = parse(text)
    assert isinstance(query, Query)


def test_non_text_input_is_an_invalid_query_not_an_exception():
    query = parse(None)  # type: ignore[arg-type]
    assert query.groups == ()
    assert len(query.invalid) == 1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("^ORNQDEBYab=!<>*%@,._ INLKEJ'\"()javscript:gs"), max_size=80))
def test_any_text_built_from_query_characters_parses_without_raising(text):
    query = parse(text)
    # every invalid term in the tree is reported, and every valid term is well formed
    in_tree = [term for term in query.terms() if isinstance(term, InvalidTerm)]
    assert set(in_tree) <= set(query.invalid)
    for term in query.terms():
        if isinstance(term, Term):
            assert term.field and term.operator in OPERATORS
            assert term.text.startswith(term.field)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_text_parses_without_raising(text):
    assert isinstance(parse(text), Query)


def test_parser_and_date_helpers_import_no_django():
    code = (
        "import sys, csm_project.encoded_query.parser, csm_project.encoded_query.dates;"
        "sys.exit(any(name.split('.')[0] == 'django' for name in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], check=False)
    assert result.returncode == 0
