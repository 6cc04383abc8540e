"""The running plan's fetch is safe and polite (issue 31): https only, a few redirects, public
addresses only (checked on every hop, after DNS), a size cap and a time cap, calendars only,
conditional requests; loopback only through the tests' own setting."""

from __future__ import annotations

import pytest
from aiohttp import web

from bot.services.infrastructure.plan_fetch import (
    FetchError,
    Limits,
    Problem,
    fetch,
    host_of,
    https_link,
    public,
)
from tests.plan_feed.calendars import WEEKLY_PLAN
from tests.plan_feed.server import FeedServer


async def _problem(link: str, limits: Limits) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetch(link, limits=limits)
    return caught.value


def test_links_are_https_and_webcal_reads_as_https() -> None:
    assert https_link("webcal://example.org/plan.ics") == "https://example.org/plan.ics"
    assert https_link(" https://Example.org:8443/a?k=1 ") == "https://Example.org:8443/a?k=1"
    for link, problem in [
        ("http://example.org/plan.ics", Problem.NOT_HTTPS),
        ("ftp://example.org/plan.ics", Problem.NOT_A_LINK),
        ("plan.ics", Problem.NOT_A_LINK),
        ("https:///plan.ics", Problem.NOT_A_LINK),
        ("https://example.org:port/plan.ics", Problem.NOT_A_LINK),
    ]:
        with pytest.raises(FetchError) as caught:
            https_link(link)
        assert caught.value.problem is problem
    assert host_of("https://calendar.example.org/private/s3cr3t.ics") == "calendar.example.org"


def test_only_public_addresses_are_reached() -> None:
    for address in ("8.8.8.8", "2606:4700:4700::1111"):
        assert public(address)
    for address in (
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "224.0.0.1",
    ):
        assert not public(address), address
    assert public("127.0.0.1", allow_loopback=True)
    assert not public("10.1.2.3", allow_loopback=True)


async def test_the_default_refuses_loopback_and_the_tests_setting_allows_it() -> None:
    async with FeedServer() as server:
        server.calendars["/plan.ics"] = WEEKLY_PLAN
        trusted = server.limits()
        refused = Limits(ssl_context=trusted.ssl_context)  # loopback not allowed
        problem = await _problem(server.url("/plan.ics", host="localhost"), refused)
        assert problem.problem is Problem.PRIVATE_ADDRESS
        assert server.requests == []  # refused before connecting
        fetched = await fetch(server.url("/plan.ics", host="localhost"), limits=trusted)
    assert fetched.body == WEEKLY_PLAN


async def test_a_redirect_to_a_private_address_is_refused_at_its_hop() -> None:
    async def to_metadata(_request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("https://169.254.169.254/latest/meta-data/")

    async def to_private(_request: web.Request) -> web.StreamResponse:
        raise web.HTTPTemporaryRedirect("webcal://10.0.0.7/plan.ics")

    async with FeedServer() as server:
        server.routes["/metadata.ics"] = to_metadata
        server.routes["/private.ics"] = to_private
        for path in ("/metadata.ics", "/private.ics"):
            problem = await _problem(server.url(path), server.limits())
            assert problem.problem is Problem.PRIVATE_ADDRESS
            assert "169.254" not in str(problem) and "10.0.0.7" not in str(problem)


async def test_redirects_are_followed_a_few_times_and_only_to_https() -> None:
    async def hop(request: web.Request) -> web.StreamResponse:
        step = int(request.path.removeprefix("/hop").removesuffix(".ics"))
        target = "/plan.ics" if step == 0 else f"/hop{step - 1}.ics"
        raise web.HTTPMovedPermanently(target)

    async def to_http(_request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("http://example.org/plan.ics")

    async with FeedServer() as server:
        server.calendars["/plan.ics"] = WEEKLY_PLAN
        for step in range(5):
            server.routes[f"/hop{step}.ics"] = hop
        server.routes["/http.ics"] = to_http
        fetched = await fetch(server.url("/hop2.ics"), limits=server.limits())  # 3 redirects
        assert fetched.body == WEEKLY_PLAN
        too_many = await _problem(server.url("/hop3.ics"), server.limits())
        assert too_many.problem is Problem.TOO_MANY_REDIRECTS
        downgrade = await _problem(server.url("/http.ics"), server.limits())
        assert downgrade.problem is Problem.NOT_HTTPS


async def test_an_oversized_body_is_cut_at_two_megabytes_with_or_without_its_length() -> None:
    big = WEEKLY_PLAN + b"X-FILLER:" + b"x" * 2_000_000

    async def streamed(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/calendar"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(big), 65_536):
            await response.write(big[start : start + 65_536])
        await response.write_eof()
        return response

    async with FeedServer() as server:
        server.calendars["/big.ics"] = big
        server.routes["/streamed.ics"] = streamed
        assert Limits().max_bytes == 2_000_000
        for path in ("/big.ics", "/streamed.ics"):
            problem = await _problem(server.url(path), server.limits())
            assert problem.problem is Problem.TOO_BIG


async def test_a_slow_body_is_given_up_at_the_time_cap() -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/calendar"})
        await response.prepare(request)
        await response.write(b"BEGIN:VCALENDAR\r\n")
        await server.never.wait()  # the rest never comes
        return response

    async with FeedServer() as server:
        server.routes["/slow.ics"] = slow
        problem = await _problem(server.url("/slow.ics"), server.limits(seconds=0.3))
    assert problem.problem is Problem.TOO_SLOW


async def test_content_that_is_no_calendar_and_a_missing_calendar_are_refused() -> None:
    async def page(_request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html><body>Sign in</body></html>", content_type="text/html")

    async with FeedServer() as server:
        server.routes["/login.ics"] = page
        not_calendar = await _problem(server.url("/login.ics"), server.limits())
        missing = await _problem(server.url("/gone.ics"), server.limits())
    assert not_calendar.problem is Problem.NOT_CALENDAR
    assert (missing.problem, missing.status) == (Problem.REFUSED, 404)


async def test_an_unchanged_calendar_costs_a_304_with_its_validators() -> None:
    async with FeedServer() as server:
        server.calendars["/plan.ics"] = WEEKLY_PLAN
        first = await fetch(server.url("/plan.ics"), limits=server.limits())
        again = await fetch(
            server.url("/plan.ics"),
            etag=first.etag,
            last_modified=first.last_modified,
            limits=server.limits(),
        )
        sent = server.requests[-1][1]
    assert not first.unchanged and first.etag
    assert again.unchanged and again.body is None
    assert sent["If-None-Match"] == first.etag
    assert sent["If-Modified-Since"] == "Mon, 14 Jul 2025 06:00:00 GMT"
