"""Middleware for operations. Order (settings.MIDDLEWARE): request id first, so every log line
and answer carries it; then Django's security headers; then the request-line limit, the
answer to database and file-store faults, and the reading of bodies sent without a length,
which all speak the API envelopes."""

import logging
import re
import tempfile
import uuid

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

from csm_project.ops import faults
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


class FaultAnswerMiddleware:
    """A fault of the database or the file store (``csm_project.ops.faults``: unreachable,
    deadlock, lock or statement timeout, read-only, full) is answered in the envelope with its
    status and ``Retry-After``, never a stack trace. The APIs' error handler answers the same
    faults the same way; this covers every other page (the admin, the probes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        fault = faults.classify(exception)
        if fault is None:
            return None
        faults.log(fault, exception)
        response = envelope(request.path_info, fault.status, fault.message, fault.detail, 4)
        for name, value in faults.retry_headers(fault).items():
            response[name] = value
        return response


class BodyWithoutLengthMiddleware:
    """A body sent without ``Content-Length`` (``Transfer-Encoding: chunked``: ``curl -T -``,
    requests streaming a generator) is read to its end before any view sees the request, so it is
    never taken for an empty body (Django and DRF read no body without a length: an upload was
    stored as 0 bytes and answered 201).

    The body is spooled to a file with no name on disk, at most the largest body the URL's view
    accepts (a view's ``max_body_bytes()``: the attachment and batch limits; else
    ``MAX_REQUEST_BYTES``), and the request then carries its length as if the client had sent it.
    Longer: 400 in the envelope. A server that does not mark its input as ending with the body
    (``wsgi.input_terminated``; gunicorn does, Django's development server does not) cannot be
    read to the end safely: 411 Length Required."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if meta.get("CONTENT_LENGTH") or "chunked" not in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self.get_response(request)
        if not meta.get("wsgi.input_terminated"):
            return envelope(request.path_info, 411, "Length Required", "Send the body with a Content-Length", 2)
        limit = _body_limit(request.path_info)
        spool = tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)
        try:
            size, source = 0, meta["wsgi.input"]
            while chunk := source.read(min(_CHUNK, limit + 1 - size)):
                size += len(chunk)
                spool.write(chunk)
                if size > limit:
                    return envelope(
                        request.path_info, 400, "Exception while reading request",
                        f"Request body is larger than {limit} bytes", 2,
                    )  # fmt: skip
            spool.seek(0)
            meta["CONTENT_LENGTH"] = str(size)
            request._stream = LimitedStream(spool, size)
            return self.get_response(request)
        finally:
            spool.close()


_CHUNK = 1024 * 1024


def _body_limit(path: str) -> int:
    """The largest body the view of ``path`` takes (``max_body_bytes()`` on its class)."""
    try:
        view = resolve(path).func
    except Resolver404:
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    limit = getattr(getattr(view, "cls", None), "max_body_bytes", None)
    return limit() if callable(limit) else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
