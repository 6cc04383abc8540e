"""``/healthz``, ``/readyz`` and ``/metrics``: the routes an operator's probes and Prometheus
call, on the webhook's server or on ``HEALTH_PORT``'s."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

Problems = Callable[[], Awaitable[list[str]]]
Exposition = Callable[[], Awaitable[tuple[bytes, str]]]
"""The metrics in Prometheus' text format, and its content type."""


def health_routes(problems: Problems, exposition: Exposition | None = None) -> list[web.RouteDef]:
    """The process is up (``/healthz``); it can work (``/readyz``: 200, or 503 with one reason
    a line); and, given ``exposition``, the metrics (``/metrics``)."""

    async def alive(_request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def ready(_request: web.Request) -> web.Response:
        reasons = await problems()
        if reasons:
            return web.Response(status=503, text="".join(f"{why}\n" for why in reasons))
        return web.Response(text="ready\n")

    routes = [web.get("/healthz", alive), web.get("/readyz", ready)]
    if exposition is not None:

        async def metrics(_request: web.Request) -> web.Response:
            body, content_type = await exposition()
            return web.Response(body=body, headers={"Content-Type": content_type})

        routes.append(web.get("/metrics", metrics))
    return routes
