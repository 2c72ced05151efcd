"""A real HTTPS instance for end-to-end tests, set up as the README tells a user to: migrate,
``seed_demo``, ``make_local_tls``, then gunicorn serving TLS with the server certificate, on a
free loopback port and its own SQLite file. Clients verify it with the generated ``ca.pem``."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.servers import manage

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "demo-pass-1234"
# requests lets these variables override a session's own ``verify`` (pysnc sets it on the
# session), so a machine-wide bundle would hide whether our CA file is the one used.
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


@dataclass
class HttpsInstance:
    url: str
    ca_file: str
    database: Path
    process: subprocess.Popen

    def sql(self, query: str, *params) -> list[tuple]:
        """Rows read straight from the instance's database file (an independent check)."""
        with sqlite3.connect(self.database) as connection:
            return connection.execute(query, params).fetchall()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(directory: Path) -> dict[str, str]:
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "DATABASE_URL")) and key not in CA_BUNDLE_VARIABLES
    }
    return {
        **keep,
        "DATABASE_URL": f"sqlite:///{directory / 'instance.sqlite3'}",
        "SECRET_KEY": "e2e-https-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def start(directory: Path) -> HttpsInstance:
    env = _environment(directory)
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--password", PASSWORD)
    tls = directory / "tls"
    manage(env, "make_local_tls", "--dir", str(tls), "--host", "127.0.0.1", "--host", "localhost")
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "csm_project.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--certfile", str(tls / "server.pem"), "--keyfile", str(tls / "server-key.pem")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    instance = HttpsInstance(f"https://127.0.0.1:{port}", str(tls / "ca.pem"), directory / "instance.sqlite3", process)
    _wait_until_up(instance)
    return instance


def _wait_until_up(instance: HttpsInstance, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            raise AssertionError(
                f"gunicorn exited with {instance.process.returncode}: {instance.process.stdout.read()}"
            )
        try:
            requests.get(instance.url + "/admin/login/", verify=instance.ca_file, timeout=60)
            return
        except (requests.ConnectionError, requests.Timeout):  # workers still starting on a busy machine
            time.sleep(0.2)
    raise AssertionError(f"the instance did not answer at {instance.url} within {seconds}s")


def stop(instance: HttpsInstance) -> None:
    instance.process.terminate()
    try:
        instance.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        instance.process.kill()
        instance.process.wait(timeout=30)
