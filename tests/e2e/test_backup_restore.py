"""Backup and restore as docs/operations.md tells an operator: ``pg_dump -Fc`` of the database and a
copy of the attachment folder, the database dropped and the folder lost, then ``pg_restore`` and
the copy put back. Every record, audit row and attachment is back, and the restored instance
keeps auditing and counting rows (its triggers and row counters came back with the dump).

It runs on a database of its own (not pytest's), migrated and served by gunicorn as in
production, and drops it at the end."""

import hashlib
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from psycopg import sql

from tests.servers import BIN, Server, clean_environment, free_port, manage

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

ADMIN = ("admin", "demo")


def server_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def admin_run(statement: sql.Composable) -> None:
    with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
        conn.execute(statement)


def snapshot(url: str, attachments: Path) -> dict:
    """Every table's rows (a digest and a count), the triggers, the row counters, the stored files."""
    state: dict = {}
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
        ]
        for table in tables:
            query = sql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t")
            state[f"rows:{table}"] = conn.execute(query.format(sql.Identifier(table))).fetchone()
        state["triggers"] = sorted(
            conn.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal"
            ).fetchall()
        )
        state["counters"] = dict(
            conn.execute("SELECT table_name, sum(delta) FROM sys_row_count GROUP BY table_name").fetchall()
        )
    state["files"] = {
        str(path.relative_to(attachments)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(attachments.rglob("*"))
        if path.is_file()
    }
    return state


def serve(env: dict, tmp_path: Path, name: str) -> tuple[Server, str]:
    port = free_port()
    server = Server(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "csm_project.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1"],
        env,
        tmp_path / f"{name}.log",
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    server.wait_until_answering(base + "/healthz")
    return server, base


def test_a_dump_and_the_attachment_folder_bring_back_every_record_audit_row_and_file(tmp_path):
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if not (pg_dump and pg_restore):
        pytest.fail("pg_dump and pg_restore are needed (PostgreSQL's client programs)")
    name = f"csm_backup_{os.getpid()}"
    url = server_url(name)
    attachments = tmp_path / "attachments"
    env = clean_environment(
        DATABASE_URL=url.replace("postgresql://", "postgres://", 1),
        SECRET_KEY="a-production-like-secret",
        ALLOWED_HOSTS="127.0.0.1",
        ATTACHMENT_ROOT=str(attachments),
        LOG_FORMAT="text",
    )
    admin_run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin_run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    server = None
    try:
        manage(env, "migrate", "-v0")
        manage(env, "seed_demo", "--password", "demo")
        server, base = serve(env, tmp_path, "before")
        created = requests.post(
            f"{base}/api/now/table/customer_contact",
            json={"first_name": "Bea", "last_name": "Backup"},
            auth=ADMIN,
            timeout=60,
        )
        assert created.status_code == 201, created.text
        contact = created.json()["result"]["sys_id"]
        changed = requests.patch(
            f"{base}/api/now/table/customer_contact/{contact}", json={"city": "Lisbon"}, auth=ADMIN, timeout=60
        )
        assert changed.status_code == 200, changed.text
        content = os.urandom(200_000)
        uploaded = requests.post(
            f"{base}/api/now/attachment/file",
            params={"table_name": "customer_contact", "table_sys_id": contact, "file_name": "scan.bin"},
            data=content,
            headers={"Content-Type": "application/octet-stream"},
            auth=ADMIN,
            timeout=60,
        )
        assert uploaded.status_code == 201, uploaded.text
        attachment = uploaded.json()["result"]["sys_id"]
        server.stop()

        before = snapshot(url, attachments)
        assert before["rows:sys_audit"][0] > 0 and before["rows:customer_contact"][0] > 0 and before["files"]
        assert before["triggers"] and before["counters"]

        # The backup, as docs/operations.md has it: the database, then the files.
        dump = tmp_path / "csm.dump"
        subprocess.run([pg_dump, "-Fc", "--no-owner", "-d", url, "-f", str(dump)], check=True, timeout=600)
        with tarfile.open(tmp_path / "attachments.tar.gz", "w:gz") as archive:
            archive.add(attachments, arcname="attachments")

        # The disaster.
        admin_run(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        shutil.rmtree(attachments)

        # The restore.
        admin_run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        subprocess.run([pg_restore, "--no-owner", "-d", url, str(dump)], check=True, timeout=600)
        with tarfile.open(tmp_path / "attachments.tar.gz") as archive:
            archive.extractall(tmp_path, filter="data")

        assert snapshot(url, attachments) == before

        server, base = serve(env, tmp_path, "after")
        got = requests.get(f"{base}/api/now/table/customer_contact/{contact}", auth=ADMIN, timeout=60)
        assert got.status_code == 200 and got.json()["result"]["city"] == "Lisbon"
        file = requests.get(f"{base}/api/now/attachment/{attachment}/file", auth=ADMIN, timeout=60)
        assert file.status_code == 200 and file.content == content
        total = int(
            requests.get(f"{base}/api/now/table/customer_contact?sysparm_limit=1", auth=ADMIN, timeout=60).headers[
                "X-Total-Count"
            ]
        )
        again = requests.post(
            f"{base}/api/now/table/customer_contact",
            json={"first_name": "After", "last_name": "Restore"},
            auth=ADMIN,
            timeout=60,
        )
        assert again.status_code == 201
        newer = again.json()["result"]["sys_id"]
        history = requests.get(
            f"{base}/api/now/table/sys_audit?sysparm_query=documentkey={newer}", auth=ADMIN, timeout=60
        )
        assert {row["fieldname"] for row in history.json()["result"]} >= {"first_name", "last_name"}
        counted = requests.get(f"{base}/api/now/table/customer_contact?sysparm_limit=1", auth=ADMIN, timeout=60)
        assert int(counted.headers["X-Total-Count"]) == total + 1
    finally:
        if server is not None:
            server.stop()
        admin_run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
