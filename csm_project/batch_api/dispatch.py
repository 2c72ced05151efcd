"""Running one batch item as if the caller had sent it directly.

An item's URL is resolved with Django's URL resolver and its view called with a request built
from the item (method, URL, headers, base64 body) and the batch request's own connection facts
and credentials, so routing, authentication, rights, formats and envelopes are exactly those of a
direct call. Each item runs in its own transaction: an answer of 400 or more rolls the item's
writes back; other items keep theirs.

Every string of an item is checked before anything runs: header names are HTTP tokens, header
values and the URL hold no control character (a CR LF in a ``Content-Type`` would otherwise
reach storage as an attachment's type). A read's answer (GET, HEAD) is read only up to the
limit it is given, so a file download never fills the worker's memory: past it the answer is
dropped (``AnswerTooLarge``) and the item listed unserviced; a read has nothing to undo.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import time
from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import unquote_to_bytes, urlsplit

from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.http import HttpResponseBase
from django.urls import Resolver404, resolve

from csm_project.ops import faults

logger = logging.getLogger("csm_project.api.batch")

# Connection facts of the batch request that every item shares.
_INHERITED = (
    "SERVER_NAME",
    "SERVER_PORT",
    "SERVER_PROTOCOL",
    "REMOTE_ADDR",
    "HTTPS",
    "wsgi.url_scheme",
    "wsgi.version",
    "wsgi.errors",
    "wsgi.multithread",
    "wsgi.multiprocess",
    "wsgi.run_once",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    # The caller's credentials: an item acts as the caller, whatever its own headers say.
    "HTTP_AUTHORIZATION",
    "HTTP_COOKIE",
    "HTTP_X_CSRFTOKEN",
)
# Item headers that never reach the item's request (the caller's own are used instead).
_IGNORED_HEADERS = frozenset({"host", "authorization", "cookie", "x-csrftoken", "content-length"})
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
READS = frozenset({"GET", "HEAD"})
# RFC 9110: a header name is a token; a value holds no control character but horizontal tab.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_URL_CONTROL = re.compile(r"[\x00-\x20\x7f]")


class MalformedItem(ValueError):
    """An item that cannot be run as a request; answered with a 400 envelope for that item."""


class AnswerTooLarge(Exception):
    """A read's answer is longer than the limit it was run with; nothing of it is kept."""


@dataclass
class Item:
    id: str
    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes
    exclude_response_headers: bool = False


@dataclass
class ItemAnswer:
    id: str
    status_code: int
    status_text: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    execution_time: int = 0

    def as_json(self, *, with_headers: bool, body: str | None = None) -> dict:
        """The serviced item's JSON object; ``body`` replaces the base64 of the body (last key)."""
        return {
            "id": self.id,
            "status_code": self.status_code,
            "status_text": self.status_text,
            "headers": [{"name": name, "value": value} for name, value in self.headers] if with_headers else [],
            "execution_time": self.execution_time,
            "body": base64.b64encode(self.body).decode("ascii") if body is None else body,
        }


def item_id(raw: object) -> str:
    """An item's id as text ("" when it has none)."""
    if isinstance(raw, dict):
        value = raw.get("id")
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
    return ""


