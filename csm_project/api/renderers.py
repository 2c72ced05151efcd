"""JSON and XML output (docs/platform.md)."""

import re
from xml.etree.ElementTree import Element, SubElement, tostring

import orjson
from rest_framework.renderers import BaseRenderer, JSONRenderer

_NOT_NAME_CHAR = re.compile(r"[^A-Za-z0-9_.\-]")
# Characters XML 1.0 cannot carry at all, not even escaped; a stored value may hold them.
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class PlatformJSONRenderer(JSONRenderer):
    """Compact UTF-8 JSON; NaN and infinity are refused rather than emitted."""

    ensure_ascii = False
    strict = True


class StringTreeJSONRenderer(PlatformJSONRenderer):
    """The same compact UTF-8 JSON, encoded by orjson: for answers made only of strings, maps,
    lists and null (the Table API's records, every envelope), where it is several times faster.
    Pitfall: orjson refuses ``Decimal`` and lazy translation strings and writes datetimes its own
    way; a view whose data may hold them keeps ``PlatformJSONRenderer``."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data)


class PlainJSONRenderer(PlatformJSONRenderer):
    """``PlatformJSONRenderer``'s bytes, encoded by orjson, for answers of strings, whole
    numbers, booleans, null, maps, lists and numbers with a few decimal places (the Lead API's):
    the standard encoder took a tenth of a lead page's time. orjson writes such values exactly as
    the standard encoder does; it writes a number under 0.0001 differently (``0.00001`` for
    ``1e-05``), hence not for any float. Line and paragraph separators are escaped as the
    standard renderer escapes them. Anything orjson cannot encode, or an indented answer, goes to
    the standard renderer."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            encoded = orjson.dumps(data)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in encoded or b"\xe2\x80\xa9" in encoded:
            encoded = encoded.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return encoded


class PlatformXMLRenderer(BaseRenderer):
    """``<response><result>...</result></response>``: one element per key, a list repeats its
    key's element once per item (a list response gives one ``<result>`` per record), maps nest,
    ``null`` is an empty element and booleans are ``true``/``false``. Characters XML cannot
    carry (control characters a stored value may hold) become U+FFFD, so the output always parses.
    """

    media_type = "application/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        root = Element("response")
        if isinstance(data, dict):
            _append_members(root, data)
        elif data is not None:
            _append_value(root, "result", data)
        return b'<?xml version="1.0" encoding="UTF-8"?>' + tostring(root, encoding="unicode").encode()


def _tag(name: str) -> str:
    tag = _NOT_NAME_CHAR.sub("_", str(name)) or "_"
    return tag if tag[0].isalpha() or tag[0] == "_" else f"_{tag}"


def _append_members(parent: Element, data: dict) -> None:
    for key, value in data.items():
        _append_value(parent, key, value)


def _append_value(parent: Element, key: str, value) -> None:
    if isinstance(value, list):
        for item in value:
            _append_value(parent, key, item)
        return
    child = SubElement(parent, _tag(key))
    if isinstance(value, dict):
        _append_members(child, value)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = _NOT_XML_CHAR.sub("\ufffd", str(value))
