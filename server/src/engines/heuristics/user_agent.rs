//! User agents: the class of a request's User-Agent (browser family and major version,
//! automation, HTTP library, crawler, gRPC) and its stored hash.
use super::*;

/// Browser engines whose request headers we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserFamily {
    /// Chrome, Edge, Opera, Brave, Samsung Internet … (`Chrome/NNN`, not a WebView).
    Chromium,
    Firefox,
    /// Safari (`Version/NN … Safari/`), and every iOS browser.
    Webkit,
    /// Android WebView and in-app browsers: only the user agent itself is checked.
    Embedded,
}

impl BrowserFamily {
    fn as_str(self) -> &'static str {
        match self {
            BrowserFamily::Chromium => "chromium",
            BrowserFamily::Firefox => "firefox",
            BrowserFamily::Webkit => "webkit",
            BrowserFamily::Embedded => "embedded",
        }
    }
}

/// What an HTTP User-Agent says about the client. Stored per ingest request as its string
/// form (`browser/chromium/120`, `library/curl`, …) instead of the user agent itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UaClass {
    /// No User-Agent header.
    Missing,
    Browser {
        family: BrowserFamily,
        major: u32,
    },
    /// An automation browser (HeadlessChrome, PhantomJS, …), by marker name.
    Automation(String),
    /// A scripting HTTP client (curl, python-requests, …), by name.
    Library(String),
    /// A self-declared crawler or bot.
    Bot(String),
    /// A gRPC client library (tonic, grpc-go, …): a server-side API client.
    ApiClient(String),
    Other,
}

/// Automation-browser markers (case-insensitive substrings), with their display names.
const AUTOMATION_MARKERS: &[(&str, &str)] = &[
    ("headlesschrome", "HeadlessChrome"),
    ("phantomjs", "PhantomJS"),
    ("slimerjs", "SlimerJS"),
    ("htmlunit", "HtmlUnit"),
    ("jsdom", "jsdom"),
    ("puppeteer", "Puppeteer"),
    ("playwright", "Playwright"),
    ("selenium", "Selenium"),
    ("webdriver", "WebDriver"),
    ("nightmare", "Nightmare"),
    ("electron/", "Electron"),
];

/// Scripting HTTP clients (case-insensitive substrings), with their display names.
const LIBRARY_MARKERS: &[(&str, &str)] = &[
    ("curl/", "curl"),
    ("wget/", "Wget"),
    ("python-requests", "python-requests"),
    ("python-urllib", "python-urllib"),
    ("python-httpx", "httpx"),
    ("aiohttp", "aiohttp"),
    ("go-http-client", "Go-http-client"),
    ("okhttp", "OkHttp"),
    ("java-http-client", "Java HttpClient"),
    ("apache-httpclient", "Apache HttpClient"),
    ("libwww-perl", "libwww-perl"),
    ("node-fetch", "node-fetch"),
    ("axios/", "axios"),
    ("undici", "undici"),
    ("scrapy", "Scrapy"),
    ("postmanruntime", "Postman"),
    ("insomnia/", "Insomnia"),
    ("httpie/", "HTTPie"),
    ("guzzlehttp", "Guzzle"),
    ("colly", "Colly"),
    ("http.rb/", "http.rb"),
    ("faraday", "Faraday"),
    ("reqwest/", "reqwest"),
    ("powershell", "PowerShell"),
];

/// Well-known crawlers (substrings) besides the generic tokens.
const BOT_MARKERS: &[(&str, &str)] = &[
    ("googlebot", "Googlebot"),
    ("bingbot", "bingbot"),
    ("gptbot", "GPTBot"),
    ("claudebot", "ClaudeBot"),
    ("perplexitybot", "PerplexityBot"),
    ("yandexbot", "YandexBot"),
    ("baiduspider", "Baiduspider"),
    ("duckduckbot", "DuckDuckBot"),
    ("applebot", "Applebot"),
    ("ahrefsbot", "AhrefsBot"),
    ("semrushbot", "SemrushBot"),
    ("facebookexternalhit", "facebookexternalhit"),
];

const GRPC_MARKERS: &[(&str, &str)] = &[("tonic/", "tonic"), ("grpc-", "grpc")];

