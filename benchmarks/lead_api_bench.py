"""Benchmark: the Lead API against a minimal raw endpoint serving the same rows. Prints figures;
asserts nothing; never part of the test suite.

    python benchmarks/lead_api_bench.py [--database-url URL] [--rebuild] [--requests N] [--threads N]

1. Builds, once, a PostgreSQL database (default ``postgres://postgres@127.0.0.1:5432/csm_bench``)
   with 100k leads, 300k line items and a work note per lead, by ``COPY`` (a minute or so); later
   runs reuse it (``--rebuild`` starts over).
2. Serves the product (``csm_project.wsgi``) and a raw WSGI endpoint (``raw_app`` below: psycopg
   + orjson, no framework, no authentication, the same JSON shape from the same rows) each
   under gunicorn with the same number of sync workers, on loopback ports.
3. From a pool of client threads (one ``requests.Session`` each, 127.0.0.1 only), sends a fixed
   number of requests (bounded by a time limit) to each server: ``GET`` list pages of 20 leads
   with their line items and work notes (offsets cycling over the first 2,000 rows), and
   ``POST`` of the seed's example lead with one line item. Prints requests per second for both
   and the ratio raw / product.

The raw endpoint is the floor the product is compared with: it does the same SQL work (page +
count + line items + work notes of leads and items, a numbered insert with its journal entries
in one transaction) and skips what the product adds on purpose: Basic authentication and roles,
encoded-query compilation, validation, the replaceable Lead API classes, DRF's request/response cycle.
"""

import argparse
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime

