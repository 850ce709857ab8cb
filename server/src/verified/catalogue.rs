//! The verified-bot catalogue: loading, validation, lookups and the export body.
use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Category, MatchMethod, host_has_suffix};

/// Environment variable naming an operator catalogue file that replaces the shipped one.
pub const ENV_VAR: &str = "BOTECT_VERIFIED_BOTS";

/// The catalogue shipped with the server (`server/data/verified_bots.json`).
const BUILTIN_JSON: &str = include_str!("../../data/verified_bots.json");

/// The only catalogue file format version this server reads.
const FORMAT_VERSION: u64 = 1;

/// Narrowest IPv4 / IPv6 prefix lengths accepted for an `ip_cidr`: a wider range is almost
/// certainly a mistake, and would verify a large part of the internet.
const MIN_V4_PREFIX: u8 = 8;
const MIN_V6_PREFIX: u8 = 16;

/// A catalogue that cannot be read or is invalid. `Invalid` names the catalogue and, for a bad
/// entry, its position and name (`entry 3 ("Googlebot"): unknown category "serch" …`).
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot read verified-bots catalogue {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid verified-bots catalogue {origin}: {detail}")]
    Invalid { origin: String, detail: String },
}

/// One way a bot is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The client IP lies in this published range.
    IpCidr(IpNet),
    /// The forward-confirmed PTR name ends with this suffix (lower case, no trailing dot).
    RdnsSuffix(String),
}

impl Match {
    pub fn method(&self) -> MatchMethod {
        match self {
            Match::IpCidr(_) => MatchMethod::IpCidr,
            Match::RdnsSuffix(_) => MatchMethod::RdnsSuffix,
        }
    }

    /// The export's `match_value`: the canonical CIDR (`157.55.39.0/24`) or the suffix.
    pub fn value(&self) -> String {
        match self {
            Match::IpCidr(net) => net.to_string(),
            Match::RdnsSuffix(s) => s.clone(),
        }
    }
}

/// A catalogue entry.
#[derive(Debug, Clone)]
pub struct Bot {
    pub name: String,
    pub category: Category,
    /// User-agent tokens (matched case-insensitively as substrings). They only pick which
    /// entries to try and name a claim; they never verify anything.
    pub ua_tokens: Vec<String>,
    /// How the bot is verified. Empty: recognised by its token, never verifiable.
    pub matches: Vec<Match>,
    pub source: Option<String>,
    pub updated: Option<String>,
    pub note: Option<String>,
    ua_lower: Vec<String>,
}

impl Bot {
    /// Whether some `ua_tokens` entry occurs in `ua_lower` (an already lower-cased UA).
    fn claimed_by_lower(&self, ua_lower: &str) -> bool {
        self.ua_lower.iter().any(|t| ua_lower.contains(t.as_str()))
    }

    /// Whether the (lower-cased or not) user agent names this bot.
    pub fn claimed_by(&self, ua: &str) -> bool {
        self.claimed_by_lower(&ua.to_ascii_lowercase())
    }

    pub fn rdns_suffixes(&self) -> impl Iterator<Item = &str> {
        self.matches.iter().filter_map(|m| match m {
            Match::RdnsSuffix(s) => Some(s.as_str()),
            Match::IpCidr(_) => None,
        })
    }

    pub fn ip_ranges(&self) -> impl Iterator<Item = &IpNet> {
        self.matches.iter().filter_map(|m| match m {
            Match::IpCidr(n) => Some(n),
            Match::RdnsSuffix(_) => None,
        })
    }

    /// Whether the entry can be verified at all (has at least one match).
    pub fn verifiable(&self) -> bool {
        !self.matches.is_empty()
    }

    /// The longest of this entry's suffixes that `host` ends with, on a label boundary.
    pub fn matching_suffix(&self, host: &str) -> Option<&str> {
        self.rdns_suffixes()
            .filter(|s| host_has_suffix(host, s))
            .max_by_key(|s| s.len())
    }
}

/// One row of the export (contract §6): one per match value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRow {
    pub name: String,
    pub category: Category,
    pub match_method: MatchMethod,
    pub match_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportMeta {
    pub count: usize,
}

/// The body of `GET /v1/verified-bots/export`:
/// `{"data":[{name, category, match_method, match_value}], "meta":{"count":N}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportBody {
    pub data: Vec<ExportRow>,
    pub meta: ExportMeta,
}

