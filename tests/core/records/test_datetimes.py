"""Dates on the wire: the fast writers give exactly the text of ``strftime`` with the wire format."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from csm_project.core.records.datetimes import WIRE_FORMAT, format_both, format_display, format_utc

ZONES = [UTC, ZoneInfo("UTC"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"), ZoneInfo("Europe/London"),
         ZoneInfo("Pacific/Chatham"), timezone(timedelta(hours=-3, minutes=-30))]  # fmt: skip
instants = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 30), timezones=st.just(UTC))


@given(instants, st.sampled_from(ZONES))
def test_the_wire_texts_are_strftimes(value, zone):
    utc, local = value.astimezone(UTC).strftime(WIRE_FORMAT), value.astimezone(zone).strftime(WIRE_FORMAT)
    assert (format_utc(value), format_display(value, zone)) == (utc, local)
    assert format_both(value, zone) == (utc, local)


def test_a_zone_at_utcs_offset_shows_the_same_text_and_one_away_does_not():
    winter, summer = datetime(2026, 1, 15, 12, 0, 5, 999999, UTC), datetime(2026, 7, 15, 12, 0, 5, tzinfo=UTC)
    london = ZoneInfo("Europe/London")
    assert format_both(winter, london) == ("2026-01-15 12:00:05", "2026-01-15 12:00:05")
    assert format_both(summer, london) == ("2026-07-15 12:00:05", "2026-07-15 13:00:05")
    assert format_both(datetime(999, 3, 1, tzinfo=UTC), UTC) == ("999-03-01 00:00:00", "999-03-01 00:00:00")
    assert format_utc(None) is None and format_display(None, UTC) is None