import bench_serving
from bench_serving import (
    ROOT,
    ROW_COUNT_SQL,
    environment,
    migrated_database,
    raw_server,
    start_server,
    stop_servers,
    wait_ready,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/csm_bench"
BENCH_USER = "bench.integrator"
BENCH_PASSWORD = "bench-pass-1234"  # noqa: S105 - a throwaway local benchmark database
OFFERING = "32619d9fd0a63110f8770dbf976be1f9"
UNIT = "cb2795d553020110286eddeeff7b12ff"
CONSUMER = "46ce64ef99ca5210f8779c3cc41bb03c"
LEAD_TABLE = "sn_lead_mgmt_core_lead"
ITEM_TABLE = "sn_lead_mgmt_core_lead_line_item"
WIRE = "%Y-%m-%d %H:%M:%S"

POST_BODY = {
    "short_description": "Looking for a quote on preventative maintenance plans for their corporate office "
    "building elevators.",
    "country": "USA", "city": "San Francisco", "lead_source": "inbound_phone", "industry": "manufacturing",
    "title": "Director of Building operations", "business_phone": "+1 (555) 123-4567",
    "street": "789, Industrial drive", "company": "Lee Manufacturing Inc", "state": "CA", "first_name": "James",
    "email": "james.wilson@email.com", "consumer": {"sys_id": CONSUMER}, "zip": "94016", "website": "example.com",
    "last_name": "Wilson", "middle_name": None, "do_not_share": False, "lead_score": 92, "stage": "100_new",
    "do_not_email": False, "lead_type": "existing_business", "work_notes": [{"text": "Work notes for lead"}],
    "do_not_call": True, "lead_rating": "200_warm",
    "lead_line_items": [{"quantity": 1, "product_offering": {"sys_id": OFFERING},
                         "unit_of_measurement": {"sys_id": UNIT}}],
}  # fmt: skip


# --- the raw endpoint ----------------------------------------------------------------------

_LEAD_COLUMNS = (
    "short_description", "reason", "country", "closed_date", "city", "lead_source", "external_id", "industry",
    "sys_updated_on", "title", "number", "sys_id", "business_phone", "sys_updated_by", "mobile_phone", "street",
    "sys_created_on", "company", "state", "first_name", "email", "sys_created_by", "zip", "website",
    "sys_mod_count", "last_name", "other_reason", "middle_name", "sys_tags", "do_not_share", "lead_score", "stage",
    "do_not_email", "lead_type", "do_not_call", "lead_rating", "external_system", "similar_lead_id", "contact_id",
    "consumer_id", "owner_id", "lead_group_id", "account_id",
)  # fmt: skip
# Table and column names below are this module's constants; values are bound parameters.
_LEAD_SELECT = (
    "SELECT "  # noqa: S608
    + ", ".join(f"l.{column}" for column in _LEAD_COLUMNS)
    + ", s.number AS similar_lead_name, "  # noqa: S608
    "cu.name AS contact_name, co.name AS consumer_name, o.name AS owner_name, g.name AS lead_group_name, "
    f"a.name AS account_name FROM (SELECT * FROM {LEAD_TABLE} l {{where}}) l "
    f"LEFT JOIN {LEAD_TABLE} s ON s.sys_id = l.similar_lead_id LEFT JOIN sys_user cu ON cu.sys_id = l.contact_id "
    "LEFT JOIN csm_consumer co ON co.sys_id = l.consumer_id LEFT JOIN sys_user o ON o.sys_id = l.owner_id "
    "LEFT JOIN sys_user_group g ON g.sys_id = l.lead_group_id LEFT JOIN customer_account a ON a.sys_id = l.account_id "
)
_ORDER = "ORDER BY l.sys_created_on, l.sys_id"  # the product's default order (the column is NOT NULL)
_ITEM_SELECT = (
    "SELECT i.sys_id, i.number, i.lead_id, i.quantity, i.external_id, i.external_system, i.sys_mod_count, "  # noqa: S608
    "i.sys_tags, i.sys_created_on, i.sys_created_by, i.sys_updated_on, i.sys_updated_by, "
    "p.sys_id AS offering_id, p.name AS offering_name, p.code AS offering_code, u.sys_id AS unit_id, "
    f"u.name AS unit_name FROM {ITEM_TABLE} i JOIN sn_prd_pm_product_offering p ON p.sys_id = i.product_offering_id "
    "LEFT JOIN sn_prd_pm_uom u ON u.sys_id = i.unit_of_measurement_id WHERE i.lead_id = ANY(%s) "
    "ORDER BY i.lead_id, i.sys_created_on, i.number"
)
_NOTES_SELECT = (
    "SELECT j.element_id, j.value, j.sys_created_on, j.sys_created_by, u.name AS author FROM sys_journal_field j "
    "LEFT JOIN sys_user u ON u.sys_id = j.author_id WHERE j.name = %s AND j.element = 'work_notes' "
    "AND j.element_id = ANY(%s) ORDER BY j.sys_created_on DESC, j.sys_id DESC"
)
_REFERENCES = ("similar_lead", "contact", "consumer", "owner", "lead_group", "account")
_raw_state = threading.local()


def _raw_connection():
    import psycopg
    from psycopg.rows import dict_row

    connection = getattr(_raw_state, "connection", None)
    if connection is None or connection.closed:
        connection = psycopg.connect(os.environ["BENCH_DATABASE_URL"], row_factory=dict_row, autocommit=True)
        _raw_state.connection = connection
    return connection


def _date(value):
    if value is None:
        return None
    text = value.astimezone(UTC).strftime(WIRE)
    return {"value": text, "display_value": text}  # the benchmark user's zone is UTC


def _notes(rows):
    if not rows:
        return None
    return [
        {
            "author": row["author"] or row["sys_created_by"],
            "date": row["sys_created_on"].strftime(WIRE),
            "text": row["value"],
        }
        for row in rows
    ]


def _raw_leads(cursor, where: str, params: list) -> list[dict]:
    # The page is chosen before the references are joined: joined first, the planner may hash-join
    # every lead to every user (hundreds of milliseconds once sys_user holds thousands of rows).
    cursor.execute(_LEAD_SELECT.format(where=where) + _ORDER, params)
    leads = cursor.fetchall()
    ids = [lead["sys_id"] for lead in leads]
    cursor.execute(_ITEM_SELECT, [ids])
    items = cursor.fetchall()
    cursor.execute(_NOTES_SELECT, [LEAD_TABLE, ids])
    lead_notes: dict[str, list] = {}
    for row in cursor.fetchall():
        lead_notes.setdefault(row["element_id"], []).append(row)
    cursor.execute(_NOTES_SELECT, [ITEM_TABLE, [item["sys_id"] for item in items]])
    item_notes: dict[str, list] = {}
    for row in cursor.fetchall():
        item_notes.setdefault(row["element_id"], []).append(row)
    numbers = {lead["sys_id"]: lead["number"] for lead in leads}
    by_lead: dict[str, list] = {}
    for item in items:
        by_lead.setdefault(item["lead_id"], []).append({
            "quantity": item["quantity"],
            "product_offering": {"sys_id": item["offering_id"], "name": item["offering_name"],
                                 "code": item["offering_code"]},
            "sys_mod_count": item["sys_mod_count"], "external_id": item["external_id"],
            "sys_updated_on": _date(item["sys_updated_on"]), "sys_tags": None,
            "lead": {"sys_id": item["lead_id"], "name": numbers[item["lead_id"]]},
            "number": item["number"], "sys_id": item["sys_id"],
            "unit_of_measurement": {"sys_id": item["unit_id"], "name": item["unit_name"]} if item["unit_id"] else None,
            "sys_updated_by": item["sys_updated_by"], "sys_created_on": _date(item["sys_created_on"]),
            "work_notes": _notes(item_notes.get(item["sys_id"])), "sys_created_by": item["sys_created_by"],
            "external_system": item["external_system"],
        })  # fmt: skip
    result = []
    for lead in leads:
        data = {}
        for column in _LEAD_COLUMNS:
            if column.endswith("_id") and column[:-3] in _REFERENCES:
                name = column[:-3]
                data[name] = {"sys_id": lead[column], "name": lead[f"{name}_name"]} if lead[column] else None
            elif column in ("sys_updated_on", "sys_created_on", "closed_date"):
                data[column] = _date(lead[column])
            elif column == "lead_score":
                score = lead[column]
                data[column] = None if score is None else (int(score) if score == int(score) else float(score))
            else:
                data[column] = lead[column]
        data["sys_class_name"] = "Lead"
        data["work_notes"] = _notes(lead_notes.get(lead["sys_id"]))
        data["lead_line_items"] = by_lead.get(lead["sys_id"], [])
        result.append(data)
    return result


def _next_number(cursor, prefix: str) -> str:
    # As the product draws on PostgreSQL: the prefix's own sequence, the counter row only read.
    cursor.execute(
        "SELECT nextval(to_regclass(%s)) AS value, digits FROM sys_number_counter WHERE prefix = %s",
        [f'"sys_number_{prefix}"', prefix],
    )
    row = cursor.fetchone()
    return f"{prefix}{row['value']:0{row['digits']}d}"


def _raw_create(cursor, body: dict) -> str:
    now = datetime.now(UTC)
    system = {"sys_created_on": now, "sys_updated_on": now, "sys_created_by": BENCH_USER, "sys_updated_by": BENCH_USER,
              "sys_domain": "global", "sys_domain_path": "/"}  # fmt: skip
    cursor.execute("SELECT sys_id FROM sys_user WHERE user_name = %s", [BENCH_USER])
    user_id = cursor.fetchone()["sys_id"]
    strings = ("short_description", "country", "city", "lead_source", "industry", "title", "business_phone",
               "street", "company", "state", "first_name", "email", "zip", "website", "last_name", "middle_name",
               "lead_type", "lead_rating")  # fmt: skip
    lead = {name: body.get(name) for name in strings}
    lead.update({name: bool(body.get(name)) for name in ("do_not_call", "do_not_email", "do_not_share")})
    lead.update(system, sys_id=uuid.uuid4().hex, number=_next_number(cursor, "LEAD"),
                stage=body.get("stage", "100_new"),
                lead_score=body.get("lead_score"), consumer_id=(body.get("consumer") or {}).get("sys_id"),
                owner_id=user_id, sys_mod_count=0, sys_class_name=LEAD_TABLE)  # fmt: skip
    _insert(cursor, LEAD_TABLE, lead)
    entries = 0
    for entry in (body.get("lead_line_items") or [])[:100]:
        item = dict(system, sys_id=uuid.uuid4().hex, number=_next_number(cursor, "LEADL"), lead_id=lead["sys_id"],
                    product_offering_id=entry["product_offering"]["sys_id"], quantity=entry.get("quantity", 1),
                    unit_of_measurement_id=(entry.get("unit_of_measurement") or {}).get("sys_id"), sys_mod_count=0,
                    sys_class_name=ITEM_TABLE)  # fmt: skip
        _insert(cursor, ITEM_TABLE, item)
        _insert(cursor, "sys_journal_field", dict(
            system, sys_id=uuid.uuid4().hex, name=LEAD_TABLE, element_id=lead["sys_id"], element="work_notes",
            value=f"Lead Line Item {item['number']} has been created", author_id=user_id, sys_mod_count=0,
            sys_class_name="sys_journal_field"))  # fmt: skip
        entries += 1
    if entries:
        cursor.execute(
            f"UPDATE {LEAD_TABLE} SET sys_mod_count = sys_mod_count + %s WHERE sys_id = %s",  # noqa: S608
            [entries, lead["sys_id"]],
        )
    notes = ",".join(note["text"] for note in body.get("work_notes") or [])
    if notes:
        _insert(cursor, "sys_journal_field", dict(
            system, sys_id=uuid.uuid4().hex, name=LEAD_TABLE, element_id=lead["sys_id"], element="work_notes",
            value=notes, author_id=user_id, sys_mod_count=0, sys_class_name="sys_journal_field"))  # fmt: skip
    return lead["sys_id"]


def _insert(cursor, table: str, row: dict) -> None:
    columns = ", ".join(row)
    cursor.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(row))})",  # noqa: S608
        list(row.values()),
    )


