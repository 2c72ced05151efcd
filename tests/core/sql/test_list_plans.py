"""Every registry table's default list order is served by an index, on both databases.

A list page with no ORDERBY sorts by creation time then sys_id. If no index serves that order,
every page sorts the whole table (at 200k contacts, most of a request's time). The check asks
each database's planner for the plan of a default page, with sorting made as unattractive as it
can be (PostgreSQL's `enable_sort = off`), and fails on a plan that still sorts the whole
result. An incremental sort (rows already in creation order, sorted only among equal times) is
fine: its cost is one page, not the table.
"""

import pytest
from django.db import connection

from csm_project.core.records.queries import apply_encoded_query
from csm_project.registry import all_tables

PAGE = 20


def _default_page_sql(table) -> tuple[str, tuple]:
    queryset = apply_encoded_query(table.model._default_manager.all(), "", table=table)[:PAGE]
    sql, params = queryset.query.sql_with_params()
    return sql, params


def _plan(sql: str, params: tuple) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        rows = cursor.fetchall()
    return "\n".join(str(row[-1]) for row in rows)


def _sorts_everything(plan: str) -> bool:
    if connection.vendor == "postgresql":
        nodes = (line.strip().removeprefix("->").strip() for line in plan.splitlines())
        return any(node.startswith("Sort  (") for node in nodes)
    return "USE TEMP B-TREE FOR ORDER BY" in plan


# Every table but views: ``sys_user_has_role`` is computed from the role grants (its sys_id is a
# digest of the pair), a few rows per user, read whole by design (docs/table-api.md).
STORED_TABLES = sorted(name for name, spec in all_tables().items() if spec.model._meta.managed)


@pytest.mark.django_db
@pytest.mark.parametrize("name", STORED_TABLES)
def test_default_list_order_is_served_by_an_index(name):
    table = all_tables()[name]
    sql, params = _default_page_sql(table)
    plan = _plan(sql, params)
    assert not _sorts_everything(plan), f"{table.name}: the default list sorts the whole table\n{plan}"


# Lists filtered the way clients commonly filter them: three terms and an ORDERBY. Each must find
# its rows through an index (no full scan of the table even when scanning is made as unattractive
# as sorting); where the filter and the order are on the same table, the index also gives the
# order (no sort). A contact's account is on customer_contact and its names on sys_user (its
# parent table): the account's few contacts are found by index and then sorted.
SOME_ID = "0123456789abcdef0123456789abcdef"
FILTERED_LISTS = [
    ("sn_lead_mgmt_core_lead", "stage=100_new^lead_source=inbound_web^country=USA^ORDERBYDESCsys_created_on", False),
    (
        "sn_lead_mgmt_core_lead",
        f"account={SOME_ID}^stage!=500_closed_lost^lead_sourceINinbound_web,inbound_email^ORDERBYDESCsys_created_on",
        False,
    ),
    ("interaction", f"opened_for={SOME_ID}^state!=closed_complete^type=chat^ORDERBYDESCsys_created_on", False),
    ("interaction", "state=new^type=chat^short_descriptionLIKEprinter^ORDERBYsys_created_on", False),
    ("customer_contact", f"account={SOME_ID}^active=true^vip=false^ORDERBYlast_name", True),
    ("sys_user", "email=someone@example.com^active=true^last_name=Someone^ORDERBYname", True),
]


def _filtered_plan(name: str, query: str) -> str:
    table = all_tables()[name]
    queryset = apply_encoded_query(table.model._default_manager.all(), query, table=table)[:PAGE]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        return _plan(sql, params)


def _reads_whole_table(db_table: str, plan: str) -> bool:
    """Whether the plan reads ``db_table`` without an index condition: a sequential scan, or an
    index scan that walks the whole index (one serving only the order, say)."""
    if connection.vendor == "postgresql":
        nodes = plan.split("->")
        for node in nodes:
            head = node.strip().splitlines()[0] if node.strip() else ""
            if head.startswith("Seq Scan on ") and head.split()[3] == db_table:
                return True
            if " Scan " in head and f" on {db_table} " in head + " " and "Bitmap" not in head:
                if "Index Cond:" not in node:
                    return True
        return False
    return any(line.strip().startswith(f"SCAN {db_table}") for line in plan.splitlines())


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "query", "may_sort"), FILTERED_LISTS)
def test_a_commonly_filtered_list_is_served_by_an_index(name, query, may_sort):
    table = all_tables()[name]
    plan = _filtered_plan(name, query)
    db_table = table.model._meta.db_table
    assert not _reads_whole_table(db_table, plan), f"{name}: {query} reads the whole table\n{plan}"
    if not may_sort:
        assert not _sorts_everything(plan), f"{name}: {query} sorts every matching row\n{plan}"


# pysnc adds ORDERBYsys_id to every query it pages. sys_ids are lower-case hex, so their stored
# order is their code-point order and the primary key's index serves it: no page sorts the table.
@pytest.mark.django_db
@pytest.mark.parametrize("order", ["ORDERBYsys_id", "ORDERBYDESCsys_id"])
@pytest.mark.parametrize("name", STORED_TABLES)
def test_sys_id_order_is_served_by_the_primary_key(name, order):
    table = all_tables()[name]
    queryset = apply_encoded_query(table.model._default_manager.all(), order, table=table)[:PAGE]
    sql, params = queryset.query.sql_with_params()
    plan = _plan(sql, params)
    assert not _sorts_everything(plan), f"{table.name}: {order} sorts the whole table\n{plan}"
