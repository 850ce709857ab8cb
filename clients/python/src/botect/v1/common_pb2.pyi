from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class Verdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    not_computed: _ClassVar[Verdict]
    definite: _ClassVar[Verdict]
    likely_automated: _ClassVar[Verdict]
    likely_human: _ClassVar[Verdict]
    verified: _ClassVar[Verdict]

class Action(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    allow: _ClassVar[Action]
    challenge: _ClassVar[Action]
    block: _ClassVar[Action]
    log: _ClassVar[Action]
    delay: _ClassVar[Action]
not_computed: Verdict
definite: Verdict
likely_automated: Verdict
likely_human: Verdict
verified: Verdict
allow: Action
challenge: Action
block: Action
log: Action
delay: Action

class BandCounts(_message.Message):
    __slots__ = ("not_computed", "definite", "likely_automated", "likely_human")
    NOT_COMPUTED_FIELD_NUMBER: _ClassVar[int]
    DEFINITE_FIELD_NUMBER: _ClassVar[int]
    LIKELY_AUTOMATED_FIELD_NUMBER: _ClassVar[int]
    LIKELY_HUMAN_FIELD_NUMBER: _ClassVar[int]
    not_computed: int
    definite: int
    likely_automated: int
    likely_human: int
    def __init__(self, not_computed: _Optional[int] = ..., definite: _Optional[int] = ..., likely_automated: _Optional[int] = ..., likely_human: _Optional[int] = ...) -> None: ...

class ActionCounts(_message.Message):
    __slots__ = ("allow", "challenge", "block", "log", "delay")
    ALLOW_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    BLOCK_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    DELAY_FIELD_NUMBER: _ClassVar[int]
    allow: int
    challenge: int
    block: int
    log: int
    delay: int
    def __init__(self, allow: _Optional[int] = ..., challenge: _Optional[int] = ..., block: _Optional[int] = ..., log: _Optional[int] = ..., delay: _Optional[int] = ...) -> None: ...