def raw_app(environ, start_response):
    """The baseline: GET a page of leads (bare array, paging headers) or POST one lead."""
    import orjson

    connection = _raw_connection()
    if environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = orjson.loads(environ["wsgi.input"].read(length) or b"{}")
        if not isinstance(body, dict) or not body.get("last_name"):
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [b'{"error":{"message":"Invalid payload","detail":null},"status":"failure"}']
        with connection.transaction(), connection.cursor() as cursor:
            sys_id = _raw_create(cursor, body)
        with connection.cursor() as cursor:
            payload = orjson.dumps(_raw_leads(cursor, "WHERE l.sys_id = %s", [sys_id])[0])
        start_response("201 Created", [("Content-Type", "application/json")])
        return [payload]
    from urllib.parse import parse_qs

    query = parse_qs(environ.get("QUERY_STRING", ""))
    limit = int(query.get("sysparm_limit", ["20"])[0])
    offset = int(query.get("sysparm_offset", ["0"])[0])
    with connection.cursor() as cursor:
        cursor.execute(ROW_COUNT_SQL, [LEAD_TABLE])
        total = cursor.fetchone()["total"]
        page = f"{_ORDER} LIMIT %s OFFSET %s"
        leads = _raw_leads(cursor, page, [limit, offset])
    headers = [
        ("Content-Type", "application/json"),
        ("Total-Count", str(total)),
        ("Content-Range", f"items {offset + 1}-{offset + len(leads)}"),
    ]
    start_response("206 Partial Content" if len(leads) < total else "200 OK", headers)
    return [orjson.dumps(leads)]


