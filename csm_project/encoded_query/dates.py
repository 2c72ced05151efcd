"""The `javascript:` value helpers of encoded queries (docs/encoded-queries.md), recognised, never run.

Clients put server-side script calls in query values (`sys_created_on>javascript:gs.daysAgo(3)`,
`caller_id=javascript:gs.getUserID()`). The platform evaluates them; we only recognise a fixed
set of call shapes with regular expressions and compute their result ourselves. Nothing in a
value is ever executed or evaluated: a value that does not match one of the shapes below is
reported as unsupported and its term becomes invalid (docs/encoded-queries.md).

Two steps, so the parser stays free of clocks and users:

- `recognise(text)` (used by the parser) turns `javascript:...` into a `Helper` or `None`;
- `resolve(helper, now=..., user_sys_id=..., tz=...)` (used by the compiler) turns a `Helper`
  into a concrete value: an aware UTC `datetime`, or the caller's sys_id for `gs.getUserID()`.

Pitfalls:
- Period boundaries ("today", "this week") are computed in `tz`, the caller's time zone, as on
  the platform, and then converted to UTC. With the default `tz` (UTC) they are UTC days.
- `endOf...()` helpers give the last whole second of the period (`23:59:59`), like the platform;
  callers comparing stored datetimes that carry microseconds must treat such a bound as covering
  its whole second.
- Weeks start on Monday.
- `Last<N>Days` (and the other `Last<N><unit>` forms) run from the start of the unit N units
  before the current one to the end of the current unit: "last 7 days" includes today.
  `Next<N><unit>` is the N whole units after the current one.

No Django imports here: this module is used by the pure parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

__all__ = [
    "UNITS",
    "Helper",
    "UnsupportedHelper",
    "add_units",
    "period_start",
    "recognise",
    "resolve",
]

#: Units understood by the relative helpers and operators, in increasing size.
UNITS = ("minute", "hour", "day", "week", "month", "quarter", "year")

_JS_PREFIX = "javascript:"
_QUOTED = r"""(?:'([^'\\]*)'|"([^"\\]*)")"""
_DATE_GENERATE = re.compile(r"gs\.dateGenerate\(\s*" + _QUOTED + r"\s*(?:,\s*" + _QUOTED + r"\s*)?\)\s*;?")
_PERIOD = re.compile(
    r"gs\.(beginning|end)Of"
    r"(Today|Yesterday|Tomorrow"
    r"|(?:This|Last|Next)(?:Week|Month|Quarter|Year)"
    r"|(?:Current|Last)(?:Hour|Minute)"
    r"|OneYearAgo"
    r"|(Last|Next)(\d{1,4})(Minutes|Hours|Days|Weeks|Months|Quarters|Years))"
    r"\(\s*\)\s*;?"
)
_AGO = re.compile(r"gs\.(minutes|hours|days|months|quarters|years)Ago(Start|End)?\(\s*(-?\d{1,6})\s*\)\s*;?")
_USER_ID = re.compile(r"gs\.getUserID\(\s*\)\s*;?")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})")
_TIME = re.compile(r"(\d{2}):(\d{2}):(\d{2})")

_OFFSETS = {"This": 0, "Last": -1, "Next": 1, "Current": 0}
_DAY_OFFSETS = {"Today": 0, "Yesterday": -1, "Tomorrow": 1}


class UnsupportedHelper(ValueError):
    """A `javascript:` value that is not one of the recognised helpers, or is malformed."""


@dataclass(frozen=True)
class Helper:
    """A recognised `javascript:` helper call.

    `kind` is one of `"user_id"`, `"datetime"` (a fixed instant: `args[0]` is a naive
    datetime in `tz`), `"period"` (`args` = (edge, unit, offset, span) where edge is
    `"beginning"`/`"end"`: the start of the unit `offset` units from now, or the end of the unit
    `offset + span - 1` units from now) or `"ago"` (`args` = (unit, n, edge) with edge `None`,
    `"Start"` or `"End"`). `text` is the value as written.
    """

    kind: str
    args: tuple
    text: str


def recognise(text: str) -> Helper | None:
    """Return the helper a `javascript:` value calls, or `None` if it is not one we support.

    `text` must include the `javascript:` prefix. Never raises.
    """
    if not text.startswith(_JS_PREFIX):
        return None
    body = text[len(_JS_PREFIX) :].strip()
    try:
        return _recognise_body(body, text)
    except (ValueError, OverflowError):
        return None


