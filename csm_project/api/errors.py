"""The one place exceptions become each API family's error envelope.

Families:
- ``now`` (``/api/now/...`` and ``/api/sn_lead_mgmt_core/...``, docs/platform.md):
  ``{"error": {"message": ..., "detail": ...}, "status": "failure"}``.
- ``contact_center`` (``/api/v2/contacts``, docs/contact-center-api.md): ``{"statusCode": N, "statusMessage": ...}``.

A view names its family with ``api_family``. Views raise ``ApiError`` (or a DRF exception); a
``DomainError`` is answered by the view's ``refusal`` hook (``csm_project.api.views``: the
family's envelope unless the API words its refusals its own way), an oversized ``sysparm_query``
(``QueryTooLarge``) and an unknown table the same on every API.
A fault of the database or the file store (``csm_project.ops.faults``: a deadlock, a lock or
statement timeout, a read-only or full store, an outage) is answered with its own status and
``Retry-After``. Anything else is an unexpected fault: logged with its stack, answered with a
500 envelope that carries no stack trace.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from csm_project.core.errors import REQUIRED, DomainError, RecordMissing
from csm_project.core.records.queries import QueryTooLarge
from csm_project.ops import faults
from csm_project.registry import UnknownTable

logger = logging.getLogger("csm_project.api")

NOW = "now"
CONTACT_CENTER = "contact_center"

READ_REQUEST = "Exception while reading request"
NO_RECORD = "No Record found"
NO_RECORD_DETAIL = "Record doesn't exist or ACL restricts the record retrieval"
NO_RESOURCE = "Requested URI does not represent any resource"


class ApiError(exceptions.APIException):
    """An error with an explicit message and detail (detail may be a string, list or None).

    ``status_code`` 400 by default. For the contact-center family, ``code`` is its statusCode.
    """

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, detail=None, *, status_code: int | None = None, code: int | None = None):
        self.message = message
        self.error_detail = detail
        self.cc_code = code
        if status_code is not None:
            self.status_code = status_code
        super().__init__(detail=message)


class RecordNotFound(ApiError):
    status_code = status.HTTP_404_NOT_FOUND

    def __init__(self):
        super().__init__(NO_RECORD, NO_RECORD_DETAIL, code=6)


class NoRecordsFound(ApiError):
    """A v1 Table API list that matched nothing (v2 and the unversioned URL answer ``[]``)."""

    status_code = status.HTTP_404_NOT_FOUND

    def __init__(self):
        super().__init__(NO_RECORD, "Records not found", code=6)


class UnknownResource(ApiError):
    status_code = status.HTTP_404_NOT_FOUND

    def __init__(self):
        super().__init__(NO_RESOURCE, None, code=6)


class UnknownVersion(ApiError):
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self):
        super().__init__(NO_RESOURCE, None, code=2)


class InvalidQueryRequest(ApiError):
    """A `sysparm_query` too large to run (400); an invalid term is never this."""

    def __init__(self, detail: str):
        super().__init__("Invalid sysparm_query", detail, code=2)


def internal_error(detail: str | None = None) -> ApiError:
    """The 500 every family answers for a fault it did not expect (no stack trace)."""
    return ApiError("Internal server error", detail, status_code=500, code=4)


class BadRequestBody(ApiError):
    """The body could not be read: bad JSON/XML, wrong shape, too large."""

    def __init__(self, detail: str):
        super().__init__(READ_REQUEST, detail, code=2)


_ACTION_WORDS = {
    "GET": "query",
    "HEAD": "query",
    "OPTIONS": "query",
    "POST": "create",
    "PUT": "update",
    "PATCH": "update",
    "DELETE": "delete",
}

# Contact-center statusCodes (docs/contact-center-api.md) by HTTP status, for exceptions that carry none.
_CC_CODES = {400: 2, 401: 20, 403: 5, 404: 6, 405: 2, 406: 2, 415: 2, 500: 4}


# A DomainError's kind -> (HTTP status, contact-center statusCode).
_DOMAIN_STATUS = {"invalid": (400, 2), "not_found": (404, 6), "forbidden": (403, 3)}


def domain_api_error(error: DomainError, family: str = NOW) -> ApiError:
    """The API form of a domain refusal: message = the first error's, detail = every error as
    ``field: message`` joined by ``; ``. Adapters with a shape of their own (the Lead API's
    list) answer it in their view's ``refusal`` hook."""
    if family == NOW and isinstance(error, RecordMissing) and not error.errors[0].field:
        return RecordNotFound()  # the record the URL names: the family's usual 404 envelope
    status_code, cc_code = _DOMAIN_STATUS.get(error.kind, (400, 2))
    if error.kind == "invalid" and error.errors[0].code == REQUIRED:
        cc_code = 1
    detail = "; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in error.errors)
    return ApiError(error.message, detail, status_code=status_code, code=cc_code)


