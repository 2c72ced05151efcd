"""Real server processes for tests: start on a free loopback port, wait until they answer,
stop them. Waiting is on a condition with generous limits (a busy 2-core CI machine can take
a minute to start gunicorn), never a fixed sleep."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
START_LIMIT_SECONDS = 180
POLL_TIMEOUT_SECONDS = 15


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process whose output goes to a file (a pipe nobody reads would fill and
    block the server)."""

    def __init__(self, command: list[str], env: dict, log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_answering(self, url: str, limit: float = START_LIMIT_SECONDS) -> None:
        """Poll ``url`` until it answers with any status below 500. Every failure to get an
        answer (refused, reset, slow) is retried until ``limit`` seconds have passed."""
        deadline = time.monotonic() + limit
        last_problem = "no attempt"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n{self.output()}")
            try:
                response = requests.get(url, timeout=POLL_TIMEOUT_SECONDS)
                if response.status_code < 500:
                    return
                last_problem = f"status {response.status_code}"
            except requests.RequestException as problem:
                last_problem = repr(problem)
            time.sleep(0.25)  # pacing between polls, not a wait for the server
        raise AssertionError(f"server did not answer at {url} within {limit}s ({last_problem}):\n{self.output()}")

    def stop(self) -> None:
        if self._log.closed:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=60)
        self._log.close()


def clean_environment(**overrides: str) -> dict:
    """The current environment without the project's settings, plus ``overrides``."""
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "DATABASE_URL", "INSTANCE_URL", "SECURE_"))
    }
    return {**keep, **overrides}


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
