"""Shared fixtures: users and authenticated API clients, one per role (docs/platform.md)."""

import base64
import gc
import os
import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from csm_project.api.authentication import verified_credentials
from csm_project.core.access.roles import user_grant_roles
from csm_project.core.sql.numbers import sequence_name
from tests.factories import TEST_PASSWORD, UserFactory


def basic_auth(user_name: str, password: str = TEST_PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{user_name}:{password}".encode()).decode()


@pytest.fixture(autouse=True)
def _keep_migration_data(django_db_serialized_rollback):
    """Transactional tests (live_server, threads) end with a flush that would also wipe what
    migrations created (the role catalogue, system properties); serialized rollback restores
    it, so a later test never depends on which tests ran before it."""


@pytest.fixture(autouse=True)
def _id_sequences_past_restored_rows(request):
    """Transactional tests on PostgreSQL: the serialized rollback puts the migrations' rows back
    with their ids, but a test that re-created a table (a migration run backwards and forwards, a
    restore) leaves its id sequence behind them, so the next insert there would collide with a
    restored row. Move every id sequence past the rows once the data is back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if not transactional or connection.vendor != "postgresql":
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps
    from django.core.management.color import no_style

    models = [model for model in apps.get_models(include_auto_created=True) if model._meta.managed]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            cursor.execute("\n".join(statements))
    yield


@pytest.fixture(autouse=True)
def _server_threads_end_with_the_test(request):
    """Live-server tests: each kept-alive client connection holds a server thread that shares the
    test's database connection. Clients' sockets close only when the garbage collector frees their
    responses, so collect, then wait for those threads: one ending later, after the server stops
    sharing the connection, would fail in the middle of another test."""
    yield
    if "live_server" not in request.fixturenames:
        return
    gc.collect()
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=5)
            assert not thread.is_alive(), "a client connection to the live server was left open"


@pytest.fixture(autouse=True, scope="session")
def _api_responses_conform_to_the_openapi_document():
    """Every response an ``APIClient`` receives is checked against ``/api/schema/``
    (tests/openapi/conformance.py): a test whose response does not conform fails."""
    from tests.openapi.conformance import check_response

    original = APIClient.request

    def request(self, **kwargs):
        response = original(self, **kwargs)
        check_response(response)
        return response

    APIClient.request = request
    yield
    APIClient.request = original


_migrated_counters: dict[str, int] | None = None  # read before the first database test


@pytest.fixture(autouse=True)
def _number_counters_as_migrated(request):
    """Every test starts with the record-number counters as migrations left them. A bulk load on
    PostgreSQL draws its numbers on a second connection and commits them at once
    (csm_project.core.sql.numbers), so unlike the test's own writes they outlive its rollback; a
    later test expecting ``LEAD0000001`` would otherwise depend on which tests ran before it.
    Set right before the test's transaction begins, on a connection of its own."""
    global _migrated_counters
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or (
        "django_db_setup" not in request.fixturenames and request.node.get_closest_marker("django_db") is None
    ):
        yield
        return
    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        side = connections.create_connection("default")
        try:
            with side.cursor() as cursor:
                cursor.execute("SELECT prefix, next_value FROM sys_number_counter")
                stored = dict(cursor.fetchall())
                if _migrated_counters is None:
                    _migrated_counters = stored
                for prefix in stored.keys() - _migrated_counters.keys():
                    cursor.execute("DELETE FROM sys_number_counter WHERE prefix = %s", [prefix])
                for prefix, value in _migrated_counters.items():
                    if stored.get(prefix) != value:
                        cursor.execute(
                            "UPDATE sys_number_counter SET next_value = %s WHERE prefix = %s", [value, prefix]
                        )
                    # Draws advance the prefix's sequence, not the row (numbers.py): put it back.
                    cursor.execute(
                        "SELECT setval(to_regclass(%s), %s, false) WHERE to_regclass(%s) IS NOT NULL",
                        [sequence_name(prefix), value, sequence_name(prefix)],
                    )
        finally:
            side.close()
    yield


@pytest.fixture(autouse=True)
def _fresh_credential_cache():
    verified_credentials.clear()
    yield
    verified_credentials.clear()


@pytest.fixture
def make_user(db):
    """``make_user("role_a", "role_b", user_name=..., **fields)`` -> a saved User."""

    def make(*roles: str, **fields):
        user = UserFactory(**fields)
        if roles:
            user_grant_roles(user=user, roles=roles)
        return user

    return make


@pytest.fixture
def client_for(make_user):
    """``client_for("role")`` -> an APIClient sending Basic credentials of a user with those roles."""

    def build(*roles: str, **fields) -> APIClient:
        user = make_user(*roles, **fields)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth(user.user_name))
        client.user = user
        return client

    return build


@pytest.fixture
def anonymous_client() -> APIClient:
    return APIClient()


@pytest.fixture
def no_role_client(client_for) -> APIClient:
    return client_for()


@pytest.fixture
def admin_client_api(client_for) -> APIClient:
    return client_for(is_superuser=True, is_staff=True)


@pytest.fixture
def contact_integration_client(client_for) -> APIClient:
    return client_for("csm_ws_integration")


@pytest.fixture
def interaction_agent_client(client_for) -> APIClient:
    return client_for("interaction_agent")


@pytest.fixture
def lead_integrator_client(client_for) -> APIClient:
    return client_for("sn_lead_mgmt_core.lead_integrator")


@pytest.fixture
def cc_admin_client(client_for) -> APIClient:
    return client_for("contact_center_admin")


@pytest.fixture
def cc_agent_client(client_for) -> APIClient:
    return client_for("contact_center_agent")


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need real concurrent writers; CI runs them on PostgreSQL.

    Transactional tests declared with a marker also get ``serialized_rollback``: pytest-django
    decides whether to snapshot the freshly migrated database from the markers alone, and
    without the snapshot their closing flush would leave later tests without migration data.
    """
    from django.conf import settings

    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and "serialized_rollback" not in marker.kwargs:
            item.add_marker(
                pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True), append=False
            )
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (CI runs the suite there with DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


def _declared_skip(item) -> bool:
    """The one skip the suite declares: PostgreSQL-only tests on another database."""
    from django.conf import settings

    return "postgres" in item.keywords and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under ``CI=true`` any other skip fails the test: a tool missing on the CI machine (curl,
    a browser) must not silently hide the tests that need it."""
    report = yield
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and os.environ.get("CI", "").lower() == "true"
        and not _declared_skip(item)
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped on CI, where every test must run: {reason}"
    return report
