"""Benchmark: the five hot requests of the product against raw endpoints doing the same work, in
one interleaved run. Prints figures; asserts nothing; never part of the test suite.

    python benchmarks/hot_paths_bench.py [--database-url URL] [--runs 3] [--requests N] [--time-limit S]

1. Prepares a PostgreSQL database (default ``postgres://postgres@127.0.0.1:5432/csm_hot_paths_bench``):
   the leads of ``lead_api_bench`` (100k leads, 3 line items and a work note each, by ``COPY``),
   the Contact API's demo records and ``--contacts`` generated contacts (``contact_api_bench.fill``),
   and the benchmark users ``bench.integrator`` (lead integrator) and ``bench.contacts``
   (``csm_ws_integration``). Later runs reuse it.
2. Serves the product (``csm_project.wsgi``) and ``raw_app`` below (psycopg + orjson, no Django per
   request) under gunicorn with ``--workers`` sync workers each on loopback ports, and checks that
   both answer the same pages: a lead page key for key, a Contact API page and a Table API page
   byte for byte (headers included, but for the port in the links).
3. ``--runs`` times, for each request, measures the product then the raw endpoint (the other way
   round on even runs, so a drift in the machine's load weighs on both alike) from ``--threads``
   client threads, and prints raw / product per run, their median and spread, against the target.

The requests: ``GET`` a page of 20 leads with line items and work notes; ``POST`` the seed's
example lead with one line item; ``GET /api/now/contact`` pages of 20; ``GET`` Table API pages of
100 contacts; ``POST /api/now/contact`` with a social profile. The raw endpoints skip what the
product adds on purpose (authentication and roles, encoded queries, validation, DRF's cycle) but
do the same SQL work: counts, pages, the look-ups a write needs, the inserts in one transaction.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode

import lead_api_bench
import table_api_bench
from bench_serving import (
    ROOT,
    ROW_COUNT_SQL,
    environment,
    free_port,
    measure,
    raw_server,
    start_server,
    stop_servers,
    wait_ready,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/csm_hot_paths_bench"
CONTACTS_USER = table_api_bench.BENCH_USER
PASSWORD = table_api_bench.BENCH_PASSWORD
BOXEO = "86837a386f0331003b3c498f5d3ee4ca"  # the demo account every posted contact belongs to
CONTACT_PATH = "/api/now/contact"
CONTACT_PAGE = 20
LIST_TARGET, WRITE_TARGET = 1.6, 2.5


def contact_body() -> dict:
    """A new contact (a user name no one has) with a social profile on a channel that exists."""
    name = uuid.uuid4().hex[:12]
    return {"user_name": f"hot{name}", "first_name": "Posted", "last_name": "Bench", "account": BOXEO,
            "social_channel": "Twitter", "social_handle": f"@h{name}",
            "social_handle_url": f"https://t.co/{name}"}  # fmt: skip


# --- the raw Contact API -------------------------------------------------------------------

_plan_lock = threading.Lock()
_plan: dict = {}


def _contact_plan() -> dict:
    """What the raw endpoint learns from the models once per worker: the wire keys with their SQL
    column and kind, and the stored values a new contact and profile start from."""
    with _plan_lock:
        if not _plan:
            import django

            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csm_project.settings")
            django.setup()
            from contacts.api.serializers import CONTACT_KEYS
            from contacts.models import Contact, SocialProfile
            from csm_project.core.models import User

            keys = []
            for key in CONTACT_KEYS:
                if key == "roles":
                    keys.append((key, None, "roles"))
                    continue
                field = Contact._meta.get_field(key)
                alias = "u" if field.model is User else "c"
                kind = "date" if key == "last_login" else field.get_internal_type()
                keys.append((key, f"{alias}.{field.column}", kind))
            _plan["keys"] = keys
            _plan["user"] = {f.column: f.get_default() for f in User._meta.concrete_fields}
            _plan["contact"] = {f.column: f.get_default() for f in Contact._meta.local_concrete_fields}
            _plan["profile"] = {f.column: f.get_default() for f in SocialProfile._meta.concrete_fields}
            _plan["references"] = {
                f.name: f.column
                for f in Contact._meta.local_concrete_fields
                if f.many_to_one and f.column != "user_ptr_id"
            }
    return _plan


def _contact_text(kind: str, value) -> str:
    if value is None:
        return ""
    if kind == "BooleanField":
        return "true" if value else "false"
    if kind == "DateTimeField":
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if kind == "date":
        return value.astimezone(UTC).strftime("%Y-%m-%d")
    if kind == "FloatField":
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _contact_list(environ, start_response, connection):
    import orjson

    keys = _contact_plan()["keys"]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    limit = int(query.get("sysparm_limit", ["10"])[0])
    offset = int(query.get("sysparm_offset", ["0"])[0])
    select = ", ".join(column for _key, column, _kind in keys if column)
    source = "FROM customer_contact c JOIN sys_user u ON u.sys_id = c.user_ptr_id"
    with connection.cursor() as cursor:
        total = cursor.execute(ROW_COUNT_SQL, ["customer_contact"]).fetchone()[0]
        rows = cursor.execute(
            f"SELECT u.sys_id, {select} {source} ORDER BY u.sys_created_on, u.sys_id LIMIT %s OFFSET %s",  # noqa: S608
            [limit, offset],
        ).fetchall()
        roles: dict[str, list[str]] = {}
        for user_id, name in cursor.execute(
            "SELECT ur.user_id, r.name FROM sys_user_roles ur JOIN sys_user_role r ON r.sys_id = ur.role_id "
            "WHERE ur.user_id = ANY(%s)",
            [[row[0] for row in rows]],
        ):
            roles.setdefault(user_id, []).append(name)
    result = []
    for row in rows:
        values = iter(row[1:])
        record = {}
        for key, column, kind in keys:
            record[key] = (
                ",".join(sorted(roles.get(row[0], ()))) if column is None else _contact_text(kind, next(values))
            )
        result.append(record)
    more = limit > 0 and offset + limit < total
    rels = [("first", 0)]
    if offset > 0 and limit > 0:
        rels.append(("prev", max(0, offset - limit)))
    if more:
        rels.append(("next", offset + limit))
    rels.append(("last", max(0, (total - 1) // limit * limit)))
    base = f"http://{environ['HTTP_HOST']}{CONTACT_PATH}"
    link = ",".join(
        f'<{base}?{urlencode({"sysparm_limit": limit, "sysparm_offset": value})}>;rel="{rel}"' for rel, value in rels
    )
    start_response("200 OK", [("Content-Type", "application/json"), ("X-Total-Count", str(total)), ("Link", link)])
    return [orjson.dumps({"result": result, "hasMore": more})]


def _contact_create(environ, start_response, connection):
    """Check the account and the user name, then the user and contact rows, the channel and the
    profile in one transaction; answer the new sys_id."""
    import orjson

    plan = _contact_plan()
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = orjson.loads(environ["wsgi.input"].read(length) or b"{}")
    with connection.cursor() as cursor:
        account = body.get("account")
        known = (
            account is None or cursor.execute("SELECT 1 FROM customer_account WHERE sys_id = %s", [account]).fetchone()
        )
        taken = cursor.execute(
            "SELECT 1 FROM sys_user WHERE lower(user_name) = lower(%s)", [body.get("user_name") or ""]
        ).fetchone()
        if not known or taken:
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [b'{"error":{"message":"Operation Failed","detail":null},"status":"failure"}']
        now = datetime.now(UTC)
        system = {"sys_created_on": now, "sys_updated_on": now, "sys_created_by": CONTACTS_USER,
                  "sys_updated_by": CONTACTS_USER}  # fmt: skip
        sys_id = uuid.uuid4().hex
        user = dict(plan["user"], **system, sys_id=sys_id, password="!" + secrets.token_urlsafe(30),
                    sys_class_name="customer_contact")  # fmt: skip
        contact = dict(plan["contact"], user_ptr_id=sys_id)
        for key, value in body.items():
            if key in plan["references"]:
                contact[plan["references"][key]] = value
            elif key in user:
                user[key] = value
            elif key in contact:
                contact[key] = value
        user["name"] = f"{user.get('first_name') or ''} {user.get('last_name') or ''}".strip()
        with connection.transaction():
            lead_api_bench._insert(cursor, "sys_user", user)
            lead_api_bench._insert(cursor, "customer_contact", contact)
            channel = cursor.execute(
                "SELECT sys_id FROM sn_app_cs_social_social_channel WHERE upper(name) = upper(%s) "
                "ORDER BY sys_created_on, sys_id LIMIT 1",
                [body["social_channel"]],
            ).fetchone()[0]
            profile = dict(plan["profile"], **system, sys_id=uuid.uuid4().hex, channel_id=channel, contact_id=sys_id,
                           social_id=body["social_handle"], profile_url=body["social_handle_url"], account_id=account,
                           sys_class_name="sn_app_cs_social_social_profile")  # fmt: skip
            lead_api_bench._insert(cursor, "sn_app_cs_social_social_profile", profile)
    start_response("201 Created", [("Content-Type", "application/json")])
    return [orjson.dumps({"result": sys_id})]


def raw_app(environ, start_response):
    """The raw side of every request: leads and the Table API list from their own benchmarks,
    the Contact API here."""
    path = environ.get("PATH_INFO", "")
    if path.startswith("/lead"):
        return lead_api_bench.raw_app(environ, start_response)
    if path.startswith("/api/now/table/"):
        return table_api_bench.raw_app(environ, start_response)
    connection = table_api_bench._connection()
    if environ["REQUEST_METHOD"] == "POST":
        return _contact_create(environ, start_response, connection)
    return _contact_list(environ, start_response, connection)


# --- setting up ----------------------------------------------------------------------------


def ensure_database(database_url: str, *, leads: int, items_per_lead: int, contacts: int, rebuild: bool) -> None:
    lead_api_bench.ensure_database(database_url, leads=leads, items_per_lead=items_per_lead, rebuild=rebuild)
    script = f"""
