"""The cost of row rules on a Table API list: a customer's login (row-limited) against an admin.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_rows python benchmarks/row_access_bench.py

Migrates the database named by DATABASE_URL, adds (once) ``--accounts`` accounts with
``--per-account`` contacts each and a customer login on the first account, then times
``GET /api/now/table/customer_contact?sysparm_limit=100`` (the first page, with X-Total-Count)
``--repeat`` times for each caller, in process, and prints the median and worst, the queries each
request ran, and the plan of the customer's page query (``EXPLAIN ANALYZE`` on PostgreSQL).
"""

import argparse
import base64
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-pass-1234"  # noqa: S105 - a throwaway benchmark database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=40)
    parser.add_argument("--per-account", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csm_project.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from contacts.models import Account, Contact
    from csm_project.core.access.roles import user_grant_roles
    from csm_project.core.models import User

    call_command("migrate", verbosity=0)
    if not Account.objects.filter(name="Bench 0").exists():
        with transaction.atomic():
            for index in range(args.accounts):
                account = Account.objects.create(name=f"Bench {index}")
                for number in range(args.per_account):
                    Contact.objects.create(user_name=f"bench.{index}.{number}", last_name=f"N{number}", account=account)
            me = Contact(user_name="bench.customer", last_name="Customer", account=Account.objects.get(name="Bench 0"))
            me.set_password(PASSWORD)
            me.save()
            user_grant_roles(user=me, roles=["sn_customerservice.customer"])
            User.objects.create_user("bench.admin", PASSWORD, is_superuser=True)
    url = "/api/now/table/customer_contact?sysparm_limit=100"
    print(f"{Contact.objects.count()} contacts over {Account.objects.count()} accounts; {connection.vendor}")
    for name in ("bench.admin", "bench.customer"):
        client = Client(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{name}:{PASSWORD}".encode()).decode())
        client.get(url)  # warm: credentials verified once, statements prepared
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:200]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        print(
            f"{name:15} total={response['X-Total-Count']:>6} rows={len(response.json()['result']):>4} "
            f"median={statistics.median(times):7.2f} ms worst={max(times):7.2f} ms queries={len(queries)}"
        )
        if name == "bench.customer" and connection.vendor == "postgresql":
            page = [query["sql"] for query in queries.captured_queries if "customer_contact" in query["sql"]][-1]
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + page)
                print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
