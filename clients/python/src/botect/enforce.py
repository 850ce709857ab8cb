"""What every Botect middleware does, framework-free (``botect.asgi``, ``botect.wsgi`` and
``botect.flask`` wrap it): the session token from the ``botect_session`` cookie, the request's
context (path or route template, the client address through trusted proxies only, user agent,
country from a configured header), the verdict within a deadline (fail open), a bounded local
cache (at most 10 s; fail-open answers never cached), and the action: ``block`` → 403,
``delay`` → 429 with ``Retry-After: 5``, ``challenge``/``log``/``allow`` pass through, each of the
first three replaceable by a hook. One log line (logger ``botect``) per block, delay or
challenge, without the session token or any key.
"""
from __future__ import annotations

import collections
import dataclasses
import ipaddress
import logging
import threading
import time
from http.cookies import SimpleCookie
from typing import Callable, Iterable, Mapping, Optional, Sequence, Tuple, Union

import grpc

from botect import Botect, FAIL_OPEN_REASON
from botect.v1 import common_pb2, verdict_pb2

log = logging.getLogger("botect")

#: The longest a verdict may be reused (the hosted SDK's 10 s).
MAX_CACHE_TTL = 10.0

#: A response: status, headers, body.
Response = Tuple[int, Sequence[Tuple[str, str]], bytes]
Hook = Callable[["Decision"], Response]

NoSession = "no_session"
Server = "server"
Cache = "cache"
Unavailable = "unavailable"


@dataclasses.dataclass
class Config:
    cookie: str = "botect_session"
    #: Seconds a lookup may take before the request is allowed.
    deadline: float = 0.3
    #: Seconds an answer is reused (at most MAX_CACHE_TTL).
    cache_ttl: float = MAX_CACHE_TTL
    cache_size: int = 10_000
    #: Networks whose X-Forwarded-For is believed, e.g. ["10.0.0.0/8"]; none by default.
    trusted_proxies: Sequence[str] = ()
    #: A header carrying the visitor's country, e.g. "cf-ipcountry".
    country_header: Optional[str] = None
    on_block: Optional[Hook] = None
    on_delay: Optional[Hook] = None
    on_challenge: Optional[Hook] = None


@dataclasses.dataclass
class Decision:
    """A request's verdict (attached to the request for the application) and, when the
    middleware answers instead of the application, its response."""

    verdict: Optional[verdict_pb2.SessionVerdict]
    source: str
    response: Optional[Response] = None

    @property
    def action(self) -> int:
        return self.verdict.action if self.verdict is not None else common_pb2.allow

    @property
    def action_name(self) -> str:
        return common_pb2.Action.Name(self.action)


def blocked(_: Decision) -> Response:
    return 403, [("content-type", "text/plain; charset=utf-8"), ("cache-control", "no-store")], b"Forbidden\n"


def delayed(_: Decision) -> Response:
    return (
        429,
        [("content-type", "text/plain; charset=utf-8"), ("cache-control", "no-store"), ("retry-after", "5")],
        b"Too many requests; try again shortly\n",
    )


def session_cookie(cookie_header: str, name: str) -> Optional[str]:
    jar = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except Exception:  # a malformed Cookie header: no session
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None and morsel.value else None


def client_ip(peer: Optional[str], forwarded: Iterable[str], trusted: Sequence[ipaddress._BaseNetwork]) -> str:
    """The socket peer, or, when it is a trusted proxy, the rightmost address of
    X-Forwarded-For that is not a trusted proxy. Anyone else's X-Forwarded-For is ignored."""
    if not peer:
        return ""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:  # not an address (a Unix socket, a test client): none
        return ""
    is_trusted = lambda a: any(a in net for net in trusted)  # noqa: E731
    if not is_trusted(address):
        return str(address)
    hops = []
    for value in forwarded:
        for part in value.split(","):
            try:
                hops.append(ipaddress.ip_address(part.strip()))
            except ValueError:
                return str(address)
    client = address
    for hop in reversed(hops):
        client = hop
        if not is_trusted(hop):
            break
    return str(client)


class _Cache:
    """A thread-safe TTL cache of at most `size` entries (the oldest goes first)."""

    def __init__(self, ttl: float, size: int):
        self.ttl = min(ttl, MAX_CACHE_TTL)
        self.size = size
        self.entries: "collections.OrderedDict[tuple, Tuple[float, verdict_pb2.SessionVerdict]]" = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, now: float):
        with self.lock:
            hit = self.entries.get(key)
            if hit is None:
                return None
            if now - hit[0] >= self.ttl:
                del self.entries[key]
                return None
            return hit[1]

    def put(self, key, value, now: float) -> None:
        if self.size <= 0 or self.ttl <= 0:
            return
        with self.lock:
            self.entries.pop(key, None)
            self.entries[key] = (now, value)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class Enforcer:
    """Asks for verdicts and decides what to do with a request. Thread-safe; share one."""

    def __init__(self, botect: Union[str, Botect], private_key: str, config: Optional[Config] = None):
        self.botect = Botect(botect) if isinstance(botect, str) else botect
        self.private_key = private_key
        self.config = config or Config()
        self.trusted = [ipaddress.ip_network(n, strict=False) for n in self.config.trusted_proxies]
        self.cache = _Cache(self.config.cache_ttl, self.config.cache_size)

    def decide(self, *, cookie_header: str, path: str, peer: Optional[str], headers: Mapping[str, str], forwarded: Iterable[str] = ()) -> Decision:
        """`headers`: lower-case names; `forwarded`: every X-Forwarded-For value."""
        cfg = self.config
        token = session_cookie(cookie_header, cfg.cookie)
        if token is None:
            return Decision(None, NoSession)
        ip = client_ip(peer, forwarded, self.trusted)
        ua = headers.get("user-agent", "")
        country = headers.get(cfg.country_header.lower(), "") if cfg.country_header else ""
        key = (token, path, ip, ua, country)
        now = time.monotonic()
        cached = self.cache.get(key, now)
        if cached is not None:
            decision = Decision(cached, Cache)
        else:
            request = verdict_pb2.GetVerdictRequest(session_token=token, path=path, ip=ip, ua=ua, country=country)
            try:
                verdict = self.botect.verdicts(self.private_key).GetVerdict(request, timeout=cfg.deadline)
            except grpc.RpcError as e:
                log.warning("botect: no verdict (%s); allowing", e.code().name if e.code() else "error")
                return Decision(None, Unavailable)
            # An answer the server could not compute yet is not kept.
            if verdict.verdict != common_pb2.not_computed and verdict.reason != FAIL_OPEN_REASON:
                self.cache.put(key, verdict, time.monotonic())
            decision = Decision(verdict, Server)
        action = decision.action
        hook = {
            common_pb2.block: cfg.on_block or blocked,
            common_pb2.delay: cfg.on_delay or delayed,
            common_pb2.challenge: cfg.on_challenge,
        }.get(action)
        if action in (common_pb2.block, common_pb2.delay, common_pb2.challenge):
            v = decision.verdict
            log.info(
                "botect: %s %s (score %s, detections %s, %s)",
                decision.action_name, path, v.score, list(v.detection_ids), decision.source,
            )
        if hook is not None:
            decision.response = hook(decision)
        return decision
