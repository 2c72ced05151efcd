"""Bulk import and export of any registered table (management commands for data engineers)."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Account, Contact
from csm_project.registry import FieldType

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_csv(tmp_path, rows: list[dict], name: str = "rows.csv") -> str:
    path = tmp_path / name
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def test_import_assigns_numbers_and_system_fields(tmp_path):
    path = write_csv(tmp_path, [{"name": f"Acme {n}", "city": "Orlando", "customer": "true"} for n in range(3)])
    out, _ = run("import_records", "customer_account", path)
    assert "written 3" in out
    accounts = list(Account.objects.order_by("number"))
    assert [a.name for a in accounts] == ["Acme 0", "Acme 1", "Acme 2"]
    assert all(a.number.startswith("ACCT") and len(a.number) == 11 for a in accounts)
    assert len({a.number for a in accounts}) == 3
    stamps = {(a.sys_class_name, a.sys_created_by, a.sys_mod_count) for a in accounts}
    assert stamps == {("customer_account", "system", 0)}


def test_export_then_import_reproduces_the_rows(tmp_path):
    for n in range(5):
        Account.objects.create(name=f"Round {n}", city="Paris" if n % 2 else None, customer=bool(n % 2))
    path = tmp_path / "accounts.jsonl"
    run("export_records", "customer_account", "--format", "jsonl", "--output", str(path))
    exported = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(exported) == 5
    assert exported[0]["sys_id"] == Account.objects.order_by("sys_created_on", "sys_id").first().sys_id
    Account.objects.all().delete()
    run("import_records", "customer_account", str(path))
    reimported = [json.loads(line) for line in _export(tmp_path, "customer_account").splitlines()]

    # sys_ids and numbers are kept; the other system fields are the platform's, stamped anew.
    def content(rows):
        return {
            row["sys_id"]: {k: v for k, v in row.items() if k == "sys_id" or not k.startswith("sys_")} for row in rows
        }

    assert content(reimported) == content(exported)


def _export(tmp_path, table: str, *args: str) -> str:
    path = tmp_path / f"{table}.out.jsonl"
    run("export_records", table, "--format", "jsonl", "--output", str(path), *args)
    return path.read_text()


def test_export_filters_and_sorts_with_an_encoded_query(tmp_path):
    for name, city in [("b", "Rome"), ("a", "Rome"), ("c", "Oslo")]:
        Account.objects.create(name=name, city=city)
    path = tmp_path / "rome.csv"
    run(
        "export_records",
        "customer_account",
        "--query",
        "city=rome^ORDERBYname",
        "--fields",
        "name,city",
        "--output",
        str(path),
    )
    assert path.read_text().splitlines() == ["name,city", "a,Rome", "b,Rome"]


def test_bad_rows_are_all_reported_by_line_and_nothing_is_written(tmp_path):
    account = Account.objects.create(name="Existing")
    rows = [
        {
            "user_name": "ok.one",
            "last_name": "One",
            "account": account.sys_id,
            "active": "true",
            "failed_attempts": "1",
        },
        {"user_name": "bad.bool", "last_name": "Two", "account": "", "active": "maybe", "failed_attempts": ""},
        {"user_name": "ok.two", "last_name": "Three", "account": "", "active": "false", "failed_attempts": ""},
        {"user_name": "bad.ref", "last_name": "Four", "account": "f" * 32, "active": "true", "failed_attempts": ""},
        {"user_name": "ok.one", "last_name": "Dup", "account": "", "active": "true", "failed_attempts": "x"},
    ]
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_records",
            "customer_contact",
            write_csv(tmp_path, rows),
            stdout=io.StringIO(),
            stderr=(err := io.StringIO()),
        )
    report = err.getvalue()
    assert "line 3, active: 'maybe' is not true or false" in report
    assert f"line 5, account: No customer_account record with sys_id '{'f' * 32}'" in report
    assert "line 6, failed_attempts: 'x' is not a whole number" in report
    assert "line 2" not in report and "line 4" not in report
    assert not Contact.objects.exists()


def test_duplicate_unique_value_in_file_or_database_is_refused(tmp_path):
    Account.objects.create(name="Taken", number="ACCT0000999")
    path = write_csv(
        tmp_path,
        [
            {"name": "A", "number": "ACCT0000999"},
            {"name": "B", "number": "ACCT0000005"},
            {"name": "C", "number": "ACCT0000005"},
        ],
    )
    with pytest.raises(CommandError):
        call_command("import_records", "customer_account", path, stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "line 2, number: 'ACCT0000999' is already used by another record" in err.getvalue()
    assert "line 4, number: 'ACCT0000005' is already used by another record" in err.getvalue()
    assert "line 3" not in err.getvalue()
    assert Account.objects.count() == 1


def test_unknown_column_and_non_object_line_are_bad_rows(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"name": "Fine"}\n[1, 2]\n{"name": "X", "colour": "red"}\n{broken\n')
    with pytest.raises(CommandError, match="3 bad row"):
        call_command(
            "import_records", "customer_account", str(path), stdout=io.StringIO(), stderr=(err := io.StringIO())
        )
    report = err.getvalue()
    assert "line 2: a line must hold one JSON object" in report
    assert "line 3, colour: customer_account has no such field" in report
    assert "line 4: not valid JSON" in report
    assert not Account.objects.exists()


def test_contacts_load_as_user_records_without_a_login(tmp_path):
    account = Account.objects.create(name="Home")
    path = write_csv(
        tmp_path,
        [
            {"user_name": f"loaded.{n}", "first_name": "L", "last_name": str(n), "account": account.sys_id}
            for n in range(3)
        ],
    )
    run("import_records", "customer_contact", path, "--batch-size", "2")
    contacts = Contact.objects.order_by("user_name")
    assert [c.name for c in contacts] == ["L 0", "L 1", "L 2"]
    assert {c.account_id for c in contacts} == {account.sys_id}
    assert not any(c.has_usable_password() for c in contacts)


def test_dry_run_checks_everything_and_writes_nothing(tmp_path):
    out, _ = run("import_records", "customer_account", write_csv(tmp_path, [{"name": "Dry"}]), "--dry-run")
    assert "read 1, would write 1 (would create 1" in out and "[dry run: nothing written]" in out
    assert not Account.objects.exists()


def test_unknown_table_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Unknown table 'nope'"):
        run("export_records", "nope")


def test_user_names_that_differ_only_in_case_are_refused_as_the_database_would(tmp_path, make_user):
    make_user(user_name="Joe.Smith")
    path = write_csv(
        tmp_path,
        [
            {"user_name": "joe.smith", "last_name": "A"},
            {"user_name": "Ann", "last_name": "B"},
            {"user_name": "ANN", "last_name": "C"},
        ],
    )
    with pytest.raises(CommandError):
        call_command("import_records", "customer_contact", path, stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "line 2, user_name: User name 'joe.smith' is already taken" in err.getvalue()
    assert "line 4, user_name: User name 'ANN' is already taken" in err.getvalue()
    assert "line 3" not in err.getvalue()
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, 12, "text", "", {"a": [1, 2]}, [1], "2026-01-02"],
)
@pytest.mark.parametrize("field_type", list(FieldType))
def test_a_columns_converter_gives_what_to_text_gives(field_type, value):
    """Exports convert a stream of values with one converter per column, chosen once."""
    from datetime import UTC, date, datetime

    from csm_project.core.records.wire_values import text_converter, to_text
    from csm_project.registry import FieldSpec

    if value is not None and field_type is FieldType.DATETIME:
        value = datetime(2026, 1, 2, 3, 4, 5, 600, tzinfo=UTC)
    elif value is not None and field_type is FieldType.DATE:
        value = date(2026, 1, 2)
    spec = FieldSpec(name="f", model_field="f", type=field_type)
    assert text_converter(spec)(value) == to_text(spec, value)