/// The loaded, validated catalogue. Immutable; replace it as a whole to update.
#[derive(Debug, Clone)]
pub struct Catalogue {
    bots: Vec<Bot>,
    origin: String,
    updated: Option<String>,
    /// Every `ip_cidr` with its entry index, longest prefix first.
    ranges: Vec<(IpNet, usize)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u64,
    #[serde(default)]
    updated: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    bots: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBot {
    name: String,
    category: String,
    ua_tokens: Vec<String>,
    #[serde(rename = "match")]
    matches: Vec<RawMatch>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    updated: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    method: String,
    value: String,
}

impl Catalogue {
    /// The catalogue shipped with the server.
    pub fn builtin() -> Catalogue {
        Catalogue::from_json(BUILTIN_JSON, "(built-in)")
            .expect("the shipped verified-bot catalogue is valid (tested)")
    }

    /// Reads and validates an operator catalogue file (same format as the shipped one).
    pub fn load(path: impl AsRef<Path>) -> Result<Catalogue, CatalogueError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Io {
            path: path.to_owned(),
            source,
        })?;
        Catalogue::from_json(&text, &path.display().to_string())
    }

    /// The operator's file when `path` is given, else the shipped catalogue.
    pub fn load_or_builtin(path: Option<&Path>) -> Result<Catalogue, CatalogueError> {
        match path {
            Some(p) => Catalogue::load(p),
            None => Ok(Catalogue::builtin()),
        }
    }

    /// The file named by `BOTECT_VERIFIED_BOTS` when set and non-empty, else the shipped one.
    pub fn from_env() -> Result<Catalogue, CatalogueError> {
        match std::env::var_os(ENV_VAR).filter(|v| !v.is_empty()) {
            Some(p) => Catalogue::load(PathBuf::from(p)),
            None => Ok(Catalogue::builtin()),
        }
    }

    /// Parses and validates catalogue JSON; `origin` (a path or label) goes into errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Catalogue, CatalogueError> {
        let invalid = |detail: String| CatalogueError::Invalid {
            origin: origin.to_owned(),
            detail,
        };
        let raw: RawFile = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if raw.version != FORMAT_VERSION {
            return Err(invalid(format!(
                "unsupported version {} (this server reads version {FORMAT_VERSION})",
                raw.version
            )));
        }
        let mut bots = Vec::with_capacity(raw.bots.len());
        let mut names = HashSet::new();
        for (index, value) in raw.bots.into_iter().enumerate() {
            let label = entry_label(index, &value);
            let bot = parse_bot(value).map_err(|d| invalid(format!("{label}: {d}")))?;
            if !names.insert(bot.name.to_lowercase()) {
                return Err(invalid(format!("{label}: duplicate name")));
            }
            bots.push(bot);
        }
        let mut ranges: Vec<(IpNet, usize)> = bots
            .iter()
            .enumerate()
            .flat_map(|(i, b)| b.ip_ranges().map(move |n| (*n, i)))
            .collect();
        ranges.sort_by_key(|(n, i)| (std::cmp::Reverse(n.prefix_len()), *i));
        Ok(Catalogue {
            bots,
            origin: origin.to_owned(),
            updated: raw.updated,
            ranges,
        })
    }

    /// Where the catalogue came from: a path, or `(built-in)`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The file's top-level `updated` note.
    pub fn updated(&self) -> Option<&str> {
        self.updated.as_deref()
    }

    pub fn bots(&self) -> &[Bot] {
        &self.bots
    }

    pub fn len(&self) -> usize {
        self.bots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bots.is_empty()
    }

    /// The entry of that name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&Bot> {
        self.bots.iter().find(|b| b.name.eq_ignore_ascii_case(name))
    }

    /// The entry whose published range holds `ip` (the most specific range wins) and the range.
    pub fn match_ip(&self, ip: IpAddr) -> Option<(&Bot, &IpNet)> {
        let ip = ip.to_canonical();
        self.ranges
            .iter()
            .find(|(n, _)| n.contains(&ip))
            .map(|(n, i)| (&self.bots[*i], n))
    }

    /// Indexes of the entries the user agent names (empty for an empty or unknown UA).
    pub(crate) fn claimed_indexes(&self, ua: &str) -> Vec<usize> {
        if ua.trim().is_empty() {
            return Vec::new();
        }
        let lower = ua.to_ascii_lowercase();
        (0..self.bots.len())
            .filter(|&i| self.bots[i].claimed_by_lower(&lower))
            .collect()
    }

    /// The entries the user agent claims to be (for naming only: a claim verifies nothing).
    pub fn claimed_by<'a>(&'a self, ua: &str) -> impl Iterator<Item = &'a Bot> + 'a {
        self.claimed_indexes(ua)
            .into_iter()
            .map(move |i| &self.bots[i])
    }

    /// Whether `host` ends with any entry's rDNS suffix (worth a forward confirmation).
    pub fn any_suffix_matches(&self, host: &str) -> bool {
        self.bots.iter().any(|b| b.matching_suffix(host).is_some())
    }

    /// Whether any entry is verified by reverse DNS.
    pub fn has_rdns(&self) -> bool {
        self.bots.iter().any(|b| b.rdns_suffixes().next().is_some())
    }

    /// The export body: one row per match value, in catalogue order.
    pub fn export(&self) -> ExportBody {
        let data: Vec<ExportRow> = self
            .bots
            .iter()
            .flat_map(|b| {
                b.matches.iter().map(|m| ExportRow {
                    name: b.name.clone(),
                    category: b.category,
                    match_method: m.method(),
                    match_value: m.value(),
                })
            })
            .collect();
        ExportBody {
            meta: ExportMeta { count: data.len() },
            data,
        }
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::builtin()
    }
}

