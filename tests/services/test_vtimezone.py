"""The VTIMEZONE read as RFC 5545 says puts every change of offset where zoneinfo has it: ten
zones over two years, both hemispheres, a half-hour change and zones without DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from bot.services.presentation.vtimezone import vtimezone

ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Denver",
    "America/Santiago",  # southern hemisphere, changes at local midnight
    "Australia/Sydney",
    "Australia/Lord_Howe",  # a half-hour change
    "Pacific/Auckland",
    "Asia/Kolkata",  # no DST, a half-hour offset
    "Asia/Tokyo",  # no DST
)
FIRST, LAST = date(2027, 1, 1), date(2028, 12, 31)
QUARTER = timedelta(minutes=15)


def zoneinfo_changes(zone: ZoneInfo) -> list[tuple[datetime, timedelta, timedelta]]:
    """Every change of offset in the span, by scanning each quarter hour (changes fall on
    quarter hours of UTC): its first instant, the offset before and after."""
    start = datetime.combine(FIRST, datetime.min.time(), zone).astimezone(UTC)
    end = datetime.combine(LAST + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
    found, moment = [], start
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        moment += QUARTER
        now = moment.astimezone(zone).utcoffset()
        if now != offset:
            assert offset is not None and now is not None
            found.append((moment, offset, now))
            offset = now
    return found


def observances(name: str) -> list[tuple[str, datetime, timedelta, timedelta]]:
    """The VTIMEZONE's observances as written: kind, DTSTART (local), TZOFFSETFROM, TO."""
    (component,) = Calendar.from_ical(vtimezone(name, FIRST, LAST).to_ical()).walk("VTIMEZONE")
    return [
        (
            str(part.name),
            part.decoded("dtstart"),
            part.decoded("tzoffsetfrom"),
            part.decoded("tzoffsetto"),
        )
        for part in component.subcomponents
    ]


@pytest.mark.parametrize("name", ZONES)
def test_each_onset_read_by_rfc_5545_is_zoneinfos_change(name: str) -> None:
    zone = ZoneInfo(name)
    (kind, start, before, after), *changes = observances(name)
    opening = datetime.combine(FIRST, datetime.min.time(), zone)
    onset = start.replace(tzinfo=UTC) - before
    assert onset <= opening and after == opening.utcoffset()  # the offset in force
    if before != after:  # the change that brought it, the last before the span
        assert onset.astimezone(zone).utcoffset() == after
        assert (onset - QUARTER).astimezone(zone).utcoffset() == before
        assert opening - onset < timedelta(days=366)
    # RFC 5545 3.6.5: DTSTART is the onset in local time, read with TZOFFSETFROM.
    onsets = [(local.replace(tzinfo=UTC) - frm, frm, to) for _kind, local, frm, to in changes]
    assert onsets == zoneinfo_changes(zone)
    for (part, _local, _frm, _to), (instant, _b, _a) in zip(changes, onsets, strict=True):
        daylight = bool(instant.astimezone(zone).dst())
        assert part == ("DAYLIGHT" if daylight else "STANDARD")
    if name in ("Asia/Kolkata", "Asia/Tokyo"):
        assert changes == [] and kind == "STANDARD"
    else:
        assert len(changes) >= 3


@pytest.mark.parametrize("name", ZONES)
def test_a_parser_building_the_zone_from_the_file_agrees_with_zoneinfo(name: str) -> None:
    """vobject (dateutil) makes its own tzinfo from the VTIMEZONE's observances."""
    getattr(vobject.icalendar, "__tzidMap").pop(name, None)  # it keeps the first one it read
    text = Calendar()
    text.add_component(vtimezone(name, FIRST, LAST))
    (component,) = vobject.readOne(text.to_ical().decode()).vtimezone_list
    theirs, zone = component.gettzinfo(), ZoneInfo(name)
    instants = [c for change, _b, _a in zoneinfo_changes(zone) for c in (change - QUARTER, change)]
    moment = datetime.combine(FIRST, datetime.min.time(), zone).astimezone(UTC) + timedelta(hours=6)
    while moment.date() < LAST:
        instants.append(moment)
        moment += timedelta(hours=7)
    for instant in instants:
        assert instant.astimezone(theirs).utcoffset() == instant.astimezone(zone).utcoffset(), (
            instant
        )


def test_denvers_spring_change_is_at_two_in_the_morning() -> None:
    """The issue's case: icalendar's own generator wrote T030000, an hour late."""
    content = vtimezone("America/Denver", date(2027, 3, 1), date(2027, 3, 31)).to_ical()
    assert b"BEGIN:DAYLIGHT\r\nDTSTART:20270314T020000\r\n" in content
    assert b"COMMENT" not in content
