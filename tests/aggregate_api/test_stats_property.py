"""Property: the Aggregate API's figures equal a Python computation over the same rows.

Random leads (a nullable decimal score, a choice stage, an optional account, a flag), random
statistics (count, avg/min/max/sum of the score), random grouping (stage, account, flag, several
at once), an optional filter that may match nothing, an optional ``having`` on the count. The
expected answer is computed here from the objects created, group by group, NULLs skipped as SQL
skips them; runs on whichever database the suite runs on (SQLite and PostgreSQL in CI).
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csm_project.core.records.choices import choices_ensure
from leads.demo import CHOICES
from leads.models import LEAD_TABLE, Lead
from tests.contacts.factories_contacts import AccountFactory

STATS = f"/api/now/stats/{LEAD_TABLE}"
STAGES = dict(CHOICES["stage"])

LEADS = st.lists(
    st.fixed_dictionaries(
        {
            "stage": st.sampled_from(sorted(STAGES)[:3]),
            "lead_score": st.none() | st.decimals(min_value=-999, max_value=9999, places=2),
            "account": st.sampled_from([None, 0, 1]),
            "do_not_call": st.booleans(),
        }
    ),
    max_size=25,
)
GROUPS = st.lists(st.sampled_from(["stage", "account", "do_not_call"]), max_size=3, unique=True)
FUNCTIONS = st.lists(st.sampled_from(["avg", "min", "max", "sum"]), max_size=4, unique=True)
FILTERS = st.sampled_from([None, "do_not_call=true", "lead_scoreISNOTEMPTY", "stage=nothing_has_this"])
HAVING = st.none() | st.integers(min_value=0, max_value=4)


@pytest.fixture
def world(client_for):
    for element, values in CHOICES.items():
        choices_ensure(table=LEAD_TABLE, element=element, values=values)
    accounts = [AccountFactory(name="Acme"), AccountFactory(name="Globex")]
    return {"client": client_for("sn_lead_mgmt_core.lead_integrator"), "accounts": accounts}


def score_text(value) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def expected_stats(rows, count: bool, functions) -> dict:
    stats = {}
    if count:
        stats["count"] = str(len(rows))
    scores = [Decimal(row["lead_score"]) for row in rows if row["lead_score"] is not None]
    for function in functions:
        if not scores:
            figure = ""
        elif function == "avg":
            figure = str((sum(scores) / len(scores)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
        else:
            figure = score_text({"min": min, "max": max, "sum": sum}[function](scores))
        stats[function] = {"lead_score": figure}
    return stats


def matches(row, query) -> bool:
    if query == "do_not_call=true":
        return row["do_not_call"]
    if query == "lead_scoreISNOTEMPTY":
        return row["lead_score"] is not None
    if query == "stage=nothing_has_this":
        return False
    return True


def group_value(row, name, accounts) -> str:
    if name == "account":
        return "" if row["account"] is None else accounts[row["account"]].sys_id
    if name == "do_not_call":
        return "true" if row["do_not_call"] else "false"
    return row["stage"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=LEADS, groups=GROUPS, functions=FUNCTIONS, count=st.booleans(), query=FILTERS, having=HAVING)
def test_figures_equal_a_python_computation_over_the_same_rows(world, data, groups, functions, count, query, having):
    Lead.objects.all().delete()
    accounts = world["accounts"]
    for row in data:
        Lead.objects.create(
            last_name="L",
            stage=row["stage"],
            lead_score=row["lead_score"],
            account=None if row["account"] is None else accounts[row["account"]],
            do_not_call=row["do_not_call"],
        )
    params = {"sysparm_count": "true" if count else "false"}
    for function in functions:
        params[f"sysparm_{function}_fields"] = "lead_score"
    if query is not None:
        params["sysparm_query"] = query
    if groups:
        params["sysparm_group_by"] = ",".join(groups)
    if having is not None:
        params["sysparm_having"] = f"count^^>=^{having}"

    response = world["client"].get(STATS, params)

    assert response.status_code == 200, response.content
    result = response.json()["result"]
    rows = [row for row in data if matches(row, query)]
    if not groups:
        assert result == {"stats": expected_stats(rows, count, functions)}
        return
    buckets = defaultdict(list)
    for row in rows:
        buckets[tuple(group_value(row, name, accounts) for name in groups)].append(row)
    expected = {
        key: expected_stats(members, count, functions)
        for key, members in buckets.items()
        if having is None or len(members) >= having
    }
    answered = {tuple(entry["value"] for entry in group["groupby_fields"]): group["stats"] for group in result}
    assert answered == expected
    assert all([entry["field"] for entry in group["groupby_fields"]] == groups for group in result)
    assert len(result) == len(answered)
    # Groups come ordered by their values, an empty value first.
    keys = [tuple(entry["value"] for entry in group["groupby_fields"]) for group in result]
    assert keys == sorted(keys)
