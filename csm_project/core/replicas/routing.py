"""Which database a read goes to: the database router and the read scope of a request.

Writes always go to the primary (``default``), so the audit triggers' ``csm.actor`` setting is
always sent on the primary's connection. A read goes to a replica only when nothing needs it to
see the primary's latest state. It goes to the primary:

- outside a read scope: management commands, shells, threads a request starts (a scope is
  opened by ``ReadRoutingMiddleware`` for each request);
- when the scope asks for the primary: a request that may write (any method but GET and HEAD,
  so a Batch too), a request with a session (the admin), a client that wrote within
  ``READ_YOUR_WRITES_SECONDS`` (the signed cookie ``csm_ryw``);
- once the scope has written anything (``db_for_write``);
- inside a transaction on the primary (``transaction.atomic``: every service that writes);
- inside ``primary_reads()`` (sign-in: a changed password or a lock-out counts at once);
- when no replica is usable (``health``): skipped, never an error.

A scope reads from one replica, chosen at its first read; should that replica fail, the rest of
the scope reads from the primary, so a request never sees the data go back in time.

Exact counts (``row_counts.exact_count``) are taken on the primary whatever the scope says.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from csm_project.core.replicas.health import monitor

PRIMARY = DEFAULT_DB_ALIAS


@dataclass
class ReadScope:
    primary: bool = False  # every read of the scope goes to the primary
    wrote: bool = False
    replica: str | None = None  # the replica the scope reads from, once chosen


_scope: ContextVar[ReadScope | None] = ContextVar("csm_read_scope", default=None)
_primary_only: ContextVar[bool] = ContextVar("csm_primary_reads", default=False)


@contextmanager
def read_scope(*, primary: bool = False) -> Iterator[ReadScope]:
    """Reads inside the block may go to a replica (unless ``primary``); see the module's docstring."""
    scope = ReadScope(primary=primary)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Every read inside the block goes to the primary."""
    token = _primary_only.set(True)
    try:
        yield
    finally:
        _primary_only.reset(token)


def read_alias() -> str:
    """The database the next read goes to."""
    scope = _scope.get()
    if scope is None or scope.primary or scope.wrote or _primary_only.get():
        return PRIMARY
    if in_primary_transaction():
        return PRIMARY
    if scope.replica is not None:
        if monitor.usable(scope.replica):
            return scope.replica
        scope.primary = True  # it failed or fell behind: the primary from now on
        return PRIMARY
    scope.replica = monitor.choose()
    if scope.replica is None:
        scope.primary = True
        return PRIMARY
    return scope.replica


def in_primary_transaction() -> bool:
    return connections[PRIMARY].in_atomic_block


def note_write() -> None:
    scope = _scope.get()
    if scope is not None:
        scope.wrote = True


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry when ``DATABASE_REPLICA_URLS`` names replicas."""

    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        note_write()
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # A record read from a replica and one from the primary are rows of the same database.
        same = {PRIMARY, *settings.DATABASE_REPLICAS}
        return True if obj1._state.db in same and obj2._state.db in same else None

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return False if db in settings.DATABASE_REPLICAS else None
