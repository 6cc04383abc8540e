"""Fetching a runner's running-plan calendar safely and politely (issue 31).

The link is the runner's secret: it is never logged and never part of an error's words (only
its host is). The fetch:

- takes ``https`` only (``webcal`` is read as ``https``; a redirect to anything else is
  refused), and follows at most ``Limits.redirects`` redirects;
- connects only to public addresses: every host, the first and each redirect's, is resolved
  and refused when any of its addresses is private, loopback, link-local, reserved or
  multicast (httpcore's documented network backend does the resolving and connects to the
  address it checked, so a second DNS answer cannot slip past);
- stops at ``Limits.max_bytes`` of body and ``Limits.seconds`` in all (a slow body included);
- sends ``If-None-Match`` / ``If-Modified-Since`` from the last good copy, so an unchanged
  calendar costs a 304;
- accepts only a body that is an iCalendar (``BEGIN:VCALENDAR``), whatever its content type.

Loopback is allowed only through ``Limits(allow_loopback=True)``, which the tests use for
their feed server; nothing in the settings turns it on.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore

REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "TrailStrengthCoach/1 (running-plan calendar; strength sessions around your runs)"
CALENDAR_START = b"BEGIN:VCALENDAR"


class Problem(StrEnum):
    """Why a fetch failed, in words a runner can be told (none of them holds the link)."""

    NOT_A_LINK = "not a link I can read"
    NOT_HTTPS = "not an https link"
    PRIVATE_ADDRESS = "an address inside a private network"
    UNREACHABLE = "the server could not be reached"
    TOO_MANY_REDIRECTS = "too many redirects"
    TOO_BIG = "the calendar is too big"
    TOO_SLOW = "the server took too long"
    NOT_CALENDAR = "the link does not give a calendar"
    REFUSED = "the server refused it"


class FetchError(Exception):
    """A fetch that failed; ``status`` is the HTTP status when the server answered one."""

    def __init__(self, problem: Problem, status: int | None = None) -> None:
        super().__init__(problem.value if status is None else f"{problem.value} ({status})")
        self.problem = problem
        self.status = status


@dataclass(frozen=True, slots=True)
class Limits:
    """How far one fetch may go. ``allow_loopback`` and ``ssl_context`` are for the tests'
    loopback feed server (its own certificate); the defaults refuse loopback and trust the
    system's certificate authorities."""

    max_bytes: int = 2_000_000
    seconds: float = 20.0
    connect_seconds: float = 10.0
    redirects: int = 3
    allow_loopback: bool = False
    ssl_context: ssl.SSLContext | None = None


SAFE = Limits()
"""The limits of every fetch outside the tests."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetch's answer: the calendar's bytes (None when unchanged since ``etag`` and
    ``last_modified`` were given), and the validators to send next time."""

    body: bytes | None
    etag: str | None
    last_modified: str | None

    @property
    def unchanged(self) -> bool:
        """Whether the server said the calendar has not changed (304)."""
        return self.body is None


def https_link(link: str) -> str:
    """The https URL of a link as a runner gives it (``webcal://`` read as ``https://``);
    FetchError when it is no https or webcal link with a host."""
    try:
        parts = urlsplit(link.strip())
        numbered = parts.port is None or parts.port > 0  # ValueError for a port not a number
    except ValueError:
        numbered = False
    if not numbered:
        raise FetchError(Problem.NOT_A_LINK)
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    if scheme not in ("https", "http") or not parts.hostname:
        raise FetchError(Problem.NOT_A_LINK)
    if scheme != "https":
        raise FetchError(Problem.NOT_HTTPS)
    return urlunsplit(("https", parts.netloc, parts.path or "/", parts.query, ""))


def host_of(link: str) -> str:
    """The host of a link: all of it a runner is ever shown back."""
    try:
        return urlsplit(link.strip()).hostname or "?"
    except ValueError:
        return "?"


async def fetch(
    link: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: Limits = SAFE,
) -> Fetched:
    """The calendar behind ``link``, within ``limits``; FetchError for anything else."""
    url = https_link(link)
    backend = _PublicOnly(limits.allow_loopback)
    context = limits.ssl_context or ssl.create_default_context()
    headers = [("User-Agent", USER_AGENT), ("Accept", "text/calendar, */*;q=0.5")]
    headers += [("If-None-Match", etag)] if etag else []
    headers += [("If-Modified-Since", last_modified)] if last_modified else []
    try:
        async with (
            asyncio.timeout(limits.seconds),
            httpcore.AsyncConnectionPool(
                ssl_context=context, network_backend=backend, max_connections=1
            ) as pool,
        ):
            for _hop in range(limits.redirects + 1):
                answer = await _get(pool, url, headers, limits)
                if isinstance(answer, Fetched):
                    return answer
                url = answer
            raise FetchError(Problem.TOO_MANY_REDIRECTS)
    except TimeoutError:
        raise FetchError(Problem.TOO_SLOW) from None
    except _Refused:
        raise FetchError(Problem.PRIVATE_ADDRESS) from None
    except httpcore.TimeoutException:
        raise FetchError(Problem.TOO_SLOW) from None
    except (httpcore.NetworkError, httpcore.ProtocolError, OSError, ssl.SSLError):
        raise FetchError(Problem.UNREACHABLE) from None


async def _get(
    pool: httpcore.AsyncConnectionPool,
    url: str,
    headers: list[tuple[str, str]],
    limits: Limits,
) -> Fetched | str:
    """One hop: the calendar, or the https URL a redirect points to."""
    timeouts = {"connect": limits.connect_seconds, "read": limits.seconds, "pool": None}
    extensions: dict[str, Any] = {"timeout": timeouts}
    async with pool.stream("GET", url, headers=headers, extensions=extensions) as response:
        found = {name.decode().lower(): value.decode("latin-1") for name, value in response.headers}
        status = response.status
        if status in REDIRECTS and "location" in found:
            return https_link(urljoin(url, found["location"]))
        if status == 304:
            return Fetched(None, found.get("etag"), found.get("last-modified"))
        if status != 200:
            raise FetchError(Problem.REFUSED, status)
        length = found.get("content-length", "")
        if length.isdigit() and int(length) > limits.max_bytes:
            raise FetchError(Problem.TOO_BIG)
        body = bytearray()
        async for chunk in response.aiter_stream():
            body += chunk
            if len(body) > limits.max_bytes:
                raise FetchError(Problem.TOO_BIG)
    if not bytes(body).lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(CALENDAR_START):
        raise FetchError(Problem.NOT_CALENDAR)
    return Fetched(bytes(body), found.get("etag"), found.get("last-modified"))


class _Refused(Exception):
    """A host resolved to an address the fetch must not reach."""


def public(address: str, *, allow_loopback: bool = False) -> bool:
    """Whether ``address`` is one the fetch may connect to: a global unicast address
    (an IPv4-mapped IPv6 address is judged as its IPv4 one)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if allow_loopback and ip.is_loopback:
        return True
    return ip.is_global and not ip.is_multicast


class _PublicOnly(httpcore.AsyncNetworkBackend):
    """httpcore's network backend that resolves each host itself and connects only to an
    address it has checked (``public``), whichever hop asks."""

    def __init__(self, allow_loopback: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_loopback = allow_loopback

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror:
            raise httpcore.ConnectError(f"no address for {host}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        if not addresses or not all(
            public(a, allow_loopback=self._allow_loopback) for a in addresses
        ):
            raise _Refused(host)
        return await self._inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
