"""Uploads against a real gunicorn server, as clients send them: a body streamed by ``requests``
from a generator (``Transfer-Encoding: chunked``, no length) is stored whole and downloads
byte for byte; a worker killed in the middle of an upload leaves no spooled file behind."""

import hashlib
import os
import signal
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.servers import BIN, START_LIMIT_SECONDS, Server, clean_environment, free_port, manage

pytestmark = pytest.mark.e2e

AUTH = ("csm.integration", "demo")
CHUNK = bytes(range(256)) * 4096  # 1 MiB


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live_uploads")
    spool = folder / "spool"
    spool.mkdir()
    env = clean_environment(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        SECRET_KEY="live-upload-tests-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        ATTACHMENT_ROOT=str(folder / "attachments"),
        UPLOAD_TEMP_DIR=str(spool),
        LOG_LEVEL="WARNING",
    )
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--password", "demo")
    port = free_port()
    server = Server(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "csm_project.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2"],
        env,
        folder / "gunicorn.log",
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        server.wait_until_answering(base + "/healthz")
        account = requests.get(
            base + "/api/now/table/customer_account", params={"sysparm_limit": 1}, auth=AUTH, timeout=60
        ).json()["result"][0]["sys_id"]
        yield {"base": base, "server": server, "spool": spool, "files": folder / "attachments", "account": account}
    finally:
        server.stop()


def upload_url(live, name: str) -> str:
    return (
        f"{live['base']}/api/now/attachment/file?table_name=customer_account"
        f"&table_sys_id={live['account']}&file_name={name}"
    )


def test_a_streamed_upload_without_a_length_is_stored_whole(live):
    parts = [CHUNK, CHUNK[:1000], CHUNK, b"the end"]
    sent = b"".join(parts)

    response = requests.post(
        upload_url(live, "streamed.bin"),
        data=(part for part in parts),
        headers={"Content-Type": "application/octet-stream"},
        auth=AUTH,
        timeout=120,
    )

    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in response.request.headers
    assert response.status_code == 201, response.text
    result = response.json()["result"]
    assert result["size_bytes"] == str(len(sent)) and result["hash"] == hashlib.sha256(sent).hexdigest()
    download = requests.get(result["download_link"].replace("http://testserver", live["base"]), auth=AUTH, timeout=120)
    assert download.status_code == 200 and download.content == sent


def spooling_workers(master: int, spool: Path) -> list[int]:
    """Workers of ``master`` holding an open file in ``spool`` (one with no name left there)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            targets = [os.readlink(fd) for fd in (entry / "fd").iterdir()]
        except OSError:
            continue
        if parent == master and any(target.startswith(str(spool)) for target in targets):
            found.append(int(entry.name))
    return found


class HeldBody:
    """A body of three chunks that stops after two until released: a file-like object with a
    length (sent with Content-Length) or, iterated, a generator (sent chunked)."""

    def __init__(self, release: threading.Event) -> None:
        self.release = release
        self.left = [CHUNK, CHUNK, CHUNK]

    def __len__(self) -> int:
        return 3 * len(CHUNK)

    def read(self, size: int = -1) -> bytes:
        if len(self.left) == 1:
            self.release.wait(timeout=300)
        if not self.left:
            return b""
        chunk = self.left[0][:size] if size and size > 0 else self.left[0]
        self.left[0] = self.left[0][len(chunk) :]
        if not self.left[0]:
            self.left.pop(0)
        return chunk

    def chunks(self):
        while chunk := self.read():
            yield chunk


@pytest.mark.parametrize("with_length", [False, True], ids=["chunked", "with a length"])
def test_a_worker_killed_mid_upload_leaves_no_spooled_file(live, with_length):
    release = threading.Event()
    held = HeldBody(release)
    body = held if with_length else held.chunks()
    outcome: dict[str, object] = {}

    def send() -> None:
        try:
            outcome["response"] = requests.post(
                upload_url(live, "killed.bin"), data=body, auth=AUTH, timeout=300,
                headers={"Content-Type": "application/octet-stream"},
            )  # fmt: skip
        except requests.RequestException as error:
            outcome["error"] = error

    sender = threading.Thread(target=send)
    sender.start()
    master = live["server"].process.pid
    try:
        deadline = time.monotonic() + START_LIMIT_SECONDS
        while not (workers := spooling_workers(master, live["spool"])) and time.monotonic() < deadline:
            time.sleep(0.1)  # polling for a condition, with a generous limit
        assert workers, "no worker spooled the upload"
        assert list(live["spool"].iterdir()) == []  # the spool file has no name on disk

        os.kill(workers[0], signal.SIGKILL)
    finally:
        release.set()
        sender.join(timeout=300)

    assert "error" in outcome or outcome["response"].status_code >= 500
    assert list(live["spool"].iterdir()) == []
    stored = [path for path in live["files"].rglob("*") if path.is_file()] if live["files"].exists() else []
    listed = requests.get(
        f"{live['base']}/api/now/attachment", params={"sysparm_query": "file_name=killed.bin"}, auth=AUTH, timeout=120
    )
    assert listed.status_code == 200 and listed.json()["result"] == []
    assert all(path.name != "killed.bin" for path in stored)
