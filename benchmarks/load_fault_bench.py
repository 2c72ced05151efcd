"""Load and fault: mixed reads and writes through the APIs against gunicorn, with one worker
killed (SIGKILL) midway; then every write that was answered 2xx is looked up in the database.

    python benchmarks/load_fault_bench.py                                  # a throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csm_fault python benchmarks/load_fault_bench.py
    python benchmarks/load_fault_bench.py --duration 30 --threads 8 --workers 3

Steps: a fresh database (a temporary SQLite file, or the named PostgreSQL database dropped and
re-created), ``migrate`` and ``seed_demo``; gunicorn with the repository's ``gunicorn.conf.py``
on a free loopback port; ``--threads`` client threads for ``--warmup`` seconds (not counted:
each worker hashes each user's password once before its credential cache holds it) and then
``--duration`` measured seconds, each
request picked at random: list contacts (Contact API), list leads, list directory contacts,
create a lead (with a line item and a work note), create an interaction, create a custom
directory contact. At half time one worker is killed with SIGKILL; gunicorn starts another.
Prints requests, answers by status class, connection failures (the requests in flight on the
killed worker), 5xx, p50/p99 latency (of all requests, and of the writes alone), and the rows
check. Asserts nothing.

With ``--import-rows N`` the measured period is ``--duration`` seconds of the traffic alone (its
writes reported apart, as the baseline), then an ``import_records`` of N new leads (a CSV made
for the run) into the very table the API's lead writes go to, until it has committed: the API
beside a large load.
``--no-kill`` leaves the workers alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csm_fault python benchmarks/load_fault_bench.py \
        --import-rows 400000 --no-kill
"""

import argparse
import csv
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "demo-bench-1"  # noqa: S105 - a throwaway local database
CHANNEL = "28a59893873103002ae97e2526cb0b5d"
QUEUE = "f3a50867b30303002186a72256a8dcb7"
OFFERING = "32619d9fd0a63110f8770dbf976be1f9"
UNIT = "cb2795d553020110286eddeeff7b12ff"
CONSUMER = "46ce64ef99ca5210f8779c3cc41bb03c"

LEAD = {
    "short_description": "Quote for elevator maintenance", "first_name": "James", "last_name": "Wilson",
    "company": "Lee Manufacturing Inc", "email": "james.wilson@email.com", "consumer": {"sys_id": CONSUMER},
    "lead_source": "inbound_phone", "stage": "100_new", "lead_rating": "200_warm", "lead_score": 92,
    "work_notes": [{"text": "Work notes for lead"}],
    "lead_line_items": [{"quantity": 1, "product_offering": {"sys_id": OFFERING},
                         "unit_of_measurement": {"sys_id": UNIT}}],
}  # fmt: skip


