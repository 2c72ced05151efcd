"""Liveness and readiness probes: no credentials, no secrets in the answers."""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("csm_project.ops")


@never_cache
@require_safe
def healthz(request):
    """The process is up and answering; the database is not consulted."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Ready for traffic when the database answers a trivial query; 503 with the reason if not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Readiness check failed: %s", type(error.__cause__ or error).__name__)
        response = JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
        response["Retry-After"] = "5"
        return response
    return JsonResponse({"status": "ok", "database": "ok"})
