from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class Credential(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDENTIAL_UNSPECIFIED: _ClassVar[Credential]
    CREDENTIAL_ACCOUNT_TOKEN: _ClassVar[Credential]
    CREDENTIAL_SITE_KEY: _ClassVar[Credential]
    CREDENTIAL_PRIVATE_KEY: _ClassVar[Credential]
    CREDENTIAL_NONE: _ClassVar[Credential]
CREDENTIAL_UNSPECIFIED: Credential
CREDENTIAL_ACCOUNT_TOKEN: Credential
CREDENTIAL_SITE_KEY: Credential
CREDENTIAL_PRIVATE_KEY: Credential
CREDENTIAL_NONE: Credential
HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
http_status: _descriptor.FieldDescriptor
CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
credential: _descriptor.FieldDescriptor
ERRORS_FIELD_NUMBER: _ClassVar[int]
errors: _descriptor.FieldDescriptor
NO_CONTENT_WHEN_FIELD_NUMBER: _ClassVar[int]
no_content_when: _descriptor.FieldDescriptor
