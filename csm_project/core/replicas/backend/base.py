"""The read replicas' database engine: PostgreSQL's, reading from the primary instead when the
replica cannot be reached (``ENGINE = "csm_project.core.replicas.backend"``, set by
``configuration.replica_databases``).

The router sends reads only to replicas its health view finds usable, but a replica can stop
between two checks. Then:

- a connection that cannot be opened (refused, timed out, no pooled connection in time) is
  opened to the primary instead, and the replica is reported down;
- a read whose connection is lost (the replica shut down or crashed during or before it) is
  run again on a connection to the primary, on the same cursor, and the replica is reported
  down. Only reads outside a transaction are run again, and a replica connection only ever
  reads, so nothing is done twice.

Either way the request gets its rows and the client never sees the failure. A connection that
fell back to the primary is closed at the end of the request (the pool's usual return), or at
the next request once the replica is usable again (persistent connections), so the replica
takes reads again without a restart.
"""

import psycopg
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.backends.postgresql import base

from csm_project.core.replicas.health import monitor

# Server errors that mean the server is going away: admin, crash and start-up shutdowns.
_SHUTTING_DOWN = frozenset({"57P01", "57P02", "57P03"})


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.on_primary = False
        self.execute_wrappers.append(self._read_again_on_primary)

    def get_new_connection(self, conn_params):
        if monitor.usable(self.alias):
            try:
                connection = super().get_new_connection(conn_params)
            except psycopg.Error as problem:  # a pool timeout is one too
                monitor.report_down(self.alias, problem)
            else:
                self.on_primary = False
                return connection
        self.on_primary = True
        # What the parent class sets before connecting, as it would for this alias.
        self.isolation_level = base.IsolationLevel(
            self.settings_dict["OPTIONS"].get("isolation_level", base.IsolationLevel.READ_COMMITTED)
        )
        primary = connections[DEFAULT_DB_ALIAS]
        if primary.pool is not None:
            primary.pool.open()
            return primary.pool.getconn()  # it goes back to the primary's pool when closed
        return self.Database.connect(**primary.get_connection_params())

    def close_if_unusable_or_obsolete(self) -> None:
        if self.connection is not None and self.on_primary and not self.in_atomic_block and monitor.usable(self.alias):
            self.close()
            return
        super().close_if_unusable_or_obsolete()

    def _read_again_on_primary(self, execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except (OperationalError, InterfaceError) as problem:
            if self.in_atomic_block or self.on_primary or not self._lost(problem):
                raise
            monitor.report_down(self.alias, problem)
            cursor = context["cursor"]
            name = getattr(cursor.cursor, "name", None)  # a server-side cursor (QuerySet.iterator)
            self.close()
            self.ensure_connection()
            cursor.cursor = self.create_cursor(name)
            return execute(sql, params, many, context)

    def _lost(self, problem: Exception) -> bool:
        raw = self.connection
        if raw is None or raw.closed or raw.broken:
            return True
        return getattr(problem.__cause__, "sqlstate", None) in _SHUTTING_DOWN
