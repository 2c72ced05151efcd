"""Import Set API ``insertMultiple`` against ``import_records`` for the same rows.

    python benchmarks/import_set_bench.py --rows 10000                 # a throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import_sets python benchmarks/import_set_bench.py

The database is built anew (SQLite: a new file; PostgreSQL: the named database dropped and
created) and migrated. A staging table with one transform map (three columns onto
``customer_account``, no coalesce: every row an insert) and a caller holding
``import_transformer`` are set up; then, timed:

- ``POST /api/now/import/u_bench/insertMultiple`` with ``--rows`` rows, through Django's test
  client in this process, after one untimed warm-up request (parsing, rights, the bulk loader's
  checks and writes with their audit, the staging rows and the answer);
- ``import_records customer_account`` of a CSV file holding the same values under other names
  (the same bulk loader reading a file: batched checks, COPY on PostgreSQL).

Prints both times, rows per second and the ratio (insertMultiple / import_records). Asserts
only that both loaded every row.
"""

import argparse
import base64
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from throwaway_database import prepare_database

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="import-set-bench-"))
    prepare_database(os.environ.get("DATABASE_URL"), workdir, "bench.sqlite3")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csm_project.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from contacts.models import Account
    from csm_project.core.access.role_names import IMPORT_TRANSFORMER
    from csm_project.core.access.roles import user_grant_roles
    from csm_project.core.models import Role, TableAccess, User
    from csm_project.import_sets.models import FieldMap, StagingTable, TransformMap

    staging = StagingTable.objects.create(name="u_bench")
    transform = TransformMap.objects.create(staging_table=staging, name="Account", target_table="customer_account")
    for source, target in (("u_name", "name"), ("u_phone", "phone"), ("u_city", "city")):
        FieldMap.objects.create(transform_map=transform, source_field=source, target_field=target)
    rule = TableAccess.objects.create(table="u_bench")
    role = Role.objects.get(name=IMPORT_TRANSFORMER)
    rule.read_roles.add(role)
    rule.write_roles.add(role)
    user = User.objects.create_user("bench.transformer", "bench-password")
    user_grant_roles(user=user, roles=[IMPORT_TRANSFORMER])

    rows = [(f"Staged {index:06d}", f"555-{index % 10000:04d}", "Lisbon") for index in range(args.rows)]
    body = json.dumps({"records": [{"u_name": n, "u_phone": p, "u_city": c} for n, p, c in rows]})
    auth = "Basic " + base64.b64encode(b"bench.transformer:bench-password").decode()
    client = Client()
    # Warm-up, not timed: the first request imports the URL modules, and the caller's password
    # is verified once (PBKDF2) and then served from the credential cache, as on a live server.
    warm = client.get(f"/api/now/import/u_bench/{'0' * 32}", HTTP_AUTHORIZATION=auth)
    assert warm.status_code == 404, warm.content[:200]
    started = time.perf_counter()
    response = client.post(
        "/api/now/import/u_bench/insertMultiple", body, content_type="application/json", HTTP_AUTHORIZATION=auth
    )
    api_seconds = time.perf_counter() - started
    assert response.status_code == 201, response.content[:500]
    statuses = {result["status"] for result in response.json()["result"]}
    assert statuses == {"inserted"}, statuses
    assert Account.objects.filter(name__startswith="Staged ").count() == args.rows

    path = workdir / "accounts.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "phone", "city"])
        writer.writerows((f"Loaded {n[7:]}", p, c) for n, p, c in rows)
    started = time.perf_counter()
    call_command("import_records", "customer_account", str(path), verbosity=0)
    load_seconds = time.perf_counter() - started
    assert Account.objects.filter(name__startswith="Loaded ").count() == args.rows

    print(f"database: {connection.vendor}, rows: {args.rows}, load average: {os.getloadavg()[0]:.2f}")
    print(f"insertMultiple: {api_seconds:.2f} s ({args.rows / api_seconds:,.0f} rows/s)")
    print(f"import_records: {load_seconds:.2f} s ({args.rows / load_seconds:,.0f} rows/s)")
    print(f"ratio insertMultiple / import_records: {api_seconds / load_seconds:.1f}x")


if __name__ == "__main__":
    main()
