"""``GET /calendar/<token>.ics``: a runner's calendar subscription, on the bot's web server.

The token in the path is the runner's secret: a token that is not current (wrong, or
revoked by /calendar reset) gets a bare 404, the same as any other unknown path. A calendar
app's poll costs no write, and one that sends back the ETag (``If-None-Match``) or the
Last-Modified (``If-Modified-Since``) of its last copy gets a bodiless 304 while nothing
changed. The answer may be kept only by the app itself (``private``), which asks again each
time (``no-cache``).
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.services.context import ServiceContext
from bot.services.use_cases import calendar

CACHE_CONTROL = "private, no-cache"
ANY = "*"  # If-None-Match: *


def calendar_route(ctx: ServiceContext) -> web.RouteDef:
    """The route that serves each runner's calendar at their subscription URL."""

    async def serve(request: web.Request) -> web.Response:
        """The runner's calendar as text/calendar, a 304 if the app's copy is current, or 404."""
        made = await calendar.subscription(ctx, request.match_info["token"])
        if made is None:
            raise web.HTTPNotFound()
        revised = made.revised.replace(microsecond=0)
        headers = {"Cache-Control": CACHE_CONTROL, "ETag": made.etag}
        if _unchanged(request, made.etag, revised):
            response = web.Response(status=304, headers=headers)
        else:
            response = web.Response(
                body=made.content, content_type="text/calendar", charset="utf-8", headers=headers
            )
        response.last_modified = revised
        return response

    return web.get(calendar.FEED_PATH, serve)


def _unchanged(request: web.Request, etag: str, revised: datetime) -> bool:
    """Whether the app's copy is this one: by its ETags if it sends any (compared weakly,
    RFC 9110 13.1.2), else by its date."""
    if request.if_none_match is not None:
        sent = {tag.value for tag in request.if_none_match}
        return ANY in sent or etag.strip('"') in sent
    since = request.if_modified_since
    return since is not None and revised <= since
