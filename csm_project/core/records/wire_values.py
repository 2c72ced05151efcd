"""Field values as plain text on the wire and in files, by registry field type: the one writer
of every API (the Table API, the record APIs, the Attachment API) and of exports.

Booleans ``true``/``false``, date-times ``YYYY-MM-DD HH:MM:SS`` UTC (``datetimes.format_utc``),
dates ``YYYY-MM-DD``, JSON compact with its characters as they are (no escapes of non-ASCII
characters), whole floats without ``.0``, references as the referenced sys_id, empty as ``""``.
A password is ``PASSWORD_MASK`` when one is set, ``""`` when none is: never its hash, whoever
reads and however (the APIs, exports), as the platform shows it (docs/access.md).
Import reads the same back; a value it cannot read raises ``ValueError`` with a reason.
"""

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from csm_project.core.records.datetimes import format_utc, parse_wire
from csm_project.registry import FieldSpec, FieldType

#: How a set password reads; written back, it leaves the password as it is.
PASSWORD_MASK = "********"  # noqa: S105 - what every set password reads as
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def float_text(value: float) -> str:
    """``57.6`` -> ``"57.6"`` (shortest round-trip form), ``10.0`` -> ``"10"``."""
    return str(int(value)) if value.is_integer() else repr(value)


def _number_text(value: Any) -> str:
    return float_text(value) if isinstance(value, float) else str(value)


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def password_text(value: Any) -> str:
    """The mask for a usable password hash; ``""`` for none (empty, or Django's unusable ``!...``)."""
    return PASSWORD_MASK if isinstance(value, str) and value and not value.startswith("!") else ""


# Stored value (not None) -> wire text, by field type; any other type is ``str``.
_WRITERS: dict[FieldType, Callable[[Any], str]] = {
    FieldType.BOOLEAN: lambda value: "true" if value else "false",
    FieldType.DATETIME: format_utc,
    FieldType.DATE: date.isoformat,
    FieldType.JSON: _json_text,
    FieldType.DECIMAL: _number_text,
    FieldType.PASSWORD: password_text,
}


def text_writer(kind: FieldType) -> Callable[[Any], str]:
    """The writer of one field type, ``None`` written ``""`` (the fast path of a page)."""
    write = _WRITERS.get(kind, str)
    return lambda value: "" if value is None else write(value)


def to_text(spec: FieldSpec, value) -> str:
    if value is None:
        return ""
    return _WRITERS.get(spec.type, str)(value)


def _none_as_empty(convert: Callable[[Any], str]) -> Callable[[Any], str]:
    return lambda value: "" if value is None else convert(value)


def _boolean_text(value) -> str:
    return "true" if value else "false"


def _datetime_text(value) -> str:
    return format_utc(value) or ""


def _json_text(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def text_converter(spec: FieldSpec) -> Callable[[Any], str]:
    """``to_text`` for one field, chosen once: what a stream of rows (an export) calls per value,
    without deciding the field's type again for each."""
    if spec.type is FieldType.BOOLEAN:
        return _none_as_empty(_boolean_text)
    if spec.type is FieldType.DATETIME:
        return _none_as_empty(_datetime_text)
    if spec.type is FieldType.DATE:
        return _none_as_empty(date.isoformat)
    if spec.type is FieldType.JSON:
        return _none_as_empty(_json_text)
    if spec.type is FieldType.PASSWORD:
        return _none_as_empty(password_text)
    return _none_as_empty(str)


def from_text(spec: FieldSpec, text) -> object:
    """The model value for ``text`` (a str from CSV, or any JSON scalar from JSON lines)."""
    if text is None or text == "":
        return None
    if spec.type is FieldType.JSON:
        return json.loads(text) if isinstance(text, str) else text
    if isinstance(text, (dict, list)):
        raise ValueError("a single value is expected, not a list or object")
    if spec.type is FieldType.BOOLEAN:
        if isinstance(text, bool):
            return text
        lowered = str(text).strip().lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise ValueError(f"{text!r} is not true or false")
    if spec.type is FieldType.INTEGER:
        try:
            return int(str(text).strip())
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
    if spec.type is FieldType.DECIMAL:
        try:
            return Decimal(str(text).strip())
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a number") from None
    if spec.type is FieldType.DATETIME:
        parsed = parse_wire(str(text))
        if parsed is None:
            raise ValueError(f"{text!r} is not a date and time (YYYY-MM-DD HH:MM:SS, UTC)")
        return parsed
    if spec.type is FieldType.DATE:
        try:
            return date.fromisoformat(str(text))
        except ValueError:
            raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return str(text)
