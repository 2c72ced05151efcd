"""Reads on PostgreSQL read replicas, writes on the primary (docs/deployment.md).

- ``configuration``: the replicas' database aliases, built from ``DATABASE_REPLICA_URLS``.
- ``routing``: the database router and the per-request read scope (which reads must see the
  primary).
- ``health``: each process's view of which replicas are up and close enough behind.
- ``backend``: the replicas' database engine, which reads from the primary instead when a
  replica cannot be reached.
"""