def _now_message(exc: exceptions.APIException, method: str) -> tuple[str, object]:
    """(message, detail) of the ``now`` envelope for a DRF exception."""
    if isinstance(exc, ApiError):
        return exc.message, exc.error_detail
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        return "User Not Authenticated", "Required to provide Auth information"
    if isinstance(exc, exceptions.PermissionDenied):
        return f"Insufficient rights to {_ACTION_WORDS.get(method, 'query')} records", None
    if isinstance(exc, exceptions.NotFound):
        return NO_RECORD, NO_RECORD_DETAIL
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "Method not Supported", f"Requested method {method} is not supported by this resource"
    if isinstance(exc, exceptions.NotAcceptable):
        return "Requested response format is not supported", str(exc.detail)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return "Requested content type is not supported", f"Content-Type {exc.detail}"[:200]
    if isinstance(exc, exceptions.ParseError):
        return READ_REQUEST, str(exc.detail)
    if isinstance(exc, exceptions.ValidationError):
        return "Invalid request", exc.detail
    return str(exc.detail), None


def _body(family: str, exc: exceptions.APIException, method: str) -> dict:
    if family == CONTACT_CENTER:
        code = getattr(exc, "cc_code", None) or _CC_CODES.get(exc.status_code, 4)
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            message = "Not authenticated"
        elif isinstance(exc, exceptions.PermissionDenied):
            message = "No permission"
        elif isinstance(exc, ApiError):
            message = exc.message
        else:
            message = _now_message(exc, method)[0]
        return {"statusCode": code, "statusMessage": message}
    message, detail = _now_message(exc, method)
    return {"error": {"message": message, "detail": detail}, "status": "failure"}


def error_body(family: str, exc: exceptions.APIException, method: str) -> dict:
    """The family's envelope for ``exc``."""
    return _body(family, exc, method)


def error_response(family: str, exc: exceptions.APIException, method: str) -> Response:
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return Response(_body(family, exc, method), status=exc.status_code, headers=headers)


class ServiceFault(ApiError):
    """A fault of the database or the file store, as ``csm_project.ops.faults`` classes it."""

    def __init__(self, fault: faults.Fault):
        super().__init__(fault.message, fault.detail, status_code=fault.status, code=4)
        self.wait = fault.retry_after


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's EXCEPTION_HANDLER: every API error, expected or not, in the family's envelope."""
    # Imported here: rest_framework.views loads the parser classes, which import this module.
    from rest_framework.views import set_rollback

    view = context.get("view")
    request = context.get("request")
    family = getattr(view, "api_family", NOW)
    method = request.method if request is not None else "GET"

    fault = faults.classify(exc)
    if fault is not None:
        faults.log(fault, exc)
        exc = ServiceFault(fault)
    elif isinstance(exc, Http404):
        exc = RecordNotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = BadRequestBody("Request body is too large")
    elif isinstance(exc, QueryTooLarge):
        exc = InvalidQueryRequest(exc.message)
    elif isinstance(exc, UnknownTable):
        exc = ApiError(exc.message, None)
    elif isinstance(exc, RecordMissing) or (isinstance(exc, DomainError) and not hasattr(view, "refusal")):
        exc = domain_api_error(exc, family)
    elif isinstance(exc, DomainError):
        exc = view.refusal(exc)
    elif not isinstance(exc, exceptions.APIException):
        logger.exception("Unexpected error in %s %s", method, getattr(request, "path", "?"))
        exc = internal_error("An unexpected error occurred while processing the request")
    set_rollback()
    return error_response(family, exc, method)
