"""``GET /calendar/<token>.ics``: a runner's calendar subscription, on the bot's web server.

The token in the path is the runner's secret: a token that is not current (wrong, or
revoked by /calendar reset) gets a bare 404, the same as any other unknown path.
"""

from __future__ import annotations

from aiohttp import web

from bot.services import plan_calendar
from bot.services.context import ServiceContext


def calendar_route(ctx: ServiceContext) -> web.RouteDef:
    """The route that serves each runner's calendar at their subscription URL."""

    async def serve(request: web.Request) -> web.Response:
        """The runner's next four weeks as text/calendar, or 404."""
        content = await plan_calendar.subscription(ctx, request.match_info["token"])
        if content is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=content,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Cache-Control": "private, no-cache"},
        )

    return web.get(plan_calendar.FEED_PATH, serve)
