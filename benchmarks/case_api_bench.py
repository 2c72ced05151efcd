"""Benchmark: the Case API against a minimal raw endpoint serving the same bytes. Prints figures;
asserts nothing; never part of the test suite.

    python benchmarks/case_api_bench.py [--database-url URL] [--rebuild] [--cases N] [--rounds N]

1. Builds, once, a PostgreSQL database (default ``postgres://postgres@127.0.0.1:5432/csm_case_bench``)
   with ``--cases`` cases of one account (one ``INSERT ... SELECT``); later runs reuse it.
2. Serves the product (``csm_project.wsgi``) and a raw WSGI endpoint (``raw_app`` below: psycopg
   + orjson, no framework, no authentication) each under gunicorn with the same sync workers.
3. Interleaves, round after round, the product and the raw endpoint (so both see the same
   machine load): ``GET`` list pages of 20 cases (``sysparm_reference_fields=false``, offsets
   cycling over the first 2,000 rows) and ``POST`` of a case. Prints the median requests per
   second of each and the ratio raw / product, and whether the first page is byte for byte the same.

The raw endpoint does the same SQL work (the page, the table's row counter; a numbered insert
in one transaction) and skips what the product adds on purpose: authentication and the table
rule, encoded-query compilation, the field rules, choice lists and life cycle, the audit
triggers' context, DRF's request/response cycle.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime

import bench_serving
from bench_serving import ROOT, ROW_COUNT_SQL, environment, migrated_database, raw_server, start_server, stop_servers

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/csm_case_bench"
BENCH_USER = "bench.case"
BENCH_PASSWORD = "bench-pass-1234"  # noqa: S105 - a throwaway local benchmark database
ACCOUNT = "86837a386f0331003b3c498f5d3ee4ca"
TABLE = "sn_customerservice_case"
WIRE = "%Y-%m-%d %H:%M:%S"
REFERENCES = ("account", "contact", "consumer", "partner", "partner_contact", "parent", "assignment_group",
              "assigned_to", "opened_by", "resolved_by", "closed_by")  # fmt: skip
# The product's key order (the model's fields), each with its column.
KEYS = (
    "sys_id sys_created_on sys_created_by sys_updated_on sys_updated_by sys_mod_count sys_domain sys_domain_path "
    "sys_class_name sys_tags number short_description description state active priority impact urgency category "
    "escalation notify contact_type account contact consumer partner partner_contact product parent "
    "assignment_group assigned_to opened_at opened_by business_impact cause resolution_code close_notes "
    "resolved_at resolved_by closed_at closed_by due_date correlation_id correlation_display"
).split()
SELECT_COLUMNS = ", ".join(f"{key}_id" if key in REFERENCES else key for key in KEYS)
POST_BODY = {"short_description": "Printer jams", "account": ACCOUNT, "priority": "2", "contact_type": "email"}
_raw_state = threading.local()


def _raw_connection():
    import psycopg

    connection = getattr(_raw_state, "connection", None)
    if connection is None or connection.closed:
        connection = psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True)
        _raw_state.connection = connection
    return connection


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(WIRE)
    return str(value)


def raw_app(environ, start_response):
    """The baseline: GET a page of cases, or POST one case (``{"result": {sys_id, number}}``)."""
    import orjson

    connection = _raw_connection()
    if environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = orjson.loads(environ["wsgi.input"].read(length) or b"{}")
        now, sys_id = datetime.now(UTC), uuid.uuid4().hex
        with connection.transaction(), connection.cursor() as cursor:
            number = cursor.execute("""SELECT 'CS' || lpad(nextval('"sys_number_CS"')::text, 7, '0')""").fetchone()[0]
            cursor.execute(
                f"INSERT INTO {TABLE} (sys_id, sys_created_on, sys_created_by, sys_updated_on, sys_updated_by, "  # noqa: S608
                "sys_mod_count, sys_domain, sys_domain_path, sys_class_name, number, short_description, state, "
                "active, priority, impact, urgency, category, escalation, notify, contact_type, account_id, "
                "opened_at) VALUES (%s, %s, %s, %s, %s, 0, 'global', '/', %s, %s, %s, '1', true, %s, '3', '3', "
                "'1', '0', '1', %s, %s, %s)",
                [sys_id, now, BENCH_USER, now, BENCH_USER, TABLE, number, body.get("short_description"),
                 body.get("priority", "4"), body.get("contact_type"), body.get("account"), now],
            )  # fmt: skip
        start_response("201 Created", [("Content-Type", "application/json")])
        return [orjson.dumps({"result": {"sys_id": sys_id, "number": number}})]
    from urllib.parse import parse_qs

    query = parse_qs(environ.get("QUERY_STRING", ""))
    limit = int(query.get("sysparm_limit", ["20"])[0])
    offset = int(query.get("sysparm_offset", ["0"])[0])
    with connection.cursor() as cursor:
        total = cursor.execute(ROW_COUNT_SQL, [TABLE]).fetchone()[0]
        cursor.execute(f"SELECT {SELECT_COLUMNS} FROM {TABLE} ORDER BY sys_created_on, sys_id LIMIT %s OFFSET %s",  # noqa: S608
                       [limit, offset])  # fmt: skip
        rows = [dict(zip(KEYS, map(_text, row), strict=True), comments="", work_notes="") for row in cursor.fetchall()]
    start_response("200 OK", [("Content-Type", "application/json"), ("X-Total-Count", str(total))])
    return [orjson.dumps({"result": rows})]


def ensure_database(database_url: str, *, cases: int, rebuild: bool) -> None:
    import psycopg

    migrated_database(database_url, rebuild=rebuild)
    script = f"""
