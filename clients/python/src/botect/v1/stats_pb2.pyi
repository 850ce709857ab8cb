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

class GetStatsRequest(_message.Message):
    __slots__ = ("project", "since", "until", "bucket")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    BUCKET_FIELD_NUMBER: _ClassVar[int]
    project: int
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    bucket: str
    def __init__(self, project: _Optional[int] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., bucket: _Optional[str] = ...) -> None: ...

class StatsBucket(_message.Message):
    __slots__ = ("start", "sessions", "actions", "events", "over_quota_events")
    START_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    OVER_QUOTA_EVENTS_FIELD_NUMBER: _ClassVar[int]
    start: _timestamp_pb2.Timestamp
    sessions: _common_pb2.BandCounts
    actions: _common_pb2.ActionCounts
    events: int
    over_quota_events: int
    def __init__(self, start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sessions: _Optional[_Union[_common_pb2.BandCounts, _Mapping]] = ..., actions: _Optional[_Union[_common_pb2.ActionCounts, _Mapping]] = ..., events: _Optional[int] = ..., over_quota_events: _Optional[int] = ...) -> None: ...

class DetectionCount(_message.Message):
    __slots__ = ("detection_id", "name", "label", "sessions")
    DETECTION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    detection_id: int
    name: str
    label: str
    sessions: int
    def __init__(self, detection_id: _Optional[int] = ..., name: _Optional[str] = ..., label: _Optional[str] = ..., sessions: _Optional[int] = ...) -> None: ...

class ProjectStats(_message.Message):
    __slots__ = ("since", "until", "bucket", "buckets", "top_detections", "actions_exclude_rules", "monthly_event_quota", "events_this_month")
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    BUCKET_FIELD_NUMBER: _ClassVar[int]
    BUCKETS_FIELD_NUMBER: _ClassVar[int]
    TOP_DETECTIONS_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_EXCLUDE_RULES_FIELD_NUMBER: _ClassVar[int]
    MONTHLY_EVENT_QUOTA_FIELD_NUMBER: _ClassVar[int]
    EVENTS_THIS_MONTH_FIELD_NUMBER: _ClassVar[int]
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    bucket: str
    buckets: _containers.RepeatedCompositeFieldContainer[StatsBucket]
    top_detections: _containers.RepeatedCompositeFieldContainer[DetectionCount]
    actions_exclude_rules: bool
    monthly_event_quota: int
    events_this_month: int
    def __init__(self, since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., bucket: _Optional[str] = ..., buckets: _Optional[_Iterable[_Union[StatsBucket, _Mapping]]] = ..., top_detections: _Optional[_Iterable[_Union[DetectionCount, _Mapping]]] = ..., actions_exclude_rules: _Optional[bool] = ..., monthly_event_quota: _Optional[int] = ..., events_this_month: _Optional[int] = ...) -> None: ...
