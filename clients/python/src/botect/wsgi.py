"""Botect verdict middleware for WSGI apps (Flask, Django, …); see ``botect.enforce``.

    from botect.wsgi import BotectMiddleware
    app.wsgi_app = BotectMiddleware(app.wsgi_app, Enforcer("127.0.0.1:8080", "sk_…"))

The decision is in ``environ["botect"]``. A plain WSGI middleware runs before the framework
routes, so it sends the path; ``botect.flask.protect(app, enforcer)`` sends Flask's route
template instead.
"""
from __future__ import annotations

from typing import Callable, Optional

from botect.enforce import Decision, Enforcer


def decide(enforcer: Enforcer, environ: dict, path: str) -> Decision:
    """The decision for a WSGI request (`path`: what the framework knows of its route)."""
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    forwarded = headers.pop("x-forwarded-for", None)
    return enforcer.decide(
        cookie_header=headers.pop("cookie", ""),
        path=path,
        peer=environ.get("REMOTE_ADDR"),
        headers=headers,
        forwarded=[forwarded] if forwarded else [],
    )


class BotectMiddleware:
    def __init__(self, app, enforcer: Enforcer, route: Optional[Callable[[dict], Optional[str]]] = None):
        self.app = app
        self.enforcer = enforcer
        self.route = route

    def __call__(self, environ, start_response):
        path = (self.route(environ) if self.route else None) or environ.get("PATH_INFO", "/") or "/"
        decision = decide(self.enforcer, environ, path)
        if decision.response is not None:
            status, hdrs, body = decision.response
            from http import HTTPStatus

            start_response(f"{status} {HTTPStatus(status).phrase}", list(hdrs))
            return [body]
        environ["botect"] = decision
        return self.app(environ, start_response)