fn entry_label(index: usize, value: &Value) -> String {
    match value.get("name").and_then(Value::as_str) {
        Some(name) => format!("entry {index} ({name:?})"),
        None => format!("entry {index}"),
    }
}

fn parse_bot(value: Value) -> Result<Bot, String> {
    let raw: RawBot = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let name = raw.name.trim().to_owned();
    if name.is_empty() {
        return Err("empty name".into());
    }
    let category = Category::parse(&raw.category).ok_or_else(|| {
        format!(
            "unknown category {:?} (expected one of {})",
            raw.category,
            Category::ALL.map(Category::as_str).join(", ")
        )
    })?;
    let mut ua_tokens = Vec::with_capacity(raw.ua_tokens.len());
    for t in raw.ua_tokens {
        let t = t.trim().to_owned();
        if t.is_empty() {
            return Err("empty user-agent token".into());
        }
        ua_tokens.push(t);
    }
    if ua_tokens.is_empty() {
        return Err("no user-agent token (ua_tokens must list at least one)".into());
    }
    let mut matches = Vec::with_capacity(raw.matches.len());
    for m in raw.matches {
        let parsed = match MatchMethod::parse(m.method.trim()) {
            Some(MatchMethod::IpCidr) => Match::IpCidr(parse_cidr(&m.value)?),
            Some(MatchMethod::RdnsSuffix) => Match::RdnsSuffix(parse_suffix(&m.value)?),
            None => {
                return Err(format!(
                    "unknown match method {:?} (expected ip_cidr or rdns_suffix)",
                    m.method
                ));
            }
        };
        if matches.contains(&parsed) {
            return Err(format!("duplicate match value {:?}", parsed.value()));
        }
        matches.push(parsed);
    }
    let ua_lower = ua_tokens.iter().map(|t| t.to_ascii_lowercase()).collect();
    Ok(Bot {
        name,
        category,
        ua_tokens,
        matches,
        source: raw.source,
        updated: raw.updated,
        note: raw.note,
        ua_lower,
    })
}

fn parse_cidr(value: &str) -> Result<IpNet, String> {
    let v = value.trim();
    let net = match v.parse::<IpNet>() {
        Ok(n) => n,
        Err(_) => match v.parse::<IpAddr>() {
            Ok(ip) => IpNet::from(ip),
            Err(_) => return Err(format!("invalid ip_cidr {value:?}")),
        },
    };
    let min = match net {
        IpNet::V4(_) => MIN_V4_PREFIX,
        IpNet::V6(_) => MIN_V6_PREFIX,
    };
    if net.prefix_len() < min {
        return Err(format!(
            "ip_cidr {value:?} is too broad (at most /{min} is accepted)"
        ));
    }
    Ok(net.trunc())
}

