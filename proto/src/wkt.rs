//! `google.protobuf.Timestamp` with Botect's JSON form: RFC 3339 in UTC ending in `Z`
//! (e.g. `2026-06-14T10:00:00Z`, `2026-08-25T00:07:35.650Z`). Same wire format as the
//! well-known type, so gRPC clients see a standard Timestamp.
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Message)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    /// Nanoseconds within the second, 0–999,999,999.
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

impl ::prost::Name for Timestamp {
    const NAME: &'static str = "Timestamp";
    const PACKAGE: &'static str = "google.protobuf";
}

impl Timestamp {
    pub fn from_millis(ms: i64) -> Self {
        Timestamp {
            seconds: ms.div_euclid(1000),
            nanos: (ms.rem_euclid(1000) * 1_000_000) as i32,
        }
    }

    pub fn to_rfc3339(&self) -> String {
        chrono::DateTime::from_timestamp(self.seconds, self.nanos.clamp(0, 999_999_999) as u32)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        let t = chrono::DateTime::parse_from_rfc3339(&s).map_err(de::Error::custom)?;
        Ok(Timestamp {
            seconds: t.timestamp(),
            nanos: t.timestamp_subsec_nanos() as i32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_utc_with_z() {
        let t = Timestamp::from_millis(1_781_431_200_000);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-06-14T10:00:00Z\""
        );
        let t = Timestamp::from_millis(1_787_616_455_650);
        assert_eq!(t.to_rfc3339(), "2026-08-25T00:07:35.650Z");
        let back: Timestamp = serde_json::from_str("\"2026-08-25T00:07:35.650Z\"").unwrap();
        assert_eq!(back, t);
    }
}
