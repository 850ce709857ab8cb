"""Botect verdict middleware for ASGI apps (Starlette, FastAPI, …); see ``botect.enforce``.

    from botect.asgi import BotectMiddleware, starlette_route
    from botect.enforce import Config, Enforcer
    app.add_middleware(BotectMiddleware, enforcer=Enforcer("127.0.0.1:8080", "sk_…"), route=starlette_route(app))

The decision is in ``scope["state"]["botect"]`` (``request.state.botect`` in Starlette).
"""
from __future__ import annotations

import asyncio
from typing import Callable, Optional

from botect.enforce import Decision, Enforcer

Route = Callable[[dict], Optional[str]]


def starlette_route(app) -> Route:
    """The route template (``/orders/{id}``) of a Starlette/FastAPI app's matching route."""

    def route(scope: dict) -> Optional[str]:
        from starlette.routing import Match

        for r in getattr(app, "routes", []):
            match, _ = r.matches(scope)
            if match == Match.FULL:
                return getattr(r, "path", None)
        return None

    return route


class BotectMiddleware:
    def __init__(self, app, enforcer: Enforcer, route: Optional[Route] = None):
        self.app = app
        self.enforcer = enforcer
        self.route = route

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers: dict = {}
        cookies, forwarded = [], []
        for k, v in scope.get("headers", []):
            name, value = k.decode("latin-1").lower(), v.decode("latin-1")
            if name == "cookie":
                cookies.append(value)
            elif name == "x-forwarded-for":
                forwarded.append(value)
            else:
                headers[name] = value
        path = (self.route(scope) if self.route else None) or scope.get("path", "/")
        client = scope.get("client")
        loop = asyncio.get_running_loop()
        decision: Decision = await loop.run_in_executor(
            None,
            lambda: self.enforcer.decide(
                cookie_header="; ".join(cookies), path=path, peer=client[0] if client else None,
                headers=headers, forwarded=forwarded,
            ),
        )
        if decision.response is not None:
            status, hdrs, body = decision.response
            await send({"type": "http.response.start", "status": status,
                        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in hdrs]})
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})["botect"] = decision
        await self.app(scope, receive, send)
