"""Request bodies: JSON, and XML where a seed allows it (docs/platform.md).

Both parsers read at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (DRF streams the body past
Django's own check) and answer anything unreadable, including bodies nested deeply enough to
exhaust Python's recursion limit, with the 400 ``Exception while reading request`` envelope.
"""

import json
from xml.etree.ElementTree import ParseError as XMLParseError

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from rest_framework.parsers import BaseParser

from csm_project.api.errors import BadRequestBody


def read_limited(stream) -> bytes:
    if stream is None:
        return b""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise BadRequestBody(f"Request body is larger than {limit} bytes")
    return body


class PlatformJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream)
        if not body.strip():
            return {}
        try:
            return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadRequestBody(f"Invalid JSON: {exc}") from None
        except RecursionError:
            raise BadRequestBody("Invalid JSON: nested too deeply") from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class PlatformXMLParser(BaseParser):
    """``<request><entry><field>value</field>...</entry></request>``; nested elements are maps."""

    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream)
        if not body.strip():
            return {}
        try:
            root = SafeElementTree.fromstring(body)
        except (XMLParseError, DefusedXmlException, ValueError) as exc:
            raise BadRequestBody(f"Invalid XML: {exc}") from None
        entry = root.find("entry") if root.tag == "request" else None
        try:
            value = _element_value(entry if entry is not None else root)
        except RecursionError:
            raise BadRequestBody("Invalid XML: nested too deeply") from None
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