import io
import django; django.setup()
from contacts.demo import load_crm
from contacts.models import Contact
from csm_project.core.models import User
from csm_project.core.access.roles import user_grant_roles
load_crm(stdout=io.StringIO())
user = User.objects.filter(user_name={CONTACTS_USER!r}).first() or User.objects.create_user(
    {CONTACTS_USER!r}, {PASSWORD!r}, first_name="Bench", last_name="Contacts", time_zone="UTC")
user_grant_roles(user=user, roles=["csm_ws_integration"])
if not Contact.objects.filter(user_name__startswith="bench0").exists() and {contacts} > 0:
    from benchmarks.contact_api_bench import fill
    fill({contacts})
print(Contact.objects.count(), "contacts")
"""
    env = {**environment(database_url), "DJANGO_SETTINGS_MODULE": "csm_project.settings"}
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)  # noqa: S603 - our own script
    # Fresh statistics for every run, as autovacuum keeps them (it may be off on a development
    # server): the contacts above and the previous runs' POSTs land after the leads' ANALYZE, and
    # a planner that still thinks sys_user is empty hash-joins the whole table for a page of 100.
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


# --- checking, measuring, printing ---------------------------------------------------------


def same_contact_page(app: str, raw: str, auth, app_port: int, raw_port: int) -> str:
    import requests

    params = {"sysparm_limit": CONTACT_PAGE, "sysparm_offset": CONTACT_PAGE}
    ours = requests.get(app, params=params, auth=auth, timeout=30)
    theirs = requests.get(raw, params=params, timeout=30)
    link = theirs.headers["Link"].replace(f":{raw_port}/", f":{app_port}/")
    if ours.content != theirs.content:
        index = next(i for i, (a, b) in enumerate(zip(ours.content, theirs.content, strict=False)) if a != b)
        around = slice(max(0, index - 40), index + 40)
        return f"no: bodies differ at byte {index}: {ours.content[around]!r} / {theirs.content[around]!r}"
    if ours.headers["X-Total-Count"] != theirs.headers["X-Total-Count"] or ours.headers["Link"] != link:
        return "no: headers differ"
    return f"yes ({len(ours.content)} bytes, {CONTACT_PAGE} contacts)"


def contact_sender(method: str, url: str):
    def send(session, index: int):
        if method == "POST":
            return session.post(url, json=contact_body(), timeout=30)
        params = {"sysparm_limit": CONTACT_PAGE, "sysparm_offset": (index * CONTACT_PAGE) % 2000}
        return session.get(url, params=params, timeout=30)

    return send


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--items-per-lead", type=int, default=3)
    parser.add_argument("--contacts", type=int, default=20_000, help="generated contacts besides the demo ones")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=400, help="requests per server, request and run")
    parser.add_argument("--time-limit", type=float, default=6.0, help="seconds per measurement at most")
    parser.add_argument("--only", default="", help="measure only the requests whose label holds this text")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("the benchmark needs PostgreSQL (--database-url postgres://...)")
    ensure_database(args.database_url, leads=args.leads, items_per_lead=args.items_per_lead,
                    contacts=args.contacts, rebuild=args.rebuild)  # fmt: skip

    import requests

    app_port, raw_port = free_port(), free_port()
    servers = [
        start_server(["csm_project.wsgi:application"], app_port, args.workers, args.database_url),
        raw_server("hot_paths_bench", raw_port, args.workers, args.database_url),
    ]
    app, raw = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{raw_port}"
    leads = (lead_api_bench.BENCH_USER, lead_api_bench.BENCH_PASSWORD)
    contacts = (CONTACTS_USER, PASSWORD)
    table = table_api_bench.PATH
    try:
        wait_ready(f"{app}/api/sn_lead_mgmt_core/lead", leads)
        wait_ready(f"{raw}/lead", None)
        checks = {
            "lead page (key for key)": lead_api_bench.same_page(f"{app}/api/sn_lead_mgmt_core/lead", f"{raw}/lead",
                                                                leads),
            "contact page (bytes)": same_contact_page(f"{app}{CONTACT_PATH}", f"{raw}{CONTACT_PATH}", contacts,
                                                      app_port, raw_port),
            "table page (bytes)": table_api_bench.same_bytes(f"{app}{table}", f"{raw}{table}", contacts, app_port,
                                                             raw_port),
        }  # fmt: skip
        total = int(requests.get(f"{app}{table}", params={"sysparm_limit": 1}, auth=contacts, timeout=30)
                    .headers["X-Total-Count"])  # fmt: skip
        # (label, target, expected status, product (send, auth), raw send)
        hot = [
            ("Lead GET list (20 + items, notes)", LIST_TARGET, 206,
             lead_api_bench.sender("GET", f"{app}/api/sn_lead_mgmt_core/lead"), leads,
             lead_api_bench.sender("GET", f"{raw}/lead")),
            ("Lead POST (1 line item)", WRITE_TARGET, 201,
             lead_api_bench.sender("POST", f"{app}/api/sn_lead_mgmt_core/lead"), leads,
             lead_api_bench.sender("POST", f"{raw}/lead")),
            ("Contact GET list (20)", LIST_TARGET, 200,
             contact_sender("GET", f"{app}{CONTACT_PATH}"), contacts, contact_sender("GET", f"{raw}{CONTACT_PATH}")),
            ("Table API list (100 contacts)", LIST_TARGET, 200,
             table_api_bench.sender(f"{app}{table}", total), contacts, table_api_bench.sender(f"{raw}{table}", total)),
            ("Contact POST (social profile)", WRITE_TARGET, 201,
             contact_sender("POST", f"{app}{CONTACT_PATH}"), contacts, contact_sender("POST", f"{raw}{CONTACT_PATH}")),
        ]  # fmt: skip
        hot = [request for request in hot if args.only.lower() in request[0].lower()]
        options = {"threads": args.threads}
        for _label, _target, expect, app_send, who, raw_send in hot:  # warm every worker up
            measure(app_send, auth=who, requests_total=24, time_limit=30, expect=expect, **options)
            measure(raw_send, auth=None, requests_total=24, time_limit=30, expect=expect, **options)
        figures: dict[str, list] = {label: [] for label, *_ in hot}
        options.update(requests_total=args.requests, time_limit=args.time_limit)
        for run in range(args.runs):
            for label, _target, expect, app_send, who, raw_send in hot:
                sides = [("product", app_send, who), ("raw", raw_send, None)]
                result = {name: measure(send, auth=auth, expect=expect, **options)
                          for name, send, auth in (sides if run % 2 == 0 else sides[::-1])}  # fmt: skip
                figures[label].append((result["product"], result["raw"]))
    finally:
        stop_servers(servers)

    print()
    for what, verdict in checks.items():
        print(f"same answer from both servers, {what}: {verdict}")
    print(f"gunicorn {args.workers} sync workers per server, {args.threads} client threads on 127.0.0.1, "
          f"{args.runs} runs; raw/product per run (product req/s, raw req/s), unexpected answers")  # fmt: skip
    print(f"{'request':36}{'median':>8}{'spread':>14}{'target':>8}   runs")
    for label, target, *_ in hot:
        runs = figures[label]
        ratios = [raw_rps / app_rps for (app_rps, _d, _e), (raw_rps, _rd, _re) in runs]
        errors = sum(a[2] + r[2] for a, r in runs)
        median = statistics.median(ratios)
        verdict = "ok" if median <= target else "over"
        detail = "  ".join(f"{ratio:.2f}x ({a[0]:.0f}/{r[0]:.0f})" for ratio, (a, r) in zip(ratios, runs, strict=True))
        print(f"{label:36}{median:7.2f}x{min(ratios):6.2f}-{max(ratios):.2f}x{target:6.1f}x {verdict:4} {detail}"
              f"  [{errors}]")  # fmt: skip


if __name__ == "__main__":
    main()
