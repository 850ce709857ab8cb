//! Schemas: protobuf messages, fields and enums as the JSON the REST transport emits
//! (pbjson), and the usage marks that decide which components a document needs.
use super::*;

/// Messages with a special JSON form (rendered inline, never as components).
pub(super) fn is_well_known(full_name: &str) -> bool {
    matches!(
        full_name,
        "google.protobuf.Timestamp"
            | "google.protobuf.Duration"
            | "google.protobuf.Struct"
            | "google.protobuf.Value"
            | "google.protobuf.ListValue"
            | "google.protobuf.Empty"
            | "google.protobuf.FieldMask"
            | "google.protobuf.StringValue"
            | "google.protobuf.BytesValue"
            | "google.protobuf.BoolValue"
            | "google.protobuf.Int32Value"
            | "google.protobuf.UInt32Value"
            | "google.protobuf.Int64Value"
            | "google.protobuf.UInt64Value"
            | "google.protobuf.FloatValue"
            | "google.protobuf.DoubleValue"
    )
}

pub(super) fn typed(t: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(t)
}

pub(super) fn nullable_typed(t: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([t, Type::Null]))
}

pub(super) fn schema_ref(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// `{type: [..., "null"]}` for typed objects, `oneOf [schema, null]` otherwise.
pub(super) fn nullable(schema: RefOr<Schema>) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::Object(mut o)) => {
            match &o.schema_type {
                SchemaType::Type(Type::Null) | SchemaType::AnyValue => {}
                SchemaType::Type(t) => {
                    o.schema_type = SchemaType::from_iter([t.clone(), Type::Null])
                }
                SchemaType::Array(types) => {
                    if !types.contains(&Type::Null) {
                        let mut types = types.clone();
                        types.push(Type::Null);
                        o.schema_type = SchemaType::Array(types);
                    }
                }
            }
            RefOr::T(Schema::Object(o))
        }
        RefOr::T(Schema::Array(mut a)) => {
            a.schema_type = SchemaType::from_iter([Type::Array, Type::Null]);
            RefOr::T(Schema::Array(a))
        }
        other => OneOfBuilder::new()
            .item(other)
            .item(typed(Type::Null))
            .into(),
    }
}

/// Sets the description of a schema (a sibling of `$ref` in OpenAPI 3.1).
pub(super) fn described(schema: RefOr<Schema>, description: Option<String>) -> RefOr<Schema> {
    let Some(d) = description else {
        return schema;
    };
    match schema {
        RefOr::Ref(mut r) => {
            r.description = d;
            RefOr::Ref(r)
        }
        RefOr::T(Schema::Object(mut o)) => {
            o.description = Some(d);
            RefOr::T(Schema::Object(o))
        }
        RefOr::T(Schema::Array(mut a)) => {
            a.description = Some(d);
            RefOr::T(Schema::Array(a))
        }
        RefOr::T(Schema::OneOf(mut o)) => {
            o.description = Some(d);
            RefOr::T(Schema::OneOf(o))
        }
        other => other,
    }
}

impl Generator {
    /// Marks a message (and every message and enum it reaches) with a usage.
    pub(super) fn mark_message(&mut self, m: &MessageDescriptor, input: bool) {
        if is_well_known(m.full_name()) {
            return;
        }
        let u = self.usage.entry(m.full_name().to_string()).or_default();
        let seen = if input { u.input } else { u.output };
        if seen {
            return;
        }
        if input {
            u.input = true;
        } else {
            u.output = true;
        }
        for f in m.fields() {
            self.mark_field(&f, input);
        }
    }

    pub(super) fn mark_field(&mut self, f: &FieldDescriptor, input: bool) {
        let kind = if f.is_map() {
            match f.kind() {
                Kind::Message(entry) => entry.map_entry_value_field().kind(),
                k => k,
            }
        } else {
            f.kind()
        };
        self.mark_kind(&kind, input);
    }

    pub(super) fn mark_kind(&mut self, kind: &Kind, input: bool) {
        match kind {
            Kind::Message(m) => self.mark_message(m, input),
            Kind::Enum(e) => {
                self.enums.insert(e.full_name().to_string());
            }
            _ => {}
        }
    }

