"""The `javascript:` date helpers of docs/encoded-queries.md: recognised by pattern, resolved against a clock."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pysnow.enums import DateTimeOn

from csm_project.encoded_query.dates import UnsupportedHelper, recognise, resolve
from csm_project.encoded_query.parser import parse

# A Tuesday.
NOW = datetime(2026, 11, 24, 10, 30, 15, 123456, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def resolved(script: str, now: datetime = NOW, **kwargs) -> datetime | str:
    helper = recognise("javascript:" + script)
    assert helper is not None, script
    return resolve(helper, now=now, user_sys_id=kwargs.pop("user", "u" * 32), **kwargs)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("gs.beginningOfToday()", utc(2026, 11, 24)),
        ("gs.endOfToday()", utc(2026, 11, 24, 23, 59, 59)),
        ("gs.beginningOfYesterday()", utc(2026, 11, 23)),
        ("gs.endOfYesterday()", utc(2026, 11, 23, 23, 59, 59)),
        ("gs.beginningOfTomorrow()", utc(2026, 11, 25)),
        ("gs.endOfTomorrow()", utc(2026, 11, 25, 23, 59, 59)),
        ("gs.beginningOfThisWeek()", utc(2026, 11, 23)),
        ("gs.endOfThisWeek()", utc(2026, 11, 29, 23, 59, 59)),
        ("gs.beginningOfLastWeek()", utc(2026, 11, 16)),
        ("gs.endOfLastWeek()", utc(2026, 11, 22, 23, 59, 59)),
        ("gs.beginningOfNextWeek()", utc(2026, 11, 30)),
        ("gs.endOfNextWeek()", utc(2026, 12, 6, 23, 59, 59)),
        ("gs.beginningOfThisMonth()", utc(2026, 11, 1)),
        ("gs.endOfThisMonth()", utc(2026, 11, 30, 23, 59, 59)),
        ("gs.beginningOfLastMonth()", utc(2026, 10, 1)),
        ("gs.endOfLastMonth()", utc(2026, 10, 31, 23, 59, 59)),
        ("gs.beginningOfNextMonth()", utc(2026, 12, 1)),
        ("gs.endOfNextMonth()", utc(2026, 12, 31, 23, 59, 59)),
        ("gs.beginningOfThisQuarter()", utc(2026, 10, 1)),
        ("gs.endOfThisQuarter()", utc(2026, 12, 31, 23, 59, 59)),
        ("gs.beginningOfThisYear()", utc(2026, 1, 1)),
        ("gs.endOfThisYear()", utc(2026, 12, 31, 23, 59, 59)),
        ("gs.beginningOfLastYear()", utc(2025, 1, 1)),
        ("gs.endOfLastYear()", utc(2025, 12, 31, 23, 59, 59)),
        ("gs.beginningOfNextYear()", utc(2027, 1, 1)),
        ("gs.endOfNextYear()", utc(2027, 12, 31, 23, 59, 59)),
        ("gs.beginningOfLast7Days()", utc(2026, 11, 17)),
        ("gs.endOfLast7Days()", utc(2026, 11, 24, 23, 59, 59)),
        ("gs.beginningOfLast30Days()", utc(2026, 10, 25)),
        ("gs.endOfLast30Days()", utc(2026, 11, 24, 23, 59, 59)),
        ("gs.beginningOfLastQuarter()", utc(2026, 7, 1)),
        ("gs.endOfNextQuarter()", utc(2027, 3, 31, 23, 59, 59)),
        ("gs.beginningOfNext2Quarters()", utc(2027, 1, 1)),
        ("gs.endOfNext2Quarters()", utc(2027, 6, 30, 23, 59, 59)),
        ("gs.beginningOfLast3Months()", utc(2026, 8, 1)),
        ("gs.beginningOfLast15Minutes()", utc(2026, 11, 24, 10, 15)),
        ("gs.endOfLast15Minutes()", utc(2026, 11, 24, 10, 30, 59)),
        ("gs.beginningOfCurrentHour()", utc(2026, 11, 24, 10)),
        ("gs.endOfLastHour()", utc(2026, 11, 24, 9, 59, 59)),
        ("gs.beginningOfOneYearAgo()", utc(2025, 11, 24)),
        ("gs.endOfOneYearAgo()", utc(2025, 11, 24, 23, 59, 59)),
        ("gs.daysAgo(3)", utc(2026, 11, 21, 10, 30, 15)),
        ("gs.daysAgo(-1)", utc(2026, 11, 25, 10, 30, 15)),
        ("gs.daysAgoStart(3)", utc(2026, 11, 21)),
        ("gs.daysAgoEnd(3)", utc(2026, 11, 21, 23, 59, 59)),
        ("gs.hoursAgo(2)", utc(2026, 11, 24, 8, 30, 15)),
        ("gs.hoursAgoStart(2)", utc(2026, 11, 24, 8)),
        ("gs.hoursAgoEnd(2)", utc(2026, 11, 24, 8, 59, 59)),
        ("gs.minutesAgo(30)", utc(2026, 11, 24, 10, 0, 15)),
        ("gs.minutesAgoStart(30)", utc(2026, 11, 24, 10, 0, 0)),
        ("gs.minutesAgoEnd(30)", utc(2026, 11, 24, 10, 0, 59)),
        ("gs.monthsAgo(1)", utc(2026, 10, 24, 10, 30, 15)),
        ("gs.monthsAgoStart(1)", utc(2026, 10, 1)),
        ("gs.monthsAgoEnd(1)", utc(2026, 10, 31, 23, 59, 59)),
        ("gs.dateGenerate('2026-01-02','start')", utc(2026, 1, 2)),
        ('gs.dateGenerate("2026-01-02","end")', utc(2026, 1, 2, 23, 59, 59)),
        ("gs.dateGenerate('2026-01-02', '12:34:56')", utc(2026, 1, 2, 12, 34, 56)),
        ('gs.dateGenerate("2026-01-02 12:34:56")', utc(2026, 1, 2, 12, 34, 56)),
    ],
)
def test_date_helper_resolves_to_utc_instant(script, expected):
    assert resolved(script) == expected


@pytest.mark.parametrize("period", list(DateTimeOn), ids=lambda period: period.name)
def test_every_on_period_pysnow_offers_is_recognised(period):
    query = parse("sys_created_onON" + period.value)
    assert query.invalid == ()
    start, end = query.terms()[0].operands
    assert resolve(start, now=NOW, user_sys_id=None) < resolve(end, now=NOW, user_sys_id=None)


def test_get_user_id_is_the_callers_sys_id():
    assert resolved("gs.getUserID()", user="a" * 32) == "a" * 32


def test_get_user_id_of_an_anonymous_caller_matches_nothing():
    assert resolved("gs.getUserID()", user=None) == ""


def test_periods_follow_the_callers_time_zone():
    # 03:00 UTC on the 24th is 22:00 on the 23rd in New York (EST, UTC-5)
    now = utc(2026, 11, 24, 3)
    assert resolved("gs.beginningOfToday()", now=now, tz=ZoneInfo("America/New_York")) == utc(2026, 11, 23, 5)


def test_months_ago_clamps_to_the_end_of_a_shorter_month():
    assert resolved("gs.monthsAgo(1)", now=utc(2026, 3, 31, 12)) == utc(2026, 2, 28, 12)


def test_week_starts_on_monday_even_on_sunday():
    assert resolved("gs.beginningOfThisWeek()", now=utc(2026, 11, 29, 23)) == utc(2026, 11, 23)


def test_result_out_of_range_is_unsupported_not_a_crash():
    helper = recognise("javascript:gs.daysAgo(999999)")
    with pytest.raises(UnsupportedHelper):
        resolve(helper, now=NOW, user_sys_id=None)


@pytest.mark.parametrize(
    "text",
    [
        "gs.daysAgo(3)",  # no javascript: prefix
        "javascript:gs.daysAgo()",
        "javascript:gs.daysAgo(1+1)",
        "javascript:gs.weeksAgo(1)",
        "javascript:gs.beginningOfFortnight()",
        "javascript:gs.dateGenerate('2026-02-30','start')",
        "javascript:gs.dateGenerate('2026-01-01','noon')",
        "javascript:gs.dateGenerate('2026-01-01','25:00:00')",
        "javascript:gs.dateGenerate('2026-01-01\",\"start')",
        "javascript:gs.getUserID().toString()",
        "javascript:gs.getUserName()",
    ],
)
def test_anything_else_is_not_recognised(text):
    assert recognise(text) is None
