"""Plans and timings of the common contact lists, as compiled now and as they were compiled before.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_perf python benchmarks/contact_list_plans.py

Reads an existing database holding contacts (for example the one ``bulk_io_bench.py`` leaves:
200k contacts over 100 accounts) and changes nothing. For each list (an account's contacts by
last name, active contacts by e-mail, an account's active contacts in the default order, and
pysnc's ``ORDERBYsys_id``) it prints the first page's plan (``EXPLAIN ANALYZE``) and the median
and worst of ``--repeat`` executions, for the SQL the compiler gives now and for the same SQL
with the order the compiler gave before: ``LOWER(sys_user.<field>) COLLATE "C"`` (sys_user's own
columns, so every match is joined and sorted) and ``LOWER(sys_id) COLLATE "C"``.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LISTS = [
    ("account=<id>^ORDERBYlast_name", "account={account}^ORDERBYlast_name", "last_name"),
    ("active=true^ORDERBYemail", "active=true^ORDERBYemail", "email"),
    ("account=<id>^active=true (default order)", "account={account}^active=true", "sys_created_on"),
    ("ORDERBYsys_id (pysnc)", "ORDERBYsys_id", "sys_id"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csm_project.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from contacts.models import Contact
    from csm_project.core.records.queries import apply_encoded_query
    from csm_project.registry import get_table

    table = get_table("customer_contact")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), (SELECT account_id FROM customer_contact LIMIT 1) FROM customer_contact")
        contacts, account = cursor.fetchone()
    print(f"{contacts} contacts; load average {os.getloadavg()}")
    for label, query, field in LISTS:
        page = apply_encoded_query(Contact.objects.only("pk"), query.format(account=account), table=table)[:20]
        sql, params = page.query.sql_with_params()
        order = sql[sql.index(" ORDER BY ") + len(" ORDER BY ") :].split(" LIMIT ")[0]
        if field == "sys_id":
            old_order = 'LOWER("sys_user"."sys_id") COLLATE "C" ASC'
        elif field == "sys_created_on":
            old_order = '"sys_user"."sys_created_on" ASC, "customer_contact"."user_ptr_id" ASC'
        else:
            old_order = f'LOWER("sys_user"."{field}") COLLATE "C" ASC NULLS FIRST, "customer_contact"."user_ptr_id" ASC'
        before = sql.replace(order, old_order)
        if "JOIN" not in before:
            before = before.replace(
                'FROM "customer_contact"',
                'FROM "customer_contact" INNER JOIN "sys_user" '
                'ON ("customer_contact"."user_ptr_id" = "sys_user"."sys_id")',
            )
        for name, statement in (("before", before), ("now", sql)):
            with connection.cursor() as cursor:
                timings = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    cursor.execute(statement, params)
                    cursor.fetchall()
                    timings.append((time.perf_counter() - started) * 1000)
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {statement}", params)
                plan = "\n".join("        " + row[0] for row in cursor.fetchall())
            timings.sort()
            print(f"\n{label} [{name}]: median {statistics.median(timings):.2f} ms, worst {timings[-1]:.2f} ms")
            print(f"    ORDER BY {order if name == 'now' else old_order}")
            print(plan)


if __name__ == "__main__":
    main()
