"""Attachment upload and download of a large file through a real server process, with the
server's peak memory.

    python benchmarks/attachment_bench.py                 # 200 MiB
    python benchmarks/attachment_bench.py --mib 50        # a quick look

Sets up a throw-away instance (its own SQLite file and attachment folder in a temporary
directory, a user with the ``csm_ws_integration`` role and one account), starts gunicorn with
one sync worker on a free loopback port, then:

1. writes a file of ``--mib`` MiB of pseudo-random bytes (the raw baseline: the time to copy it
   on the same disk is printed too);
2. uploads it with ``POST /api/now/attachment/file`` (the body streamed from the file, as
   ``requests`` does for a file object);
3. downloads it with ``GET /api/now/attachment/{sys_id}/file`` reading the answer in 1 MiB
   chunks, and checks size and SHA-256 against the file;
4. prints the times, throughput, and the worker's resident memory before the transfers and its
   peak (``VmHWM`` from ``/proc``) after them: memory that does not grow with the file is what the
   streaming is for.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "bench-pass-1234"  # noqa: S105 - a throw-away local instance
SETUP = f"""
from contacts.models import Account
from csm_project.core.models import User
from csm_project.core.access.roles import user_grant_roles
user = User.objects.create_user("bench.files", {PASSWORD!r})
user_grant_roles(user=user, roles=["csm_ws_integration"])
print(Account.objects.create(name="Bench account").sys_id)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory_kib(pid: int) -> dict[str, int]:
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = int(value.split()[0])
    return figures


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def write_file(path: Path, mib: int) -> None:
    block = hashlib.sha256(b"seed").digest() * (1024 * 1024 // 32)
    with path.open("wb") as out:
        for n in range(mib):
            out.write(hashlib.sha256(n.to_bytes(4, "big")).digest() + block[32:])


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=int, default=200, help="file size in MiB (default 200)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="attachment-bench-") as temp:
        directory = Path(temp)
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "DEBUG"))},
            "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}",
            "SECRET_KEY": "attachment-bench",
            "ATTACHMENT_ROOT": str(directory / "attachments"),
            "ATTACHMENT_MAX_BYTES": str((args.mib + 1) * 1024 * 1024),
            "TMPDIR": str(directory),
            "LOG_LEVEL": "WARNING",
        }
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
        setup = subprocess.run(  # noqa: S603 - our own manage.py
            [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        account = setup.stdout.strip().splitlines()[-1]

        source = directory / "source.bin"
        write_file(source, args.mib)
        expected = sha256_of(source)
        started = time.perf_counter()
        shutil.copyfile(source, directory / "copy.bin")
        copy_seconds = time.perf_counter() - started
        (directory / "copy.bin").unlink()

        port = free_port()
        server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn
            [str(BIN / "gunicorn"), "csm_project.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--timeout", "900", "--no-control-socket"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}/api/now/attachment"
            session = requests.Session()
            session.auth = ("bench.files", PASSWORD)
            deadline = time.monotonic() + 120
            while True:
                try:
                    if session.get(url, params={"sysparm_limit": 1}, timeout=30).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not answer within 120 s")
                time.sleep(0.5)
            [worker] = workers_of(server.pid)
            before = memory_kib(worker)

            started = time.perf_counter()
            with source.open("rb") as body:
                answer = session.post(
                    f"{url}/file",
                    params={"table_name": "customer_account", "table_sys_id": account, "file_name": "big.bin"},
                    data=body,
                    headers={"Content-Type": "application/octet-stream"},
                    timeout=900,
                )
            upload_seconds = time.perf_counter() - started
            assert answer.status_code == 201, answer.text[:500]
            result = answer.json()["result"]
            assert result["hash"] == expected and int(result["size_bytes"]) == args.mib * 1024 * 1024
            after_upload = memory_kib(worker)

            started = time.perf_counter()
            digest, size = hashlib.sha256(), 0
            with session.get(f"{url}/{result['sys_id']}/file", stream=True, timeout=900) as download:
                assert download.status_code == 200
                for chunk in download.iter_content(1024 * 1024):
                    digest.update(chunk)
                    size += len(chunk)
            download_seconds = time.perf_counter() - started
            assert digest.hexdigest() == expected and size == args.mib * 1024 * 1024
            after_download = memory_kib(worker)
        finally:
            server.terminate()
            server.wait(timeout=60)

    mib = args.mib
    print(f"file: {mib} MiB, sha256 checked after upload (server) and download (client)")
    print(f"raw baseline, disk copy:   {copy_seconds:6.2f} s  {mib / copy_seconds:7.1f} MiB/s")
    print(f"upload (POST .../file):    {upload_seconds:6.2f} s  {mib / upload_seconds:7.1f} MiB/s  "
          f"({upload_seconds / copy_seconds:.1f}x the copy)")  # fmt: skip
    print(f"download (GET .../file):   {download_seconds:6.2f} s  {mib / download_seconds:7.1f} MiB/s  "
          f"({download_seconds / copy_seconds:.1f}x the copy)")  # fmt: skip
    print(f"worker RSS before transfers: {before['VmRSS'] / 1024:.1f} MiB (peak so far {before['VmHWM'] / 1024:.1f})")
    print(f"worker peak RSS after upload:   {after_upload['VmHWM'] / 1024:.1f} MiB")
    print(f"worker peak RSS after download: {after_download['VmHWM'] / 1024:.1f} MiB")
    print(f"peak growth over the transfers: {(after_download['VmHWM'] - before['VmHWM']) / 1024:.1f} MiB "
          f"for a {mib} MiB file")  # fmt: skip


if __name__ == "__main__":
    main()
