"""The ASGI (Starlette), WSGI and Flask middleware in real apps of their frameworks against a
live `botect serve`: the cookie, the context (route template, trusted-proxy address), every
action, a hook, the cache, and failing open at the deadline.

    python -m unittest test_middleware      # from clients/python/tests; needs starlette, httpx, flask
"""
import socket
import threading
import time
import unittest

from botect.enforce import Config, Enforcer
from botect.v1 import common_pb2, ingest_pb2, rules_pb2
from test_live import LiveServer, mouse_event, tenant

RULES = [
    ('path == "/admin"', common_pb2.block),
    ('path == "/slow"', common_pb2.delay),
    ('path == "/challenge"', common_pb2.challenge),
    ('path == "/orders/{id}"', common_pb2.block),
    ('path == "/orders/<int:id>"', common_pb2.block),
    ('ip in ["198.51.100.0/24"]', common_pb2.block),
]


def silent_endpoint():
    """An address that accepts connections and never answers."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    held = []
    threading.Thread(target=lambda: [held.append(s.accept()) for _ in range(16)], daemon=True).start()
    return s, f"127.0.0.1:{s.getsockname()[1]}"


class Apps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = LiveServer()
        cls.botect, cls.token, cls.project, cls.site_key, cls.private_key = tenant(cls.server, "Middleware Shop")
        for expression, action in RULES:
            cls.botect.rules(cls.token).CreateRule(
                rules_pb2.CreateRuleRequest(project=cls.project, name=expression[:40], expression=expression, action=action)
            )
        ack = cls.botect.ingest(cls.site_key).IngestEvents(
            ingest_pb2.IngestEventsRequest(events=[mouse_event({"entropy": 0.74, "samples": 128})])
        )
        cls.session = ack.session_token
        deadline = time.time() + 20
        while cls.botect.verdict(cls.private_key, cls.session, deadline=2).verdict == common_pb2.not_computed:
            assert time.time() < deadline, "never scored"
            time.sleep(0.1)
        cls.cookie = f"theme=dark; botect_session={cls.session}"

    @classmethod
    def tearDownClass(cls):
        cls.botect.close()
        cls.server.stop()

    def enforcer(self, **config):
        return Enforcer(self.botect, self.private_key, Config(**config))

    def check_app(self, get, template_path):
        """`get(path, cookie, xff)` → (status, headers, json-or-text)."""
        status, _, body = get("/", self.cookie, None)
        self.assertEqual((status, body["source"], body["action"]), (200, "server", "allow"), body)
        status, _, body = get("/", self.cookie, None)
        self.assertEqual(body["source"], "cache", "the second read within 10 s is cached")
        with self.assertLogs("botect", level="INFO") as logs:
            status, headers, _ = get("/admin", self.cookie, None)
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertIn("block /admin", logs.output[0])
        self.assertNotIn(self.session, logs.output[0], "no session token in the log")
        self.assertEqual(status, 403)
        self.assertEqual(headers.get("cache-control"), "no-store")
        status, headers, _ = get("/slow", self.cookie, None)
        self.assertEqual((status, headers.get("retry-after")), (429, "5"))
        status, _, body = get("/challenge", self.cookie, None)
        self.assertEqual((status, body["action"]), (200, "challenge"), "challenge passes through by default")
        status, _, _ = get(template_path, self.cookie, None)
        self.assertEqual(status, 403, "the rule on the route template matched")
        status, _, _ = get("/", self.cookie, "6.6.6.6, 198.51.100.7")
        self.assertEqual(status, 403, "the rightmost forwarded address is the visitor's")
        status, _, body = get("/admin", None, None)
        self.assertEqual((status, body["source"]), (200, "no_session"))

    # ---- ASGI: Starlette ----
    def starlette_app(self, enforcer):
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        from botect.asgi import BotectMiddleware, starlette_route

        async def show(request):
            d = request.state.botect
            return JSONResponse({"source": d.source, "action": d.action_name})

        app = Starlette(routes=[Route(p, show) for p in ["/", "/admin", "/slow", "/challenge", "/orders/{id}"]])
        app.add_middleware(BotectMiddleware, enforcer=enforcer, route=starlette_route(app))
        return app

    def starlette_get(self, app):
        from starlette.testclient import TestClient

        client = TestClient(app, client=("127.0.0.1", 50000))

        def get(path, cookie, xff):
            headers = {}
            if cookie:
                headers["cookie"] = cookie
            if xff:
                headers["x-forwarded-for"] = xff
            r = client.get(path, headers=headers)
            body = r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text
            return r.status_code, r.headers, body

        return get

    def test_starlette(self):
        app = self.starlette_app(self.enforcer(trusted_proxies=["127.0.0.0/8"]))
        self.check_app(self.starlette_get(app), "/orders/42")
        # Without trusted proxies X-Forwarded-For is ignored; a challenge hook answers instead.
        hooked = self.enforcer(on_challenge=lambda d: (401, [("content-type", "text/plain")], b"prove it"))
        get = self.starlette_get(self.starlette_app(hooked))
        self.assertEqual(get("/", self.cookie, "198.51.100.7")[0], 200)
        self.assertEqual(get("/challenge", self.cookie, None)[::2], (401, "prove it"))

    # ---- WSGI and Flask ----
    def flask_app(self):
        import flask

        app = flask.Flask("shop")

        def show(**_):
            d = flask.g.botect if "botect" in flask.g else flask.request.environ["botect"]
            return flask.jsonify(source=d.source, action=d.action_name)

        for rule in ["/", "/admin", "/slow", "/challenge", "/orders/<int:id>"]:
            app.add_url_rule(rule, rule, show)
        return app

    def flask_get(self, app):
        def get(path, cookie, xff):
            # Werkzeug's test client sends the cookies of its own jar (and drops a Cookie
            # header): a fresh client per request, with the request's cookies in its jar.
            client = app.test_client()
            for pair in (cookie or "").split(";"):
                if "=" in pair:
                    name, value = pair.strip().split("=", 1)
                    client.set_cookie(name, value)
            environ = {"REMOTE_ADDR": "127.0.0.1"}
            if xff:
                environ["HTTP_X_FORWARDED_FOR"] = xff
            r = client.get(path, environ_base=environ)
            body = r.get_json() if r.is_json else r.get_data(as_text=True)
            return r.status_code, {k.lower(): v for k, v in r.headers.items()}, body

        return get

    def test_flask(self):
        from botect.flask import protect

        app = self.flask_app()
        protect(app, self.enforcer(trusted_proxies=["127.0.0.0/8"]))
        self.check_app(self.flask_get(app), "/orders/42")

    def test_wsgi(self):
        from botect.wsgi import BotectMiddleware

        app = self.flask_app()
        app.wsgi_app = BotectMiddleware(app.wsgi_app, self.enforcer(trusted_proxies=["127.0.0.0/8"]))
        get = self.flask_get(app)
        # A plain WSGI middleware sends the path: no route template, so /orders/42 is allowed.
        self.assertEqual(get("/orders/42", self.cookie, None)[0], 200)
        self.assertEqual(get("/admin", self.cookie, None)[0], 403)
        self.assertEqual(get("/", self.cookie, "198.51.100.7")[0], 403)

    def test_fail_open_at_the_deadline(self):
        sock, address = silent_endpoint()
        try:
            app = self.starlette_app(Enforcer(address, self.private_key, Config(deadline=0.15)))
            get = self.starlette_get(app)
            for _ in range(2):
                start = time.monotonic()
                status, _, body = get("/admin", self.cookie, None)
                took = time.monotonic() - start
                self.assertEqual((status, body["source"]), (200, "unavailable"), body)
                self.assertLess(took, 1.0)
        finally:
            sock.close()


if __name__ == "__main__":
    unittest.main()
