"""Faults of the database and the file store answered for what they are (csm_project/ops/faults.py):
a real read-only or full database, a lock not granted in time, a statement over its limit, a
deadlock, each a 503 or 507 envelope with its own detail and Retry-After, and no record written;
never a 500, never "not reachable" for a database that answers."""

import threading

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.utils import OperationalError

from contacts.models import Account
from csm_project.ops import faults
from tests.conftest import on_postgresql
from tests.servers import POLL_TIMEOUT_SECONDS

ACCOUNTS = "/api/now/table/customer_account"


@pytest.fixture
def writer(client_for):
    return client_for("csm_ws_integration")


def assert_fault(response, status: int, detail: str, retry_after: str | None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == "failure" and detail in body["error"]["detail"], body
    assert "not reachable" not in body["error"]["detail"]
    assert response.get("Retry-After") == retry_after


@pytest.mark.django_db(transaction=True)
def test_a_read_only_database_is_a_503_saying_so(writer):
    writer.get(ACCOUNTS)  # signs in before the database stops taking writes
    if on_postgresql():
        on, off = "SET default_transaction_read_only = on", "SET default_transaction_read_only = off"
    else:
        on, off = "PRAGMA query_only = 1", "PRAGMA query_only = 0"
    with connection.cursor() as cursor:
        cursor.execute(on)
    try:
        response = writer.post(ACCOUNTS, {"name": "Refused"}, format="json")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(off)

    assert_fault(response, 503, "read-only", "30")
    assert not Account.objects.filter(name="Refused").exists()


def full_sqlite_error(tmp_path) -> DatabaseError:
    """The error a write into a full SQLite database raises (a file that may grow no more)."""
    scratch = DatabaseWrapper({**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3",
                               "NAME": str(tmp_path / "full.sqlite3"), "OPTIONS": {}}, alias="full")  # fmt: skip
    try:
        with scratch.cursor() as cursor:
            cursor.execute("CREATE TABLE note (text TEXT)")
            cursor.execute("PRAGMA page_count")
            cursor.execute(f"PRAGMA max_page_count = {cursor.fetchone()[0]}")
            with pytest.raises(DatabaseError) as raised:
                cursor.execute("INSERT INTO note VALUES (%s)", ["x" * 100_000])
    finally:
        scratch.close()
    return raised.value


def test_a_full_database_is_a_507_saying_so(writer, tmp_path, monkeypatch):
    full = full_sqlite_error(tmp_path)
    assert faults.classify(full) is faults.DB_FULL
    from csm_project.table_api import views

    def no_space(**kwargs):
        raise full

    monkeypatch.setattr(views, "record_create", no_space)
    response = writer.post(ACCOUNTS, {"name": "Too big"}, format="json")

    assert_fault(response, 507, "no space left", None)
    assert response.json()["error"]["message"] == "Insufficient Storage"


def test_sqlstates_and_sqlite_codes_name_their_fault():
    """The driver's codes, as the real errors carry them (a disk cannot be filled in a test)."""

    def wrapped(cause: BaseException) -> DatabaseError:
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error

    assert faults.classify(wrapped(psycopg.errors.DiskFull())) is faults.DB_FULL
    assert faults.classify(wrapped(psycopg.errors.DeadlockDetected())) is faults.CONFLICT
    assert faults.classify(wrapped(psycopg.errors.SerializationFailure())) is faults.CONFLICT
    assert faults.classify(wrapped(psycopg.errors.LockNotAvailable())) is faults.LOCK_WAIT
    assert faults.classify(wrapped(psycopg.errors.QueryCanceled())) is faults.TOO_SLOW
    assert faults.classify(wrapped(psycopg.OperationalError("connection refused"))) is faults.UNREACHABLE
    assert faults.classify(ValueError("a bug")) is None


class HeldLock:
    """A second connection holding a write lock until released: on PostgreSQL the row of one
    account, on SQLite the whole database (an immediate transaction of another client)."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.taken, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self) -> None:
        try:
            with transaction.atomic():
                Account.objects.select_for_update().filter(pk=self.account.pk).update(name="Held")
                self.taken.set()
                self.release.wait(timeout=300)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.taken.wait(timeout=POLL_TIMEOUT_SECONDS * 4)
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.thread.join(timeout=300)


@pytest.mark.django_db(transaction=True)
def test_a_write_waiting_too_long_for_a_lock_is_a_503_to_retry(writer):
    """The request may wait 0.2 s for a lock held until after it has answered: on PostgreSQL by
    ``lock_timeout``, then by ``statement_timeout``; on SQLite by the busy timeout."""
    account = Account.objects.create(name="Contended")
    writer.get(ACCOUNTS)
    limits = {"SET lock_timeout = '200ms'": ("Timed out waiting for another write", "2")}
    if on_postgresql():
        limits["SET statement_timeout = '200ms'"] = ("took longer than the database allows", "5")
    else:
        limits = {"PRAGMA busy_timeout = 200": limits["SET lock_timeout = '200ms'"]}
    for setting, (detail, retry_after) in limits.items():
        with connection.cursor() as cursor:
            cursor.execute(setting)
        try:
            with HeldLock(account):
                response = writer.patch(f"{ACCOUNTS}/{account.pk}", {"city": "Never"}, format="json")
        finally:
            with connection.cursor() as cursor:
                if on_postgresql():
                    cursor.execute("RESET lock_timeout; RESET statement_timeout")
                else:
                    cursor.execute("PRAGMA busy_timeout = 30000")
        assert_fault(response, 503, detail, retry_after)
        assert not Account.objects.filter(city="Never").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_deadlock_is_a_503_to_retry_not_an_outage(writer, monkeypatch):
    """Two transactions lock two accounts in opposite orders; PostgreSQL ends one of them with a
    deadlock error. That very error, raised by a write, is answered as a conflict to retry."""
    first, second = Account.objects.create(name="A"), Account.objects.create(name="B")
    barrier = threading.Barrier(2, timeout=POLL_TIMEOUT_SECONDS * 4)
    errors: list[DatabaseError] = []

    def lock(one: Account, other: Account) -> None:
        try:
            with transaction.atomic():
                Account.objects.filter(pk=one.pk).update(city="x")
                barrier.wait()
                Account.objects.filter(pk=other.pk).update(city="y")
        except DatabaseError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=lock, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    [deadlock] = errors
    assert faults.classify(deadlock) is faults.CONFLICT

    from csm_project.table_api import views

    def deadlocked(**kwargs):
        raise deadlock

    monkeypatch.setattr(views, "record_create", deadlocked)
    response = writer.post(ACCOUNTS, {"name": "Deadlocked"}, format="json")
    assert_fault(response, 503, "deadlock", "1")
