"""Botect's Python client: the generated gRPC stubs of every service (``botect.v1``), a
:class:`Botect` connection that attaches the right credential to each call, and
:meth:`Botect.verdict`, which fails open within a deadline.

>>> from botect import Botect
>>> botect = Botect("127.0.0.1:8080")                       # doctest: +SKIP
>>> v = botect.verdict("sk_…", "sess_…", path="/checkout")   # doctest: +SKIP
>>> v.action == botect.Action.block                          # doctest: +SKIP
"""
from __future__ import annotations

import collections
from typing import Optional

import grpc

from botect.v1 import (
    account_pb2_grpc,
    common_pb2,
    detections_pb2_grpc,
    ingest_pb2_grpc,
    projects_pb2_grpc,
    rules_pb2_grpc,
    scoring_pb2_grpc,
    server_ingest_pb2_grpc,
    sessions_pb2_grpc,
    stats_pb2_grpc,
    verdict_pb2,
    verdict_pb2_grpc,
    verified_pb2_grpc,
)

__all__ = ["Botect", "FAIL_OPEN_REASON", "fail_open", "code_of"]

#: The reason of the fail-open verdict, as the server words it.
FAIL_OPEN_REASON = "Score not available; allowing by default."


def fail_open() -> verdict_pb2.SessionVerdict:
    """The verdict to act on when none is available: ``not_computed``, score 0, ``allow``."""
    return verdict_pb2.SessionVerdict(
        verdict=common_pb2.not_computed, score=0, action=common_pb2.allow, reason=FAIL_OPEN_REASON
    )


def code_of(error: grpc.RpcError) -> Optional[str]:
    """The stable error ``code`` of a failed call (the flat JSON body's ``code`` over REST): the
    ``reason`` of the ``google.rpc.ErrorInfo`` in its ``grpc-status-details-bin`` trailer."""
    from google.rpc import error_details_pb2, status_pb2

    for key, value in (error.trailing_metadata() or ()):
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return info.reason
    return None


class _Details(
    collections.namedtuple(
        "_Details", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")
    ),
    grpc.ClientCallDetails,
):
    pass


class _Credential(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Adds one credential header to every call made through the channel it wraps."""

    def __init__(self, header: str, value: str):
        self._pair = (header, value)

    def _with(self, details):
        metadata = [m for m in (details.metadata or ()) if m[0] != self._pair[0]]
        metadata.append(self._pair)
        return _Details(
            details.method,
            details.timeout,
            metadata,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._with(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._with(details), request)


class Botect:
    """A connection to a Botect server (``host:port``, or ``http://`` / ``https://`` URLs) with
    one stub factory per credential kind: the site key for ingest, the private key for verdicts
    and server-side ingest, an account token for the control plane."""

    Action = common_pb2.Action
    Verdict = common_pb2.Verdict

    def __init__(self, target: str, *, channel: Optional[grpc.Channel] = None):
        if channel is None:
            if target.startswith("https://"):
                channel = grpc.secure_channel(target[len("https://"):].rstrip("/"), grpc.ssl_channel_credentials())
            else:
                channel = grpc.insecure_channel(target.removeprefix("http://").rstrip("/"))
        self._channel = channel

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Botect":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _authed(self, header: str, value: str) -> grpc.Channel:
        return grpc.intercept_channel(self._channel, _Credential(header, value))

    # ---- ingest (site key) ----
    def ingest(self, site_key: str) -> ingest_pb2_grpc.IngestServiceStub:
        return ingest_pb2_grpc.IngestServiceStub(self._authed("x-botect-site-key", site_key))

    # ---- private key ----
    def verdicts(self, private_key: str) -> verdict_pb2_grpc.VerdictServiceStub:
        return verdict_pb2_grpc.VerdictServiceStub(self._authed("authorization", f"Bearer {private_key}"))

    def server_ingest(self, private_key: str) -> server_ingest_pb2_grpc.ServerIngestServiceStub:
        return server_ingest_pb2_grpc.ServerIngestServiceStub(self._authed("authorization", f"Bearer {private_key}"))

    # ---- account token (control plane) ----
    def _account(self, stub, token: str):
        return stub(self._authed("authorization", f"Bearer {token}"))

    def account(self, token: str) -> account_pb2_grpc.AccountServiceStub:
        return self._account(account_pb2_grpc.AccountServiceStub, token)

    def projects(self, token: str) -> projects_pb2_grpc.ProjectServiceStub:
        return self._account(projects_pb2_grpc.ProjectServiceStub, token)

    def scoring(self, token: str) -> scoring_pb2_grpc.ScoringServiceStub:
        return self._account(scoring_pb2_grpc.ScoringServiceStub, token)

    def rules(self, token: str) -> rules_pb2_grpc.RuleServiceStub:
        return self._account(rules_pb2_grpc.RuleServiceStub, token)

    def sessions(self, token: str) -> sessions_pb2_grpc.SessionServiceStub:
        return self._account(sessions_pb2_grpc.SessionServiceStub, token)

    def stats(self, token: str) -> stats_pb2_grpc.StatsServiceStub:
        return self._account(stats_pb2_grpc.StatsServiceStub, token)

    def verified_bots(self, token: str) -> verified_pb2_grpc.VerifiedBotServiceStub:
        return self._account(verified_pb2_grpc.VerifiedBotServiceStub, token)

    # ---- no credential ----
    def detections(self) -> detections_pb2_grpc.DetectionServiceStub:
        return detections_pb2_grpc.DetectionServiceStub(self._channel)

    # ---- the verdict, failing open ----
    def verdict(
        self,
        private_key: str,
        session_token: str,
        *,
        path: str = "",
        ip: str = "",
        ua: str = "",
        country: str = "",
        deadline: float = 0.3,
    ) -> verdict_pb2.SessionVerdict:
        """The session's verdict for a request with this context, or :func:`fail_open` when
        the server does not answer within ``deadline`` seconds or the call fails."""
        request = verdict_pb2.GetVerdictRequest(
            session_token=session_token, path=path, ip=ip, ua=ua, country=country
        )
        try:
            return self.verdicts(private_key).GetVerdict(request, timeout=deadline)
        except grpc.RpcError:
            return fail_open()
