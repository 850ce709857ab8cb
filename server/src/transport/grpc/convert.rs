//! Protobuf ⇔ domain conversions, all of them: the only place the two meet. Enums are
//! mapped by variant, never through their names.
use super::*;

pub(super) fn timestamp(ms: i64) -> botect_proto::wkt::Timestamp {
    botect_proto::wkt::Timestamp::from_millis(ms)
}

/// A timestamp field as Unix ms (whole milliseconds).
pub(super) fn millis(t: Option<botect_proto::wkt::Timestamp>) -> Option<i64> {
    t.map(|t| t.seconds.saturating_mul(1000) + i64::from(t.nanos / 1_000_000))
}

pub(super) fn action_counts(c: &crate::core::stats::ActionCounts) -> pb::ActionCounts {
    pb::ActionCounts {
        allow: c.allow,
        challenge: c.challenge,
        block: c.block,
        log: c.log,
        delay: c.delay,
    }
}

pub(super) fn project(p: Project) -> pb::Project {
    pb::Project {
        id: p.id as u32,
        account_id: p.account_id as u32,
        name: p.name,
        scoring_enabled: p.scoring_enabled,
        created_at: Some(timestamp(p.created_at_ms)),
    }
}

pub(super) fn bot_settings(p: &Policy) -> pb::BotSettings {
    pb::BotSettings {
        allow_verified: p.bot.allow_verified,
        protect_static: p.bot.protect_static,
        block_definite: p.bot.block_definite,
        challenge_likely: p.bot.challenge_likely,
    }
}

pub(super) fn action_pb(a: Action) -> pb::Action {
    match a {
        Action::Allow => pb::Action::Allow,
        Action::Challenge => pb::Action::Challenge,
        Action::Block => pb::Action::Block,
        Action::Log => pb::Action::Log,
        Action::Delay => pb::Action::Delay,
    }
}

pub(super) fn action_domain(a: i32) -> Option<Action> {
    Some(match pb::Action::try_from(a).ok()? {
        pb::Action::Allow => Action::Allow,
        pb::Action::Challenge => Action::Challenge,
        pb::Action::Block => Action::Block,
        pb::Action::Log => Action::Log,
        pb::Action::Delay => Action::Delay,
    })
}

pub(super) fn rule(r: ProjectRule) -> pb::Rule {
    pb::Rule {
        id: r.id as u32,
        project_id: r.project_id as u32,
        name: r.name,
        expression_source: r.expression_source,
        action: action_pb(r.action) as i32,
        is_active: r.is_active,
        sort_order: r.sort_order,
        created_at: Some(timestamp(r.created_at_ms)),
        updated_at: Some(timestamp(r.updated_at_ms)),
    }
}

/// An optional action field: absent → `None`; a value outside the enum → 422.
pub(super) fn rule_action(a: Option<i32>) -> Result<Option<Action>, ApiError> {
    match a {
        None => Ok(None),
        Some(v) => action_domain(v).map(Some).ok_or_else(|| {
            ApiError::invalid(
                "action",
                "\"action\" must be allow, challenge, block, log or delay.",
            )
        }),
    }
}

pub(super) fn band_pb(b: Band) -> pb::Verdict {
    match b {
        Band::NotComputed => pb::Verdict::NotComputed,
        Band::Definite => pb::Verdict::Definite,
        Band::LikelyAutomated => pb::Verdict::LikelyAutomated,
        Band::LikelyHuman => pb::Verdict::LikelyHuman,
        Band::Verified => pb::Verdict::Verified,
    }
}

pub(super) fn band_domain(v: i32) -> Option<Band> {
    Some(match pb::Verdict::try_from(v).ok()? {
        pb::Verdict::NotComputed => Band::NotComputed,
        pb::Verdict::Definite => Band::Definite,
        pb::Verdict::LikelyAutomated => Band::LikelyAutomated,
        pb::Verdict::LikelyHuman => Band::LikelyHuman,
        pb::Verdict::Verified => Band::Verified,
    })
}

pub(super) fn verdict(v: VerdictOut) -> pb::SessionVerdict {
    pb::SessionVerdict {
        verdict: band_pb(v.band) as i32,
        score: v.score as u32,
        action: action_pb(v.action) as i32,
        detection_ids: v.detection_ids,
        reason: v.reason,
    }
}