# --- building the database -----------------------------------------------------------------


def ensure_database(database_url: str, *, leads: int, items_per_lead: int, rebuild: bool) -> None:
    import psycopg

    name = database_url.rpartition("/")[2]
    started = time.perf_counter()
    migrated_database(database_url, rebuild=rebuild)
    with psycopg.connect(database_url) as connection:
        have = connection.execute(f"SELECT count(*) FROM {LEAD_TABLE}").fetchone()[0]  # noqa: S608
        if have >= leads:
            print(f"database {name}: {have} leads already there (use --rebuild to start over)")
            return
    _reference_rows(database_url)
    with psycopg.connect(database_url) as connection:
        _copy_rows(connection, leads=leads, items_per_lead=items_per_lead)
    print(
        f"database {name}: built {leads} leads, {leads * items_per_lead} line items in "
        f"{time.perf_counter() - started:.0f} s"
    )


def _reference_rows(database_url: str) -> None:
    """The benchmark user (with the lead integrator role), offering, unit and consumer, through
    the product's own models (in a child process: Django is set up there, not here)."""
    script = f"""
import django; django.setup()
from contacts.models import Consumer
from csm_project.core.models import User
from csm_project.core.access.roles import user_grant_roles
from leads.models import ProductOffering, UnitOfMeasure
user = User.objects.filter(user_name={BENCH_USER!r}).first() or User.objects.create_user(
    {BENCH_USER!r}, {BENCH_PASSWORD!r}, first_name="Bench", last_name="Integrator", time_zone="UTC")
user_grant_roles(user=user, roles=["sn_lead_mgmt_core.lead_integrator"])
ProductOffering.objects.get_or_create(sys_id={OFFERING!r}, defaults={{"name": "Safety Test Coverage", "code": "SAFETSTCVG1"}})
ProductOffering.objects.get_or_create(sys_id="0b61dd9fd0a63110f8770dbf976be171", defaults={{"name": "Solana Modem M Series", "code": "SOLANAMODE2"}})
UnitOfMeasure.objects.get_or_create(sys_id={UNIT!r}, defaults={{"name": "Each"}})
Consumer.objects.get_or_create(sys_id={CONSUMER!r}, defaults={{"name": "test"}})
"""  # noqa: E501
    subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**environment(database_url), "DJANGO_SETTINGS_MODULE": "csm_project.settings"},
        check=True,
    )