    /// Schema of one value of a kind (not the repeated/map wrapper).
    pub(super) fn kind_schema(&self, kind: &Kind) -> RefOr<Schema> {
        match kind {
            Kind::Double => typed(Type::Number)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                .into(),
            Kind::Float => typed(Type::Number)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Float)))
                .into(),
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => typed(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .into(),
            Kind::Uint32 | Kind::Fixed32 => typed(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(u32::MAX))
                .into(),
            // proto3 JSON: 64-bit integers are strings.
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => typed(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .into(),
            Kind::Uint64 | Kind::Fixed64 => typed(Type::String)
                .format(Some(SchemaFormat::Custom("uint64".into())))
                .into(),
            Kind::Bool => typed(Type::Boolean).into(),
            Kind::String => typed(Type::String).into(),
            Kind::Bytes => typed(Type::String).content_encoding("base64").into(),
            Kind::Enum(e) => schema_ref(e.name()),
            Kind::Message(m) => self.message_value_schema(m),
        }
    }

    pub(super) fn message_value_schema(&self, m: &MessageDescriptor) -> RefOr<Schema> {
        match m.full_name() {
            "google.protobuf.Timestamp" => typed(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .examples(["2026-06-14T10:00:00Z"])
                .into(),
            "google.protobuf.Duration" => typed(Type::String).examples(["1.5s"]).into(),
            "google.protobuf.Struct" => typed(Type::Object)
                .additional_properties(Some(AdditionalProperties::FreeForm(true)))
                .into(),
            "google.protobuf.Value" => ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .into(),
            "google.protobuf.ListValue" => ArrayBuilder::new()
                .items(ObjectBuilder::new().schema_type(SchemaType::AnyValue))
                .into(),
            "google.protobuf.Empty" => typed(Type::Object).into(),
            "google.protobuf.FieldMask" => typed(Type::String).into(),
            "google.protobuf.StringValue" => nullable_typed(Type::String).into(),
            "google.protobuf.BytesValue" => nullable_typed(Type::String)
                .content_encoding("base64")
                .into(),
            "google.protobuf.BoolValue" => nullable_typed(Type::Boolean).into(),
            "google.protobuf.Int32Value" => nullable_typed(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .into(),
            "google.protobuf.UInt32Value" => nullable_typed(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(u32::MAX))
                .into(),
            "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => {
                nullable_typed(Type::String).into()
            }
            "google.protobuf.FloatValue" | "google.protobuf.DoubleValue" => {
                nullable_typed(Type::Number).into()
            }
            _ => schema_ref(m.name()),
        }
    }

    /// Schema of a field as it appears in a message of the given usage.
    pub(super) fn field_schema(&self, f: &FieldDescriptor, usage: Usage) -> RefOr<Schema> {
        let schema = if f.is_map() {
            let value = match f.kind() {
                Kind::Message(entry) => self.kind_schema(&entry.map_entry_value_field().kind()),
                k => self.kind_schema(&k),
            };
            typed(Type::Object)
                .additional_properties(Some(match value {
                    RefOr::Ref(r) => AdditionalProperties::RefOr(RefOr::Ref(r)),
                    RefOr::T(s) => AdditionalProperties::RefOr(RefOr::T(s)),
                }))
                .into()
        } else if f.is_list() {
            ArrayBuilder::new()
                .items(self.kind_schema(&f.kind()))
                .into()
        } else {
            self.kind_schema(&f.kind())
        };
        let schema = if usage.input {
            constrained(schema, f.full_name())
        } else {
            schema
        };
        let schema = if usage.input && f.field_descriptor_proto().proto3_optional() {
            nullable(schema)
        } else {
            schema
        };
        described(schema, self.field_comment(f))
    }

    /// Always present in the JSON (responses: pbjson emits every non-optional scalar, enum
    /// and repeated field; requests: these are the fields the method needs).
    pub(super) fn is_required(f: &FieldDescriptor) -> bool {
        if f.field_descriptor_proto().proto3_optional() || f.containing_oneof().is_some() {
            return false;
        }
        f.is_list() || f.is_map() || !matches!(f.kind(), Kind::Message(_))
    }

    /// The object schema of a message, leaving out `skip` fields.
    pub(super) fn message_schema(
        &self,
        m: &MessageDescriptor,
        skip: &[String],
        usage: Usage,
    ) -> Schema {
        let mut b = typed(Type::Object).description(self.message_comment(m));
        for f in m.fields() {
            if skip.iter().any(|s| s == f.name()) {
                continue;
            }
            b = b.property(f.name(), self.field_schema(&f, usage));
            if Self::is_required(&f) {
                b = b.required(f.name());
            }
        }
        b.build().into()
    }

    pub(super) fn enum_schema(&self, e: &EnumDescriptor) -> Schema {
        let values: Vec<_> = e
            .values()
            .filter(|v| !v.name().to_ascii_lowercase().ends_with("_unspecified"))
            .collect();
        let mut description = self.enum_comment(e).unwrap_or_default();
        let documented: Vec<String> = values
            .iter()
            .filter_map(|v| {
                self.comment(v.parent_file().name(), v.path())
                    .map(|c| format!("- `{}`: {}", v.name(), c.replace('\n', " ")))
            })
            .collect();
        if !documented.is_empty() {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(&documented.join("\n"));
        }
        typed(Type::String)
            .description(Some(description).filter(|d| !d.is_empty()))
            .enum_values(Some(values.iter().map(|v| v.name().to_string())))
            .build()
            .into()
    }
}
