"""The metrics' own parts: a client cannot mint label values, and the pool gauges read the
connection pool (PostgreSQL). /metrics itself is tested against gunicorn's workers in
tests/e2e/test_server_processes.py."""

import pytest
from django.db import connection
from django.test import RequestFactory
from prometheus_client import REGISTRY

from csm_project.ops.metrics import MetricsMiddleware, pool_gauges_update


def test_methods_outside_http_are_counted_as_other():
    middleware = MetricsMiddleware(lambda request: None)
    request = RequestFactory().generic("BREW", "/healthz")
    child = middleware.label_metric(middleware.metrics.requests_by_method, request, method=request.method)
    assert child is middleware.metrics.requests_by_method.labels(method="other")
    known = middleware.label_metric(middleware.metrics.requests_by_method, request, method="PATCH")
    assert known is middleware.metrics.requests_by_method.labels(method="PATCH")


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_pool_gauges_read_the_connection_pool(settings):
    connection.ensure_connection()
    assert connection.pool is not None, "the suite runs PostgreSQL with the pool on"
    pool_gauges_update()
    stats = connection.pool.get_stats()
    assert REGISTRY.get_sample_value("csm_db_pool_max_connections", {"alias": "default"}) == stats["pool_max"]
    assert REGISTRY.get_sample_value("csm_db_pool_connections", {"alias": "default"}) == stats["pool_size"] >= 1
    assert REGISTRY.get_sample_value("csm_db_pool_waiting_requests", {"alias": "default"}) == 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_instrumented_backend_keeps_the_pool_and_prepared_statements():
    """django-prometheus's PostgreSQL backend (METRICS_ENABLED) over the same settings: pooled
    connections, server-side binding, statements prepared after their threshold, each counted."""
    from django.db.utils import load_backend

    settings_dict = {**connection.settings_dict, "ENGINE": "django_prometheus.db.backends.postgresql"}
    assert settings_dict["OPTIONS"].get("pool") and settings_dict["OPTIONS"].get("server_side_binding")
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="instrumented")
    labels = {"alias": "instrumented", "vendor": "postgresql"}
    try:
        with wrapper.cursor() as cursor:
            for n in range(8):
                cursor.execute("SELECT %s::int + 1", [n])
                assert cursor.fetchone() == (n + 1,)
            prepared = cursor.cursor.connection.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]
        assert wrapper.pool is not None and prepared >= 1
        assert REGISTRY.get_sample_value("django_db_execute_total", labels) >= 8
        assert REGISTRY.get_sample_value("django_db_query_duration_seconds_count", labels) >= 8
    finally:
        wrapper.close()
        wrapper.close_pool()