def _copy_rows(connection, *, leads: int, items_per_lead: int) -> None:
    """Leads, line items and a work note per lead by COPY, numbered from 1; counters moved past."""
    user_id = connection.execute("SELECT sys_id FROM sys_user WHERE user_name = %s", [BENCH_USER]).fetchone()[0]
    offerings = [OFFERING, "0b61dd9fd0a63110f8770dbf976be171"]
    stages = ("100_new", "200_contacted", "300_nurturing", "400_closed_won", "500_closed_lost")
    base = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    system = ("admin", "admin", 0, "global", "/")
    lead_columns = ("sys_id, number, last_name, first_name, company, email, stage, lead_source, lead_score, "
                    "short_description, country, do_not_call, do_not_email, do_not_share, owner_id, sys_created_on, "
                    "sys_updated_on, sys_created_by, sys_updated_by, sys_mod_count, sys_domain, sys_domain_path, "
                    "sys_class_name")  # fmt: skip
    item_columns = ("sys_id, number, lead_id, product_offering_id, quantity, unit_of_measurement_id, "
                    "sys_created_on, sys_updated_on, sys_created_by, sys_updated_by, sys_mod_count, sys_domain, "
                    "sys_domain_path, sys_class_name")  # fmt: skip
    note_columns = (
        "sys_id, name, element_id, element, value, author_id, sys_created_on, sys_updated_on, "
        "sys_created_by, sys_updated_by, sys_mod_count, sys_domain, sys_domain_path, sys_class_name"
    )
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {LEAD_TABLE} ({lead_columns}) FROM STDIN") as copy:
            for n in range(1, leads + 1):
                at = datetime.fromtimestamp(base + n * 60, UTC)
                copy.write_row((f"{n:032x}", f"LEAD{n:07d}", f"Last{n % 997}", f"First{n % 101}",
                                f"Company {n % 503}", f"lead{n}@example.com", stages[n % 5], "inbound_web",
                                n % 100 + 1, "Generated lead for the benchmark", "USA", False, False, False,
                                user_id, at, at, *system, LEAD_TABLE))  # fmt: skip
        with cursor.copy(f"COPY {ITEM_TABLE} ({item_columns}) FROM STDIN") as copy:
            for n in range(1, leads + 1):
                at = datetime.fromtimestamp(base + n * 60, UTC)
                for k in range(items_per_lead):
                    number = (n - 1) * items_per_lead + k + 1
                    copy.write_row((f"{n:024x}{k:08x}", f"LEADL{number:07d}", f"{n:032x}", offerings[k % 2],
                                    k + 1, UNIT, at, at, *system, ITEM_TABLE))  # fmt: skip
        with cursor.copy(f"COPY sys_journal_field ({note_columns}) FROM STDIN") as copy:
            for n in range(1, leads + 1):
                at = datetime.fromtimestamp(base + n * 60 + 30, UTC)
                copy.write_row((uuid.uuid4().hex, LEAD_TABLE, f"{n:032x}", "work_notes", f"Called lead {n}",
                                user_id, at, at, *system, "sys_journal_field"))  # fmt: skip
        counters = (("LEAD", LEAD_TABLE, leads + 1), ("LEADL", ITEM_TABLE, leads * items_per_lead + 1))
        for prefix, table, value in counters:
            cursor.execute(
                "INSERT INTO sys_number_counter (prefix, \"table\", next_value, digits) VALUES (%s, %s, %s, 7) "
                "ON CONFLICT (prefix) DO UPDATE SET next_value = GREATEST(sys_number_counter.next_value, "
                "EXCLUDED.next_value)", [prefix, table, value])  # fmt: skip
    connection.commit()
    connection.autocommit = True
    connection.execute("VACUUM ANALYZE")  # as autovacuum would have by now


