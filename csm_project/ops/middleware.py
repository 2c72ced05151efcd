"""Middleware for operations. Order (settings.MIDDLEWARE): request id first, so every log line
and answer carries it; then Django's security headers; then the request-line limit and the
database-outage answer, which both speak the API envelopes."""

import logging
import re
import uuid

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse

from csm_project.ops.logs import current_request_id

logger = logging.getLogger("csm_project.ops")

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is honoured only if it is short and plain, so it cannot forge log lines.
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def envelope(path: str, status: int, message: str, detail: str | None, cc_code: int) -> HttpResponse:
    """The error answer for ``path``: the contact-center envelope under ``/api/v2/contacts``,
    the ``now`` envelope elsewhere under ``/api/``, plain text for pages."""
    if path.startswith("/api/v2/contacts"):
        return JsonResponse({"statusCode": cc_code, "statusMessage": message}, status=status)
    if path.startswith("/api/"):
        return JsonResponse({"error": {"message": message, "detail": detail}, "status": "failure"}, status=status)
    return HttpResponse(f"{message}\n", status=status, content_type="text/plain; charset=utf-8")


class RequestIdMiddleware:
    """Takes the request's ``X-Request-ID`` (or makes one), makes it the id of every log line
    written while the request is handled, and echoes it on the answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _ACCEPTABLE_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestLineLimitMiddleware:
    """Refuses a request line (method, path with query, protocol) over ``MAX_REQUEST_LINE``
    bytes with 414 in the envelope. gunicorn's own limit stops at 8 KiB, so the repository's
    gunicorn configuration lifts it and the limit is kept here instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_LINE
        target = request.META.get("RAW_URI") or (
            request.META.get("PATH_INFO", "")
            + ("?" + request.META["QUERY_STRING"] if request.META.get("QUERY_STRING") else "")
        )
        line = len(request.method) + 1 + len(target.encode("utf-8", "surrogateescape")) + len(" HTTP/1.1")
        if line > limit:
            return envelope(
                request.path_info,
                414,
                "Request-URI Too Long",
                f"The request line is {line} bytes; at most {limit} are accepted",
                2,
            )
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached (refused, timed out, no pooled connection free in
    time) is a 503 in the envelope with ``Retry-After``, never a stack trace. The APIs' error
    handler passes these errors on to here, so they are mapped in this one place."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError):
            return None
        logger.error("Database unavailable: %s", type(exception.__cause__ or exception).__name__)
        response = envelope(
            request.path_info, 503, "Service Unavailable", "The database is not reachable; retry later", 4
        )
        response["Retry-After"] = "5"
        return response