# kind -> (method, path, user, request options); the three POST kinds are checked in the database.
REQUESTS = {
    "contacts": ("GET", "/api/now/contact", "csm.integration", {"params": {"sysparm_limit": 10}}),
    "leads": ("GET", "/api/sn_lead_mgmt_core/lead", "lead.integrator", {"params": {"sysparm_limit": 10}}),
    "directory": ("GET", "/api/v2/contacts", "cc.agent", {"params": {"limit": 10}}),
    "lead": ("POST", "/api/sn_lead_mgmt_core/lead", "lead.integrator", {"json": LEAD}),
    "interaction": (
        "POST",
        "/api/now/interaction",
        "interaction.agent",
        {"json": {"channel": CHANNEL, "queue": QUEUE}},
    ),
    "custom_contact": ("POST", "/api/v2/contacts", "cc.admin", {}),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(url: str | None, workdir: Path) -> str:
    if url is None or url.startswith("sqlite"):
        return url or f"sqlite:///{workdir / 'fault.sqlite3'}"
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def manage(env: dict, *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=900
    )


def wait_until_answering(url: str, process: subprocess.Popen, limit: float = 180) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            if requests.get(url, timeout=15).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise SystemExit(f"gunicorn did not answer within {limit}s")


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return sorted(pids)


class Load:
    """The client side: threads sending a random mix until the deadline."""

    def __init__(self, base: str, threads: int, duration: float) -> None:
        self.base, self.threads, self.duration = base, threads, duration
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.write_latencies: list[float] = []
        # Writes measured before a load beside the traffic starts (the same machine, same run).
        self.alone_write_latencies: list[float] = []
        self.alone = False
        self.statuses: Counter[str] = Counter()
        self.connection_failures = 0
        self.failures: Counter[str] = Counter()
        self.written: dict[str, list[str]] = {"lead": [], "interaction": [], "custom_contact": []}
        self.deadline = 0.0
        self.measure_from = 0.0

    def request(self, session: requests.Session) -> None:
        kind = random.choice(list(REQUESTS))
        method, path, user, options = REQUESTS[kind]
        if kind == "custom_contact":
            options = {"json": {"name": f"Bench {random.getrandbits(40):x}", "phoneNumber": "+15551234567"}}
        started = time.monotonic()
        try:
            response = session.request(method, self.base + path, auth=(user, PASSWORD), timeout=60, **options)
        except requests.RequestException:
            if started < self.measure_from:
                return
            with self.lock:
                self.connection_failures += 1
            return
        elapsed = time.monotonic() - started
        written_id = None
        if kind in self.written and 200 <= response.status_code < 300:
            body = response.json()
            written_id = {
                "lead": lambda: body["sys_id"],
                "interaction": lambda: body["result"]["sys_id"],
                "custom_contact": lambda: body["id"],
            }[kind]()
        if started < self.measure_from:
            return  # warm-up: each worker checks each user's password once (slow hashing), then caches it
        with self.lock:
            self.latencies.append(elapsed)
            if method == "POST":
                (self.alone_write_latencies if self.alone else self.write_latencies).append(elapsed)
            self.statuses[f"{response.status_code // 100}xx"] += 1
            if response.status_code >= 400:
                self.failures[f"{kind} {response.status_code}"] += 1
            if written_id:
                self.written[kind].append(written_id)

    def client(self) -> None:
        session = requests.Session()
        while time.monotonic() < self.deadline:
            self.request(session)

    def run(self, fault, warmup: float, beside=None) -> float:
        """Load for ``warmup`` then ``duration`` seconds, ``fault()`` at half time. With ``beside()``
        (returning when done): ``duration`` seconds whose writes are measured apart (the baseline),
        then ``beside()`` runs, ``fault()`` ``duration / 2`` seconds into it, until it returns."""
        self.measure_from = time.monotonic() + warmup
        self.deadline = float("inf") if beside else self.measure_from + self.duration
        clients = [threading.Thread(target=self.client) for _ in range(self.threads)]
        for thread in clients:
            thread.start()
        time.sleep(warmup)  # the benchmark's schedule, not a wait for a condition
        started = time.monotonic()
        if beside:
            self.alone = True
            time.sleep(self.duration)  # the baseline: the same traffic, nothing beside it
            self.alone = False
            side = threading.Thread(target=beside)
            side.start()
            time.sleep(self.duration / 2)
            fault()
            side.join()
            self.deadline = time.monotonic()
        else:
            time.sleep(self.duration / 2)
            fault()
        for thread in clients:
            thread.join()
        return time.monotonic() - started


def check_rows(env: dict, written: dict[str, list[str]]) -> tuple[int, int]:
    """(rows found, rows expected) for every 2xx write."""
    os.environ.update(
        DATABASE_URL=env["DATABASE_URL"], SECRET_KEY=env["SECRET_KEY"], DJANGO_SETTINGS_MODULE="csm_project.settings"
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from contacts.models import CustomContact
    from interactions.models import Interaction
    from leads.models import Lead

    models = {"lead": Lead, "interaction": Interaction, "custom_contact": CustomContact}
    found = expected = 0
    for kind, ids in written.items():
        expected += len(ids)
        for start in range(0, len(ids), 500):
            found += models[kind].objects.filter(sys_id__in=ids[start : start + 500]).count()
    return found, expected


def write_leads_file(path: Path, rows: int) -> None:
    """``rows`` new leads for ``import_records`` (numbers drawn by the load)."""
    stages = ["100_new", "200_contacted", "300_nurturing"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["first_name", "last_name", "company", "email", "stage", "lead_score", "lead_source"])
        for n in range(rows):
            writer.writerow([f"First{n}", f"Last{n}", f"Company {n % 5000}", f"lead{n}@example.com",
                             stages[n % 3], n % 100 + 1, "inbound_phone"])  # fmt: skip


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=20, help="seconds of load before measuring")
    parser.add_argument("--import-rows", type=int, default=0, help="leads loaded by import_records meanwhile")
    parser.add_argument("--no-kill", action="store_true", help="kill no worker")
    args = parser.parse_args()

    # The machine's 1-minute load average before and after the measured traffic: the figures
    # depend on what else runs on it.
    load_averages: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = prepare_database(os.environ.get("DATABASE_URL"), workdir)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": "load-fault-bench-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "false",
            "LOGIN_THROTTLE_FAILURES": "0",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        print(f"database: {url.split('@')[-1]}; preparing (migrate, seed_demo)...", flush=True)
        manage(env, "migrate", "-v0")
        manage(env, "seed_demo", "--password", PASSWORD)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with open(workdir / "gunicorn.log", "w") as log:
            server = subprocess.Popen(  # noqa: S603 - fixed arguments
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "-c",
                    "gunicorn.conf.py",
                    "csm_project.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.workers),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_until_answering(base + "/readyz", server)
                killed: list[int] = []

                def kill_one_worker() -> None:
                    pids = worker_pids(server.pid)
                    if pids and not args.no_kill:
                        os.kill(pids[0], signal.SIGKILL)
                        killed.append(pids[0])

                imported: dict[str, object] = {}
                beside = None
                if args.import_rows:
                    leads_file = workdir / "leads.csv"
                    write_leads_file(leads_file, args.import_rows)

                    def beside() -> None:
                        started = time.monotonic()
                        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
                            [sys.executable, "manage.py", "import_records", "sn_lead_mgmt_core_lead", str(leads_file),
                             "-v", "1"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600,
                        )  # fmt: skip
                        imported["seconds"] = time.monotonic() - started
                        imported["summary"] = (done.stdout.strip().splitlines() or [done.stderr.strip()])[-1]

                load = Load(base, args.threads, args.duration)
                load_averages.append(os.getloadavg()[0])
                elapsed = load.run(kill_one_worker, args.warmup, beside)
                load_averages.append(os.getloadavg()[0])
                workers_after = worker_pids(server.pid)
            finally:
                server.terminate()
                server.wait(timeout=120)
        errors_5xx = sum(count for status, count in load.statuses.items() if status == "5xx")
        found, expected = check_rows(env, load.written)
        answered = sum(load.statuses.values())
        print(
            f"measured {elapsed:.1f} s after {args.warmup:.0f} s of warm-up, "
            f"{args.threads} threads, {args.workers} workers; "
            f"killed worker {killed or 'none'} at half time; {len(workers_after)} workers afterwards"
        )
        print(f"load average (1 min) at the start and the end: {load_averages[0]:.1f}, {load_averages[1]:.1f}")
        print(f"requests: {answered + load.connection_failures} ({answered / elapsed:.1f}/s answered)")
        print("answers: " + ", ".join(f"{status} {count}" for status, count in sorted(load.statuses.items())))
        print(
            f"5xx: {errors_5xx}; connection failures (requests in flight on the killed worker): "
            f"{load.connection_failures}"
        )
        if load.failures:
            print("4xx/5xx by request: " + ", ".join(f"{key} {count}" for key, count in sorted(load.failures.items())))
        print(
            f"latency p50 {percentile(load.latencies, 0.50) * 1000:.0f} ms, "
            f"p99 {percentile(load.latencies, 0.99) * 1000:.0f} ms; API writes ({len(load.write_latencies)}) "
            f"p50 {percentile(load.write_latencies, 0.50) * 1000:.0f} ms, "
            f"p99 {percentile(load.write_latencies, 0.99) * 1000:.0f} ms, "
            f"max {max(load.write_latencies, default=float('nan')) * 1000:.0f} ms"
        )
        if imported:
            alone = load.alone_write_latencies
            print(
                f"API writes alone, first {args.duration:.0f} s ({len(alone)}): "
                f"p50 {percentile(alone, 0.50) * 1000:.0f} ms, "
                f"p99 {percentile(alone, 0.99) * 1000:.0f} ms, max {max(alone, default=float('nan')) * 1000:.0f} ms "
                "(the figures above are those of the writes during the import)"
            )
            print(f"import beside the load: {imported['seconds']:.1f} s; {imported['summary']}")
        print(
            f"rows checked: {found} of {expected} writes answered 2xx are in the database "
            f"({', '.join(f'{kind} {len(ids)}' for kind, ids in load.written.items())})"
        )


if __name__ == "__main__":
    main()
