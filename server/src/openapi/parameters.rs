//! Path and query parameters of an operation, from its binding's template and request message.
use super::*;

impl Generator {
    /// Path and query parameters of a binding.
    pub(super) fn parameters(&self, b: &Binding) -> Vec<Parameter> {
        let input = b.method.input();
        let mut out = Vec::new();
        for name in &b.path_params {
            let f = input.get_field_by_name(name).expect("checked in binding()");
            // Ids in paths: what the REST layer accepts (transport::rest::MAX_ID).
            let schema = match f.kind() {
                Kind::Uint32 => typed(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(crate::transport::rest::MAX_ID))
                    .into(),
                kind => self.kind_schema(&kind),
            };
            out.push(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(self.field_comment(&f))
                    .schema(Some(schema))
                    .build(),
            );
        }
        if matches!(b.body, Body::None) {
            for f in input.fields() {
                if b.path_params.iter().any(|p| p == f.name()) || f.is_list() || f.is_map() {
                    continue;
                }
                // Query values arrive as strings: scalars, enums and string-form
                // well-known types only.
                if let Kind::Message(m) = f.kind()
                    && !is_well_known(m.full_name())
                {
                    continue;
                }
                out.push(
                    ParameterBuilder::new()
                        .name(f.name())
                        .parameter_in(ParameterIn::Query)
                        .required(Required::False)
                        .description(self.field_comment(&f))
                        .schema(Some(self.kind_schema(&f.kind())))
                        .build(),
                );
            }
        }
        if b.errors.contains(&ErrorCode::IdempotencyKeyReused) {
            out.push(
                ParameterBuilder::new()
                    .name("Idempotency-Key")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(
                        "Per-batch idempotency key (e.g. a UUID). A retry with the same key \
                         resolves to the same session and never double-counts; within 24 h \
                         the same key and body returns the stored first response, the same \
                         key with another body answers 422 `IDEMPOTENCY_KEY_REUSED`, and a \
                         concurrent duplicate waits for the first and gets its response.",
                    ))
                    .schema(Some(typed(Type::String).min_length(Some(1))))
                    .build(),
            );
        }
        out
    }
}
