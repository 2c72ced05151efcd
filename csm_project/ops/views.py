"""Liveness and readiness probes: no credentials, no secrets in the answers."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from csm_project.core.replicas.health import monitor

logger = logging.getLogger("csm_project.ops")


@never_cache
@require_safe
def healthz(request):
    """The process is up and answering; the database is not consulted."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Ready for traffic when the primary database answers a trivial query; 503 with the reason if
    not. With read replicas, also how each one stands (``ok (0.0s)``, ``lagging (3.2s)``, ``down``)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Readiness check failed: %s", type(error.__cause__ or error).__name__)
        response = JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
        response["Retry-After"] = "5"
        return response
    answer = {"status": "ok", "database": "ok"}
    if settings.DATABASE_REPLICAS:
        # Each replica as this process sees it; one down or behind does not make the server unready.
        answer["replicas"] = monitor.summary()
    return JsonResponse(answer)
