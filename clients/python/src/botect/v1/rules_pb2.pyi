import datetime

from botect.v1 import common_pb2 as _common_pb2
from botect.v1 import options_pb2 as _options_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Rule(_message.Message):
    __slots__ = ("id", "project_id", "name", "expression_source", "action", "is_active", "sort_order", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPRESSION_SOURCE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    SORT_ORDER_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: int
    project_id: int
    name: str
    expression_source: str
    action: _common_pb2.Action
    is_active: bool
    sort_order: int
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[int] = ..., project_id: _Optional[int] = ..., name: _Optional[str] = ..., expression_source: _Optional[str] = ..., action: _Optional[_Union[_common_pb2.Action, str]] = ..., is_active: _Optional[bool] = ..., sort_order: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListRulesRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: int
    def __init__(self, project: _Optional[int] = ...) -> None: ...

class ListRulesResponse(_message.Message):
    __slots__ = ("rules",)
    RULES_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedCompositeFieldContainer[Rule]
    def __init__(self, rules: _Optional[_Iterable[_Union[Rule, _Mapping]]] = ...) -> None: ...

class CreateRuleRequest(_message.Message):
    __slots__ = ("project", "name", "expression", "action", "is_active", "sort_order")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPRESSION_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    SORT_ORDER_FIELD_NUMBER: _ClassVar[int]
    project: int
    name: str
    expression: str
    action: _common_pb2.Action
    is_active: bool
    sort_order: int
    def __init__(self, project: _Optional[int] = ..., name: _Optional[str] = ..., expression: _Optional[str] = ..., action: _Optional[_Union[_common_pb2.Action, str]] = ..., is_active: _Optional[bool] = ..., sort_order: _Optional[int] = ...) -> None: ...

class GetRuleRequest(_message.Message):
    __slots__ = ("project", "rule")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    project: int
    rule: int
    def __init__(self, project: _Optional[int] = ..., rule: _Optional[int] = ...) -> None: ...

class UpdateRuleRequest(_message.Message):
    __slots__ = ("project", "rule", "name", "expression", "action", "is_active", "sort_order")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPRESSION_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    SORT_ORDER_FIELD_NUMBER: _ClassVar[int]
    project: int
    rule: int
    name: str
    expression: str
    action: _common_pb2.Action
    is_active: bool
    sort_order: int
    def __init__(self, project: _Optional[int] = ..., rule: _Optional[int] = ..., name: _Optional[str] = ..., expression: _Optional[str] = ..., action: _Optional[_Union[_common_pb2.Action, str]] = ..., is_active: _Optional[bool] = ..., sort_order: _Optional[int] = ...) -> None: ...

class DeleteRuleRequest(_message.Message):
    __slots__ = ("project", "rule")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    project: int
    rule: int
    def __init__(self, project: _Optional[int] = ..., rule: _Optional[int] = ...) -> None: ...
