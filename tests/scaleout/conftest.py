"""The scale-out parts, started once per test session on first use (tests/scaleout/parts.py).

Every test module here is marked ``postgres`` (they need a PostgreSQL server to replicate). A
part this machine cannot run skips them outside CI; under ``CI=true`` the skip is a failure
(tests/conftest.py), so CI cannot pass without having run them.
"""

import pytest
from django.conf import settings
from django.db import connection

from tests.scaleout.parts import Missing, Parts


@pytest.fixture(scope="session")
def parts(django_db_setup, django_db_blocker):
    """Replica, Redis, PgBouncer, S3, two app servers and HAProxy over the test database."""
    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]
    parts = Parts(
        database=database,
        secret_key=settings.SECRET_KEY,
        # One worker per server, so a server's /readyz speaks for every request it serves.
        app_settings={"WEB_CONCURRENCY": "1"},
        # app2 skips a replica sooner than app1 (tests of the lag bound).
        app_overrides={"app2": {"DATABASE_REPLICA_MAX_LAG": "4"}},
    )
    try:
        started = parts.start()
    except Missing as missing:
        pytest.skip(f"scale-out part missing: {missing}")
    yield started
    started.stop()
