"""Benchmark: what the audit triggers cost, on a Lead API PATCH and on a 100k-row import_records.
Prints figures; asserts nothing; never part of the test suite.

    python benchmarks/audit_bench.py                                   # SQLite (a fresh file in /tmp)
    python benchmarks/audit_bench.py --database-url postgres://postgres@127.0.0.1:5432/csm_audit_bench
    python benchmarks/audit_bench.py --rows 20000 --patches 100        # a quick look
    python benchmarks/audit_bench.py --history --database-url postgres://postgres@127.0.0.1:5432/csm_audit_bench

Both measurements run in ONE process against ONE fresh database, once with the audit triggers
installed and once with them dropped (on PostgreSQL the statement wrapper that hands the actor to
the triggers is removed too), so the ratio is audit on / audit off under the same conditions:

1. PATCH: ``--patches`` in-process Lead API PATCH requests (DRF test client, Basic auth, no
   network), each changing two lead fields and the quantity of one line item (so the lead also
   gets its ``F()`` count bump and a line-item journal entry). Rounds alternate on/off four times
   to even out a machine that is busy with other work; the median per request is reported.
2. Import: ``--rows`` leads (11 filled fields each) from one CSV through ``import_records``,
   once with the triggers and once without (the table emptied in between); seconds, rows/s,
   audit rows written.

``--history`` measures instead what reading a record's history costs in a large audit: the
table is filled with ``--audit-rows`` rows (5 million; 19 per record, as contacts have, over
two years) by one ``INSERT ... SELECT``, analysed, and then, for random records, the history is
asked the two ways staff and clients ask it, each timed as one in-process request:

- the admin's audit list of the record (its "Audit history" button, ``sysparm_query=documentkey=``);
- the Table API's ``GET /api/now/table/sys_audit?sysparm_query=documentkey=<sys_id>``.

"before" is the comparison the product made until documentkey was declared a sys_id field
(``LOWER(documentkey) = LOWER(value)``, rebuilt by clearing the field's ``holds_sys_id`` in the
registry); "after" is the exact comparison it makes now. Before and after alternate request by
request; p50 and p99 are printed for each. Then ``archive_audit`` moves the oldest
``--archive-rows`` rows to a file, and its rate is printed.
"""

import argparse
import csv
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str, *, fresh: bool = True) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-key")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DB_POOL"] = "false"
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "csm_project.settings"
    if database_url.startswith("postgres") and fresh:
        import psycopg

        name = database_url.rsplit("/", 1)[1]
        admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def cpu_seconds() -> float:
    """CPU time of this process plus, on PostgreSQL, of its database backend (same machine): the
    work done, whatever else the machine is busy with (wall time on a shared machine is not)."""
    from django.db import connection

    total = time.process_time()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def audit_on(on: bool) -> None:
    from django.db import connection

    from csm_project.core.sql import audit

    if on:
        audit.audit_triggers_install(connection)
        audit.connection_prepare(None, connection)
    else:
        audit.audit_triggers_drop(connection)
        if audit._pg_actor_wrapper in connection.execute_wrappers:
            connection.execute_wrappers.remove(audit._pg_actor_wrapper)


