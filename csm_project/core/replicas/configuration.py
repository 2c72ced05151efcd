"""The read replicas' database aliases, built at settings time from the environment.

Each replica is the primary's configuration (pool, binding, timeouts) with the host, port,
name and credentials of its own URL, and the replica engine (``csm_project.core.replicas
.backend``). Aliases are ``replica_1``, ``replica_2``... in the order of ``DATABASE_REPLICA_URLS``.
Under Django's test runner a replica mirrors the test database (it must be a streaming replica
of the server the tests create their database on).
"""

import copy

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

POSTGRESQL = "django.db.backends.postgresql"
REPLICA_ENGINE = "csm_project.core.replicas.backend"
_OWN_KEYS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


def replica_databases(primary: dict, urls: list[str]) -> dict[str, dict]:
    """``DATABASES`` entries for the replicas at ``urls`` (empty when there are none)."""
    if urls and primary["ENGINE"] != POSTGRESQL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL")
    replicas = {}
    for index, url in enumerate(urls, start=1):
        parsed = dj_database_url.parse(url)
        if parsed["ENGINE"] != POSTGRESQL:
            raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS entry {index} is not a postgres:// URL")
        replica = copy.deepcopy(primary)
        replica.update({key: parsed.get(key, "") for key in _OWN_KEYS})
        replica["ENGINE"] = REPLICA_ENGINE
        replica["TEST"] = {"MIRROR": "default"}
        replicas[f"replica_{index}"] = replica
    return replicas