def read_item(raw: object) -> Item:
    """The item as sent, or ``MalformedItem`` saying what is wrong with it."""
    if not isinstance(raw, dict):
        raise MalformedItem("A batch item must be an object")
    ident = item_id(raw)
    if not ident:
        raise MalformedItem("A batch item needs an id")
    method = raw.get("method")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise MalformedItem(f"Unsupported method {str(method)[:20]!r}")
    url = raw.get("url")
    if not isinstance(url, str) or not url:
        raise MalformedItem("A batch item needs a url")
    if _URL_CONTROL.search(url):
        raise MalformedItem("A batch item's url cannot hold spaces or control characters")
    headers = raw.get("headers") or []
    if not isinstance(headers, list) or not all(
        isinstance(h, dict) and isinstance(h.get("name"), str) and isinstance(h.get("value", ""), str) for h in headers
    ):
        raise MalformedItem("headers must be a list of {name, value} objects")
    for header in headers:
        if not _HEADER_NAME.fullmatch(header["name"].strip()):
            raise MalformedItem(f"Invalid header name {header['name'][:40]!r}")
        if _CONTROL.search(header.get("value", "")):
            raise MalformedItem(f"The value of header {header['name'][:40]} holds a control character")
    body_text = raw.get("body") or ""
    if not isinstance(body_text, str):
        raise MalformedItem("body must be base64 text")
    try:
        body = base64.b64decode(body_text.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        raise MalformedItem("body is not valid base64") from None
    exclude = raw.get("exclude_response_headers", False)
    return Item(
        id=ident,
        method=method.upper(),
        url=url,
        headers=[(h["name"], h.get("value", "")) for h in headers],
        body=body,
        exclude_response_headers=exclude is True or str(exclude).lower() == "true",
    )


def _path_and_query(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    path = parts.path or "/"
    if not path.startswith("/api/"):
        raise MalformedItem("A batch item's url must be a path under /api/")
    return path, parts.query


def build_request(outer, item: Item) -> WSGIRequest:
    """A request for ``item`` that shares ``outer``'s connection and caller."""
    path, query = _path_and_query(item.url)
    meta = outer.META
    environ = {key: meta[key] for key in _INHERITED if key in meta}
    environ.update(
        {
            "REQUEST_METHOD": item.method,
            # WSGI carries the decoded path as latin-1 text; Django re-decodes it as UTF-8.
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "SCRIPT_NAME": "",
            # WSGI carries the query as latin-1 text of its bytes; an item's may hold any character.
            "QUERY_STRING": query.encode("utf-8").decode("latin-1"),
            "CONTENT_LENGTH": str(len(item.body)),
            "wsgi.input": BytesIO(item.body),
        }
    )
    environ.setdefault("wsgi.url_scheme", "http")
    environ.setdefault("SERVER_NAME", "localhost")
    environ.setdefault("SERVER_PORT", "80")
    for name, value in item.headers:
        lowered = name.strip().lower()
        if lowered in _IGNORED_HEADERS:
            continue
        if lowered == "content-type":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + lowered.replace("-", "_").upper()] = value
    request = WSGIRequest(environ)
    # What middleware gave the batch request (the session user) the item shares; the batch
    # request already passed the CSRF check, so its items are not checked again.
    django_request = getattr(outer, "_request", outer)
    if hasattr(django_request, "user"):
        request.user = django_request.user
    if hasattr(django_request, "session"):
        request.session = django_request.session
    request._dont_enforce_csrf_checks = True
    return request


def run_item(outer, item: Item, *, read_limit: int | None = None) -> ItemAnswer:
    """Run one item in its own transaction and collect its answer. A read (GET, HEAD) whose
    answer is longer than ``read_limit`` bytes raises ``AnswerTooLarge``."""
    started = time.monotonic()
    limit = read_limit if item.method in READS else None
    try:
        request = build_request(outer, item)
        if _is_batch(request.path_info):
            raise MalformedItem("A batch item cannot be a batch request")
        try:
            match = resolve(request.path_info)
        except Resolver404:
            raise MalformedItem("Requested URI does not represent any resource") from None
        request.resolver_match = match
        with transaction.atomic():
            response = match.func(request, *match.args, **match.kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            body = _content(response, limit)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        answer = ItemAnswer(
            id=item.id,
            status_code=response.status_code,
            status_text=response.reason_phrase,
            headers=[] if item.exclude_response_headers else list(response.items()),
            body=body,
        )
    except MalformedItem as exc:
        answer = error_answer(item.id, 400, "Bad Request", "Exception while reading request", str(exc))
    except AnswerTooLarge:
        raise
    except Exception as exc:
        fault = faults.classify(exc)
        if fault is not None:
            faults.log(fault, exc)
            answer = error_answer(item.id, fault.status, fault.message, fault.message, fault.detail)
            answer.headers.extend(faults.retry_headers(fault).items())
        else:
            logger.exception("Batch item %s failed", item.id)
            answer = error_answer(
                item.id, 500, "Internal Server Error", "Internal server error",
                "An unexpected error occurred while processing the request",
            )  # fmt: skip
    answer.execution_time = round((time.monotonic() - started) * 1000)
    return answer


def error_answer(ident: str, status_code: int, status_text: str, message: str, detail: str | None) -> ItemAnswer:
    body = json.dumps({"error": {"message": message, "detail": detail}, "status": "failure"}).encode()
    return ItemAnswer(
        id=ident,
        status_code=status_code,
        status_text=status_text,
        headers=[("Content-Type", "application/json")],
        body=body,
    )


def _content(response: HttpResponseBase, limit: int | None) -> bytes:
    """The answer's bytes; past ``limit`` (when given) ``AnswerTooLarge``, having read at most
    one chunk more than the limit of a streamed answer."""
    if not getattr(response, "streaming", False):
        if limit is not None and len(response.content) > limit:
            raise AnswerTooLarge
        return response.content
    try:
        chunks, size = [], 0
        for chunk in response.streaming_content:
            size += len(chunk)
            if limit is not None and size > limit:
                raise AnswerTooLarge
            chunks.append(chunk)
        # One copy at most: a single chunk is kept as it is.
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        _release(response)


def _release(response: HttpResponseBase) -> None:
    """Close what a streamed answer holds open (its file). Not ``response.close()``: that also
    announces the end of the request (``request_finished``), on which Django closes the
    database connection the rest of the batch still uses."""
    for closer in response._resource_closers:
        closer()
    response._resource_closers.clear()


def _is_batch(path: str) -> bool:
    """Whether ``path`` names the Batch API, in any version, with or without a trailing slash."""
    parts = [part for part in path.split("/") if part]
    return parts[-1:] == ["batch"] and parts[:2] == ["api", "now"]