# --- serving and measuring -----------------------------------------------------------------


def same_page(app: str, raw: str, auth) -> str:
    """'yes' when both servers answer the same JSON for the same page, else the first difference."""
    import requests

    params = {"sysparm_limit": 20, "sysparm_offset": 40}
    ours = requests.get(app, params=params, auth=auth, timeout=30).json()
    theirs = requests.get(raw, params=params, timeout=30).json()
    for index, (lead, other) in enumerate(zip(ours, theirs, strict=True)):
        for key in lead.keys() | other.keys():
            if lead.get(key, "<missing>") != other.get(key, "<missing>"):
                return f"no (lead {index}, key {key!r})"
    return "yes"


def sender(method: str, url: str):
    """A ``send(session, index)`` for ``bench_serving.measure``: ``GET`` pages of 20 leads (offsets
    cycling over the first 2,000 rows) or ``POST`` of the seed's example lead."""

    def send(session, index: int):
        if method == "GET":
            return session.get(url, params={"sysparm_limit": 20, "sysparm_offset": (index * 20) % 2000}, timeout=30)
        return session.post(url, json=POST_BODY, timeout=30)

    return send


def measure(method: str, url: str, **options) -> tuple[float, int, int]:
    return bench_serving.measure(sender(method, url), **options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--items-per-lead", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--requests", type=int, default=1500, help="GET requests per server")
    parser.add_argument("--post-requests", type=int, default=600, help="POST requests per server")
    parser.add_argument("--time-limit", type=float, default=25.0, help="seconds per measurement at most")
    parser.add_argument("--app-port", type=int, default=8731)
    parser.add_argument("--raw-port", type=int, default=8732)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("the benchmark needs PostgreSQL (--database-url postgres://...)")

    ensure_database(args.database_url, leads=args.leads, items_per_lead=args.items_per_lead, rebuild=args.rebuild)
    auth = (BENCH_USER, BENCH_PASSWORD)
    servers = [
        start_server(["csm_project.wsgi:application"], args.app_port, args.workers, args.database_url),
        raw_server("lead_api_bench", args.raw_port, args.workers, args.database_url),
    ]
    app = f"http://127.0.0.1:{args.app_port}/api/sn_lead_mgmt_core/lead"
    raw = f"http://127.0.0.1:{args.raw_port}/lead"
    try:
        wait_ready(app, auth)
        wait_ready(raw, None)
        same = same_page(app, raw, auth)
        for url, who in ((app, auth), (raw, None)):  # warm up every worker (pools, caches, imports)
            measure("GET", url, auth=who, requests_total=40, threads=args.threads, time_limit=30, expect=206)
        figures = {}
        for label, method, total, expect in (
            ("GET list (20 leads + line items)", "GET", args.requests, 206),
            ("POST (1 line item)", "POST", args.post_requests, 201),
        ):
            app_rps = measure(
                method,
                app,
                auth=auth,
                requests_total=total,
                threads=args.threads,
                time_limit=args.time_limit,
                expect=expect,
            )
            raw_rps = measure(
                method,
                raw,
                auth=None,
                requests_total=total,
                threads=args.threads,
                time_limit=args.time_limit,
                expect=expect,
            )
            figures[label] = (app_rps, raw_rps)
    finally:
        stop_servers(servers)

    print(f"\nthe raw endpoint's first page is the product's, key for key and value for value: {same}")
    print(
        f"{args.leads} leads, {args.leads * args.items_per_lead} line items; gunicorn {args.workers} sync "
        f"workers per server; {args.threads} client threads on 127.0.0.1"
    )
    print(f"{'':36}{'product req/s':>15}{'raw req/s':>12}{'raw/product':>13}   requests (unexpected answers)")
    for label, ((app_rps, app_done, app_errors), (raw_rps, raw_done, raw_errors)) in figures.items():
        print(
            f"{label:36}{app_rps:15.1f}{raw_rps:12.1f}{raw_rps / app_rps:12.2f}x   "
            f"product {app_done} ({app_errors}), raw {raw_done} ({raw_errors})"
        )


if __name__ == "__main__":
    main()
