"""Benchmark: a Table API list page (100 contacts) against a raw endpoint serving the same bytes.
Prints figures; asserts nothing; never part of the test suite.

    python benchmarks/table_api_bench.py [--database-url URL] [--requests N] [--threads N] [--workers N]

1. Prepares a PostgreSQL database (default ``postgres://postgres@127.0.0.1:5432/csm_table_bench``):
   migrations, the demo data set (``seed_demo``: about 300 contacts) and the benchmark user
   ``bench.contacts`` with the role ``csm_ws_integration``. Later runs reuse it.
2. Serves the product (``csm_project.wsgi``) and ``raw_app`` below under gunicorn with the same
   number of sync workers, on free loopback ports. ``raw_app`` answers
   ``GET /api/now/table/customer_contact?sysparm_limit=&sysparm_offset=`` with psycopg and
   orjson only: one count, one page query, the same string formatting, the same ``X-Total-Count``
   and ``Link`` headers. It learns the column list and types from the registry once at start-up;
   nothing of Django runs per request. The script checks that a page of each is the same bytes
   (but for the port in the links) before measuring.
3. From ``--threads`` client threads (one ``requests.Session`` each), sends ``--requests`` list
   requests of 100 contacts to each server (offsets cycling over the table), in ``--rounds``
   alternating rounds, and prints requests per second for both and the ratio product / raw.

The raw endpoint skips what the product adds on purpose: Basic authentication, the table access
rule, encoded-query compilation, DRF's request and response cycle, model instances.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
from datetime import UTC
from urllib.parse import parse_qs, urlencode

import bench_serving
from bench_serving import (
    ROOT,
    ROW_COUNT_SQL,
    environment,
    free_port,
    migrated_database,
    raw_server,
    start_server,
    stop_servers,
    wait_ready,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/csm_table_bench"
BENCH_USER = "bench.contacts"
BENCH_PASSWORD = "bench-pass-1234"  # noqa: S105 - a throwaway local benchmark database
PAGE = 100
PATH = "/api/now/table/customer_contact"


# --- the raw endpoint ----------------------------------------------------------------------

_raw_state = threading.local()
_plan_lock = threading.Lock()
_plan: list[tuple[str, str, str, str | None]] = []


def _columns() -> list[tuple[str, str, str, str | None]]:
    """(key, SQL column, kind, referenced table) per field of customer_contact, in the product's
    order; read from the registry once per worker."""
    with _plan_lock:
        if not _plan:
            import django

            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csm_project.settings")
            django.setup()
            from contacts.models import Contact
            from csm_project.registry import get_table

            for spec in get_table("customer_contact").fields.values():
                field = Contact._meta.get_field(spec.model_field)
                alias = "u" if field.model._meta.db_table == "sys_user" else "c"
                _plan.append((spec.name, f"{alias}.{field.column}", spec.type.value, spec.reference))
    return _plan


def _connection():
    import psycopg

    connection = getattr(_raw_state, "connection", None)
    if connection is None or connection.closed:
        connection = psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True)
        _raw_state.connection = connection
    return connection


def _text(kind: str, value) -> str:
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "datetime":
        return value.astimezone(UTC).isoformat(" ", "seconds")[:19]
    if kind == "decimal" and isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def raw_app(environ, start_response):
    import orjson

    plan = _columns()
    query = parse_qs(environ.get("QUERY_STRING", ""))
    limit = int(query.get("sysparm_limit", ["10000"])[0])
    offset = int(query.get("sysparm_offset", ["0"])[0])
    base = f"http://{environ['HTTP_HOST']}"
    select = ", ".join(column for _key, column, _kind, _ref in plan)
    source = "FROM customer_contact c JOIN sys_user u ON u.sys_id = c.user_ptr_id"
    with _connection().cursor() as cursor:
        cursor.execute(ROW_COUNT_SQL, ["customer_contact"])
        total = cursor.fetchone()[0]
        cursor.execute(f"SELECT {select} {source} ORDER BY u.sys_created_on, u.sys_id LIMIT %s OFFSET %s",  # noqa: S608
                       [limit, offset])  # fmt: skip
        rows = cursor.fetchall()
    result = []
    for row in rows:
        record = {}
        for (key, _column, kind, reference), value in zip(plan, row, strict=True):
            if reference is None:
                record[key] = _text(kind, value)
            elif value is None:
                record[key] = ""
            else:
                record[key] = {"link": f"{base}/api/now/table/{reference}/{value}", "value": value}
        result.append(record)
    rels = [("first", 0)]
    if offset > 0:
        rels.append(("prev", max(0, offset - limit)))
    if offset + limit < total:
        rels.append(("next", offset + limit))
    rels.append(("last", max(0, (total - 1) // limit * limit)))
    link = ",".join(
        f'<{base}{PATH}?{urlencode({"sysparm_limit": limit, "sysparm_offset": value})}>;rel="{rel}"'
        for rel, value in rels
    )
    start_response("200 OK", [("Content-Type", "application/json"), ("X-Total-Count", str(total)), ("Link", link)])
    return [orjson.dumps({"result": result})]


# --- setting up, serving, measuring --------------------------------------------------------


def ensure_database(database_url: str) -> None:
    migrated_database(database_url)
    env = environment(database_url)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "seed_demo", "--password", BENCH_PASSWORD], cwd=ROOT, env=env, check=True,  # noqa: S603
                   stdout=subprocess.DEVNULL)  # fmt: skip
    script = f"""