pub(super) fn event_kind(t: i32) -> Option<EventKind> {
    Some(match pb::EventType::try_from(t).ok()? {
        pb::EventType::Unspecified => return None,
        pb::EventType::Mouse => EventKind::Mouse,
        pb::EventType::Scroll => EventKind::Scroll,
        pb::EventType::Visibility => EventKind::Visibility,
        pb::EventType::FirstInput => EventKind::FirstInput,
        pb::EventType::JsProbe => EventKind::JsProbe,
        pb::EventType::Page => EventKind::Page,
        pb::EventType::Snapshot => EventKind::Snapshot,
    })
}

/// `google.protobuf.Value` → JSON.
pub(super) fn json_value(v: pbjson_types::Value) -> serde_json::Value {
    use pbjson_types::value::Kind;
    match v.kind {
        None | Some(Kind::NullValue(_)) => serde_json::Value::Null,
        Some(Kind::NumberValue(n)) => serde_json::Number::from_f64(n)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Some(Kind::StringValue(s)) => serde_json::Value::String(s),
        Some(Kind::BoolValue(b)) => serde_json::Value::Bool(b),
        Some(Kind::StructValue(s)) => serde_json::Value::Object(json_object(s)),
        Some(Kind::ListValue(l)) => {
            serde_json::Value::Array(l.values.into_iter().map(json_value).collect())
        }
    }
}

pub(super) fn json_object(s: pbjson_types::Struct) -> serde_json::Map<String, serde_json::Value> {
    s.fields
        .into_iter()
        .map(|(k, v)| (k, json_value(v)))
        .collect()
}

pub(super) fn batch(req: pb::IngestEventsRequest) -> IncomingBatch {
    IncomingBatch {
        session_token: req.session_token,
        site_key: req.site_key,
        integrity: req.integrity.map(|i| IncomingIntegrity {
            challenge: i.challenge,
            nonce: i.nonce,
        }),
        events: events(req.events),
    }
}

pub(super) fn events(events: Vec<pb::Event>) -> Vec<IncomingEvent> {
    events
        .into_iter()
        .map(|e| IncomingEvent {
            request_id: e.request_id,
            kind: event_kind(e.r#type),
            received_at: e.received_at,
            payload: e.payload.map(json_object).unwrap_or_default(),
        })
        .collect()
}

pub(super) fn page_hit(h: pb::PageHit) -> IncomingPageHit {
    IncomingPageHit {
        schema_version: h.schema_version,
        page_id: h.page_id,
        session_token: h.session_token,
        occurred_at: h.occurred_at,
        method: h.method,
        path_hash: h.path_hash,
        header_names: h.header_names,
        languages: h.languages,
        had_session_cookie: h.had_session_cookie,
        duration_ms: h.duration_ms,
        ja4: h.ja4,
        observed: IncomingObserved {
            ip: h.observed_ip,
            source: h.observed_ip_source,
            inferred: h.observed_ip_inferred,
        },
    }
}

pub(super) fn relay(r: pb::RelayEventsRequest) -> IncomingRelay {
    IncomingRelay {
        schema_version: r.schema_version,
        page_id: r.page_id,
        batch: IncomingBatch {
            session_token: r.session_token,
            events: events(r.events),
            ..IncomingBatch::default()
        },
        observed: IncomingObserved {
            ip: r.observed_ip,
            source: r.observed_ip_source,
            inferred: r.observed_ip_inferred,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_value_converts_and_nothing_else_does() {
        for a in [
            Action::Allow,
            Action::Challenge,
            Action::Block,
            Action::Log,
            Action::Delay,
        ] {
            assert_eq!(action_domain(action_pb(a) as i32), Some(a));
        }
        assert_eq!(action_domain(99), None);
        for k in EventKind::ALL {
            let pb = pb::EventType::from_str_name(k.as_str()).expect("a proto value per kind");
            assert_eq!(event_kind(pb as i32), Some(k));
        }
        assert_eq!(event_kind(pb::EventType::Unspecified as i32), None);
    }
}
