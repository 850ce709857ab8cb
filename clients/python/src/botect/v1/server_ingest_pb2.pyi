from botect.v1 import ingest_pb2 as _ingest_pb2
from botect.v1 import options_pb2 as _options_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PageHit(_message.Message):
    __slots__ = ("schema_version", "page_id", "session_token", "occurred_at", "method", "path_hash", "header_names", "languages", "had_session_cookie", "duration_ms", "ja4", "observed_ip", "observed_ip_source", "observed_ip_inferred")
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    PAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PATH_HASH_FIELD_NUMBER: _ClassVar[int]
    HEADER_NAMES_FIELD_NUMBER: _ClassVar[int]
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    HAD_SESSION_COOKIE_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    JA4_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_IP_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_IP_SOURCE_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_IP_INFERRED_FIELD_NUMBER: _ClassVar[int]
    schema_version: int
    page_id: str
    session_token: str
    occurred_at: str
    method: str
    path_hash: str
    header_names: _containers.RepeatedScalarFieldContainer[str]
    languages: _containers.RepeatedScalarFieldContainer[str]
    had_session_cookie: bool
    duration_ms: float
    ja4: str
    observed_ip: str
    observed_ip_source: str
    observed_ip_inferred: bool
    def __init__(self, schema_version: _Optional[int] = ..., page_id: _Optional[str] = ..., session_token: _Optional[str] = ..., occurred_at: _Optional[str] = ..., method: _Optional[str] = ..., path_hash: _Optional[str] = ..., header_names: _Optional[_Iterable[str]] = ..., languages: _Optional[_Iterable[str]] = ..., had_session_cookie: _Optional[bool] = ..., duration_ms: _Optional[float] = ..., ja4: _Optional[str] = ..., observed_ip: _Optional[str] = ..., observed_ip_source: _Optional[str] = ..., observed_ip_inferred: _Optional[bool] = ...) -> None: ...

class PageHitReceipt(_message.Message):
    __slots__ = ("session_token", "duplicate", "shed")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    SHED_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    duplicate: bool
    shed: bool
    def __init__(self, session_token: _Optional[str] = ..., duplicate: _Optional[bool] = ..., shed: _Optional[bool] = ...) -> None: ...

class RelayEventsRequest(_message.Message):
    __slots__ = ("schema_version", "page_id", "session_token", "events", "observed_ip", "observed_ip_source", "observed_ip_inferred")
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    PAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_IP_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_IP_SOURCE_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_IP_INFERRED_FIELD_NUMBER: _ClassVar[int]
    schema_version: int
    page_id: str
    session_token: str
    events: _containers.RepeatedCompositeFieldContainer[_ingest_pb2.Event]
    observed_ip: str
    observed_ip_source: str
    observed_ip_inferred: bool
    def __init__(self, schema_version: _Optional[int] = ..., page_id: _Optional[str] = ..., session_token: _Optional[str] = ..., events: _Optional[_Iterable[_Union[_ingest_pb2.Event, _Mapping]]] = ..., observed_ip: _Optional[str] = ..., observed_ip_source: _Optional[str] = ..., observed_ip_inferred: _Optional[bool] = ...) -> None: ...