fn parse_suffix(value: &str) -> Result<String, String> {
    let bad = |why: &str| format!("invalid rdns_suffix {value:?}: {why}");
    let mut s = value.trim().to_ascii_lowercase();
    if let Some(rest) = s.strip_prefix("*.") {
        s = rest.to_owned();
    }
    let s = s.trim_start_matches('.').trim_end_matches('.').to_owned();
    if s.is_empty() || s.len() > 253 {
        return Err(bad("empty or too long"));
    }
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2 {
        return Err(bad(
            "needs at least two labels (a bare top-level domain would match too much)",
        ));
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err(bad("empty or over-long label"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(bad("labels take letters, digits, '-' and '_' only"));
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(entry: &str) -> Result<Catalogue, CatalogueError> {
        Catalogue::from_json(&format!(r#"{{"version":1,"bots":[{entry}]}}"#), "test.json")
    }

    fn err(entry: &str) -> String {
        one(entry).expect_err("should be rejected").to_string()
    }

    #[test]
    fn verified_builtin_catalogue_is_valid_and_covers_the_categories() {
        let c = Catalogue::builtin();
        assert_eq!(c.origin(), "(built-in)");
        assert!(c.len() >= 20);
        for cat in Category::ALL {
            assert!(
                c.bots().iter().any(|b| b.category == cat),
                "no entry of category {cat}"
            );
        }
        for name in [
            "Googlebot",
            "Bingbot",
            "Applebot",
            "DuckDuckBot",
            "YandexBot",
            "Baiduspider",
            "GPTBot",
            "ClaudeBot",
            "OAI-SearchBot",
            "UptimeRobot",
            "AhrefsBot",
            "SemrushBot",
        ] {
            let b = c.get(name).unwrap_or_else(|| panic!("{name} missing"));
            assert!(b.source.is_some() && b.updated.is_some(), "{name}");
        }
        let g = c.get("googlebot").unwrap();
        assert_eq!(
            g.rdns_suffixes().collect::<Vec<_>>(),
            ["googlebot.com", "google.com"]
        );
        // googleusercontent.com (any Google Cloud VM) must never verify.
        assert!(!c.any_suffix_matches("1.2.3.4.bc.googleusercontent.com"));
        assert!(c.has_rdns());
    }

    #[test]
    fn verified_export_has_one_row_per_match_value() {
        let c = Catalogue::builtin();
        let body = c.export();
        let expected: usize = c.bots().iter().map(|b| b.matches.len()).sum();
        assert_eq!(body.meta.count, expected);
        assert_eq!(body.data.len(), expected);
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["meta"]["count"], expected);
        let rows = json["data"].as_array().unwrap();
        assert!(rows.contains(&serde_json::json!({
            "name": "Googlebot", "category": "search",
            "match_method": "rdns_suffix", "match_value": "googlebot.com"
        })));
        assert!(rows.contains(&serde_json::json!({
            "name": "Bingbot", "category": "search",
            "match_method": "ip_cidr", "match_value": "157.55.39.0/24"
        })));
        for row in rows {
            let obj = row.as_object().unwrap();
            let mut keys: Vec<_> = obj.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, ["category", "match_method", "match_value", "name"]);
            assert!(["ip_cidr", "rdns_suffix"].contains(&obj["match_method"].as_str().unwrap()));
            assert!(Category::parse(obj["category"].as_str().unwrap()).is_some());
        }
        // Unverifiable entries (no match) do not appear.
        assert!(!rows.iter().any(|r| r["name"] == "ClaudeBot"));
    }

    #[test]
    fn verified_ip_lookup_prefers_the_most_specific_range() {
        let c = one(
            r#"{"name":"Wide","category":"seo","ua_tokens":["Wide"],"match":[{"method":"ip_cidr","value":"10.0.0.0/8"}]},
               {"name":"Narrow","category":"monitoring","ua_tokens":["Narrow"],"match":[{"method":"ip_cidr","value":"10.1.2.0/24"},{"method":"ip_cidr","value":"2001:db8::/32"}]}"#,
        )
        .unwrap();
        assert_eq!(
            c.match_ip("10.1.2.3".parse().unwrap()).unwrap().0.name,
            "Narrow"
        );
        assert_eq!(
            c.match_ip("10.9.2.3".parse().unwrap()).unwrap().0.name,
            "Wide"
        );
        assert_eq!(
            c.match_ip("2001:db8::1".parse().unwrap()).unwrap().0.name,
            "Narrow"
        );
        assert_eq!(
            c.match_ip("::ffff:10.1.2.3".parse().unwrap())
                .unwrap()
                .0
                .name,
            "Narrow"
        );
        assert!(c.match_ip("11.0.0.1".parse().unwrap()).is_none());
    }

    #[test]
    fn verified_catalogue_normalises_values() {
        let c = one(
            r#"{"name":"X","category":"AI Crawler","ua_tokens":[" XBot "],"match":[
                {"method":"rdns_suffix","value":"*.Crawl.Example.COM."},
                {"method":"rdns_suffix","value":".example.net"},
                {"method":"ip_cidr","value":"192.0.2.77/24"},
                {"method":"ip_cidr","value":"198.51.100.7"}]}"#,
        )
        .unwrap();
        let b = c.get("x").unwrap();
        assert_eq!(b.category, Category::AiCrawler);
        assert_eq!(b.ua_tokens, ["XBot"]);
        let values: Vec<String> = b.matches.iter().map(Match::value).collect();
        assert_eq!(
            values,
            [
                "crawl.example.com",
                "example.net",
                "192.0.2.0/24",
                "198.51.100.7/32"
            ]
        );
        assert!(b.claimed_by("Mozilla/5.0 (compatible; xbot/1.0)"));
    }

    #[test]
    fn verified_catalogue_validation_errors_name_the_entry() {
        let e = err(r#"{"name":"Goo","category":"serch","ua_tokens":["G"],"match":[]}"#);
        assert!(e.contains("test.json"), "{e}");
        assert!(e.contains("entry 0 (\"Goo\")"), "{e}");
        assert!(e.contains("unknown category \"serch\""), "{e}");

        let e = err(
            r#"{"name":"Goo","category":"search","ua_tokens":["G"],"match":[{"method":"dns","value":"x.com"}]}"#,
        );
        assert!(
            e.contains("entry 0 (\"Goo\")") && e.contains("unknown match method \"dns\""),
            "{e}"
        );

        let ok = r#"{"name":"A","category":"seo","ua_tokens":["A"],"match":[]}"#;
        let e = err(&format!(
            r#"{ok},{{"name":"B","category":"seo","ua_tokens":["B"],"match":[{{"method":"ip_cidr","value":"300.1.1.1/24"}}]}}"#
        ));
        assert!(
            e.contains("entry 1 (\"B\")") && e.contains("invalid ip_cidr"),
            "{e}"
        );

        for (entry, needle) in [
            (
                r#"{"name":"B","category":"seo","ua_tokens":["B"],"match":[{"method":"ip_cidr","value":"0.0.0.0/0"}]}"#,
                "too broad",
            ),
            (
                r#"{"name":"B","category":"seo","ua_tokens":["B"],"match":[{"method":"ip_cidr","value":"2000::/3"}]}"#,
                "too broad",
            ),
            (
                r#"{"name":"B","category":"seo","ua_tokens":["B"],"match":[{"method":"rdns_suffix","value":"com"}]}"#,
                "two labels",
            ),
            (
                r#"{"name":"B","category":"seo","ua_tokens":["B"],"match":[{"method":"rdns_suffix","value":"bad host.com"}]}"#,
                "invalid rdns_suffix",
            ),
            (
                r#"{"name":"B","category":"seo","ua_tokens":["B"],"match":[{"method":"rdns_suffix","value":"a..com"}]}"#,
                "invalid rdns_suffix",
            ),
            (
                r#"{"name":"B","category":"seo","ua_tokens":[],"match":[]}"#,
                "no user-agent token",
            ),
            (
                r#"{"name":" ","category":"seo","ua_tokens":["B"],"match":[]}"#,
                "empty name",
            ),
            (
                r#"{"name":"B","category":"seo","ua_tokens":["B"],"match":[{"method":"rdns_suffix","value":"b.com"},{"method":"rdns_suffix","value":"B.com."}]}"#,
                "duplicate match value",
            ),
            (
                r#"{"name":"B","category":"seo","ua_tokens":["B"],"match":[],"colour":"red"}"#,
                "unknown field `colour`",
            ),
            (
                r#"{"name":"B","category":"seo","ua_tokens":["B"]}"#,
                "missing field `match`",
            ),
        ] {
            let e = err(entry);
            assert!(e.contains("entry 0"), "{e}");
            assert!(e.contains(needle), "{needle}: {e}");
        }

        let e = err(&format!("{ok},{ok}"));
        assert!(
            e.contains("entry 1 (\"A\")") && e.contains("duplicate name"),
            "{e}"
        );

        let e = Catalogue::from_json(r#"{"version":2,"bots":[]}"#, "v.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unsupported version 2"), "{e}");
        let e = Catalogue::from_json("{not json", "broken.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("broken.json"), "{e}");
    }

    #[test]
    fn verified_catalogue_loads_from_a_file() {
        let dir = std::env::temp_dir().join(format!("botect-verified-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bots.json");
        std::fs::write(
            &path,
            r#"{"version":1,"updated":"2026-01-01","bots":[{"name":"Mine","category":"monitoring","ua_tokens":["MineCheck"],"match":[{"method":"ip_cidr","value":"192.0.2.0/24"}]}]}"#,
        )
        .unwrap();
        let c = Catalogue::load(&path).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c.updated(), Some("2026-01-01"));
        assert_eq!(c.origin(), path.display().to_string());
        let c = Catalogue::load_or_builtin(Some(&path)).unwrap();
        assert_eq!(c.bots()[0].name, "Mine");
        assert!(Catalogue::load_or_builtin(None).unwrap().len() > 1);

        let missing = dir.join("missing.json");
        let e = Catalogue::load(&missing).unwrap_err();
        assert!(matches!(e, CatalogueError::Io { .. }));
        assert!(e.to_string().contains("missing.json"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