import django; django.setup()
from csm_project.core.models import User
from csm_project.core.access.roles import user_grant_roles
user = User.objects.filter(user_name={BENCH_USER!r}).first() or User.objects.create_user(
    {BENCH_USER!r}, {BENCH_PASSWORD!r}, first_name="Bench", last_name="Contacts", time_zone="UTC")
user_grant_roles(user=user, roles=["csm_ws_integration"])
"""
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True,  # noqa: S603 - our own script
                   env={**env, "DJANGO_SETTINGS_MODULE": "csm_project.settings"})  # fmt: skip


def same_bytes(app: str, raw: str, auth, app_port: int, raw_port: int) -> str:
    import requests

    params = {"sysparm_limit": PAGE, "sysparm_offset": PAGE}
    ours = requests.get(app, params=params, auth=auth, timeout=30)
    theirs = requests.get(raw, params=params, timeout=30)
    body = theirs.content.replace(f":{raw_port}/".encode(), f":{app_port}/".encode())
    link = theirs.headers["Link"].replace(f":{raw_port}/", f":{app_port}/")
    if ours.content != body:
        index = next(i for i, (a, b) in enumerate(zip(ours.content, body, strict=False)) if a != b)
        around = slice(max(0, index - 40), index + 40)
        return f"no: bodies differ at byte {index}: {ours.content[around]!r} / {body[around]!r}"
    if ours.headers["X-Total-Count"] != theirs.headers["X-Total-Count"] or ours.headers["Link"] != link:
        return "no: headers differ"
    return f"yes ({len(body)} bytes, {len(ours.json()['result'])} contacts)"


def sender(url: str, total: int):
    """A ``send(session, index)`` for ``bench_serving.measure``: list pages of ``PAGE`` contacts,
    offsets cycling over the table."""
    pages = max(1, (total - PAGE) // PAGE + 1)

    def send(session, index: int):
        return session.get(url, params={"sysparm_limit": PAGE, "sysparm_offset": (index % pages) * PAGE}, timeout=60)

    return send


def measure(url: str, *, total: int, **options) -> tuple[float, int, int]:
    """(requests per second, requests done, answers other than 200)."""
    return bench_serving.measure(sender(url, total), expect=200, **options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--requests", type=int, default=1000, help="list requests per server")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per server at most")
    parser.add_argument("--rounds", type=int, default=5, help="alternating measurement rounds per server")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("the benchmark needs PostgreSQL (--database-url postgres://...)")
    ensure_database(args.database_url)
    auth = (BENCH_USER, BENCH_PASSWORD)
    app_port, raw_port = free_port(), free_port()
    servers = [
        start_server(["csm_project.wsgi:application"], app_port, args.workers, args.database_url),
        raw_server("table_api_bench", raw_port, args.workers, args.database_url),
    ]  # fmt: skip
    app, raw = f"http://127.0.0.1:{app_port}{PATH}", f"http://127.0.0.1:{raw_port}{PATH}"
    try:
        wait_ready(app, auth)
        wait_ready(raw, None)
        same = same_bytes(app, raw, auth, app_port, raw_port)
        import requests

        total = int(requests.get(app, params={"sysparm_limit": 1}, auth=auth, timeout=30).headers["X-Total-Count"])
        for url, who in ((app, auth), (raw, None)):  # warm every worker up (imports, connections, caches)
            measure(url, auth=who, total=total, requests_total=40, threads=args.threads, time_limit=60)
        # Alternate short rounds, so a change in the machine's load weighs on both servers alike.
        totals = {"product": [0.0, 0, 0], "raw": [0.0, 0, 0]}
        for _round in range(args.rounds):
            for name, url, who in (("product", app, auth), ("raw", raw, None)):
                rate, done, errors = measure(
                    url,
                    auth=who,
                    total=total,
                    requests_total=args.requests // args.rounds,
                    threads=args.threads,
                    time_limit=args.time_limit / args.rounds,
                )
                totals[name][0] += done / rate
                totals[name][1] += done
                totals[name][2] += errors
        product = (totals["product"][1] / totals["product"][0], *totals["product"][1:])
        baseline = (totals["raw"][1] / totals["raw"][0], *totals["raw"][1:])
    finally:
        stop_servers(servers)
    print(f"\nsame bytes from both servers (a page of {PAGE} contacts): {same}")
    print(f"{total} contacts; gunicorn {args.workers} sync workers per server; {args.threads} client threads")
    print(f"{'':28}{'product req/s':>15}{'raw req/s':>12}{'product/raw':>13}   requests (not 200)")
    print(f"{'GET list (100 contacts)':28}{product[0]:15.1f}{baseline[0]:12.1f}{product[0] / baseline[0]:13.2f}   "
          f"product {product[1]} ({product[2]}), raw {baseline[1]} ({baseline[2]})")  # fmt: skip


if __name__ == "__main__":
    main()
