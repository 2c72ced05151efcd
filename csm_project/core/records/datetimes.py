"""Dates on the wire: ``YYYY-MM-DD HH:MM:SS`` in UTC as the value, and the
same instant in the caller's time zone (their ``time_zone``, else the instance's) as the
display value."""

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

WIRE_FORMAT = "%Y-%m-%d %H:%M:%S"

# Short names the platform uses for user time zones.
_ALIASES = {
    "PST": "America/Los_Angeles",
    "EST": "America/New_York",
    "CST": "America/Chicago",
    "MST": "America/Denver",
    "GMT": "UTC",
}


@lru_cache(maxsize=256)
def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(_ALIASES.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def user_zone(user) -> tzinfo:
    """The caller's time zone; an unknown or empty one falls back to the instance's."""
    name = getattr(user, "time_zone", None)
    return (name and _zone(name)) or _zone(settings.TIME_ZONE) or UTC


def _wire(value: datetime) -> str:
    """``value``'s own wall time in ``WIRE_FORMAT``, the one writer of date-times on the wire.
    ``isoformat`` writes the text in well under half the time of ``strftime`` (a page of leads
    writes hundreds of dates); a year before 1000 is written as the number it is, unpadded, on
    every platform (``%Y`` pads it on some C libraries, not on others)."""
    if value.year < 1000:
        return f"{value.year}{value.isoformat(' ', 'seconds')[4:19]}"
    return value.isoformat(" ", "seconds")[:19]


def format_utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return _wire(value.astimezone(UTC))


def format_display(value: datetime | None, zone: tzinfo) -> str | None:
    if value is None:
        return None
    return _wire(value.astimezone(zone))


_NO_OFFSET = timedelta(0)


def format_both(value: datetime, zone: tzinfo) -> tuple[str, str]:
    """``(format_utc(value), format_display(value, zone))``, written once when they are the same
    text (the caller's zone is at UTC's offset at that instant)."""
    utc = _wire(value.astimezone(UTC))
    local = value.astimezone(zone)
    return utc, utc if local.utcoffset() == _NO_OFFSET else _wire(local)


def parse_local(text: str, zone: tzinfo) -> datetime | None:
    """Like ``parse_wire``, but the wall time read is ``zone``'s (a display value given with
    ``sysparm_input_display_value=true``); None if malformed."""
    parsed = parse_wire(text)
    return None if parsed is None else parsed.replace(tzinfo=zone).astimezone(UTC)


def parse_wire(text: str) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` or ``YYYY-MM-DD`` (midnight), read as UTC; None if malformed."""
    for fmt in (WIRE_FORMAT, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except (TypeError, ValueError):
            continue
    return None
