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

from csm_project.api.filters import apply_encoded_query
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


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(all_tables()))
def test_default_list_order_is_served_by_an_index(name):
    table = all_tables()[name]
    sql, params = _default_page_sql(table)
    plan = _plan(sql, params)
    assert not _sorts_everything(plan), f"{table.name}: the default list sorts the whole table\n{plan}"
