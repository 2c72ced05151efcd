"""Faults of the database or the file store that are not a bug of the request, each answered for
what it is (docs/platform.md, "Errors"): an envelope with a status and ``Retry-After``, never a
500 with a stack trace, and never the catch-all "not reachable" for a deadlock or a full disk.

| fault | status | retry |
| --- | --- | --- |
| deadlock, serialization failure (a concurrent write conflicted) | 503 | 1 s |
| a lock not granted within ``lock_timeout``, SQLite busy past its timeout | 503 | 2 s |
| a statement cancelled by ``statement_timeout`` | 503 | 5 s |
| the database or the file store read-only | 503 | 30 s |
| no space left (database or file store) | 507 | none |
| any other failure to reach or talk to the database | 503 | 5 s |

``classify`` is the one place that tells them apart; the API's exception handler, the outage
middleware and the Batch API's items all answer from it. It reads PostgreSQL's SQLSTATE and
SQLite's result code, never the wording of a message.
"""

from __future__ import annotations

import errno
import logging
from dataclasses import dataclass

from django.db import DatabaseError, OperationalError

logger = logging.getLogger("csm_project.ops")

UNAVAILABLE = "Service Unavailable"
NO_SPACE = "Insufficient Storage"


@dataclass(frozen=True)
class Fault:
    status: int
    message: str
    detail: str
    retry_after: int | None
    #: Short name for the log line (no values from the request).
    kind: str


CONFLICT = Fault(503, UNAVAILABLE, "The write met a concurrent one (deadlock or conflict); retry", 1, "conflict")
LOCK_WAIT = Fault(503, UNAVAILABLE, "Timed out waiting for another write to finish; retry", 2, "lock timeout")
TOO_SLOW = Fault(503, UNAVAILABLE, "The request took longer than the database allows; retry later", 5, "timeout")
DB_READ_ONLY = Fault(503, UNAVAILABLE, "The database is read-only; writes are refused for now", 30, "read-only")
DB_FULL = Fault(507, NO_SPACE, "The database has no space left; nothing was written", None, "full")
FILES_READ_ONLY = Fault(503, UNAVAILABLE, "The file store is read-only; nothing was written", 30, "files read-only")
FILES_FULL = Fault(507, NO_SPACE, "The file store has no space left; nothing was written", None, "files full")
UNREACHABLE = Fault(503, UNAVAILABLE, "The database is not reachable; retry later", 5, "unreachable")

# PostgreSQL SQLSTATE -> fault (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_SQLSTATES = {
    "40P01": CONFLICT,  # deadlock_detected
    "40001": CONFLICT,  # serialization_failure
    "55P03": LOCK_WAIT,  # lock_not_available (lock_timeout, NOWAIT)
    "57014": TOO_SLOW,  # query_canceled (statement_timeout)
    "25006": DB_READ_ONLY,  # read_only_sql_transaction (a standby, default_transaction_read_only)
    "53100": DB_FULL,  # disk_full
}
# SQLite primary result codes (the low byte of an extended code).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_FULL = 5, 6, 8, 13
_SQLITE_CODES = {
    _SQLITE_BUSY: LOCK_WAIT,
    _SQLITE_LOCKED: LOCK_WAIT,
    _SQLITE_READONLY: DB_READ_ONLY,
    _SQLITE_FULL: DB_FULL,
}
_OS_ERRORS = {errno.ENOSPC: FILES_FULL, errno.EDQUOT: FILES_FULL, errno.EROFS: FILES_READ_ONLY}


def classify(exc: BaseException) -> Fault | None:
    """The fault ``exc`` is, or None when it is not one of these (an unexpected error: a 500)."""
    if isinstance(exc, DatabaseError):
        cause = exc.__cause__
        state = getattr(cause, "sqlstate", None)
        if state in _SQLSTATES:
            return _SQLSTATES[state]
        code = getattr(cause, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in _SQLITE_CODES:
            return _SQLITE_CODES[code & 0xFF]
        if isinstance(exc, OperationalError):
            return UNREACHABLE
        return None
    if isinstance(exc, OSError):
        return _OS_ERRORS.get(exc.errno)
    return None


def retry_headers(fault: Fault) -> dict[str, str]:
    return {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}


def log(fault: Fault, exception: BaseException) -> None:
    """One line naming the fault and the driver's exception class (no values, no stack)."""
    logger.error("Service fault (%s): %s", fault.kind, type(exception.__cause__ or exception).__name__)