fn major_after(ua: &str, token: &str) -> Option<u32> {
    let i = ua.find(token)? + token.len();
    let digits: String = ua[i..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Classifies an HTTP User-Agent.
pub fn classify(ua: Option<&str>) -> UaClass {
    let Some(ua) = ua.map(str::trim).filter(|u| !u.is_empty()) else {
        return UaClass::Missing;
    };
    let lower = ua.to_ascii_lowercase();
    let find = |markers: &[(&str, &str)]| {
        markers
            .iter()
            .find(|(m, _)| lower.contains(m))
            .map(|(_, name)| name.to_string())
    };
    if let Some(name) = find(AUTOMATION_MARKERS) {
        return UaClass::Automation(name);
    }
    if let Some(name) = find(BOT_MARKERS) {
        return UaClass::Bot(name);
    }
    if ["bot/", "bot;", "crawler", "spider", "+http"]
        .iter()
        .any(|t| lower.contains(t))
    {
        let name = ua
            .split([' ', '/', ';'])
            .next()
            .unwrap_or("bot")
            .to_string();
        return UaClass::Bot(name);
    }
    if let Some(name) = find(LIBRARY_MARKERS) {
        return UaClass::Library(name);
    }
    if let Some(name) = find(GRPC_MARKERS) {
        return UaClass::ApiClient(name);
    }
    if !lower.starts_with("mozilla/5.0") {
        // `Java/17`, `Python/3.11 aiohttp`, `Ruby`, `PHP` … bare runtime names.
        if [
            "java/", "python/", "ruby", "php/", "perl/", "node", "deno/", "bun/", "dart/",
        ]
        .iter()
        .any(|t| lower.starts_with(t))
        {
            let name = ua.split(['/', ' ']).next().unwrap_or("client").to_string();
            return UaClass::Library(name);
        }
        return UaClass::Other;
    }
    let ios = lower.contains("iphone") || lower.contains("ipad") || lower.contains("ipod");
    let in_app = [
        "; wv)",
        "fban",
        "fbav",
        "instagram",
        "line/",
        "micromessenger",
    ]
    .iter()
    .any(|t| lower.contains(t));
    if in_app {
        return UaClass::Browser {
            family: BrowserFamily::Embedded,
            major: 0,
        };
    }
    if ios {
        let major = major_after(ua, "Version/").unwrap_or(0);
        return UaClass::Browser {
            family: BrowserFamily::Webkit,
            major,
        };
    }
    if let Some(major) = major_after(ua, "Firefox/") {
        return UaClass::Browser {
            family: BrowserFamily::Firefox,
            major,
        };
    }
    if let Some(major) = major_after(ua, "Chrome/").or_else(|| major_after(ua, "Chromium/")) {
        return UaClass::Browser {
            family: BrowserFamily::Chromium,
            major,
        };
    }
    if lower.contains("safari/") {
        let major = major_after(ua, "Version/").unwrap_or(0);
        return UaClass::Browser {
            family: BrowserFamily::Webkit,
            major,
        };
    }
    UaClass::Other
}

impl fmt::Display for UaClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UaClass::Missing => f.write_str("missing"),
            UaClass::Browser { family, major } => write!(f, "browser/{}/{major}", family.as_str()),
            UaClass::Automation(n) => write!(f, "automation/{n}"),
            UaClass::Library(n) => write!(f, "library/{n}"),
            UaClass::Bot(n) => write!(f, "bot/{n}"),
            UaClass::ApiClient(n) => write!(f, "api/{n}"),
            UaClass::Other => f.write_str("other"),
        }
    }
}

impl FromStr for UaClass {
    type Err = ();

    fn from_str(s: &str) -> Result<UaClass, ()> {
        let mut parts = s.splitn(3, '/');
        let kind = parts.next().ok_or(())?;
        let rest = || s.split_once('/').map(|(_, r)| r.to_string()).ok_or(());
        Ok(match kind {
            "missing" => UaClass::Missing,
            "other" => UaClass::Other,
            "automation" => UaClass::Automation(rest()?),
            "library" => UaClass::Library(rest()?),
            "bot" => UaClass::Bot(rest()?),
            "api" => UaClass::ApiClient(rest()?),
            "browser" => {
                let family = match parts.next() {
                    Some("chromium") => BrowserFamily::Chromium,
                    Some("firefox") => BrowserFamily::Firefox,
                    Some("webkit") => BrowserFamily::Webkit,
                    Some("embedded") => BrowserFamily::Embedded,
                    _ => return Err(()),
                };
                let major = parts.next().and_then(|m| m.parse().ok()).ok_or(())?;
                UaClass::Browser { family, major }
            }
            _ => return Err(()),
        })
    }
}

/// First 32 hex digits of the SHA-256 of a user agent, exactly as the SDK computes `ua_hash`
/// from `navigator.userAgent`.
pub fn ua_hash(ua: &str) -> String {
    let mut h = hex::encode(Sha256::digest(ua.as_bytes()));
    h.truncate(32);
    h
}
