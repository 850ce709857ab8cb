import datetime

from botect.v1 import common_pb2 as _common_pb2
from botect.v1 import options_pb2 as _options_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import wrappers_pb2 as _wrappers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class KeyType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    key_type_unspecified: _ClassVar[KeyType]
    site: _ClassVar[KeyType]
    private: _ClassVar[KeyType]
key_type_unspecified: KeyType
site: KeyType
private: KeyType

class BotSettings(_message.Message):
    __slots__ = ("allow_verified", "protect_static", "block_definite", "challenge_likely")
    ALLOW_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    PROTECT_STATIC_FIELD_NUMBER: _ClassVar[int]
    BLOCK_DEFINITE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_LIKELY_FIELD_NUMBER: _ClassVar[int]
    allow_verified: bool
    protect_static: bool
    block_definite: bool
    challenge_likely: bool
    def __init__(self, allow_verified: _Optional[bool] = ..., protect_static: _Optional[bool] = ..., block_definite: _Optional[bool] = ..., challenge_likely: _Optional[bool] = ...) -> None: ...

class EnableScoringRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: int
    def __init__(self, project: _Optional[int] = ...) -> None: ...

class EnableScoringResponse(_message.Message):
    __slots__ = ("site_key", "private_key", "bot_settings", "likely_bot_threshold")
    SITE_KEY_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    BOT_SETTINGS_FIELD_NUMBER: _ClassVar[int]
    LIKELY_BOT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    site_key: str
    private_key: _wrappers_pb2.StringValue
    bot_settings: BotSettings
    likely_bot_threshold: int
    def __init__(self, site_key: _Optional[str] = ..., private_key: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., bot_settings: _Optional[_Union[BotSettings, _Mapping]] = ..., likely_bot_threshold: _Optional[int] = ...) -> None: ...

class GetScoringRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: int
    def __init__(self, project: _Optional[int] = ...) -> None: ...

class ScoringState(_message.Message):
    __slots__ = ("enabled", "site_key", "bot_settings", "likely_bot_threshold", "challenge_difficulty")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    SITE_KEY_FIELD_NUMBER: _ClassVar[int]
    BOT_SETTINGS_FIELD_NUMBER: _ClassVar[int]
    LIKELY_BOT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    site_key: str
    bot_settings: BotSettings
    likely_bot_threshold: int
    challenge_difficulty: int
    def __init__(self, enabled: _Optional[bool] = ..., site_key: _Optional[str] = ..., bot_settings: _Optional[_Union[BotSettings, _Mapping]] = ..., likely_bot_threshold: _Optional[int] = ..., challenge_difficulty: _Optional[int] = ...) -> None: ...

