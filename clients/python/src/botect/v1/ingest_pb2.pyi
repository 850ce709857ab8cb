from botect.v1 import options_pb2 as _options_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    event_type_unspecified: _ClassVar[EventType]
    mouse: _ClassVar[EventType]
    scroll: _ClassVar[EventType]
    visibility: _ClassVar[EventType]
    first_input: _ClassVar[EventType]
    js_probe: _ClassVar[EventType]
    page: _ClassVar[EventType]
    snapshot: _ClassVar[EventType]
event_type_unspecified: EventType
mouse: EventType
scroll: EventType
visibility: EventType
first_input: EventType
js_probe: EventType
page: EventType
snapshot: EventType

class Event(_message.Message):
    __slots__ = ("request_id", "type", "received_at", "payload")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_AT_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    type: EventType
    received_at: str
    payload: _struct_pb2.Struct
    def __init__(self, request_id: _Optional[str] = ..., type: _Optional[_Union[EventType, str]] = ..., received_at: _Optional[str] = ..., payload: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class IngestEventsRequest(_message.Message):
    __slots__ = ("session_token", "events", "site_key", "integrity")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    SITE_KEY_FIELD_NUMBER: _ClassVar[int]
    INTEGRITY_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    events: _containers.RepeatedCompositeFieldContainer[Event]
    site_key: str
    integrity: Integrity
    def __init__(self, session_token: _Optional[str] = ..., events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., site_key: _Optional[str] = ..., integrity: _Optional[_Union[Integrity, _Mapping]] = ...) -> None: ...

class Integrity(_message.Message):
    __slots__ = ("challenge", "nonce")
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    NONCE_FIELD_NUMBER: _ClassVar[int]
    challenge: str
    nonce: str
    def __init__(self, challenge: _Optional[str] = ..., nonce: _Optional[str] = ...) -> None: ...

class CreateChallengeRequest(_message.Message):
    __slots__ = ("site_key",)
    SITE_KEY_FIELD_NUMBER: _ClassVar[int]
    site_key: str
    def __init__(self, site_key: _Optional[str] = ...) -> None: ...

class Challenge(_message.Message):
    __slots__ = ("challenge", "algorithm", "difficulty", "expires_at")
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    challenge: str
    algorithm: str
    difficulty: int
    expires_at: str
    def __init__(self, challenge: _Optional[str] = ..., algorithm: _Optional[str] = ..., difficulty: _Optional[int] = ..., expires_at: _Optional[str] = ...) -> None: ...

class IngestEventsResponse(_message.Message):
    __slots__ = ("session_token", "accepted", "duplicates", "over_quota", "shed")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    OVER_QUOTA_FIELD_NUMBER: _ClassVar[int]
    SHED_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    accepted: int
    duplicates: int
    over_quota: bool
    shed: bool
    def __init__(self, session_token: _Optional[str] = ..., accepted: _Optional[int] = ..., duplicates: _Optional[int] = ..., over_quota: _Optional[bool] = ..., shed: _Optional[bool] = ...) -> None: ...
