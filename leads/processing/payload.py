"""Reading a Lead API request body: references, NUL characters, numbers, and the shape a parsed
request takes between the helper, the validator and the processor."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from csm_project.core.models import is_sys_id
from leads.services import LineItemChange


def reference_id(value: Any) -> tuple[bool, str | None]:
    """Read a reference from a request: ``{"sys_id": "..."}`` or a bare sys_id string.

    Returns (usable, sys_id): ``(True, None)`` for an explicit empty value (clear the field),
    ``(False, None)`` for a value of the wrong shape (ignored).
    """
    if isinstance(value, dict):
        value = value.get("sys_id")
    if value is None or value == "":
        return True, None
    if is_sys_id(value):
        return True, value
    return False, None


def without_nul(value: Any, depth: int = 0) -> Any:
    """``value`` with NUL characters removed from its strings (PostgreSQL text cannot hold them),
    down to the depth a request body uses (line item -> product offering -> sys_id)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if depth > 4:
        return value
    if isinstance(value, dict):
        return {key: without_nul(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item, depth + 1) for item in value]
    return value


def as_decimal(value: Any) -> Decimal | None:
    """A number (or numeric string) as a finite Decimal; None when it is not one (booleans,
    ``"abc"``, ``NaN``, a float too large for JSON's doubles)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@dataclass
class LeadRequest:
    """A request body after ignored fields are dropped, with its line items read."""

    data: dict[str, Any]
    line_items: list[LineItemChange] = field(default_factory=list)
