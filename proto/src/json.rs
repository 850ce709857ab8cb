//! Canonical JSON for the one message whose contract shape pbjson cannot express:
//! `EnableScoringResponse.private_key` is `null` (not omitted) after the first enablement.
use serde::{
    Deserialize, Deserializer, Serialize, Serializer,
    de::{self, MapAccess, Visitor},
    ser::SerializeStruct,
};

use crate::v1::{BotSettings, EnableScoringResponse};

impl Serialize for EnableScoringResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("botect.v1.EnableScoringResponse", 4)?;
        s.serialize_field("site_key", &self.site_key)?;
        s.serialize_field(
            "private_key",
            &self.private_key.as_ref().map(|k| k.value.as_str()),
        )?;
        s.serialize_field("bot_settings", &self.bot_settings)?;
        s.serialize_field("likely_bot_threshold", &self.likely_bot_threshold)?;
        s.end()
    }
}

impl<'de> Deserialize<'de> for EnableScoringResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EnableScoringResponse;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("struct botect.v1.EnableScoringResponse")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = EnableScoringResponse::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "site_key" | "siteKey" => {
                            out.site_key = map.next_value::<Option<String>>()?.unwrap_or_default()
                        }
                        "private_key" | "privateKey" => {
                            out.private_key = map.next_value::<Option<String>>()?.map(Into::into)
                        }
                        "bot_settings" | "botSettings" => {
                            out.bot_settings = map.next_value::<Option<BotSettings>>()?
                        }
                        "likely_bot_threshold" | "likelyBotThreshold" => {
                            out.likely_bot_threshold =
                                map.next_value::<Option<u32>>()?.unwrap_or_default()
                        }
                        other => return Err(de::Error::unknown_field(other, FIELDS)),
                    }
                }
                Ok(out)
            }
        }
        const FIELDS: &[&str] = &[
            "site_key",
            "private_key",
            "bot_settings",
            "likely_bot_threshold",
        ];
        deserializer.deserialize_struct("botect.v1.EnableScoringResponse", FIELDS, V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_key_is_null_when_absent_and_round_trips() {
        let r = EnableScoringResponse {
            site_key: "pk_x".into(),
            likely_bot_threshold: 30,
            ..Default::default()
        };
        let v = serde_json::to_value(&r).unwrap();
        assert!(v["private_key"].is_null());
        assert!(v.as_object().unwrap().contains_key("private_key"));
        let with = EnableScoringResponse {
            private_key: Some("sk_y".to_string().into()),
            ..r
        };
        let text = serde_json::to_string(&with).unwrap();
        assert!(text.contains(r#""private_key":"sk_y""#));
        let back: EnableScoringResponse = serde_json::from_str(&text).unwrap();
        assert_eq!(back, with);
    }
}
