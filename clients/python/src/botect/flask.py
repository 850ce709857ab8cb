"""Botect for Flask: ``protect(app, enforcer)`` asks for the verdict in a ``before_request``
hook, where Flask knows the route template (``/orders/<int:id>``); the decision is in
``flask.g.botect``. See ``botect.enforce``."""
from __future__ import annotations

from botect.enforce import Enforcer
from botect.wsgi import decide


def protect(app, enforcer: Enforcer) -> None:
    import flask

    @app.before_request
    def _botect():
        req = flask.request
        decision = decide(enforcer, req.environ, req.url_rule.rule if req.url_rule is not None else req.path)
        flask.g.botect = decision
        if decision.response is not None:
            status, hdrs, body = decision.response
            return flask.Response(body, status=status, headers=list(hdrs))
        return None