def _recognise_body(body: str, text: str) -> Helper | None:
    if _USER_ID.fullmatch(body):
        return Helper("user_id", (), text)
    match = _DATE_GENERATE.fullmatch(body)
    if match:
        first = match.group(1) if match.group(1) is not None else match.group(2)
        if match.group(3) is not None:
            second: str | None = match.group(3)
        else:
            second = match.group(4)
        return _date_generate(first, second, text)
    match = _PERIOD.fullmatch(body)
    if match:
        edge, name, direction, count, unit_plural = match.groups()
        if count is not None:
            n = int(count)
            unit = unit_plural[:-1].lower()
            if direction == "Last":
                # Last N units: from the start of (current - N) to the end of the current one.
                return Helper("period", (edge, unit, -n, n + 1), text)
            # Next N units: the N whole units after the current one.
            return Helper("period", (edge, unit, 1, n), text)
        if name in _DAY_OFFSETS:
            return Helper("period", (edge, "day", _DAY_OFFSETS[name], 1), text)
        if name == "OneYearAgo":
            return Helper("period", (edge, "day", "one_year_ago", 1), text)
        for prefix, offset in _OFFSETS.items():
            if name.startswith(prefix):
                return Helper("period", (edge, name[len(prefix) :].lower(), offset, 1), text)
        return None
    match = _AGO.fullmatch(body)
    if match:
        unit = match.group(1)[:-1]
        return Helper("ago", (unit, int(match.group(3)), match.group(2)), text)
    return None


def _date_generate(first: str, second: str | None, text: str) -> Helper | None:
    """`gs.dateGenerate('YYYY-MM-DD', 'HH:MM:SS'|'start'|'end')` or one `'YYYY-MM-DD HH:MM:SS'`."""
    if second is None:
        match = _DATETIME.fullmatch(first)
        if match:
            return Helper("datetime", (datetime(*map(int, match.groups())),), text)
        match = _DATE.fullmatch(first)
        if match:
            return Helper("datetime", (datetime(*map(int, match.groups())),), text)
        return None
    match = _DATE.fullmatch(first)
    if not match:
        return None
    day = date(*map(int, match.groups()))
    if second == "start":
        moment = time(0, 0, 0)
    elif second == "end":
        moment = time(23, 59, 59)
    else:
        time_match = _TIME.fullmatch(second)
        if not time_match:
            return None
        moment = time(*map(int, time_match.groups()))
    return Helper("datetime", (datetime.combine(day, moment),), text)


def period_start(moment: datetime, unit: str) -> datetime:
    """Start of the `unit` (one of `UNITS`) containing the naive or aware `moment`."""
    if unit == "minute":
        return moment.replace(second=0, microsecond=0)
    if unit == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown unit {unit!r}")


def add_units(moment: datetime, unit: str, n: int) -> datetime:
    """`moment` shifted by `n` units (negative: back). Months clamp the day (Mar 31 - 1 month = Feb 28/29).

    Raises `OverflowError` when the result leaves the datetime range.
    """
    if unit in ("minute", "hour", "day", "week"):
        return moment + timedelta(**{unit + "s": n})
    months = n * {"month": 1, "quarter": 3, "year": 12}[unit]
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    day = min(moment.day, _days_in_month(year, month + 1))
    return moment.replace(year=year, month=month + 1, day=day)


def _days_in_month(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def resolve(helper: Helper, *, now: datetime, user_sys_id: str | None, tz: tzinfo = UTC) -> datetime | str:
    """The concrete value of `helper` for a request made at `now` by `user_sys_id`.

    Dates come back as aware UTC datetimes, whole seconds. `gs.getUserID()` gives the caller's
    sys_id (`""` for an anonymous caller, which matches nothing). Raises `UnsupportedHelper` when
    the result falls outside the representable range (e.g. `gs.daysAgo(9999999)`).
    """
    if helper.kind == "user_id":
        return user_sys_id or ""
    try:
        local_now = now.astimezone(tz).replace(microsecond=0, tzinfo=None)
        if helper.kind == "datetime":
            local = helper.args[0]
        elif helper.kind == "ago":
            unit, n, edge = helper.args
            shifted = add_units(local_now, unit, -n)
            if edge is None:
                local = shifted
            elif edge == "Start":
                local = period_start(shifted, unit)
            else:
                local = _period_end(period_start(shifted, unit), unit)
        else:
            edge, unit, offset, span = helper.args
            if offset == "one_year_ago":
                start = period_start(add_units(local_now, "year", -1), "day")
                offset = 0
            else:
                start = add_units(period_start(local_now, unit), unit, offset)
            local = start if edge == "beginning" else _period_end(start, unit, span)
        return local.replace(tzinfo=tz).astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise UnsupportedHelper(f"{helper.text}: date out of range") from exc


def _period_end(start: datetime, unit: str, span: int = 1) -> datetime:
    """The last whole second of `span` units beginning at `start`."""
    return add_units(start, unit, span) - timedelta(seconds=1)
