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
