"""Each process's view of its read replicas: which are up and how far behind the primary.

A daemon thread per process (started by the first question, again after a fork) samples, every
``DATABASE_REPLICA_CHECK_SECONDS``, the primary's flushed WAL position and then each replica's
replayed position, on connections of its own. A replica that has replayed what the primary had
flushed at sample time ``t`` holds every transaction committed before ``t``; the newest such
``t`` is the replica's *fresh as of* time. A replica is usable while it is in recovery and
``now - fresh_as_of <= DATABASE_REPLICA_MAX_LAG``: its worst-case lag is within the bound, even
if the monitor has since stalled (its view then ages out on its own, and reads go to the primary).

This measures lag in time without trusting ``pg_last_xact_replay_timestamp()`` (old on an idle
primary although nothing is missing) and without privileges beyond calling the WAL position
functions. A replica that cannot be reached, or whose connection fails during a read (the
replica engine reports it), is down until a later check finds it again.

The view is per process on purpose: it is a local health observation, not shared state; every
process reaches the same conclusion from the same servers.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections import deque
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger("csm_project.replicas")

OK, LAGGING, DOWN, UNKNOWN = "ok", "lagging", "down", "unknown"

_PRIMARY_POSITION = "SELECT pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')::bigint"
_REPLICA_POSITION = "SELECT pg_is_in_recovery(), COALESCE(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint, -1)"


@dataclass
class ReplicaState:
    status: str = UNKNOWN
    fresh_as_of: float | None = None  # monotonic seconds: holds all the primary had committed then
    problem: str = ""

    def lag(self, now: float) -> float | None:
        return None if self.fresh_as_of is None else max(0.0, now - self.fresh_as_of)


class ReplicaMonitor:
    """See the module's docstring. ``clock`` (monotonic seconds) is replaceable for tests."""

    def __init__(self) -> None:
        self.clock = time.monotonic
        self._lock = threading.Lock()
        self._states: dict[str, ReplicaState] = {}
        self._samples: deque[tuple[float, int]] = deque()  # (time, primary's flushed position)
        self._pid: int | None = None
        self._stop = threading.Event()
        self._connections: dict[str, psycopg.Connection] = {}

    # --- questions the router asks -------------------------------------------------------

    def usable(self, alias: str) -> bool:
        """Whether reads may go to ``alias`` now."""
        self._ensure_running()
        state = self._states.get(alias)
        if state is None or state.status != OK or state.fresh_as_of is None:
            return False
        return self.clock() - state.fresh_as_of <= settings.DATABASE_REPLICA_MAX_LAG

    def choose(self) -> str | None:
        """A usable replica (at random among several), or None."""
        usable = [alias for alias in settings.DATABASE_REPLICAS if self.usable(alias)]
        return random.choice(usable) if usable else None

    def report_down(self, alias: str, problem: BaseException) -> None:
        """A connection to ``alias`` failed: no reads go there until a check finds it again."""
        with self._lock:
            self._states[alias] = ReplicaState(status=DOWN, problem=type(problem).__name__)
        logger.warning("Read replica %s unreachable (%s): reading from the primary", alias, type(problem).__name__)

    def summary(self) -> dict[str, str]:
        """Each replica's status as this process sees it: ok, lagging, down or unknown."""
        self._ensure_running()
        now = self.clock()
        result = {}
        for alias in settings.DATABASE_REPLICAS:
            state = self._states.get(alias, ReplicaState())
            if state.status == OK and not self.usable(alias):
                result[alias] = LAGGING
            else:
                result[alias] = state.status
            lag = state.lag(now)
            if lag is not None and result[alias] in (OK, LAGGING):
                result[alias] += f" ({lag:.1f}s)"
        return result

    # --- the checks ------------------------------------------------------------------------

    def _ensure_running(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            # A forked child starts afresh: the parent's thread and connections are not its own.
            self._pid = os.getpid()
            self._states = {}
            self._samples.clear()
            self._connections = {}
            self._stop = threading.Event()
            params = {alias: _connect_params(alias) for alias in (DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS)}
            thread = threading.Thread(target=self._run, args=(params, self._stop), name="replica-monitor", daemon=True)
            thread.start()

    def stop(self) -> None:
        """End this process's checks (tests); the next question starts them again."""
        with self._lock:
            self._stop.set()
            self._pid = None

    def _run(self, params: dict[str, dict], stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.check_once(params)
            except Exception:  # the monitor must outlive any surprise; reads then go to the primary
                logger.exception("Read replica check failed")
            stop.wait(settings.DATABASE_REPLICA_CHECK_SECONDS)
        for connection in self._connections.values():
            connection.close()

    def check_once(self, params: dict[str, dict]) -> None:
        """One round: sample the primary, then place each replica against the samples."""
        try:
            position = self._position(DEFAULT_DB_ALIAS, params, _PRIMARY_POSITION)[0]
        except psycopg.Error as problem:
            logger.warning("Primary unreachable for the replica check (%s)", type(problem).__name__)
        else:
            now = self.clock()
            self._samples.append((now, position))
            keep = settings.DATABASE_REPLICA_MAX_LAG + 3 * settings.DATABASE_REPLICA_CHECK_SECONDS
            while len(self._samples) > 1 and self._samples[0][0] < now - keep:
                self._samples.popleft()
        for alias in settings.DATABASE_REPLICAS:
            try:
                in_recovery, replayed = self._position(alias, params, _REPLICA_POSITION)
            except psycopg.Error as problem:
                state = ReplicaState(status=DOWN, problem=type(problem).__name__)
            else:
                state = self._placed(alias, in_recovery, replayed)
            with self._lock:
                if self._states.get(alias, ReplicaState()).status != state.status:
                    logger.info("Read replica %s: %s %s", alias, state.status, state.problem)
                self._states[alias] = state

    def _placed(self, alias: str, in_recovery: bool, replayed: int) -> ReplicaState:
        if not in_recovery:
            # Promoted, or not a replica at all: it no longer follows the primary.
            return ReplicaState(status=DOWN, problem="not in recovery")
        previous = self._states.get(alias)
        fresh = previous.fresh_as_of if previous is not None and previous.status == OK else None
        for sampled_at, position in self._samples:
            if position <= replayed and (fresh is None or sampled_at > fresh):
                fresh = sampled_at
        return ReplicaState(status=OK, fresh_as_of=fresh)

    def _position(self, alias: str, params: dict[str, dict], sql: str) -> tuple:
        connection = self._connections.get(alias)
        if connection is None or connection.closed or connection.broken:
            connection = self._connections[alias] = psycopg.connect(**params[alias])
        try:
            return connection.execute(sql).fetchone()
        except psycopg.Error:
            connection.close()
            raise


def _connect_params(alias: str) -> dict:
    """The alias's connection parameters for a plain autocommit connection of the monitor's own."""
    params = connections[alias].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.update(autocommit=True, prepare_threshold=None, application_name="csm-replica-monitor")
    return params


monitor = ReplicaMonitor()
