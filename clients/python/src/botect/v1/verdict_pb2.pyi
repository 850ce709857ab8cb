import datetime

from botect.v1 import common_pb2 as _common_pb2
from botect.v1 import options_pb2 as _options_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AssertLoggedInRequest(_message.Message):
    __slots__ = ("session_token",)
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    def __init__(self, session_token: _Optional[str] = ...) -> None: ...

class LoggedInAssertion(_message.Message):
    __slots__ = ("logged_in", "asserted_at")
    LOGGED_IN_FIELD_NUMBER: _ClassVar[int]
    ASSERTED_AT_FIELD_NUMBER: _ClassVar[int]
    logged_in: bool
    asserted_at: _timestamp_pb2.Timestamp
    def __init__(self, logged_in: _Optional[bool] = ..., asserted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetVerdictRequest(_message.Message):
    __slots__ = ("session_token", "path", "ip", "country", "ua")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    UA_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    path: str
    ip: str
    country: str
    ua: str
    def __init__(self, session_token: _Optional[str] = ..., path: _Optional[str] = ..., ip: _Optional[str] = ..., country: _Optional[str] = ..., ua: _Optional[str] = ...) -> None: ...

class SessionVerdict(_message.Message):
    __slots__ = ("verdict", "score", "action", "detection_ids", "reason")
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    DETECTION_IDS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    verdict: _common_pb2.Verdict
    score: int
    action: _common_pb2.Action
    detection_ids: _containers.RepeatedScalarFieldContainer[int]
    reason: str
    def __init__(self, verdict: _Optional[_Union[_common_pb2.Verdict, str]] = ..., score: _Optional[int] = ..., action: _Optional[_Union[_common_pb2.Action, str]] = ..., detection_ids: _Optional[_Iterable[int]] = ..., reason: _Optional[str] = ...) -> None: ...
