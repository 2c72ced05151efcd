"""A dry run reads and checks only: its report equals the load's on the same file, and it writes
nothing (no row, no audit row, no journal entry, no number drawn, no write statement sent)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Account, Contact
from csm_project.core.bulk.files import RowReader
from csm_project.core.bulk.imports import RecordLoader
from csm_project.core.models import JournalEntry, NumberCounter, SysAudit, User
from csm_project.core.records.field_rules import table_rules

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "COPY", "SELECT NEXTVAL", "SELECT ARRAY(SELECT NEXTVAL")


def snapshot() -> dict:
    """Every row a load could touch, and on PostgreSQL where each number sequence stands."""
    state = {
        model.__name__: sorted(map(repr, model._base_manager.values_list()))
        for model in (Account, Contact, User, SysAudit, JournalEntry, NumberCounter)
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY sequencename")
            state["sequences"] = cursor.fetchall()
    return state


def load(table: str, text: str, *, dry_run: bool, **options):
    loader = RecordLoader(table_rules(table), dry_run=dry_run, empty_is_absent=True, **options)
    reader = RowReader(io.BytesIO(text.encode()), rename=loader.rename_columns)
    return loader.run(reader)


def dry_then_load(table: str, text: str, **options):
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        dry = load(table, text, dry_run=True, **options)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []
    assert snapshot() == before
    assert dry.dry_run and not dry.committed
    real = load(table, text, dry_run=False, **options)
    return dry, real


def test_upsert_report_equals_the_load_across_batches():
    kept = Account.objects.create(name="Kept", city="Oslo")
    moved = Account.objects.create(name="Moved", city="Oslo")
    new_id = "a" * 32
    text = (
        "sys_id,name,city,customer,number\n"
        f"{moved.sys_id},Moved,Paris,,\n"  # 2: an update
        f"{kept.sys_id},Kept,Oslo,,\n"  # 3: unchanged
        ",Fresh,Lima,true,ACCT0000999\n"  # 4: an insert keeping its number
        ",Bad,Lima,maybe,\n"  # 5: bad boolean
        f"{moved.sys_id},Moved again,Lima,,\n"  # 6: the same key again
        ",Twin,Lima,,ACCT0000999\n"  # 7: a number an earlier batch took
        ",,Lima,,\n"  # 8: no name
        f"{new_id},Given id,Lima,,\n"  # 9: an insert keeping its sys_id
        f"{new_id},Given id again,Lima,,\n"  # 10: the same sys_id again
    )
    dry, real = dry_then_load("customer_account", text, upsert=True, skip_bad=True, batch_size=2)
    assert dry.report() == real.report()
    report = real.report()
    assert (report["read"], report["created"], report["updated"], report["unchanged"], report["rejected"]) == (
        9,
        2,
        1,
        1,
        5,
    )
    assert report["errors"] == [
        "line 5, customer: 'maybe' is not true or false",
        f"line 6, sys_id: sys_id '{moved.sys_id}' is given again (first on line 2 of the file)",
        "line 7, number: 'ACCT0000999' is already used by another record",
        "line 8, name: Mandatory field is either missing or invalid.",
        f"line 10, sys_id: sys_id '{new_id}' is given again (first on line 9 of the file)",
    ]
    assert real.committed
    assert Account.objects.get(pk=moved.pk).city == "Paris"
    assert Account.objects.filter(number="ACCT0000999", name="Fresh").exists()
    assert Account.objects.filter(pk=new_id, name="Given id").exists()


def test_contacts_report_unique_names_across_batches_and_missing_references():
    account = Account.objects.create(name="Home")
    text = (
        "user_name,first_name,last_name,account\n"
        f"ann.a,Ann,A,{account.sys_id}\n"
        f"bob.b,Bob,B,{'f' * 32}\n"  # no such account
        f"ANN.A,Ann,Again,{account.sys_id}\n"  # the same user name (case does not count), a later batch
        "cy.c,Cy,C,\n"
    )
    dry, real = dry_then_load("customer_contact", text, skip_bad=True, batch_size=1)
    assert dry.report() == real.report()
    assert real.report()["errors"] == [
        f"line 3, account: No customer_account record with sys_id '{'f' * 32}'",
        "line 4, user_name: " + real.errors[1].message,
    ]
    assert "ANN.A" in real.errors[1].message or "ann.a" in real.errors[1].message.lower()
    assert (real.created, real.rejected) == (2, 2)
    assert set(Contact.objects.values_list("user_name", flat=True)) == {"ann.a", "cy.c"}


def test_a_reference_to_a_record_an_earlier_batch_creates_holds_in_both():
    parent_id = "b" * 32
    text = (
        "sys_id,last_name,short_description,similar_lead\n"
        f"{parent_id},First,One,\n"
        f",Second,Two,{parent_id}\n"  # a later batch: the load has written the first lead by then
        f",Third,Three,{'c' * 32}\n"  # no such lead
    )
    dry, real = dry_then_load("sn_lead_mgmt_core_lead", text, skip_bad=True, batch_size=1)
    assert dry.report() == real.report()
    assert (real.created, real.rejected) == (2, 1)
    assert real.report()["errors"] == [
        f"line 4, similar_lead: No sn_lead_mgmt_core_lead record with sys_id '{'c' * 32}'"
    ]


def test_without_skip_bad_the_dry_run_and_the_load_refuse_the_same_rows():
    text = "name,customer\nGood,true\nBad,perhaps\n"
    dry, real = dry_then_load("customer_account", text)
    assert (dry.read, dry.rejected, dry.report()["errors"]) == (real.read, real.rejected, real.report()["errors"])
    assert dry.read - dry.rejected == 1 and dry.created == 1  # it would create the good row
    assert real.created == 0 and not real.committed and not Account.objects.exists()


def test_the_command_says_what_it_would_write(tmp_path):
    Account.objects.create(name="Old", city="Oslo")
    path = tmp_path / "accounts.csv"
    path.write_text("name,city\nNew one,Lima\nNew two,Oslo\n", encoding="utf-8")
    before = snapshot()
    out = io.StringIO()
    call_command("import_records", "customer_account", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "read 2, would write 2 (would create 2, would update 0)" in out.getvalue()
    assert "[dry run: nothing written]" in out.getvalue()
    assert snapshot() == before
    path.write_text("name,customer\nNew,perhaps\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import_records", "customer_account", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)
    assert "line 2, customer: 'perhaps' is not true or false" in err.getvalue()
