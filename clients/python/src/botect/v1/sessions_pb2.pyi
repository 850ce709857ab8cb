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

class ListSessionsRequest(_message.Message):
    __slots__ = ("project", "band", "detection_id", "min_score", "max_score", "since", "until", "action", "page_size", "page_token")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    BAND_FIELD_NUMBER: _ClassVar[int]
    DETECTION_ID_FIELD_NUMBER: _ClassVar[int]
    MIN_SCORE_FIELD_NUMBER: _ClassVar[int]
    MAX_SCORE_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    project: int
    band: _common_pb2.Verdict
    detection_id: int
    min_score: int
    max_score: int
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    action: _common_pb2.Action
    page_size: int
    page_token: str
    def __init__(self, project: _Optional[int] = ..., band: _Optional[_Union[_common_pb2.Verdict, str]] = ..., detection_id: _Optional[int] = ..., min_score: _Optional[int] = ..., max_score: _Optional[int] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., action: _Optional[_Union[_common_pb2.Action, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class SessionRow(_message.Message):
    __slots__ = ("session_token", "first_seen", "last_seen", "score", "band", "action", "detection_ids", "reason", "event_count", "batch_count", "ua_class", "js_passed", "label")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEEN_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    BAND_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    DETECTION_IDS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EVENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    BATCH_COUNT_FIELD_NUMBER: _ClassVar[int]
    UA_CLASS_FIELD_NUMBER: _ClassVar[int]
    JS_PASSED_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    first_seen: _timestamp_pb2.Timestamp
    last_seen: _timestamp_pb2.Timestamp
    score: int
    band: _common_pb2.Verdict
    action: _common_pb2.Action
    detection_ids: _containers.RepeatedScalarFieldContainer[int]
    reason: str
    event_count: int
    batch_count: int
    ua_class: str
    js_passed: bool
    label: str
    def __init__(self, session_token: _Optional[str] = ..., first_seen: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_seen: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., score: _Optional[int] = ..., band: _Optional[_Union[_common_pb2.Verdict, str]] = ..., action: _Optional[_Union[_common_pb2.Action, str]] = ..., detection_ids: _Optional[_Iterable[int]] = ..., reason: _Optional[str] = ..., event_count: _Optional[int] = ..., batch_count: _Optional[int] = ..., ua_class: _Optional[str] = ..., js_passed: _Optional[bool] = ..., label: _Optional[str] = ...) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ("sessions", "next_page_token")
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[SessionRow]
    next_page_token: str
    def __init__(self, sessions: _Optional[_Iterable[_Union[SessionRow, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSessionRequest(_message.Message):
    __slots__ = ("project", "session_token")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    project: int
    session_token: str
    def __init__(self, project: _Optional[int] = ..., session_token: _Optional[str] = ...) -> None: ...

class EngineFinding(_message.Message):
    __slots__ = ("detection_id", "name", "label", "score", "strength", "reason")
    DETECTION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    STRENGTH_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    detection_id: int
    name: str
    label: str
    score: int
    strength: str
    reason: str
    def __init__(self, detection_id: _Optional[int] = ..., name: _Optional[str] = ..., label: _Optional[str] = ..., score: _Optional[int] = ..., strength: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class EngineReport(_message.Message):
    __slots__ = ("engine", "score", "findings")
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    engine: str
    score: int
    findings: _containers.RepeatedCompositeFieldContainer[EngineFinding]
    def __init__(self, engine: _Optional[str] = ..., score: _Optional[int] = ..., findings: _Optional[_Iterable[_Union[EngineFinding, _Mapping]]] = ...) -> None: ...

class SessionBatch(_message.Message):
    __slots__ = ("at", "events", "event_types", "ua_class", "integrity")
    class EventTypesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    AT_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    UA_CLASS_FIELD_NUMBER: _ClassVar[int]
    INTEGRITY_FIELD_NUMBER: _ClassVar[int]
    at: _timestamp_pb2.Timestamp
    events: int
    event_types: _containers.ScalarMap[str, int]
    ua_class: str
    integrity: str
    def __init__(self, at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., events: _Optional[int] = ..., event_types: _Optional[_Mapping[str, int]] = ..., ua_class: _Optional[str] = ..., integrity: _Optional[str] = ...) -> None: ...

class RequestFacts(_message.Message):
    __slots__ = ("address_prefix", "ua_class", "headers_present", "ja4")
    ADDRESS_PREFIX_FIELD_NUMBER: _ClassVar[int]
    UA_CLASS_FIELD_NUMBER: _ClassVar[int]
    HEADERS_PRESENT_FIELD_NUMBER: _ClassVar[int]
    JA4_FIELD_NUMBER: _ClassVar[int]
    address_prefix: str
    ua_class: str
    headers_present: _containers.RepeatedScalarFieldContainer[str]
    ja4: str
    def __init__(self, address_prefix: _Optional[str] = ..., ua_class: _Optional[str] = ..., headers_present: _Optional[_Iterable[str]] = ..., ja4: _Optional[str] = ...) -> None: ...

class SessionDetail(_message.Message):
    __slots__ = ("session", "engines", "batches", "request", "mouse_entropy", "scroll_velocity", "visibility_changes", "first_input_delay_ms", "feedback")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    ENGINES_FIELD_NUMBER: _ClassVar[int]
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    MOUSE_ENTROPY_FIELD_NUMBER: _ClassVar[int]
    SCROLL_VELOCITY_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_CHANGES_FIELD_NUMBER: _ClassVar[int]
    FIRST_INPUT_DELAY_MS_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    session: SessionRow
    engines: _containers.RepeatedCompositeFieldContainer[EngineReport]
    batches: _containers.RepeatedCompositeFieldContainer[SessionBatch]
    request: RequestFacts
    mouse_entropy: float
    scroll_velocity: float
    visibility_changes: float
    first_input_delay_ms: float
    feedback: SessionFeedback
    def __init__(self, session: _Optional[_Union[SessionRow, _Mapping]] = ..., engines: _Optional[_Iterable[_Union[EngineReport, _Mapping]]] = ..., batches: _Optional[_Iterable[_Union[SessionBatch, _Mapping]]] = ..., request: _Optional[_Union[RequestFacts, _Mapping]] = ..., mouse_entropy: _Optional[float] = ..., scroll_velocity: _Optional[float] = ..., visibility_changes: _Optional[float] = ..., first_input_delay_ms: _Optional[float] = ..., feedback: _Optional[_Union[SessionFeedback, _Mapping]] = ...) -> None: ...

class SetSessionFeedbackRequest(_message.Message):
    __slots__ = ("project", "session_token", "label", "comment")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    project: int
    session_token: str
    label: str
    comment: str
    def __init__(self, project: _Optional[int] = ..., session_token: _Optional[str] = ..., label: _Optional[str] = ..., comment: _Optional[str] = ...) -> None: ...

class SessionFeedback(_message.Message):
    __slots__ = ("session_token", "label", "comment", "updated_at")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    label: str
    comment: str
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, session_token: _Optional[str] = ..., label: _Optional[str] = ..., comment: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetFeedbackSummaryRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: int
    def __init__(self, project: _Optional[int] = ...) -> None: ...

class FeedbackBand(_message.Message):
    __slots__ = ("band", "human", "bot")
    BAND_FIELD_NUMBER: _ClassVar[int]
    HUMAN_FIELD_NUMBER: _ClassVar[int]
    BOT_FIELD_NUMBER: _ClassVar[int]
    band: _common_pb2.Verdict
    human: int
    bot: int
    def __init__(self, band: _Optional[_Union[_common_pb2.Verdict, str]] = ..., human: _Optional[int] = ..., bot: _Optional[int] = ...) -> None: ...

class FeedbackSummary(_message.Message):
    __slots__ = ("bands", "humans_in_bot_bands", "bots_in_human_band")
    BANDS_FIELD_NUMBER: _ClassVar[int]
    HUMANS_IN_BOT_BANDS_FIELD_NUMBER: _ClassVar[int]
    BOTS_IN_HUMAN_BAND_FIELD_NUMBER: _ClassVar[int]
    bands: _containers.RepeatedCompositeFieldContainer[FeedbackBand]
    humans_in_bot_bands: int
    bots_in_human_band: int
    def __init__(self, bands: _Optional[_Iterable[_Union[FeedbackBand, _Mapping]]] = ..., humans_in_bot_bands: _Optional[int] = ..., bots_in_human_band: _Optional[int] = ...) -> None: ...
