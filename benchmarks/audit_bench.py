"""Benchmark: what the audit triggers cost, on a Lead API PATCH and on a 100k-row import_records.
Prints figures; asserts nothing; never part of the test suite.

    python benchmarks/audit_bench.py                                   # SQLite (a fresh file in /tmp)
    python benchmarks/audit_bench.py --database-url postgres://postgres@127.0.0.1:5432/csm_audit_bench
    python benchmarks/audit_bench.py --rows 20000 --patches 100        # a quick look

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


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-key")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DB_POOL"] = "false"
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "csm_project.settings"
    if database_url.startswith("postgres"):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="Default: a fresh SQLite file in a temporary folder.")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--patches", type=int, default=400)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='audit_bench_')}/bench.sqlite3"
    setup_django(url)
    from django.db import connection

    print(f"database: {connection.vendor} ({url})")
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