import django; django.setup()
from contacts.models import Account
from csm_project.core.models import User
from csm_project.core.access.roles import user_grant_roles
user = User.objects.filter(user_name={BENCH_USER!r}).first() or User.objects.create_user(
    {BENCH_USER!r}, {BENCH_PASSWORD!r}, first_name="Bench", last_name="Case", time_zone="UTC")
user_grant_roles(user=user, roles=["csm_ws_integration"])
Account.objects.get_or_create(sys_id={ACCOUNT!r}, defaults={{"name": "Boxeo"}})
from cases.models import Case
from csm_project.core.records.services import record_create
if not Case.objects.exists():
    record_create(table="sn_customerservice_case", values={{"short_description": "first", "account": {ACCOUNT!r}}})
"""
    subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", script], cwd=ROOT,
        env={**environment(database_url), "DJANGO_SETTINGS_MODULE": "csm_project.settings"}, check=True,
    )  # fmt: skip
    with psycopg.connect(database_url) as connection:
        have = connection.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]  # noqa: S608
        if have >= cases:
            print(f"{have} cases already there (use --rebuild to start over)")
            return
        started = time.perf_counter()
        connection.execute(
            f"INSERT INTO {TABLE} (sys_id, sys_created_on, sys_created_by, sys_updated_on, sys_updated_by, "  # noqa: S608
            "sys_mod_count, sys_domain, sys_domain_path, sys_class_name, number, short_description, state, active, "
            "priority, impact, urgency, category, escalation, notify, contact_type, account_id, opened_at) "
            "SELECT md5('case' || n), now() + n * interval '1 millisecond', 'bench', now(), 'bench', 0, 'global', "
            "'/', %s, 'CSB' || lpad(n::text, 7, '0'), 'Bench case ' || n, (ARRAY['1','10','18'])[n %% 3 + 1], "
            "true, ((n %% 4) + 1)::text, '3', '3', '1', '0', '1', 'web', %s, now() "
            "FROM generate_series(1, %s) AS n",
            [TABLE, ACCOUNT, cases - have],
        )  # fmt: skip
        print(f"{cases - have} cases inserted in {time.perf_counter() - started:.1f}s")


def first_page_same(app: str, raw: str, auth) -> str:
    import requests

    params = {"sysparm_limit": 20, "sysparm_offset": 40, "sysparm_reference_fields": "false"}
    ours = requests.get(app, params=params, auth=auth, timeout=30).content
    theirs = requests.get(raw, params=params, timeout=30).content
    if ours == theirs:
        return "yes"
    import orjson

    for index, (case, other) in enumerate(zip(orjson.loads(ours)["result"], orjson.loads(theirs)["result"],
                                              strict=True)):  # fmt: skip
        if list(case) != list(other):
            return f"no (case {index}: keys {list(case)} vs {list(other)})"
        for key in case:
            if case[key] != other[key]:
                return f"no (case {index}, {key}: {case[key]!r} vs {other[key]!r})"
    return "no (the same values, other bytes)"


def sender(method: str, url: str):
    def send(session, index: int):
        if method == "GET":
            params = {"sysparm_limit": 20, "sysparm_offset": (index * 20) % 2000, "sysparm_reference_fields": "false"}
            return session.get(url, params=params, timeout=30)
        return session.post(url, json=POST_BODY, timeout=30)

    return send


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200, help="requests per server per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--app-port", type=int, default=8741)
    parser.add_argument("--raw-port", type=int, default=8742)
    args = parser.parse_args()
    ensure_database(args.database_url, cases=args.cases, rebuild=args.rebuild)
    auth = (BENCH_USER, BENCH_PASSWORD)
    servers = [
        start_server(["csm_project.wsgi:application"], args.app_port, args.workers, args.database_url),
        raw_server("case_api_bench", args.raw_port, args.workers, args.database_url),
    ]
    app = f"http://127.0.0.1:{args.app_port}/api/sn_customerservice/case"
    raw = f"http://127.0.0.1:{args.raw_port}/case"
    figures: dict[str, dict[str, list[float]]] = {}
    try:
        bench_serving.wait_ready(app, auth)
        bench_serving.wait_ready(raw, None)
        same = first_page_same(app, raw, auth)
        for url, who in ((app, auth), (raw, None)):  # warm every worker
            bench_serving.measure(sender("GET", url), auth=who, requests_total=40, threads=args.threads,
                                  time_limit=30, expect=200)  # fmt: skip
        for _round in range(args.rounds):
            for label, method, expect in (("GET list (20 cases)", "GET", 200), ("POST (one case)", "POST", 201)):
                for who, url, credentials in (("product", app, auth), ("raw", raw, None)):
                    rps, _done, errors = bench_serving.measure(
                        sender(method, url), auth=credentials, requests_total=args.requests, threads=args.threads,
                        time_limit=30, expect=expect,
                    )  # fmt: skip
                    if errors:
                        print(f"{who} {label}: {errors} unexpected answers")
                    figures.setdefault(label, {}).setdefault(who, []).append(rps)
    finally:
        stop_servers(servers)
    print(f"\nthe first page is byte for byte the raw endpoint's: {same}")
    print(f"{args.cases} cases; {args.workers} sync workers per server; {args.threads} client threads; "
          f"{args.rounds} interleaved rounds of {args.requests} requests")  # fmt: skip
    print(f"{'':24}{'product req/s':>15}{'raw req/s':>12}{'raw/product':>13}")
    for label, by in figures.items():
        product, raw_rps = statistics.median(by["product"]), statistics.median(by["raw"])
        print(f"{label:24}{product:15.1f}{raw_rps:12.1f}{raw_rps / product:12.2f}x")


if __name__ == "__main__":
    main()