class DisableScoringRequest(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: int
    def __init__(self, project: _Optional[int] = ...) -> None: ...

class UpdateScoringSettingsRequest(_message.Message):
    __slots__ = ("project", "allow_verified", "protect_static", "block_definite", "challenge_likely", "likely_bot_threshold", "challenge_difficulty")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    PROTECT_STATIC_FIELD_NUMBER: _ClassVar[int]
    BLOCK_DEFINITE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_LIKELY_FIELD_NUMBER: _ClassVar[int]
    LIKELY_BOT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    project: int
    allow_verified: bool
    protect_static: bool
    block_definite: bool
    challenge_likely: bool
    likely_bot_threshold: int
    challenge_difficulty: int
    def __init__(self, project: _Optional[int] = ..., allow_verified: _Optional[bool] = ..., protect_static: _Optional[bool] = ..., block_definite: _Optional[bool] = ..., challenge_likely: _Optional[bool] = ..., likely_bot_threshold: _Optional[int] = ..., challenge_difficulty: _Optional[int] = ...) -> None: ...

class ScoringSettings(_message.Message):
    __slots__ = ("bot_settings", "likely_bot_threshold", "challenge_difficulty")
    BOT_SETTINGS_FIELD_NUMBER: _ClassVar[int]
    LIKELY_BOT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    bot_settings: BotSettings
    likely_bot_threshold: int
    challenge_difficulty: int
    def __init__(self, bot_settings: _Optional[_Union[BotSettings, _Mapping]] = ..., likely_bot_threshold: _Optional[int] = ..., challenge_difficulty: _Optional[int] = ...) -> None: ...

class RotateKeyRequest(_message.Message):
    __slots__ = ("project", "type")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    project: int
    type: KeyType
    def __init__(self, project: _Optional[int] = ..., type: _Optional[_Union[KeyType, str]] = ...) -> None: ...

class RotateKeyResponse(_message.Message):
    __slots__ = ("type", "key")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    type: KeyType
    key: str
    def __init__(self, type: _Optional[_Union[KeyType, str]] = ..., key: _Optional[str] = ...) -> None: ...

class ProposedBotSettings(_message.Message):
    __slots__ = ("allow_verified", "protect_static", "block_definite", "challenge_likely")
    ALLOW_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    PROTECT_STATIC_FIELD_NUMBER: _ClassVar[int]
    BLOCK_DEFINITE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_LIKELY_FIELD_NUMBER: _ClassVar[int]
    allow_verified: bool
    protect_static: bool
    block_definite: bool
    challenge_likely: bool
    def __init__(self, allow_verified: _Optional[bool] = ..., protect_static: _Optional[bool] = ..., block_definite: _Optional[bool] = ..., challenge_likely: _Optional[bool] = ...) -> None: ...

class ProposedRule(_message.Message):
    __slots__ = ("name", "expression", "action", "is_active", "sort_order")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXPRESSION_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    IS_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    SORT_ORDER_FIELD_NUMBER: _ClassVar[int]
    name: str
    expression: str
    action: _common_pb2.Action
    is_active: bool
    sort_order: int
    def __init__(self, name: _Optional[str] = ..., expression: _Optional[str] = ..., action: _Optional[_Union[_common_pb2.Action, str]] = ..., is_active: _Optional[bool] = ..., sort_order: _Optional[int] = ...) -> None: ...

class PreviewScoringRequest(_message.Message):
    __slots__ = ("project", "bot_settings", "likely_bot_threshold", "rules", "replace_rules", "since", "until")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    BOT_SETTINGS_FIELD_NUMBER: _ClassVar[int]
    LIKELY_BOT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    REPLACE_RULES_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    project: int
    bot_settings: ProposedBotSettings
    likely_bot_threshold: int
    rules: _containers.RepeatedCompositeFieldContainer[ProposedRule]
    replace_rules: bool
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    def __init__(self, project: _Optional[int] = ..., bot_settings: _Optional[_Union[ProposedBotSettings, _Mapping]] = ..., likely_bot_threshold: _Optional[int] = ..., rules: _Optional[_Iterable[_Union[ProposedRule, _Mapping]]] = ..., replace_rules: _Optional[bool] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PreviewChange(_message.Message):
    __slots__ = ("session_token", "score", "band", "action", "proposed_band", "proposed_action")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    BAND_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_BAND_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_ACTION_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    score: int
    band: _common_pb2.Verdict
    action: _common_pb2.Action
    proposed_band: _common_pb2.Verdict
    proposed_action: _common_pb2.Action
    def __init__(self, session_token: _Optional[str] = ..., score: _Optional[int] = ..., band: _Optional[_Union[_common_pb2.Verdict, str]] = ..., action: _Optional[_Union[_common_pb2.Action, str]] = ..., proposed_band: _Optional[_Union[_common_pb2.Verdict, str]] = ..., proposed_action: _Optional[_Union[_common_pb2.Action, str]] = ...) -> None: ...

class ScoringPreview(_message.Message):
    __slots__ = ("since", "until", "sessions", "truncated", "current", "proposed", "changed", "sample")
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_FIELD_NUMBER: _ClassVar[int]
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    sessions: int
    truncated: bool
    current: _common_pb2.ActionCounts
    proposed: _common_pb2.ActionCounts
    changed: int
    sample: _containers.RepeatedCompositeFieldContainer[PreviewChange]
    def __init__(self, since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sessions: _Optional[int] = ..., truncated: _Optional[bool] = ..., current: _Optional[_Union[_common_pb2.ActionCounts, _Mapping]] = ..., proposed: _Optional[_Union[_common_pb2.ActionCounts, _Mapping]] = ..., changed: _Optional[int] = ..., sample: _Optional[_Iterable[_Union[PreviewChange, _Mapping]]] = ...) -> None: ...
