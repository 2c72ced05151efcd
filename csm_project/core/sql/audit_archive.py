"""Audit retention: move the audit rows older than a cutoff to a file and out of ``sys_audit``.

``audit_archive(cutoff=..., path=...)`` writes every row created before ``cutoff`` to ``path``
as JSON lines (one object a row, the fields and wire text of ``export_records sys_audit
--format jsonl``; gzip-compressed when the name ends in ``.gz``) and deletes them, oldest
first, a batch at a time. Each batch is one transaction: its rows are read, written to the
file and flushed to disk, then deleted, and the run's record (``AuditArchive``) counts them;
only then does the transaction commit. Memory stays flat whatever the table holds.

Pitfalls:
- At least once, not exactly once: if the process dies between a batch's write and its commit,
  the file ends with rows the table still holds, and the next run writes them again (to its
  own file). Every row carries its ``sys_id``, so duplicates are easy to drop on reading.
- Two runs at once on PostgreSQL split the rows (each batch skips rows another run has locked);
  on SQLite the write lock makes them take turns.
- The run's own record is created in ``sys_audit_archive`` and, like every record, audited: the
  history shows who archived what and when, in rows newer than any cutoff.
"""

import gzip
import json
import os
import zlib
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from django.db import DatabaseError, transaction
from django.utils import timezone

from csm_project.core.models import AuditArchive, SysAudit
from csm_project.core.records.wire_values import to_text
from csm_project.registry import get_table

BATCH_ROWS = 5000


def _open(path: Path) -> IO[bytes]:
    # "x": never write over an earlier archive.
    raw = open(path, "xb")  # noqa: SIM115 - closed by the caller
    # Level 6 (zlib's own default): nearly the size of 9 at a fraction of its time.
    return gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) if path.suffix == ".gz" else raw


def audit_archive(
    *,
    cutoff: datetime,
    path: Path,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int], None] | None = None,
) -> AuditArchive:
    """Archive the audit rows created before ``cutoff`` to ``path`` (which must not exist) and
    delete them; returns the run's record, ``complete`` (or ``failed`` if an error stopped it,
    the error then raised again). ``progress`` is called with the running total after each batch."""
    table = get_table(SysAudit.sys_table)
    specs = list(table.fields.values())
    columns = [SysAudit._meta.get_field(spec.model_field).attname for spec in specs]
    names = [spec.name for spec in specs]
    sys_id_at, created_at = columns.index("sys_id"), columns.index("sys_created_on")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = _open(path)
    run = AuditArchive.objects.create(cutoff=cutoff, file_name=str(path))
    try:
        while True:
            with transaction.atomic():
                batch = list(
                    SysAudit.objects.filter(sys_created_on__lt=cutoff)
                    .order_by("sys_created_on", "sys_id")
                    .select_for_update(skip_locked=True)
                    .values_list(*columns)[:batch_rows]
                )
                if not batch:
                    break
                # One write a batch: the compressor and the file are called once, not per row.
                lines = (
                    json.dumps(dict(zip(names, map(to_text, specs, row), strict=True)), ensure_ascii=False)
                    for row in batch
                )
                handle.write(("\n".join(lines) + "\n").encode())
                _flush_to_disk(handle)
                ids = [row[sys_id_at] for row in batch]
                SysAudit.objects.filter(sys_id__in=ids).delete()
                run.rows += len(batch)
                run.newest = batch[-1][created_at]
                run.save(update_fields=["rows", "newest"])
            if progress:
                progress(run.rows)
    except BaseException:
        handle.close()
        run.state = AuditArchive.State.FAILED
        run.finished_on = timezone.now()
        with suppress(DatabaseError):  # the database may be what failed; the error below says so
            run.save(update_fields=["state", "finished_on"])
        raise
    handle.close()
    run.state = AuditArchive.State.COMPLETE
    run.finished_on = timezone.now()
    run.save(update_fields=["state", "finished_on"])
    return run


def _flush_to_disk(handle: IO[bytes]) -> None:
    """The batch's lines on disk before its rows are deleted: a crash after the commit loses
    nothing."""
    if isinstance(handle, gzip.GzipFile):
        # Push what the compressor holds (a sync flush: the file stays one valid stream).
        handle.flush(zlib.Z_SYNC_FLUSH)
        raw = handle.fileobj
    else:
        raw = handle
    raw.flush()
    os.fsync(raw.fileno())


def retention_cutoff(days: int, *, now: datetime | None = None) -> datetime:
    """The cutoff a retention of ``days`` days gives at ``now``."""
    return (now or timezone.now()) - timedelta(days=days)