def bench_patch(patches: int) -> tuple[float, float]:
    import base64

    from rest_framework.test import APIClient

    from csm_project.core.access.roles import user_grant_roles
    from csm_project.core.models import User
    from csm_project.core.records.choices import choices_ensure
    from leads.demo import CHOICES
    from leads.models import LEAD_TABLE, Lead, LeadLineItem, ProductOffering

    for element, values in CHOICES.items():
        choices_ensure(table=LEAD_TABLE, element=element, values=values)
    user = User.objects.create_user("bench.lead", "bench-pass-1", first_name="Bench", last_name="Lead")
    user_grant_roles(user=user, roles=["sn_lead_mgmt_core.lead_integrator"])
    offering = ProductOffering.objects.create(name="Bench Modem", code="BENCHMODEM1")
    lead = Lead.objects.create(last_name="Wilson", city="Paris")
    item = LeadLineItem.objects.create(lead=lead, product_offering=offering, quantity=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"bench.lead:bench-pass-1").decode())
    url = f"/api/sn_lead_mgmt_core/lead/{lead.pk}"
    counter = [0]

    def one() -> None:
        counter[0] += 1
        n = counter[0]
        response = client.patch(
            url,
            {
                "city": f"City {n}",
                "company": f"Company {n}",
                "lead_line_items": [{"sys_id": item.pk, "quantity": n % 50 + 2}],
            },
            format="json",
        )
        assert response.status_code == 200, response.content

    for _ in range(20):  # warm up: caches, credential check, prepared code paths
        one()
    per_round = max(1, patches // 4)
    timings: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}
    for on in (True, False, True, False, False, True, False, True):
        audit_on(on)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        for _ in range(per_round // 2):
            one()
        timings[on].append((time.perf_counter() - started) / (per_round // 2))
        cpu[on].append((cpu_seconds() - cpu_started) / (per_round // 2))
    audit_on(True)
    ms = {on: (statistics.median(timings[on]) * 1000, statistics.median(cpu[on]) * 1000) for on in (True, False)}
    return ms[True], ms[False]


def bench_import(rows: int) -> dict[bool, tuple[float, float, int]]:
    from django.core.management import call_command

    from csm_project.core.models import SysAudit
    from leads.models import Lead

    folder = Path(tempfile.mkdtemp(prefix="audit_bench_"))
    path = folder / "leads.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "last_name",
                "first_name",
                "company",
                "city",
                "country",
                "email",
                "stage",
                "lead_score",
                "do_not_call",
                "business_phone",
                "title",
            ]
        )
        for n in range(rows):
            writer.writerow(
                [
                    f"Last{n}",
                    f"First{n}",
                    f"Company {n % 997}",
                    "Oslo",
                    "Norway",
                    f"p{n}@example.com",
                    "100_new",
                    f"{n % 100}.50",
                    "true" if n % 2 else "false",
                    f"+47 {n:08d}",
                    "Buyer",
                ]
            )
    warm = folder / "warm.csv"
    with path.open(encoding="utf-8") as source, warm.open("w", encoding="utf-8") as target:
        target.writelines(line for _, line in zip(range(1001), source, strict=False))
    results = {}
    for on in (None, True, False):  # None: an unmeasured warm-up load of 1000 rows, audit on
        Lead.objects.all().delete()
        SysAudit.objects.all().delete()
        audit_on(on is not False)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        call_command(
            "import_records",
            "sn_lead_mgmt_core_lead",
            str(warm if on is None else path),
            "--batch-size",
            "1000",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
        elapsed, cpu_used = time.perf_counter() - started, cpu_seconds() - cpu_started
        results[on] = (elapsed, cpu_used, SysAudit.objects.count())
    audit_on(True)
    path.unlink()
    warm.unlink()
    folder.rmdir()
    return results


ROWS_PER_RECORD = 19


def fill_audit(rows: int) -> list[str]:
    """``rows`` audit rows, ``ROWS_PER_RECORD`` per record; returns the records' sys_ids."""
    from django.db import connection

    records = rows // ROWS_PER_RECORD
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                INSERT INTO sys_audit (sys_id, sys_created_on, sys_created_by, sys_updated_on, sys_updated_by,
                    sys_mod_count, sys_domain, sys_domain_path, sys_class_name, tablename, documentkey, fieldname,
                    oldvalue, newvalue, "user", reason, record_checkpoint)
                SELECT md5('a' || n), t, 'bench', t, 'bench', 0, 'global', '/', 'sys_audit', 'customer_contact',
                    md5('r' || (n / %s)), 'field_' || (n %% %s), '', 'value ' || n, 'bench', '', n %% %s
                FROM (SELECT n, now() - (random() * interval '730 days') AS t FROM generate_series(0, %s - 1) AS n) s
                """,
                [ROWS_PER_RECORD, ROWS_PER_RECORD, ROWS_PER_RECORD, records * ROWS_PER_RECORD],
            )
            cursor.execute("VACUUM ANALYZE sys_audit")
        else:
            cursor.execute(
                """
                WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < %s)
                INSERT INTO sys_audit (sys_id, sys_created_on, sys_created_by, sys_updated_on, sys_updated_by,
                    sys_mod_count, sys_domain, sys_domain_path, sys_class_name, tablename, documentkey, fieldname,
                    oldvalue, newvalue, "user", reason, record_checkpoint)
                SELECT printf('%%032x', n), datetime('now', printf('-%%d minutes', abs(random()) %% 1051200)),
                    'bench', datetime('now'), 'bench', 0, 'global', '/', 'sys_audit', 'customer_contact',
                    printf('%%032x', 1000000000 + n / %s), 'field_' || (n %% %s), '', 'value ' || n, 'bench', '',
                    n %% %s
                FROM seq
                """,
                [records * ROWS_PER_RECORD, ROWS_PER_RECORD, ROWS_PER_RECORD, ROWS_PER_RECORD],
            )
            cursor.execute("ANALYZE")
        cursor.execute("SELECT DISTINCT documentkey FROM sys_audit")
        keys = [row[0] for row in cursor.fetchall()]
    print(f"filled sys_audit with {rows:,} rows for {len(keys):,} records in {time.perf_counter() - started:.0f} s")
    return keys


def _lower_comparison(before: bool) -> None:
    """Make encoded queries compare documentkey as the product did before (LOWER() on both
    sides) or as it does now (exactly)."""
    import dataclasses

    from csm_project.registry import get_table

    table = get_table("sys_audit")
    table.fields["documentkey"] = dataclasses.replace(table.fields["documentkey"], holds_sys_id=not before)


def bench_history(audit_rows: int, lookups: int, archive_rows: int) -> None:
    import base64
    import random

    from django.db import connection
    from django.test import Client
    from rest_framework.test import APIClient

    from csm_project.core.models import SysAudit, User

    if SysAudit.objects.filter(user="bench").exists():  # --reuse: the filled table is there
        keys = list(SysAudit.objects.filter(user="bench").values_list("documentkey", flat=True).distinct())
        print(f"reusing sys_audit with {SysAudit.objects.count():,} rows")
    else:
        keys = fill_audit(audit_rows)
    admin = User.objects.filter(user_name="bench.admin").first() or User.objects.create_superuser(
        "bench.admin", "bench-pass-1"
    )
    staff = Client()
    staff.force_login(admin)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"bench.admin:bench-pass-1").decode())

    def admin_list(key: str) -> None:
        response = staff.get(f"/admin/core/sysaudit/?sysparm_query=documentkey={key}")
        assert response.status_code == 200 and key.encode() in response.content, response.status_code

    def table_api(key: str) -> None:
        response = api.get(f"/api/now/table/sys_audit?sysparm_query=documentkey={key}")
        assert response.status_code == 200 and len(response.json()["result"]) == ROWS_PER_RECORD

    rng = random.Random(7)
    for name, ask in (("admin audit list", admin_list), ("Table API sys_audit", table_api)):
        timings: dict[bool, list[float]] = {True: [], False: []}
        for before in (True, False):  # warm-up of each shape, unmeasured
            _lower_comparison(before)
            ask(rng.choice(keys))
        for _ in range(lookups):
            for before in (True, False):
                _lower_comparison(before)
                key = rng.choice(keys)
                started = time.perf_counter()
                ask(key)
                timings[before].append((time.perf_counter() - started) * 1000)
        print(
            f"{name}, {lookups} records at {audit_rows:,} audit rows: "
            + "; ".join(
                f"{'before' if before else 'after'} p50 {percentile(timings[before], 50):.1f} ms "
                f"p99 {percentile(timings[before], 99):.1f} ms"
                for before in (True, False)
            )
        )
    _lower_comparison(False)
    if archive_rows and connection.vendor == "postgresql":
        from django.core.management import call_command

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sys_created_on FROM sys_audit ORDER BY sys_created_on OFFSET %s LIMIT 1", [archive_rows]
            )
            cutoff = cursor.fetchone()[0]
        target = Path(tempfile.mkdtemp(prefix="audit_archive_")) / "archive.jsonl.gz"
        started = time.perf_counter()
        call_command(
            "archive_audit",
            "--before",
            cutoff.strftime("%Y-%m-%d %H:%M:%S"),
            "--output",
            str(target),
            stdout=io.StringIO(),
        )
        elapsed = time.perf_counter() - started
        print(
            f"archive_audit: {archive_rows:,} rows in {elapsed:.1f} s ({archive_rows / elapsed:,.0f} rows/s), "
            f"file {target.stat().st_size / 1e6:.1f} MB (gzip)"
        )
        target.unlink()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="Default: a fresh SQLite file in a temporary folder.")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--patches", type=int, default=400)
    parser.add_argument("--history", action="store_true", help="Measure a record's history in a large audit.")
    parser.add_argument("--audit-rows", type=int, default=5_000_000)
    parser.add_argument("--lookups", type=int, default=100, help="Records looked up, each way, per request.")
    parser.add_argument("--archive-rows", type=int, default=500_000)
    parser.add_argument(
        "--reuse", action="store_true", help="--history: keep the database a previous run filled (PostgreSQL)."
    )
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='audit_bench_')}/bench.sqlite3"
    setup_django(url, fresh=not args.reuse)
    from django.db import connection

    print(f"database: {connection.vendor} ({url})")
    if args.history:
        bench_history(args.audit_rows, args.lookups, args.archive_rows)
        return
    (on_wall, on_cpu), (off_wall, off_cpu) = bench_patch(args.patches)
    print(
        f"Lead PATCH (2 fields + 1 line item), median per request: audit on {on_wall:.2f} ms wall / {on_cpu:.2f} ms "
        f"CPU, off {off_wall:.2f} ms wall / {off_cpu:.2f} ms CPU; ratio on/off {on_wall / off_wall:.2f}x wall, "
        f"{on_cpu / off_cpu:.2f}x CPU"
    )
    results = bench_import(args.rows)
    (t_on, c_on, audit_rows), (t_off, c_off, _) = results[True], results[False]
    print(
        f"import_records {args.rows} leads: audit on {t_on:.1f} s wall / {c_on:.1f} s CPU ({audit_rows} audit rows), "
        f"off {t_off:.1f} s wall / {c_off:.1f} s CPU; ratio on/off {t_on / t_off:.2f}x wall, {c_on / c_off:.2f}x CPU"
    )


if __name__ == "__main__":
    main()
