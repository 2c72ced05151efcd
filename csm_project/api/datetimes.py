"""Dates on the wire, for the API layer: the rules live in ``csm_project.core.datetimes`` (the
domain layer reads and writes the same format); API modules import them from here or there."""

from csm_project.core.datetimes import WIRE_FORMAT, format_display, format_utc, parse_wire, user_zone

__all__ = ["WIRE_FORMAT", "format_display", "format_utc", "parse_wire", "user_zone"]
