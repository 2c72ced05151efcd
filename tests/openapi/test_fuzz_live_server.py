"""schemathesis against a live server, from the OpenAPI document it serves.

A real gunicorn process (port chosen by the OS) on a fresh database of the suite's kind (a
SQLite file, or a throwaway PostgreSQL database when ``DATABASE_URL`` points at one), with the
demo data and ``cc.admin`` holding every API role. schemathesis generates requests for every
operation (examples, coverage, fuzzing and stateful phases) and checks each answer:
no server error, a documented status code and content type, a body that matches its schema.

It runs when ``CSM_FUZZ=1`` (``.ci/run`` sets it, on both databases): a few minutes each. The run
is bounded by the number of examples per operation (``CSM_FUZZ_EXAMPLES``, default below) and a
fixed seed, not by a clock. Two schemathesis processes share the work (the
versioned and the unversioned URLs), each single-threaded. The requests the server answered
are counted from its access log and reported at the end of the pytest run.
"""

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings

from tests.servers import manage

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(os.environ.get("CSM_FUZZ") != "1", reason="set CSM_FUZZ=1 (.ci/run does) to fuzz a live server"),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# 25 per operation keeps CI (both databases) within its time; CSM_FUZZ_EXAMPLES=100 for a deeper run.
EXAMPLES = int(os.environ.get("CSM_FUZZ_EXAMPLES", "25"))
SEED = os.environ.get("CSM_FUZZ_SEED", "20261201")
# Below what the default examples give on either database (about 6,500), so a run that stops
# generating (an operation left out, a phase skipped) fails; a run with other examples only
# needs to have happened.
MIN_REQUESTS = 3000 if "CSM_FUZZ_EXAMPLES" not in os.environ else 1
ALL_ROLES = (
    "csm_ws_integration",
    "interaction_agent",
    "sn_lead_mgmt_core.lead_integrator",
    "contact_center_admin",
    "contact_center_agent",
)
# The server's access log lines, in the format the test gives gunicorn (the repository's
# gunicorn.conf.py has its own, JSON, format: a count read against another format would be 0).
ACCESS_FORMAT = "fuzz-access %(m)s %(s)s %(U)s"
ACCESS_LINE = re.compile(r"^fuzz-access ([A-Z]+) (\d{3}) /api/", re.MULTILINE)


@pytest.fixture
def fuzz_database(tmp_path):
    """A ``DATABASE_URL`` for the server: same engine as the suite, nobody else's data."""
    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'fuzz.sqlite3'}"
        return
    import psycopg

    name = f"{default['NAME']}_fuzz_{os.getpid()}"
    user, host, port = (
        default.get("USER") or "postgres",
        default.get("HOST") or "127.0.0.1",
        default.get("PORT") or 5432,
    )
    password = default.get("PASSWORD") or ""
    admin = (
        f"postgresql://{user}:{password}@{host}:{port}/postgres"
        if password
        else f"postgresql://{user}@{host}:{port}/postgres"
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    credentials = f"{user}:{password}" if password else user
    try:
        yield f"postgres://{credentials}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _listening_url(log: Path, server: subprocess.Popen, seconds: float = 60) -> str:
    """The address gunicorn bound (port 0: the OS chose), read from its log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log.read_text())
        if match:
            return match.group(1)
        assert server.poll() is None, f"server exited: {log.read_text()[-3000:]}"
        time.sleep(0.2)
    raise AssertionError(f"server did not start within {seconds}s: {log.read_text()[-3000:]}")


def _wait_until_answering(url: str, seconds: float = 180) -> None:
    # The first /api/schema/ builds the whole document: on a busy machine that is a slow answer,
    # not a missing one, so a read timeout is retried like a refused connection.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=60).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer 200 within {seconds}s")


def _explorer_works_offline(base: str) -> None:
    """Under gunicorn, DEBUG off, nothing collected: the page and every asset it names come from
    this instance."""
    page = requests.get(f"{base}/api/docs/", timeout=30)
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert len(assets) >= 3
    for asset in assets:
        response = requests.get(base + asset, timeout=30)
        assert response.status_code == 200 and len(response.content) > 500, asset


def _schemathesis(base: str, env: dict, selection: list[str], report: Path) -> subprocess.CompletedProcess:
    command = [
        str(BIN / "st"), "run", f"{base}/api/schema/", "--url", base,
        "--auth", "cc.admin:demo",
        "--checks", CHECKS,
        "--max-examples", str(EXAMPLES),
        "--seed", SEED,
        "--workers", "1",
        "--request-timeout", "60",
        "--no-color",
        "--suppress-health-check", "all",
        "--generation-database", "none",
        "--report", "junit", "--report-junit-path", str(report),
        *selection,
    ]  # fmt: skip
    # In the test's directory: schemathesis keeps a cache of the failures it saw in its working directory.
    return subprocess.run(
        command, cwd=report.parent, env=env, capture_output=True, text=True, timeout=1800, check=False
    )


def test_schemathesis_finds_no_failure_on_any_operation(tmp_path, fuzz_database, request):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "DATABASE_URL"))}
    env.update(
        {
            "DATABASE_URL": fuzz_database,
            "SECRET_KEY": "fuzz-run-secret",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
    )
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--password", "demo")
    manage(env, "grant_role", "cc.admin", *ALL_ROLES)

    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "csm_project.wsgi", "--bind", "127.0.0.1:0", "--workers", "2",
             "--access-logfile", "-", "--access-logformat", ACCESS_FORMAT, "--timeout", "120"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    started = time.monotonic()
    try:
        base = _listening_url(log, server)
        assert urlsplit(base).hostname == "127.0.0.1"
        _wait_until_answering(f"{base}/api/schema/")
        _explorer_works_offline(base)
        selections = [["--include-path-regex", "/v1/"], ["--exclude-path-regex", "/v1/"]]
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = list(
                pool.map(
                    lambda pair: _schemathesis(base, env, pair[1], tmp_path / f"junit{pair[0]}.xml"),
                    enumerate(selections),
                )
            )
    finally:
        server.terminate()
        server.wait(timeout=60)
    elapsed = time.monotonic() - started

    served = ACCESS_LINE.findall(log.read_text())
    server_errors = [line for line in served if line[1].startswith("5")]
    generated = sum(int(m) for run in runs for m in re.findall(r"(\d+) generated", run.stdout))
    summary = (
        f"schemathesis on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}: "
        f"{len(served)} requests served ({generated} test cases generated), "
        f"{len(server_errors)} server errors, {elapsed:.0f} s"
    )
    request.node.user_properties.append(("fuzz_summary", summary))  # printed by tests/openapi/conftest.py

    for run in runs:
        assert run.returncode == 0, f"{summary}\n{run.stdout[-20000:]}\n{run.stderr[-3000:]}"
    assert not server_errors
    assert "Traceback" not in log.read_text()
    assert len(served) >= MIN_REQUESTS, summary
