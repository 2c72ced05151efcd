"""Prometheus metrics at ``/metrics`` when ``METRICS_ENABLED`` (docs/operations.md, "Metrics").

django-prometheus counts the requests (by view, method and status, with a latency histogram)
and, through its database backends, every statement and its duration; this module adds the
connection pool's use and the view that exposes them. ``settings`` turns it all on.

- Under gunicorn each worker is a process with its own counters: ``gunicorn.conf.py`` points
  ``PROMETHEUS_MULTIPROC_DIR`` at a folder where every worker writes its values, and the view
  sums them (prometheus_client's multiprocess mode); a worker that exits is marked dead, so its
  gauges leave the sums while its counts stay. Without that folder (``runserver``), the one
  process's values are shown.
- The pool gauges (connections open, idle, requests waiting, maximum) are each worker's own,
  summed over the live workers; a worker writes them after each request it answers.
- Labels hold view names, methods, status codes and the database's alias and vendor: no URL,
  no query text, no user. Methods outside HTTP's own are counted as ``other`` so that a client
  cannot mint series.
- The view answers only a request carrying ``Authorization: Bearer <METRICS_TOKEN>``.
"""

import hmac
import os

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_prometheus.middleware import PrometheusAfterMiddleware
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Gauge, generate_latest, multiprocess

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_POOL = {
    "pool_size": Gauge(
        "csm_db_pool_connections", "Connections the pool holds open.", ["alias"], multiprocess_mode="livesum"
    ),
    "pool_available": Gauge(
        "csm_db_pool_idle_connections", "Open connections no request is using.", ["alias"], multiprocess_mode="livesum"
    ),
    "requests_waiting": Gauge(
        "csm_db_pool_waiting_requests", "Requests waiting for a connection.", ["alias"], multiprocess_mode="livesum"
    ),
    "pool_max": Gauge(
        "csm_db_pool_max_connections", "Connections the pool may open.", ["alias"], multiprocess_mode="livesum"
    ),
}


class MetricsMiddleware(PrometheusAfterMiddleware):
    """django-prometheus's request metrics, with bounded method labels, and the pool gauges
    brought up to date as each response leaves."""

    def label_metric(self, metric, request, response=None, **labels):
        if "method" in labels and labels["method"] not in _METHODS:
            labels["method"] = "other"
        return super().label_metric(metric, request, response, **labels)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        pool_gauges_update()
        return response


def pool_gauges_update() -> None:
    """Set the pool gauges from each PostgreSQL connection pool this process has opened."""
    for connection in connections.all(initialized_only=True):
        if connection.vendor != "postgresql" or not connection.settings_dict.get("OPTIONS", {}).get("pool"):
            continue
        pool = connection.pool
        if pool is None:
            continue
        stats = pool.get_stats()
        for key, gauge in _POOL.items():
            gauge.labels(alias=connection.alias).set(stats.get(key, 0))


def _authorised(request: HttpRequest) -> bool:
    expected = f"Bearer {settings.METRICS_TOKEN}"
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), expected.encode())


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The metrics in Prometheus's text format, summed over the workers when they share a folder."""
    if not _authorised(request):
        response = HttpResponse("Metrics need the metrics token.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
