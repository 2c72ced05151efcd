"""Bulk loads: every file shape, bad rows, reject files, upserts, an interrupted load, and the
domain rules of the APIs, through the management commands."""

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from contacts.models import Account, Contact
from csm_project.core.errors import DomainError
from csm_project.core.records.services import record_create

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def load(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_load(*args: str) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(*args, stdout=io.StringIO(), stderr=err)
    return "".join(line for line in err.getvalue().splitlines(keepends=True) if not line.startswith("progress: "))


ROWS = [{"name": "Acme", "city": "Paris", "customer": "true"}, {"name": "Boxeo", "city": "Oslo", "customer": "false"}]


def write_shape(path: Path, shape: str, rows: list[dict]) -> None:
    if shape == "csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    elif shape == "jsonl":
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    elif shape == "json":
        path.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    else:
        path.write_text(json.dumps({"records": rows}), encoding="utf-8")


def stored_accounts() -> set[tuple]:
    return set(Account.objects.values_list("name", "city", "customer"))


@pytest.mark.parametrize("shape", ["csv", "jsonl", "json", "records"])
def test_every_file_shape_loads_without_being_told_its_shape(tmp_path, shape):
    path = tmp_path / "accounts.data"
    write_shape(path, shape, ROWS)
    out, _ = load("import_records", "customer_account", str(path))
    assert "read 2, written 2 (created 2, updated 0), unchanged 0, rejected 0" in out
    assert stored_accounts() == {("Acme", "Paris", True), ("Boxeo", "Oslo", False)}
    assert sorted(Account.objects.values_list("number", flat=True)) == ["ACCT0000001", "ACCT0000002"]


def test_a_byte_order_mark_and_semicolons_are_understood(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b'\xef\xbb\xbfname;city;customer\r\nAcme;Paris;true\r\n"Semi;colon";Oslo;false\r\n')
    load("import_records", "customer_account", str(path))
    assert stored_accounts() == {("Acme", "Paris", True), ("Semi;colon", "Oslo", False)}


def test_a_delimiter_can_be_given(tmp_path):
    path = tmp_path / "accounts.txt"
    path.write_text("name|city\nA,1|Paris\n", encoding="utf-8")
    load("import_records", "customer_account", str(path), "--delimiter", "|", "--format", "csv")
    assert stored_accounts() == {("A,1", "Paris", True)}  # customer: its default


def test_bad_rows_are_listed_by_line_with_field_and_reason_and_nothing_is_written(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text(
        "name,city,customer\nGood,Paris,true\nBad,Oslo,maybe\n,Rome,true\nAlso good,Lima,false\n", encoding="utf-8"
    )
    report = failing_load("import_records", "customer_account", str(path))
    assert report.splitlines() == [
        "line 3, customer: 'maybe' is not true or false",
        "line 4, name: Mandatory field is either missing or invalid.",
    ]
    assert not Account.objects.exists()


def test_json_array_rows_are_reported_by_their_position(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps([{"name": "Fine"}, ["not", "an object"], {"name": "X", "colour": "red"}]))
    report = failing_load("import_records", "customer_account", str(path))
    assert report.splitlines() == [
        "record 2: an element must be one JSON object",
        "record 3, colour: customer_account has no such field",
    ]
    assert not Account.objects.exists()


def test_skip_bad_writes_a_reject_file_that_loads_once_fixed(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text("name;city;customer\nGood;Paris;true\nBad;Oslo;maybe\n", encoding="utf-8")
    out, _ = load("import_records", "customer_account", str(path), "--skip-bad")
    rejects = tmp_path / "accounts.rejects.csv"
    assert "written 1" in out and "rejected 1" in out and str(rejects) in out
    assert stored_accounts() == {("Good", "Paris", True)}
    assert rejects.read_text().splitlines() == [
        "name;city;customer;import_error",
        "Bad;Oslo;maybe;customer: 'maybe' is not true or false",
    ]
    rejects.write_text(rejects.read_text().replace(";maybe;", ";false;"))
    out, _ = load("import_records", "customer_account", str(rejects))
    assert "written 1" in out and "rejected 0" in out
    assert stored_accounts() == {("Good", "Paris", True), ("Bad", "Oslo", False)}


def test_skip_bad_keeps_the_json_shape_in_its_reject_file(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"records": [{"name": "Good"}, {"name": "Bad", "customer": "maybe"}]}))
    load("import_records", "customer_account", str(path), "--skip-bad", "--reject-file", str(tmp_path / "r.json"))
    rejected = json.loads((tmp_path / "r.json").read_text())
    assert rejected == {
        "records": [{"name": "Bad", "customer": "maybe", "import_error": "customer: 'maybe' is not true or false"}]
    }


@pytest.mark.parametrize("shape", ["csv", "jsonl", "json", "records"])
def test_reloading_an_export_with_upsert_changes_nothing(tmp_path, shape):
    for row in ROWS:
        record_create(table="customer_account", values=row)
    record_create(table="customer_contact", values={"user_name": "ann", "first_name": "Ann", "vip": "true"})
    for table in ("customer_account", "customer_contact"):
        path = tmp_path / f"{table}.{shape}"
        load("export_records", table, "--format", shape, "-o", str(path))
        before = _rows(table)
        out, _ = load("import_records", table, str(path), "--upsert")
        assert "written 0 (created 0, updated 0)" in out and "rejected 0" in out
        assert _rows(table) == before


def _rows(table: str) -> list[tuple]:
    model = Account if table == "customer_account" else Contact
    return list(model.objects.order_by("pk").values_list())


def test_upsert_changes_what_differs_and_adds_what_is_new(tmp_path):
    kept = record_create(table="customer_account", values={"name": "Kept", "city": "Paris"})
    changed = record_create(table="customer_account", values={"name": "Changed", "city": "Paris"})
    path = tmp_path / "accounts.jsonl"
    new_id = uuid.uuid4().hex
    path.write_text(
        json.dumps({"sys_id": kept.pk, "name": "Kept", "city": "Paris"})
        + "\n"
        + json.dumps({"sys_id": changed.pk, "name": "Changed", "city": "Rome"})
        + "\n"
        + json.dumps({"sys_id": new_id, "name": "New"})
        + "\n"
    )
    out, _ = load("import_records", "customer_account", str(path), "--upsert")
    assert "written 2 (created 1, updated 1), unchanged 1" in out
    assert Account.objects.get(pk=changed.pk).city == "Rome"
    assert Account.objects.get(pk=changed.pk).sys_mod_count == 1
    assert Account.objects.get(pk=kept.pk).sys_mod_count == 0
    assert Account.objects.get(pk=new_id).name == "New"


def test_upsert_by_a_key_column(tmp_path):
    record_create(table="customer_contact", values={"user_name": "ann", "city": "Paris"})
    path = tmp_path / "contacts.csv"
    path.write_text("user_name,city\nann,Rome\nbob,Lima\n")
    out, _ = load("import_contacts", str(path), "--upsert", "--key", "user_name")
    assert "created 1, updated 1" in out
    assert dict(Contact.objects.values_list("user_name", "city")) == {"ann": "Rome", "bob": "Lima"}


def test_without_upsert_a_loaded_sys_id_is_refused_again(tmp_path):
    account = record_create(table="customer_account", values={"name": "Once"})
    path = tmp_path / "accounts.jsonl"
    path.write_text(json.dumps({"sys_id": account.pk, "name": "Twice"}) + "\n")
    report = failing_load("import_records", "customer_account", str(path))
    assert report.startswith(f"line 1, sys_id: A customer_account record with sys_id {account.pk} exists")


def test_contacts_are_user_records_with_their_rules(tmp_path):
    account = record_create(table="customer_account", values={"name": "Home"})
    path = tmp_path / "contacts.csv"
    path.write_text(
        "user_name,first_name,last_name,account,social_channel,social_handle,social_handle_url\n"
        f"ann,Ann,Lee,{account.pk},Twitter,@ann,https://t.co/ann\n"
        ",No,Login,,,,\n"
    )
    load("import_contacts", str(path))
    ann = Contact.objects.get(user_name="ann")
    assert (ann.name, ann.account_id, ann.sys_class_name, ann.has_usable_password()) == (
        "Ann Lee",
        account.pk,
        "customer_contact",
        False,
    )
    assert ann.social_profiles.get().social_id == "@ann"
    other = Contact.objects.get(last_name="Login")
    assert other.user_name == other.sys_id and other.name == "No Login"


def test_given_numbers_are_kept_and_the_counter_moves_past_them(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text("name,number\nA,ACCT0000050\nB,\n")
    load("import_records", "customer_account", str(path))
    assert dict(Account.objects.values_list("name", "number")) == {"A": "ACCT0000050", "B": "ACCT0000051"}
    assert record_create(table="customer_account", values={"name": "C"}).number == "ACCT0000052"


def test_quiet_at_verbosity_zero(tmp_path):
    path = tmp_path / "accounts.csv"
    write_shape(path, "csv", ROWS)
    out, err = load("import_records", "customer_account", str(path), "-v", "0")
    assert (out, err) == ("", "")


# --- the APIs' rules, exactly -----------------------------------------------------------------

BAD_CONTACTS = [
    ("active", "maybe"),
    ("failed_attempts", "many"),
    ("account", "0" * 32),
    ("manager", "not-a-sys-id"),
    ("email", "x" * 300),
    ("user_name", "TAKEN.name"),
    ("latitude", "north"),
]


@pytest.mark.parametrize(("field", "value"), BAD_CONTACTS)
def test_a_bad_value_is_refused_on_the_same_field_by_the_apis_and_by_the_import(
    tmp_path, contact_integration_client, field, value
):
    record_create(table="customer_contact", values={"user_name": "taken.name"})
    row = {"user_name": "new.one", "last_name": "New", field: value}
    before = Contact.objects.count()

    response = contact_integration_client.post("/api/now/contact", json.dumps(row), content_type="application/json")
    assert response.status_code == 400
    api_fields = {part.split(":")[0] for part in response.json()["error"]["detail"].split("; ")}

    with pytest.raises(DomainError) as refused:
        record_create(table="customer_contact", values=row)
    table_api_fields = {error.field for error in refused.value.errors}

    path = tmp_path / "contacts.jsonl"
    path.write_text(json.dumps(row) + "\n")
    report = failing_load("import_contacts", str(path))
    import_fields = {line.split(": ")[0].split(", ")[1] for line in report.splitlines()}

    assert api_fields == table_api_fields == import_fields == {field}
    assert Contact.objects.count() == before


# --- an interrupted load --------------------------------------------------------------------


def _subprocess_database(tmp_path) -> tuple[dict, callable]:
    """Environment for a manage.py process on a database this test can read, and a function
    counting the accounts there."""
    env = {**os.environ, "SECRET_KEY": "test", "DB_POOL": "false"}
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        return env, lambda: Account.objects.count()
    db = tmp_path / "kill.sqlite3"
    env["DATABASE_URL"] = f"sqlite:///{db}"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=600)

    def count() -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM customer_account").fetchone()[0]

    return env, count


@pytest.mark.django_db(transaction=True)
def test_a_load_killed_midway_leaves_nothing_and_an_upsert_rerun_finishes_it(tmp_path):
    env, count = _subprocess_database(tmp_path)
    lines = ["sys_id,name,city"] + [f"{uuid.uuid4().hex},Killed {n},Paris" for n in range(300)]
    command = [sys.executable, "manage.py", "import_records", "customer_account", "-", "--batch-size", "100"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        # Half the file, then wait (without a clock) for the report that a batch was written.
        process.stdin.write("\n".join(lines[:151]) + "\n")
        process.stdin.flush()
        progress = process.stderr.readline()
        assert progress.startswith("progress: 100 rows read, 100 written"), progress
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert count() == 0

    path = tmp_path / "accounts.csv"
    path.write_text("\n".join(lines) + "\n")
    rerun = [*command[:4], str(path), "--upsert"]
    done = subprocess.run(rerun, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=True)
    assert "written 300" in done.stdout
    again = subprocess.run(rerun, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=True)
    assert "written 0" in again.stdout and "unchanged 300" in again.stdout
    assert count() == 300


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_loads_draw_unique_increasing_number_blocks(tmp_path):
    from django.db import transaction

    from csm_project.core.sql.numbers import reserve_numbers
    from tests.concurrency import run_together

    def draw(index: int) -> list[str]:
        drawn = []
        for _ in range(5):
            with transaction.atomic():
                drawn += reserve_numbers("BLK", 50 + index)
        return drawn

    blocks = run_together(draw, 4)
    numbers = [number for block in blocks for number in block]
    assert len(numbers) == len(set(numbers)) == 5 * (50 + 51 + 52 + 53)
    assert all(block == sorted(block) for block in blocks)  # each loader's numbers increase


def test_upsert_by_number_and_social_profiles_only_with_new_contacts(tmp_path):
    account = record_create(table="customer_account", values={"name": "Old"})
    path = tmp_path / "accounts.csv"
    path.write_text(f"number,name\n{account.number},Renamed\n")
    out, _ = load("import_records", "customer_account", str(path), "--upsert", "--key", "number")
    assert "updated 1" in out and Account.objects.get().name == "Renamed"

    path = tmp_path / "contacts.csv"
    path.write_text("user_name,social_channel,social_handle,social_handle_url\nann,Twitter,@ann,https://t.co/ann\n")
    load("import_contacts", str(path), "--upsert", "--key", "user_name")
    load("import_contacts", str(path), "--upsert", "--key", "user_name")
    assert Contact.objects.get(user_name="ann").social_profiles.count() == 1
