"""``GET /calendar/<token>.ics``: a runner's calendar subscription, on the bot's web server.

The token in the path is the runner's secret: a token that is not current (wrong, or
revoked by /calendar reset) gets a bare 404, the same as any other unknown path.
"""

from __future__ import annotations

from aiohttp import web

from bot.services.context import ServiceContext
from bot.services.use_cases import calendar


def calendar_route(ctx: ServiceContext) -> web.RouteDef:
    """The route that serves each runner's calendar at their subscription URL."""

    async def serve(request: web.Request) -> web.Response:
        """The runner's next four weeks as text/calendar, or 404."""
        content = await calendar.subscription(ctx, request.match_info["token"])
        if content is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=content,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Cache-Control": "private, no-cache"},
        )

    return web.get(calendar.FEED_PATH, serve)
