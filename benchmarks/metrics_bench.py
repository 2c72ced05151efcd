"""Benchmark: what the Prometheus metrics cost on the hot requests. Prints figures; asserts nothing.

    python benchmarks/metrics_bench.py --database-url postgres://postgres@127.0.0.1:5432/csm_metrics_bench

One database (the demo data of ``seed_demo`` and ``--contacts`` generated contacts) is served by
two gunicorns with the project's gunicorn.conf.py and 2 sync workers each: one with
``METRICS_ENABLED=false``, one with metrics on (django-prometheus's middleware and instrumented
database backend, the pool gauges, multiprocess mode: every value written to the workers'
shared files). 8 client threads on 127.0.0.1 send, for each request in turn, ``--requests`` to
one server then as many to the other (the other way round on even runs); requests per second of
each, and on / off, are printed per run, then the median of ``--runs`` runs.

Throughput on a shared machine moves with whatever else runs there, so ``--cpu`` measures the
cost where it is spent instead: one process per setting (off, on, on, off, ... ``--runs`` pairs)
sends ``--requests`` in-process requests of each kind through Django's test client and prints the
CPU milliseconds its own process spent per request (the metrics' work is all in the application
process), the median per setting, and the difference.
"""

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_serving import ROOT, environment, free_port, measure, migrated_database, stop_servers, wait_ready  # noqa: E402

AUTH = ("csm.integration", "demo")
TOKEN = "metrics-bench-token-0123456789"  # noqa: S105 - the benchmark's own throwaway server


def server(port: int, database_url: str, *, metrics: bool) -> subprocess.Popen:
    env = {**environment(database_url), "METRICS_ENABLED": "true" if metrics else "false", "METRICS_TOKEN": TOKEN}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "csm_project.wsgi", "-w", "2",
               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--access-logfile", "/dev/null"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603


def add_contacts(database_url: str, count: int) -> None:
    """``count`` generated contacts (contact_api_bench.fill), once per database."""
    script = f"""
import django; django.setup()
from contacts.models import Contact
if not Contact.objects.filter(user_name__startswith="bench0").exists() and {count} > 0:
    from benchmarks.contact_api_bench import fill
    fill({count})
"""
    env = {**environment(database_url), "DJANGO_SETTINGS_MODULE": "csm_project.settings"}
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)  # noqa: S603 - our own script
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


REQUESTS = {
    "Contact GET list, 20": ("GET", "/api/now/contact?sysparm_limit=20", None, 200),
    "Table API list, 100 contacts": ("GET", "/api/now/table/customer_contact?sysparm_limit=100", None, 200),
    "Contact POST": ("POST", "/api/now/contact", {"first_name": "Mia", "last_name": "Metric"}, 201),
}


CPU_SCRIPT = """
import base64, json, os, sys, time
import django
django.setup()
from django.test import Client
client = Client(HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"csm.integration:demo").decode())
requests_each, kinds = int(sys.argv[1]), json.loads(sys.argv[2])
out = {}
for name, (method, path, body, expect) in kinds.items():
    def send():
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data=json.dumps(body), content_type="application/json")
        assert response.status_code == expect, response.status_code
    for _ in range(30):
        send()
    started = time.process_time()
    for _ in range(requests_each):
        send()
    out[name] = (time.process_time() - started) * 1000 / requests_each
print(json.dumps(out))
"""


def cpu_per_request(database_url: str, *, metrics: bool, requests_each: int) -> dict[str, float]:
    import json
    import tempfile

    env = {**environment(database_url), "METRICS_ENABLED": "true" if metrics else "false", "METRICS_TOKEN": TOKEN,
           "DJANGO_SETTINGS_MODULE": "csm_project.settings", "ALLOWED_HOSTS": "testserver"}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with tempfile.TemporaryDirectory(prefix="csm-metrics-bench-") as folder:
        if metrics:
            env["PROMETHEUS_MULTIPROC_DIR"] = folder  # as under gunicorn: values written to shared files
        done = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, "-c", CPU_SCRIPT, str(requests_each), json.dumps(REQUESTS)],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu_main(args) -> None:
    cpu: dict[str, dict[bool, list[float]]] = {name: {False: [], True: []} for name in REQUESTS}
    for run in range(args.runs):
        for on in (False, True) if run % 2 == 0 else (True, False):
            for name, ms in cpu_per_request(args.database_url, metrics=on, requests_each=args.requests).items():
                cpu[name][on].append(ms)
    print(f"CPU of the application process per request, median of {args.runs} processes per setting:")
    for name in REQUESTS:
        off, on_ = (statistics.median(cpu[name][flag]) for flag in (False, True))
        print(f"  {name}: off {off:.2f} ms, on {on_:.2f} ms, +{on_ - off:.2f} ms ({(on_ / off - 1) * 100:+.1f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="A PostgreSQL database (created when missing).")
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--cpu", action="store_true", help="CPU per request in one process, instead of throughput.")
    args = parser.parse_args()

    migrated_database(args.database_url)
    env = environment(args.database_url)
    subprocess.run([sys.executable, "manage.py", "seed_demo", "--password", "demo"], cwd=ROOT, env=env, check=True)  # noqa: S603
    add_contacts(args.database_url, args.contacts)
    if args.cpu:
        cpu_main(args)
        return
    ports = {False: free_port(), True: free_port()}
    servers = [server(ports[on], args.database_url, metrics=on) for on in (False, True)]
    try:
        for on in (False, True):
            wait_ready(f"http://127.0.0.1:{ports[on]}/api/now/contact?sysparm_limit=1", AUTH)
        rates: dict[str, dict[bool, list[float]]] = {name: {False: [], True: []} for name in REQUESTS}
        for run in range(args.runs):
            for name, (method, path, body, expect) in REQUESTS.items():
                for on in (False, True) if run % 2 == 0 else (True, False):
                    url = f"http://127.0.0.1:{ports[on]}{path}"

                    def send(session, index, url=url, method=method, body=body):
                        return session.request(method, url, json=body, timeout=60)

                    rate, done, errors = measure(
                        send, auth=AUTH, requests_total=args.requests, threads=8, time_limit=args.time_limit,
                        expect=expect,
                    )  # fmt: skip
                    if errors:
                        raise SystemExit(f"{name} (metrics {'on' if on else 'off'}): {errors} of {done} failed")
                    rates[name][on].append(rate)
                off, on_ = rates[name][False][-1], rates[name][True][-1]
                print(f"run {run + 1} {name}: off {off:.0f} req/s, on {on_:.0f} req/s, on/off {on_ / off:.3f}")
        print(f"median of {args.runs} runs (2 workers each, 8 client threads, load average {os.getloadavg()[0]:.1f}):")
        for name in REQUESTS:
            off, on_ = (statistics.median(rates[name][flag]) for flag in (False, True))
            print(f"  {name}: off {off:.0f} req/s, on {on_:.0f} req/s, on/off {on_ / off:.3f}")
    finally:
        stop_servers(servers)


if __name__ == "__main__":
    main()
