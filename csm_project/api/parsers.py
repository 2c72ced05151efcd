"""Request bodies: JSON, and XML where a seed allows it (docs/platform.md).

Both parsers read at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (DRF streams the body past
Django's own check) and answer anything unreadable with the 400 ``Exception while reading
request`` envelope. Every JSON document a client sends (a body, or a JSON text inside a
field) is read by ``load_json``, which also refuses what Python's reader accepts but nothing
downstream can store or send back:

- numbers outside a double's range (``1e400`` would become infinity) and ``NaN``/``Infinity``;
- lone UTF-16 surrogates (``"\\ud800"``): no UTF-8 text, hence no database, can hold them;
- nesting deeper than ``MAX_JSON_DEPTH`` arrays/objects (every later step recurses).

A body of only whitespace counts as no body at all (``body_is_empty``).
"""

import json
import math
from xml.etree.ElementTree import ParseError as XMLParseError

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from rest_framework.parsers import BaseParser

from csm_project.api.errors import BadRequestBody


def read_limited(stream, limit: int | None = None) -> bytes:
    """The body, refused past ``limit`` bytes (default ``DATA_UPLOAD_MAX_MEMORY_SIZE``)."""
    if stream is None:
        return b""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if limit is None else limit
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise BadRequestBody(f"Request body is larger than {limit} bytes")
    return body


MAX_JSON_DEPTH = 64


class EmptyBody(dict):
    """What the parsers give for a body of only whitespace: an empty map, as for no body at all,
    that ``body_is_empty`` can still tell apart from a body of ``{}``."""


def body_is_empty(request) -> bool:
    """Whether the request came with no body, or with one of only whitespace."""
    return request.stream is None or isinstance(request.data, EmptyBody)


class JSONRejected(ValueError):
    """A JSON text that cannot be read, or holds a value no later step could handle."""


def load_json(text: str | bytes):
    """``text`` (bytes must be UTF-8) as a Python value, or ``JSONRejected`` saying why."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        value = json.loads(text, parse_float=_finite_float, parse_constant=_reject_constant)
    except RecursionError:
        raise JSONRejected("nested too deeply") from None
    except JSONRejected:
        raise
    except ValueError as exc:  # includes UnicodeDecodeError and integers too long to read
        raise JSONRejected(str(exc)) from None
    _check_json_value(value)
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONRejected(f"the number {text[:40]} is out of range")
    return value


def _reject_constant(name: str):
    raise JSONRejected(f"{name} is not valid JSON")


def _check_json_value(value) -> None:
    """Walk ``value`` without recursion: depth, and strings (keys too) that are not Unicode text."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise JSONRejected(f"nested deeper than {MAX_JSON_DEPTH} levels")
            if isinstance(item, dict):
                for key, member in item.items():
                    _check_text(key)
                    pending.append((member, depth + 1))
            else:
                pending.extend((member, depth + 1) for member in item)


def _check_text(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JSONRejected("a string holds a lone surrogate (\\ud800-\\udfff), which is not text") from None


class PlatformJSONParser(BaseParser):
    media_type = "application/json"
    max_bytes: int | None = None  # a view taking larger bodies names a subclass with its limit

    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream, self.max_bytes)
        if not body.strip():
            return EmptyBody()
        try:
            return load_json(body)
        except JSONRejected as exc:
            raise BadRequestBody(f"Invalid JSON: {exc}") from None


class PlatformXMLParser(BaseParser):
    """``<request><entry><field>value</field>...</entry></request>``; nested elements are maps."""

    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream)
        if not body.strip():
            return EmptyBody()
        try:
            root = SafeElementTree.fromstring(body)
        except (XMLParseError, DefusedXmlException, ValueError) as exc:
            raise BadRequestBody(f"Invalid XML: {exc}") from None
        entry = root.find("entry") if root.tag == "request" else None
        try:
            value = _element_value(entry if entry is not None else root)
            _check_json_value(value)
        except RecursionError:
            raise BadRequestBody("Invalid XML: nested too deeply") from None
        except JSONRejected as exc:
            raise BadRequestBody(f"Invalid XML: {exc}") from None
        return value if isinstance(value, dict) else {}


def _element_value(element):
    children = list(element)
    if not children:
        return element.text or ""
    result: dict = {}
    for child in children:
        value = _element_value(child)
        if child.tag in result:
            existing = result[child.tag]
            result[child.tag] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            result[child.tag] = value
    return result
