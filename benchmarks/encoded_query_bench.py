"""Benchmark: the encoded query engine. Prints figures; asserts nothing.

    python benchmarks/encoded_query_bench.py [--contacts N] [--repeat N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python benchmarks/encoded_query_bench.py

1. Parse and compile time for a realistic 10-term `sysparm_query` on `customer_contact`, per
   query and per term (no database involved).
2. The backend's overhead on a list request: median time of `GET /api/now/contact` through the
   full stack (authentication, permission, filter, pagination, serialization) with and without
   that `sysparm_query`, and their ratio, measured in the same run on a throwaway test database
   (`test_<name>`) filled with N contacts.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from contacts.models import Account, Contact  # noqa: E402
from csm_project.core.access.roles import user_grant_roles  # noqa: E402
from csm_project.core.models import User  # noqa: E402
from csm_project.encoded_query.compiler import compile_query  # noqa: E402
from csm_project.encoded_query.parser import parse  # noqa: E402
from csm_project.registry import get_table  # noqa: E402
from tests.conftest import basic_auth  # noqa: E402

# Ten terms: nine conditions (one ^OR link, a dot-walk, a javascript: date, an IN list) and an ORDERBY.
QUERY = (
    "active=true"
    "^last_nameSTARTSWITHwar^ORfirst_nameLIKEgeo"
    "^account.nameLIKEacme"
    "^emailISNOTEMPTY"
    "^sys_created_on>javascript:gs.daysAgo(30)"
    "^cityINLondon,Paris,Berlin,Santa Clara"
    "^failed_attempts<3"
    "^vip=false"
    "^ORDERBYlast_name"
)
TERMS = 10


def per_call(function, repeat: int) -> float:
    """Median seconds per call over `repeat` batches of 100 calls."""
    batches = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(100):
            function()
        batches.append((time.perf_counter() - start) / 100)
    return statistics.median(batches)


def engine_figures(repeat: int) -> tuple[float, float]:
    """Print per-term figures; return (parse + compile, SQL generation) seconds per query."""
    table = get_table("customer_contact")
    now = datetime.now(UTC)
    tree = parse(QUERY)
    assert not tree.invalid and not compile_query(table, tree, now=now).invalid
    parse_s = per_call(lambda: parse(QUERY), repeat)
    compile_s = per_call(lambda: compile_query(table, tree, now=now), repeat)
    sql_s = per_call(lambda: str(Contact.objects.filter(compile_query(table, tree, now=now).q).query), repeat)
    plain_sql_s = per_call(lambda: str(Contact.objects.all().query), repeat)
    print(f"10-term query ({len(QUERY)} characters) on customer_contact:")
    print(f"  parse            {parse_s * 1e6:8.1f} us/query  {parse_s * 1e6 / TERMS:7.1f} us/term")
    print(f"  compile to Q     {compile_s * 1e6:8.1f} us/query  {compile_s * 1e6 / TERMS:7.1f} us/term")
    print(
        f"  compile + SQL    {sql_s * 1e6:8.1f} us/query  {sql_s * 1e6 / TERMS:7.1f} us/term  (Django builds the SQL)"
    )
    # SQL generation the filter adds, over that of the same unfiltered query
    return parse_s + compile_s, sql_s - compile_s - plain_sql_s


def fill(contacts: int) -> None:
    accounts = Account.objects.bulk_create(
        Account(name=("Acme " if n % 3 == 0 else "Globex ") + str(n), number=f"ACCT{n:07d}") for n in range(50)
    )
    users = User.objects.bulk_create(
        User(
            user_name=f"contact{n:06d}",
            first_name=("George" if n % 7 == 0 else "Jane") + str(n),
            last_name=("Warren" if n % 5 == 0 else "Smith") + str(n),
            email=f"contact{n}@example.com",
        )
        for n in range(contacts)
    )
    cities = ["London", "Paris", "Berlin", "Santa Clara", "Oslo"]
    for n, user in enumerate(users):
        contact = Contact(user_ptr=user, account=accounts[n % len(accounts)], city=cities[n % 5], failed_attempts=n % 4)
        contact.save_base(raw=True)


def timed(client: APIClient, variants: list[dict], repeat: int) -> list[tuple[float, int, int]]:
    """Median time, query count and total of each variant; requests alternate between the
    variants, so load from other processes weighs on each alike and their ratio stays fair."""
    for params in variants:
        client.get("/api/now/contact", params)
    times: list[list[float]] = [[] for _ in variants]
    last: list[tuple[int, int]] = [(0, 0)] * len(variants)
    for _ in range(repeat):
        for index, params in enumerate(variants):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get("/api/now/contact", params)
                times[index].append(time.perf_counter() - start)
            assert response.status_code == 200, response.content
            last[index] = (len(queries.captured_queries), int(response["X-Total-Count"]))
    return [(statistics.median(series), *counts) for series, counts in zip(times, last, strict=True)]


def request_figures(contacts: int, repeat: int, engine_s: float, sql_s: float) -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        fill(contacts)
        caller = User.objects.create_user("bench.integration", "bench-pass")
        user_grant_roles(user=caller, roles=["csm_ws_integration"])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth("bench.integration", "bench-pass"))
        print(f"GET /api/now/contact?sysparm_limit=10 on {connection.vendor}, {contacts} contacts:")
        (plain_s, plain_q, plain_total), (query_s, query_q, query_total) = timed(
            client, [{"sysparm_limit": 10}, {"sysparm_limit": 10, "sysparm_query": QUERY}], repeat
        )
        print(f"  without sysparm_query {plain_s * 1e3:7.2f} ms median  {plain_q} queries  {plain_total} matching")
        print(f"  with the 10-term one  {query_s * 1e3:7.2f} ms median  {query_q} queries  {query_total} matching")
        print(f"  ratio with/without    {query_s / plain_s:7.2f}")
        print(
            f"  of the {(query_s - plain_s) * 1e3:.2f} ms difference: parse + compile {engine_s * 1e3:.2f} ms, "
            f"extra SQL generation for the count and the page ~{2 * sql_s * 1e3:.2f} ms, "
            "the rest is the database running the filter and the sort"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    engine_s, sql_s = engine_figures(args.repeat)
    request_figures(args.contacts, args.repeat, engine_s, sql_s)


if __name__ == "__main__":
    main()
