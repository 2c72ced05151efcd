"""Every API response the test suite sees, checked against the OpenAPI document.

``check_response`` is installed around ``APIClient.request`` for the whole suite
(``tests/conftest.py``): a response to a documented operation must have a documented status
code and content type, and a JSON body that matches the documented schema. Responses to
methods or paths the document does not list (a 405 for PUT on the Lead API, an unknown URL)
are out of its scope and left alone, and so are the schema and explorer pages themselves.
"""

from __future__ import annotations

import threading
from functools import cache

import requests
import schemathesis
from django.conf import settings
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.transport import Response

EXEMPT_PREFIXES = ("/api/schema/", "/api/docs/")


class ResponseDoesNotConform(AssertionError):
    pass


# The project's own URLs: a test that swaps in URLs of its own (plumbing probes) is not checked,
# and whichever test runs first never decides which URLs the document describes.
PROJECT_URLCONF = "csm_project.urls"


_generating = threading.Lock()


def api_schema():
    """The document as served, generated once per test run. Under a lock: the first responses
    may come from a test's threads at once, and drf-spectacular's first generation loads its
    extensions in a way two threads cannot share."""
    with _generating:
        return _api_schema()


@cache
def _api_schema():
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator(urlconf=PROJECT_URLCONF).get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(_plain(document))


def _plain(value):
    """drf-spectacular returns lazy strings and ordered dicts; schemathesis wants plain JSON."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return str(value)


def _as_schemathesis_response(response, method: str, path: str) -> Response:
    headers = {name.lower(): [value] for name, value in response.headers.items()}
    prepared = requests.Request(method, f"http://testserver{path}").prepare()
    return Response(response.status_code, headers, response.content, request=prepared, elapsed=0.0, verify=False)


def check_response(response) -> None:
    request = response.wsgi_request
    method, path = request.method, request.path
    if not path.startswith("/api/") or path.startswith(EXEMPT_PREFIXES):
        return
    if str(getattr(settings, "ROOT_URLCONF", "")) != PROJECT_URLCONF:
        return
    schema = api_schema()
    operation = schema.find_operation_by_path(method, path)
    if operation is None:
        return
    where = f"{method} {path} -> {response.status_code}"
    if operation.responses.find_by_status_code(response.status_code) is None:
        raise ResponseDoesNotConform(f"{where}: status code not in the OpenAPI document")
    content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip()
    if getattr(response, "streaming", False):
        # A file download: its content type against the documented ones (``*/*``, ``image/*``);
        # the body is left for the test to read.
        documented = list(operation.responses.find_by_status_code(response.status_code).definition.get("content", {}))
        if not any(_media_type_matches(pattern, content_type) for pattern in documented):
            raise ResponseDoesNotConform(f"{where}: content type {content_type!r} not in {documented}")
        return
    wrapped = _as_schemathesis_response(response, method, path)
    if response.content:
        documented = schema.get_content_types(operation, wrapped)
        if content_type not in documented:
            raise ResponseDoesNotConform(f"{where}: content type {content_type!r} not in {documented}")
    if content_type == "application/json" and response.content:  # HEAD: the headers of GET, no body
        try:
            operation.validate_response(wrapped)
        except (FailureGroup, Failure) as error:
            failures = error.exceptions if isinstance(error, FailureGroup) else (error,)
            details = "\n".join(str(failure) for failure in failures)
            raise ResponseDoesNotConform(f"{where}: body does not match the document:\n{details}") from None


def _media_type_matches(pattern: str, media_type: str) -> bool:
    """``*/*`` and ``type/*`` match any media type of that type; others match exactly."""
    kind, _, sub = pattern.partition("/")
    actual_kind, _, actual_sub = media_type.partition("/")
    return kind in ("*", actual_kind) and sub in ("*", actual_sub)
