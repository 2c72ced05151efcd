"""Loads that commit batch by batch (the import commands' way on SQLite): other writers get in
between batches, and a batch failing late leaves nothing written."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connections

from contacts.models import Account
from csm_project.core.record_import import RecordImporter
from csm_project.registry import get_table

pytestmark = pytest.mark.django_db(transaction=True)


def in_another_connection(work):
    """Run ``work()`` in a thread, so on its own database connection; return its result."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def account_rows(count: int) -> list[tuple[int, dict]]:
    return [(n + 2, {"name": f"Loaded {n}", "number": f"ACCT9{n:06d}"}) for n in range(count)]


def test_another_connection_sees_each_batch_and_writes_between_batches():
    seen = []

    def between_batches(result):
        def write_and_count():
            Account.objects.create(name=f"Between {result.imported}")
            return Account.objects.filter(name__startswith="Loaded").count()

        seen.append((result.imported, in_another_connection(write_and_count)))

    result = RecordImporter(get_table("customer_account"), batch_size=2).run(
        account_rows(6), progress=between_batches, commit_each_batch=True
    )

    assert (result.imported, result.errors) == (6, [])
    assert seen == [(2, 2), (4, 4), (6, 6)]
    assert Account.objects.filter(name__startswith="Between").count() == 3


def test_a_batch_failing_late_removes_the_rows_already_committed():
    def after_first_batch(result):
        if result.imported == 2:  # a number of the third batch is taken meanwhile
            in_another_connection(lambda: Account.objects.create(name="Racer", number="ACCT9000004"))

    result = RecordImporter(get_table("customer_account"), batch_size=2).run(
        account_rows(6), progress=after_first_batch, commit_each_batch=True
    )

    assert result.imported == 0
    assert [(error.line, error.field) for error in result.errors] == [(6, "number")]
    assert list(Account.objects.values_list("name", flat=True)) == ["Racer"]


def test_the_import_command_on_sqlite_checks_every_row_before_writing_any(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text("name,number\n" + "".join(f"Acct {n},ACCT8{n:06d}\n" for n in range(5)) + ",ACCT8999999\n")
    err = io.StringIO()

    with pytest.raises(Exception, match="1 problem"):
        call_command("import_records", "customer_account", str(path), "--batch-size", "2", stderr=err)

    assert Account.objects.count() == 0
    assert "line 7" in err.getvalue()


class Pipe(io.StringIO):
    def seekable(self) -> bool:
        return False


def test_the_import_command_loads_from_a_pipe(monkeypatch):
    monkeypatch.setattr("sys.stdin", Pipe("name\n" + "".join(f"Piped {n}\n" for n in range(5))))
    out = io.StringIO()

    call_command("import_records", "customer_account", "-", "--batch-size", "2", stdout=out, stderr=io.StringIO())

    assert "Imported 5 rows" in out.getvalue()
    assert Account.objects.filter(name__startswith="Piped").count() == 5


def test_a_contact_import_failing_late_removes_the_contacts_already_committed(monkeypatch):
    from contacts import services
    from contacts.models import Contact, SocialChannel, SocialProfile
    from contacts.services import ContactImportRow, SocialProfileRequest, contacts_import

    monkeypatch.setattr(services, "IMPORT_BATCH", 2)
    SocialChannel.objects.create(name="Twitter")
    rows = [
        ContactImportRow(
            n + 2,
            {"user_name": f"loaded.{n}", "last_name": "Loaded"},
            SocialProfileRequest.from_fields({"social_channel": "Twitter", "social_handle": f"@l{n}"}),
        )
        for n in range(6)
    ]

    def after_first_batch(result):
        if result.imported == 2:  # a user name of the third batch is taken meanwhile
            in_another_connection(lambda: Contact.objects.create(user_name="LOADED.4", last_name="Racer"))

    result = contacts_import(rows=rows, progress=after_first_batch, commit_each_batch=True)

    assert result.imported == 0
    assert [(error.line, error.field) for error in result.errors] == [(6, "user_name")]
    assert list(Contact.objects.values_list("last_name", flat=True)) == ["Racer"]
    assert SocialProfile.objects.count() == 0
