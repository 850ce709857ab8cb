//! Verified bots (contract §4 band `verified`, §6 export): a catalogue of well-known crawlers
//! and monitors shipped with the server (`server/data/verified_bots.json`, replaceable by the
//! operator), and a [`Verifier`] that proves a request really comes from one of them.
//!
//! A request is verified only by real verification, never by a user-agent claim:
//! * **`ip_cidr`**: the client IP lies in a range the operator publishes, or
//! * **`rdns_suffix`**: forward-confirmed reverse DNS. The PTR name of the IP ends with one of
//!   the bot's suffixes on a label boundary, and the forward (A/AAAA) lookup of that name
//!   returns the same IP.
//!
//! The user agent only narrows which entries are tried and never verifies by itself. DNS
//! results are cached per IP (positive and negative, with TTLs, bounded), concurrent lookups
//! for one IP are coalesced, and every wait is bounded: [`Verifier::check_cached`] never waits
//! at all (an unfinished check counts as unverified), [`Verifier::verify_with_timeout`] waits
//! at most its bound. See `docs/verified-bots.md`.
mod catalogue;
mod resolver;
mod verify;

#[cfg(test)]
mod dns_stub_tests;

use serde::{Deserialize, Serialize};

pub use catalogue::{
    Bot, Catalogue, CatalogueError, ENV_VAR, ExportBody, ExportMeta, ExportRow, Match,
};
pub use resolver::{HickoryResolver, LookupError, Resolver, StaticResolver};
pub use verify::{Verification, Verifier, VerifierConfig};

/// A verified bot's category (contract §6). Wire form is snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Search,
    AiCrawler,
    AiSearch,
    Monitoring,
    Seo,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Search,
        Category::AiCrawler,
        Category::AiSearch,
        Category::Monitoring,
        Category::Seo,
    ];

    /// The wire value (`search`, `ai_crawler`, `ai_search`, `monitoring`, `seo`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Search => "search",
            Category::AiCrawler => "ai_crawler",
            Category::AiSearch => "ai_search",
            Category::Monitoring => "monitoring",
            Category::Seo => "seo",
        }
    }

    /// Parses a category name case- and separator-insensitively: `"AI Crawler"`,
    /// `"ai-crawler"`, `"AiCrawler"` and `"ai_crawler"` are all [`Category::AiCrawler`].
    pub fn parse(s: &str) -> Option<Category> {
        let key = category_key(s);
        Category::ALL
            .into_iter()
            .find(|c| category_key(c.as_str()) == key)
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The comparison key of a category name: lower-cased ASCII letters and digits only, every
/// separator (space, `_`, `-`, `.`, `/`, …) dropped. Two names denote the same category when
/// their keys are equal.
pub fn category_key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether two category names are the same, ignoring case and separators
/// (`"AI Crawler"` ↔ `"ai_crawler"`). For rules comparing `verified_bot_category`.
pub fn categories_match(a: &str, b: &str) -> bool {
    category_key(a) == category_key(b)
}

/// The canonical wire name of a category written loosely (`"AI Crawler"` → `"ai_crawler"`),
/// or `None` when it names no known category.
pub fn normalize_category(s: &str) -> Option<&'static str> {
    Category::parse(s).map(Category::as_str)
}

/// How a catalogue entry is matched (contract §6 `match_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMethod {
    IpCidr,
    RdnsSuffix,
}

impl MatchMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchMethod::IpCidr => "ip_cidr",
            MatchMethod::RdnsSuffix => "rdns_suffix",
        }
    }

    pub fn parse(s: &str) -> Option<MatchMethod> {
        match s {
            "ip_cidr" => Some(MatchMethod::IpCidr),
            "rdns_suffix" => Some(MatchMethod::RdnsSuffix),
            _ => None,
        }
    }
}

impl std::fmt::Display for MatchMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `host` is `suffix` or ends with `.suffix` (a label boundary): `crawl.googlebot.com`
/// and `googlebot.com` match `googlebot.com`, `evilgooglebot.com` does not. Both sides are
/// compared case-insensitively and without a trailing root dot.
pub fn host_has_suffix(host: &str, suffix: &str) -> bool {
    let host = host.trim_end_matches('.');
    let suffix = suffix.trim_end_matches('.');
    if suffix.is_empty() || host.len() < suffix.len() {
        return false;
    }
    let split = host.len() - suffix.len();
    if !host.is_char_boundary(split) || !host[split..].eq_ignore_ascii_case(suffix) {
        return false;
    }
    split == 0 || host.as_bytes()[split - 1] == b'.'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verified_category_normalisation_ignores_case_and_separators() {
        for s in [
            "AI Crawler",
            "ai_crawler",
            "ai-crawler",
            "AiCrawler",
            " ai  crawler ",
            "AI.CRAWLER",
        ] {
            assert_eq!(Category::parse(s), Some(Category::AiCrawler), "{s}");
            assert_eq!(normalize_category(s), Some("ai_crawler"), "{s}");
            assert!(categories_match(s, "ai_crawler"), "{s}");
        }
        assert!(categories_match("AI Search", "ai_search"));
        assert!(!categories_match("AI Search", "ai_crawler"));
        assert_eq!(Category::parse("SEO"), Some(Category::Seo));
        assert_eq!(Category::parse("Monitoring"), Some(Category::Monitoring));
        assert_eq!(Category::parse("crawler"), None);
        assert_eq!(Category::parse(""), None);
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }

    #[test]
    fn verified_suffix_match_is_on_a_label_boundary() {
        assert!(host_has_suffix(
            "crawl-66-249-66-1.googlebot.com",
            "googlebot.com"
        ));
        assert!(host_has_suffix(
            "crawl-66-249-66-1.googlebot.com.",
            "googlebot.com"
        ));
        assert!(host_has_suffix("CRAWL.GoogleBot.Com", "googlebot.com"));
        assert!(host_has_suffix("googlebot.com", "googlebot.com"));
        assert!(!host_has_suffix("evilgooglebot.com", "googlebot.com"));
        assert!(!host_has_suffix("crawl.evilgooglebot.com", "googlebot.com"));
        assert!(!host_has_suffix("googlebot.com.evil.net", "googlebot.com"));
        assert!(!host_has_suffix("ooglebot.com", "googlebot.com"));
        assert!(!host_has_suffix("x.googlebot.com", ""));
        assert!(!host_has_suffix("é.googlebot.com", "xgooglebot.com"));
    }
}
