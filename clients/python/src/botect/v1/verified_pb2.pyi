from botect.v1 import options_pb2 as _options_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExportVerifiedBotsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class VerifiedBot(_message.Message):
    __slots__ = ("name", "category", "match_method", "match_value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    MATCH_METHOD_FIELD_NUMBER: _ClassVar[int]
    MATCH_VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    category: str
    match_method: str
    match_value: str
    def __init__(self, name: _Optional[str] = ..., category: _Optional[str] = ..., match_method: _Optional[str] = ..., match_value: _Optional[str] = ...) -> None: ...

class ExportMeta(_message.Message):
    __slots__ = ("count",)
    COUNT_FIELD_NUMBER: _ClassVar[int]
    count: int
    def __init__(self, count: _Optional[int] = ...) -> None: ...

class ExportVerifiedBotsResponse(_message.Message):
    __slots__ = ("data", "meta")
    DATA_FIELD_NUMBER: _ClassVar[int]
    META_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[VerifiedBot]
    meta: ExportMeta
    def __init__(self, data: _Optional[_Iterable[_Union[VerifiedBot, _Mapping]]] = ..., meta: _Optional[_Union[ExportMeta, _Mapping]] = ...) -> None: ...
