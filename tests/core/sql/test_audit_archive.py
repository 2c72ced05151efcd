"""Audit retention: ``archive_audit`` moves the rows older than the cutoff to a JSON-lines file and
out of sys_audit, batch by batch, and the run is itself a record in the audit history."""

import gzip
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from csm_project.core.models import AuditArchive, SysAudit
from csm_project.core.sql import audit_archive
from tests.contacts.factories_contacts import AccountFactory

pytestmark = pytest.mark.django_db

OLD = datetime(2020, 1, 15, 8, 30, tzinfo=UTC)


@pytest.fixture
def aged_history():
    """Two accounts whose history is from 2020, one whose history is from today."""
    old = [AccountFactory(), AccountFactory()]
    SysAudit.objects.filter(documentkey__in=[account.pk for account in old]).update(sys_created_on=OLD)
    recent = AccountFactory()
    return old, recent


def archive(*args: str) -> str:
    out = io.StringIO()
    call_command("archive_audit", *args, stdout=out)
    return out.getvalue()


def read_lines(path) -> list[dict]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_rows_before_the_cutoff_move_to_the_file_and_leave_the_table(aged_history, tmp_path):
    old, recent = aged_history
    old_ids = [account.pk for account in old]
    expected = {row.sys_id: row for row in SysAudit.objects.filter(documentkey__in=old_ids)}
    kept = set(SysAudit.objects.filter(documentkey=recent.pk).values_list("sys_id", flat=True))
    target = tmp_path / "archive.jsonl"

    output = archive("--before", "2021-01-01", "--output", str(target), "--batch-size", "3")

    assert f"Archived {len(expected)} audit rows created before 2021-01-01 00:00:00 UTC" in output
    lines = read_lines(target)
    assert sorted(line["sys_id"] for line in lines) == sorted(expected)
    sample = expected[lines[0]["sys_id"]]
    assert lines[0]["documentkey"] == sample.documentkey and lines[0]["fieldname"] == sample.fieldname
    assert lines[0]["newvalue"] == sample.newvalue and lines[0]["sys_created_on"] == "2020-01-15 08:30:00"
    assert not SysAudit.objects.filter(documentkey__in=old_ids).exists()
    assert kept <= set(SysAudit.objects.values_list("sys_id", flat=True))

    run = AuditArchive.objects.get()
    assert (run.state, run.rows, run.file_name) == ("complete", len(expected), str(target))
    assert run.newest == OLD and run.finished_on is not None


def test_the_run_is_in_the_audit_history_with_who_ran_it(aged_history, tmp_path, make_user):
    make_user(user_name="ops.oliver")
    archive("--before", "2021-01-01", "--output", str(tmp_path / "a.jsonl"), "--as-user", "ops.oliver")
    run = AuditArchive.objects.get()
    history = SysAudit.objects.filter(documentkey=run.pk)
    assert {row.user for row in history} == {"ops.oliver"}
    assert {row.reason for row in history} == {"archive_audit"}
    assert ("state", "running", "complete") in {(row.fieldname, row.oldvalue, row.newvalue) for row in history}
    assert ("file_name", "", str(tmp_path / "a.jsonl")) in {
        (row.fieldname, row.oldvalue, row.newvalue) for row in history
    }
    # Progress counters are kept on the run, not written as history once per batch.
    assert not history.filter(fieldname__in=["rows", "newest"]).exists()


def test_the_retention_setting_gives_the_cutoff_and_a_gz_name_compresses(aged_history, tmp_path, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "archives"
    old, recent = aged_history
    archive()
    run = AuditArchive.objects.get()
    assert abs(run.cutoff - (timezone.now() - timedelta(days=30))) < timedelta(minutes=5)
    assert run.file_name.startswith(str(tmp_path / "archives")) and run.file_name.endswith(".jsonl.gz")
    assert {line["documentkey"] for line in read_lines(run.file_name)} == {account.pk for account in old}
    assert SysAudit.objects.filter(documentkey=recent.pk).exists()


def test_without_a_retention_or_a_date_nothing_is_archived(aged_history, settings):
    settings.AUDIT_RETENTION_DAYS = 0
    before = SysAudit.objects.count()
    with pytest.raises(CommandError, match="No retention set"):
        archive()
    with pytest.raises(CommandError, match="is not YYYY-MM-DD"):
        archive("--before", "last year")
    assert SysAudit.objects.count() == before and not AuditArchive.objects.exists()


def test_an_existing_file_is_never_written_over(aged_history, tmp_path):
    target = tmp_path / "taken.jsonl"
    target.write_text("earlier archive\n")
    before = SysAudit.objects.count()
    with pytest.raises(CommandError, match="exists"):
        archive("--before", "2021-01-01", "--output", str(target))
    assert target.read_text() == "earlier archive\n" and SysAudit.objects.count() == before


def test_a_failure_keeps_every_batch_either_archived_and_removed_or_left_in_place(aged_history, tmp_path, monkeypatch):
    old, _ = aged_history
    old_ids = [account.pk for account in old]
    total = SysAudit.objects.filter(documentkey__in=old_ids).count()
    real_flush, calls = audit_archive._flush_to_disk, []

    def flush_then_fail_on_the_second_batch(handle):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        real_flush(handle)

    monkeypatch.setattr(audit_archive, "_flush_to_disk", flush_then_fail_on_the_second_batch)
    with pytest.raises(OSError, match="disk full"):
        archive("--before", "2021-01-01", "--output", str(tmp_path / "a.jsonl"), "--batch-size", "2")

    run = AuditArchive.objects.get()
    assert (run.state, run.rows) == ("failed", 2)
    left = SysAudit.objects.filter(documentkey__in=old_ids).count()
    assert left == total - 2
    archived = [line["sys_id"] for line in read_lines(tmp_path / "a.jsonl")][:2]
    assert not SysAudit.objects.filter(sys_id__in=archived).exists()
