"""GET /calendar/<token>.ics on the bot's web server, over loopback HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx
import pytest
from icalendar import Calendar

from bot.services.coach import Coach
from bot.services.context import Person, Platform
from bot.storage.database import Database
from handlers.calendar_feed import calendar_route
from handlers.web import WebServer
from tests.conftest import FakeClock
from tests.services.conftest import Talker, onboard
from tests.web.conftest import PUBLIC
from tests.writes import nothing_written


@pytest.fixture
async def client(webhook_coach: Coach) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the web server on a free port of 127.0.0.1, serving the calendar route."""
    server = WebServer([calendar_route(webhook_coach.ctx)], host="127.0.0.1", port=0)
    await server.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        async with httpx.AsyncClient(base_url=base, trust_env=False) as client:
            yield client
    finally:
        await server.stop()


def talker(coach: Coach, user: str, name: str) -> Talker:
    return Talker(coach, Person(Platform.TELEGRAM, user, user, name))


async def link_of(runner: Talker, *payload: str) -> str:
    """The path of the subscription link /calendar (or /calendar reset) hands out."""
    reply = await runner.command("calendar", *payload)
    (url,) = [word for m in reply for word in str(m.text).split() if word.startswith(PUBLIC)]
    return urlsplit(url).path


async def test_the_link_serves_the_runners_calendar(
    webhook_coach: Coach, client: httpx.AsyncClient
) -> None:
    ada = talker(webhook_coach, "501", "Ada")
    await onboard(ada)
    path = await link_of(ada)
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["cache-control"]
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 8
    assert all(str(event["summary"]).startswith("Strength: ") for event in events)


async def test_wrong_and_revoked_tokens_get_a_bare_404(
    webhook_coach: Coach, client: httpx.AsyncClient
) -> None:
    ada = talker(webhook_coach, "501", "Ada")
    await onboard(ada)
    old = await link_of(ada)
    new = await link_of(ada, "reset")
    token = old.removeprefix("/calendar/").removesuffix(".ics")
    unknown = await client.get("/calendar/no-such-token-at-all.ics")
    for path in (old, f"/calendar/{token}x.ics", f"/calendar/{token}", f"/calendar/{token}.ics/"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.content == unknown.content  # nothing tells a revoked token apart
    assert b"runner" not in unknown.content and b"calendar" not in unknown.content.lower()
    assert (await client.get(new)).status_code == 200


async def test_one_runners_link_never_serves_another_runners_sessions(
    webhook_coach: Coach, client: httpx.AsyncClient
) -> None:
    ada, bea = talker(webhook_coach, "501", "Ada"), talker(webhook_coach, "502", "Bea")
    await onboard(ada)
    await onboard(bea)
    paths = {"Ada": await link_of(ada), "Bea": await link_of(bea)}
    owners = {}
    for name, path in paths.items():
        response = await client.get(path)
        events = Calendar.from_ical(response.content).walk("VEVENT")
        owners[name] = {str(event["uid"]) for event in events}
    assert len(owners["Ada"]) == len(owners["Bea"]) == 8
    assert not owners["Ada"] & owners["Bea"]


async def test_after_deleteme_the_link_is_gone(
    webhook_coach: Coach, client: httpx.AsyncClient
) -> None:
    ada = talker(webhook_coach, "501", "Ada")
    await onboard(ada)
    path = await link_of(ada)
    await ada.command("deleteme")
    await ada.press("Yes, delete everything")
    assert (await client.get(path)).status_code == 404


async def test_the_token_never_reaches_the_log(
    webhook_coach: Coach, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    ada = talker(webhook_coach, "501", "Ada")
    await onboard(ada)
    path = await link_of(ada)
    with caplog.at_level(logging.INFO):  # an access log would write the path here
        assert (await client.get(path)).status_code == 200
        assert (await client.get(path + "x")).status_code == 404
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert not [r for r in server_side if token in r.getMessage()]


async def test_a_poll_with_the_etag_or_the_date_gets_a_bodiless_304(
    webhook_coach: Coach, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    ada = talker(webhook_coach, "501", "Ada")
    await onboard(ada)
    path = await link_of(ada)
    first = await client.get(path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["cache-control"] == "private, no-cache"
    assert etag.startswith('"') and parsedate_to_datetime(modified) <= clock.now

    for headers in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
    ):
        again = await client.get(path, headers=headers)
        assert again.status_code == 304, headers
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "private, no-cache"
    stale = {"If-None-Match": '"something else"', "If-Modified-Since": modified}
    assert (await client.get(path, headers=stale)).status_code == 200  # the tag decides
    assert (await client.head(path)).headers["etag"] == etag

    clock.advance(minutes=1)
    await ada.command("pause")  # every session ahead is cancelled: a new calendar
    changed = await client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    since = await client.get(path, headers={"If-Modified-Since": modified})
    assert since.status_code == 200


async def test_twenty_polls_write_nothing(
    webhook_coach: Coach, client: httpx.AsyncClient, database: Database
) -> None:
    """The issue saw each GET grow SQLite's WAL by 20,600 bytes."""
    ada = talker(webhook_coach, "501", "Ada")
    await onboard(ada)
    path = await link_of(ada)
    tag = (await client.get(path)).headers["etag"]
    with nothing_written(database):
        for n in range(20):
            headers = {"If-None-Match": tag} if n % 2 else {}
            assert (await client.get(path, headers=headers)).status_code in (200, 304)
