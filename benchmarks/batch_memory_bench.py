"""Memory of a Batch API worker asked for many large downloads at once.

    python benchmarks/batch_memory_bench.py                    # a throwaway SQLite file
    python benchmarks/batch_memory_bench.py --size-mb 50 --items 10

One 50 MB attachment is uploaded, then one batch of 10 items each downloading it is sent to a
gunicorn server with a single worker, under each configuration: the default limits (one read's
answer at most BATCH_API_MAX_ITEM_ANSWER_BYTES, 10 MiB; all answers at most
BATCH_API_MAX_ANSWER_BYTES, 64 MiB), and the item limit raised to 64 MiB (one download served
whole, the rest cut). Each run prints how the items were answered, the time, and the worker's
resident memory before the batch and at its peak (VmHWM, since the worker started), both in MiB.
Asserts nothing.
"""

import argparse
import base64
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_serving import environment, free_port  # noqa: E402

PASSWORD = "demo-bench-1"  # noqa: S105 - a throwaway local database
AUTH = ("csm.integration", PASSWORD)


def memory_mib(pid: int) -> dict[str, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {key: int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")}


def worker_of(master: int) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    return int(entry.name)
            except OSError:
                continue
    raise SystemExit("no gunicorn worker found")


def run(env: dict, label: str, extra_env: dict, size_mb: int, items: int) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "csm_project.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--max-requests", "0", "--timeout", "300"],
        cwd=ROOT, env={**env, **extra_env}, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(base + "/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.25)
        account = requests.get(base + "/api/now/table/customer_account?sysparm_limit=1", auth=AUTH, timeout=60)
        account_id = account.json()["result"][0]["sys_id"]
        content = os.urandom(1024 * 1024) * size_mb
        uploaded = requests.post(
            f"{base}/api/now/attachment/file?table_name=customer_account&table_sys_id={account_id}&file_name=big.bin",
            data=content, auth=AUTH, headers={"Content-Type": "application/octet-stream"}, timeout=300,
        )  # fmt: skip
        sys_id = uploaded.json()["result"]["sys_id"]
        worker = worker_of(server.pid)
        before = memory_mib(worker)
        batch = {"rest_requests": [{"id": str(n), "method": "GET", "url": f"/api/now/attachment/{sys_id}/file"}
                                   for n in range(items)]}  # fmt: skip
        started = time.monotonic()
        answer = requests.post(base + "/api/now/v1/batch", json=batch, auth=AUTH, timeout=300)
        elapsed = time.monotonic() - started
        after = memory_mib(worker)
        data = answer.json()
        whole = sum(base64.b64decode(item["body"]) == content for item in data["serviced_requests"])
        print(
            f"{label}: HTTP {answer.status_code}, {len(answer.content) / 2**20:.1f} MiB answer in {elapsed:.2f} s; "
            f"{len(data['serviced_requests'])} serviced ({whole} whole {size_mb} MB files), "
            f"{len(data['unserviced_requests'])} unserviced; worker RSS {before['VmRSS']:.0f} MiB before, "
            f"peak {after['VmHWM']:.0f} MiB (+{after['VmHWM'] - before['VmRSS']:.0f})"
        )
    finally:
        server.terminate()
        server.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--items", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'batch.sqlite3'}"
        env = {**environment(url), "ATTACHMENT_ROOT": str(Path(tmp) / "files"), "LOGIN_THROTTLE_FAILURES": "0"}
        for command in (["migrate", "-v0"], ["seed_demo", "--password", PASSWORD]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)  # noqa: S603
        print(f"a batch of {args.items} downloads of one {args.size_mb} MB attachment, one gunicorn worker")
        run(env, "default limits (item 10 MiB, total 64 MiB)", {}, args.size_mb, args.items)
        run(env, "item limit 64 MiB", {"BATCH_API_MAX_ITEM_ANSWER_BYTES": str(64 * 2**20)}, args.size_mb, args.items)


if __name__ == "__main__":
    main()
