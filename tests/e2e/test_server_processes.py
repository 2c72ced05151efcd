"""The README's ways of running the product, as real server processes on loopback:
the development command (migrate, seed_demo, runserver on SQLite) and production (gunicorn,
DEBUG off, SECRET_KEY from the environment)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stdout.read()}")
        try:
            requests.get(url, timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still starting
            time.sleep(0.2)
    raise AssertionError(f"server did not answer at {url} within {seconds}s")


@pytest.fixture
def environment(tmp_path):
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "DATABASE_URL"))}
    return {**keep, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def serve(command: list[str], env: dict):
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_readme_development_server_serves_admin_and_the_api(environment):
    env = {**environment, "DEBUG": "true"}
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--password", "demo")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], env)
    try:
        wait_until_up(base + "/admin/login/", server)
        login = requests.get(base + "/admin/login/", timeout=10)
        assert login.status_code == 200 and 'name="username"' in login.text

        anonymous = requests.get(base + "/api/now/contact", timeout=10)
        assert anonymous.status_code == 401
        assert anonymous.headers["WWW-Authenticate"].startswith("Basic realm=")
        assert anonymous.json() == {
            "error": {"message": "User Not Authenticated", "detail": "Required to provide Auth information"},
            "status": "failure",
        }

        listed = requests.get(base + "/api/now/contact", auth=("csm.integration", "demo"), timeout=10)
        assert listed.status_code == 200
        assert len(listed.json()["result"]) == 10 and listed.json()["hasMore"] is True
        assert int(listed.headers["X-Total-Count"]) > 10
    finally:
        stop(server)


def test_production_server_runs_under_gunicorn_without_debug(environment):
    env = {**environment, "SECRET_KEY": "a-production-like-secret", "ALLOWED_HOSTS": "127.0.0.1"}
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--password", "demo")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve([str(BIN / "gunicorn"), "csm_project.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"], env)
    try:
        wait_until_up(base + "/admin/login/", server)
        assert requests.get(base + "/admin/login/", timeout=10).status_code == 200
        lead = requests.get(base + "/api/sn_lead_mgmt_core/lead?sysparm_limit=1", auth=("lead.integrator", "demo"),
                            timeout=10)
        assert lead.status_code == 206 and len(lead.json()) == 1
        missing = requests.get(base + "/api/now/nothing", auth=("lead.integrator", "demo"), timeout=10)
        assert missing.status_code == 404 and missing.json()["status"] == "failure"
        assert "Traceback" not in missing.text
    finally:
        stop(server)
