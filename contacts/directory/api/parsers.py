"""Request bodies of the contact-center Contacts API.

The vendor document's own POST example is not valid JSON: its members sit on separate
lines without the commas between them::

    {
      "name": "Some Contact"
      "type": "Custom"
      "phoneNumber": "xxx-xxx-xxxx"
    }

Every example of the document must work verbatim, so when strict parsing fails this parser
repairs exactly that defect (a line break between a complete value and the next
``"key":``) and tries once more. Nothing else is guessed: any other unreadable body is the
``statusCode`` 2 envelope (HTTP 400), as are bodies too large (``read_limited``).

``curl -d`` without ``-H 'Content-Type: application/json'`` sends
``application/x-www-form-urlencoded``; such a body that is a JSON object is read as JSON,
else as form fields (the last value of each).
"""

import re
from urllib.parse import parse_qsl

from rest_framework.parsers import BaseParser

from csm_project.api.errors import BadRequestBody
from csm_project.api.parsers import EmptyBody, JSONRejected, load_json, read_limited

# A value's last character (closing quote, digit, bracket, end of true/false/null), then a
# line break, then a member name and its colon. A raw line break cannot occur inside a JSON
# string, so the match is always between tokens.
_MISSING_COMMA = re.compile(r'(["\d\]}]|\btrue|\bfalse|\bnull)([ \t]*\r?\n\s*)("(?:[^"\\\r\n]|\\.)*"\s*:)')


def parse_lenient_json(body: bytes):
    """``body`` as JSON; if that fails, with missing commas between lines restored."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequestBody(f"Invalid JSON: {exc}") from None
    try:
        return load_json(text)
    except JSONRejected as exc:
        repaired, count = _MISSING_COMMA.subn(r"\1,\2\3", text)
        if count:
            try:
                return load_json(repaired)
            except JSONRejected:
                pass
        raise BadRequestBody(f"Invalid JSON: {exc}") from None


class LenientJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream)
        if not body.strip():
            return EmptyBody()
        return parse_lenient_json(body)


class JSONOrFormParser(BaseParser):
    media_type = "application/x-www-form-urlencoded"

    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream)
        if not body.strip():
            return EmptyBody()
        if body.lstrip().startswith(b"{"):
            return parse_lenient_json(body)
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadRequestBody(f"Invalid form body: {exc}") from None
