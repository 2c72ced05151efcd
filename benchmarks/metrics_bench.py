"""Benchmark: what the Prometheus metrics cost on the hot requests. Prints figures; asserts nothing.

    python benchmarks/metrics_bench.py --database-url postgres://postgres@127.0.0.1:5432/csm_metrics_bench

One database (the demo data of ``seed_demo`` and ``--contacts`` generated contacts) is served by
two gunicorns with the project's gunicorn.conf.py and 2 sync workers each: one with
``METRICS_ENABLED=false``, one with metrics on (django-prometheus's middleware and instrumented
database backend, the pool gauges, multiprocess mode: every value written to the workers'
shared files). 8 client threads on 127.0.0.1 send, for each request in turn, ``--requests`` to
one server then as many to the other (the other way round on even runs); requests per second of
each, and on / off, are printed per run, then the median of ``--runs`` runs.
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
    code = (
        "from contacts.models import Contact, Account\n"
        "from csm_project.core.users import unusable_password\n"
        f"have = Contact.objects.filter(user_name__startswith='bench.').count()\n"
        f"account = Account.objects.first()\n"
        f"Contact.objects.bulk_create([Contact(user_name=f'bench.{{n}}', first_name='Bench', last_name=f'N{{n}}',"
        f" email=f'b{{n}}@example.com', account=account, password=unusable_password()) for n in range(have, {count})],"
        " batch_size=2000)\n"
    )
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=environment(database_url), check=True
    )


REQUESTS = {
    "Contact GET list, 20": ("GET", "/api/now/contact?sysparm_limit=20", None, 200),
    "Table API list, 100 contacts": ("GET", "/api/now/table/customer_contact?sysparm_limit=100", None, 200),
    "Contact POST": ("POST", "/api/now/contact", {"first_name": "Mia", "last_name": "Metric"}, 201),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="A PostgreSQL database (created when missing).")
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=20.0)
    args = parser.parse_args()

    migrated_database(args.database_url)
    env = environment(args.database_url)
    subprocess.run([sys.executable, "manage.py", "seed_demo", "--password", "demo"], cwd=ROOT, env=env, check=True)  # noqa: S603
    add_contacts(args.database_url, args.contacts)
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
