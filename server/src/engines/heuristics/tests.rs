//! Tests of the heuristics engine: user agents, header shapes, replay fingerprints, rates.

use super::*;
use serde_json::json;

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const HEADLESS: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
const BROWSER_HEADERS: u32 = header::USER_AGENT
    | header::ACCEPT_LANGUAGE
    | header::ACCEPT_ENCODING
    | header::ACCEPT
    | header::SEC_FETCH
    | header::SEC_CH_UA
    | header::ORIGIN
    | header::SECURE;

fn signals(events: &[(EventKind, Value)]) -> Signals {
    crate::engines::signals::fold_json(events)
}

/// The heuristics without the evidence gate's findings (tested in `evidence.rs`).
fn assess(s: &Signals, requests: &[RequestFacts], t: &Traffic) -> Option<EngineOutput> {
    let gate = [
        ids::NO_SDK_EVIDENCE,
        ids::INTEGRITY_MISSING,
        ids::INTEGRITY_INVALID,
    ];
    let mut o = super::assess(s, requests, &[], t)?;
    o.findings.retain(|f| !gate.contains(&f.id));
    o.score = o.findings.iter().map(|f| f.score).min();
    (!o.findings.is_empty()).then_some(o)
}

fn req(ua: Option<&str>, flags: u32) -> RequestFacts {
    RequestFacts {
        client_ip: Some("198.51.100.7".parse().unwrap()),
        ua_hash: ua.map(ua_hash),
        ua_class: classify(ua),
        header_flags: flags,
        integrity: crate::integrity::Outcome::Valid,
        relayed: false,
        ja4: None,
    }
}

/// An SDK session with human interaction.
fn sdk_human(ua: &str) -> Signals {
    signals(&[
        (
            EventKind::JsProbe,
            json!({"webdriver": false, "ua_hash": ua_hash(ua), "collector_version": "1.0.0"}),
        ),
        (
            EventKind::Mouse,
            json!({"mouse_entropy": 0.7, "pointer_moves": 80}),
        ),
    ])
}

fn ids_of(o: &Option<EngineOutput>) -> Vec<u32> {
    o.as_ref()
        .map(|o| o.findings.iter().map(|f| f.id).collect())
        .unwrap_or_default()
}

fn quickstart() -> Signals {
    signals(&[(EventKind::Mouse, json!({"entropy": 0.74, "samples": 128}))])
}

#[test]
fn user_agents_are_classified() {
    assert_eq!(
        classify(Some(CHROME)),
        UaClass::Browser {
            family: BrowserFamily::Chromium,
            major: 120
        }
    );
    assert_eq!(
        classify(Some(FIREFOX)),
        UaClass::Browser {
            family: BrowserFamily::Firefox,
            major: 128
        }
    );
    assert_eq!(
        classify(Some(SAFARI)),
        UaClass::Browser {
            family: BrowserFamily::Webkit,
            major: 17
        }
    );
    assert_eq!(
        classify(Some(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1"
        )),
        UaClass::Browser {
            family: BrowserFamily::Webkit,
            major: 0
        }
    );
    assert_eq!(
        classify(Some(
            "Mozilla/5.0 (Linux; Android 14; Pixel 8; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0 Mobile Safari/537.36"
        )),
        UaClass::Browser {
            family: BrowserFamily::Embedded,
            major: 0
        }
    );
    assert_eq!(
        classify(Some(HEADLESS)),
        UaClass::Automation("HeadlessChrome".into())
    );
    assert_eq!(
        classify(Some(
            "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1"
        )),
        UaClass::Automation("PhantomJS".into())
    );
    assert_eq!(
        classify(Some("curl/8.5.0")),
        UaClass::Library("curl".into())
    );
    assert_eq!(
        classify(Some("python-requests/2.31.0")),
        UaClass::Library("python-requests".into())
    );
    assert_eq!(
        classify(Some("Go-http-client/1.1")),
        UaClass::Library("Go-http-client".into())
    );
    assert_eq!(
        classify(Some("Java/17.0.2")),
        UaClass::Library("Java".into())
    );
    assert_eq!(
        classify(Some("Python/3.11 aiohttp/3.9.1")),
        UaClass::Library("aiohttp".into())
    );
    assert_eq!(
        classify(Some("tonic/0.14.2")),
        UaClass::ApiClient("tonic".into())
    );
    assert_eq!(
        classify(Some("grpc-go/1.60.0")),
        UaClass::ApiClient("grpc".into())
    );
    assert_eq!(
        classify(Some(
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
        )),
        UaClass::Bot("Googlebot".into())
    );
    assert_eq!(
        classify(Some("MyCrawler/1.0 (+http://example.com)")),
        UaClass::Bot("MyCrawler".into())
    );
    // A CUBOT phone is not a bot.
    assert!(matches!(
        classify(Some(
            "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
        )),
        UaClass::Browser {
            family: BrowserFamily::Chromium,
            ..
        }
    ));
    assert_eq!(classify(None), UaClass::Missing);
    assert_eq!(classify(Some("  ")), UaClass::Missing);
    assert_eq!(classify(Some("Opera/9.80")), UaClass::Other);
}

#[test]
fn ua_class_round_trips_through_its_stored_form() {
    for c in [
        UaClass::Missing,
        UaClass::Other,
        UaClass::Browser {
            family: BrowserFamily::Chromium,
            major: 120,
        },
        UaClass::Browser {
            family: BrowserFamily::Embedded,
            major: 0,
        },
        UaClass::Automation("HeadlessChrome".into()),
        UaClass::Library("Go-http-client".into()),
        UaClass::Bot("Googlebot".into()),
        UaClass::ApiClient("tonic".into()),
    ] {
        assert_eq!(c.to_string().parse::<UaClass>(), Ok(c.clone()), "{c}");
    }
    assert_eq!("browser/chromium/x".parse::<UaClass>(), Err(()));
    assert_eq!("nonsense".parse::<UaClass>(), Err(()));
}

#[test]
fn ua_hash_is_the_sdk_form() {
    let h = ua_hash("abc");
    assert_eq!(h, "ba7816bf8f01cfea414140de5dae2223");
    assert_eq!(h.len(), 32);
}

#[test]
fn header_flags_from_browser_and_script_requests() {
    let browser = [
        ("user-agent", CHROME),
        ("accept-language", "en-US,en;q=0.9"),
        ("accept-encoding", "gzip, deflate, br"),
        ("accept", "*/*"),
        ("sec-fetch-mode", "cors"),
        ("sec-ch-ua", "\"Chromium\";v=\"120\""),
        ("origin", "https://shop.example"),
        ("host", "botect.example"),
    ];
    let get = |h: &[(&'static str, &'static str)], n: &str| {
        h.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
    };
    assert_eq!(header_flags(|n| get(&browser, n)), BROWSER_HEADERS);
    let script = [
        ("user-agent", "curl/8.5.0"),
        ("accept", "*/*"),
        ("host", "botect.example"),
    ];
    assert_eq!(
        header_flags(|n| get(&script, n)),
        header::USER_AGENT | header::ACCEPT
    );
    let headless = [
        ("sec-ch-ua", "\"HeadlessChrome\";v=\"120\""),
        ("host", "127.0.0.1:8080"),
    ];
    assert_eq!(
        header_flags(|n| get(&headless, n)),
        header::SEC_CH_UA | header::SEC_CH_UA_HEADLESS | header::SECURE
    );
    for host in ["localhost:3000", "[::1]:8080", "app.localhost", "127.0.0.1"] {
        assert!(
            header_flags(|n| (n == "host").then_some(host)) & header::SECURE != 0,
            "{host}"
        );
    }
    assert_eq!(
        header_flags(|n| (n == "host").then_some("botect.example:8080")),
        0
    );
    assert_eq!(
        header_flags(|n| (n == "x-forwarded-proto").then_some("https")),
        header::SECURE
    );
    assert_eq!(
        header_flags(|n| (n == "origin").then_some("https://shop.example")),
        header::ORIGIN | header::SECURE
    );
    // An http page may call an http endpoint: nothing is known about the transport.
    assert_eq!(
        header_flags(|n| (n == "origin").then_some("http://localhost:5173")),
        header::ORIGIN
    );
    assert_eq!(
        header_flags(|n| (n == "x-forwarded-for").then_some("203.0.113.1")),
        header::FORWARDED
    );
}

#[test]
fn header_anomalies_follow_the_claimed_browser() {
    let chrome = classify(Some(CHROME));
    assert!(header_anomalies(&chrome, BROWSER_HEADERS).is_empty());
    assert_eq!(
        header_anomalies(&chrome, BROWSER_HEADERS & !header::ACCEPT_LANGUAGE),
        vec!["no Accept-Language"]
    );
    assert_eq!(
        header_anomalies(
            &chrome,
            BROWSER_HEADERS & !(header::SEC_FETCH | header::SEC_CH_UA)
        ),
        vec!["no Sec-Fetch-*", "no Sec-CH-UA"]
    );
    // Plain http (not a secure context): no Fetch-Metadata or client hints expected.
    let insecure = BROWSER_HEADERS & !(header::SEC_FETCH | header::SEC_CH_UA | header::SECURE);
    assert!(header_anomalies(&chrome, insecure).is_empty());
    // Firefox and Safari send no client hints.
    let no_hints = BROWSER_HEADERS & !header::SEC_CH_UA;
    assert!(header_anomalies(&classify(Some(FIREFOX)), no_hints).is_empty());
    assert!(header_anomalies(&classify(Some(SAFARI)), no_hints & !header::SEC_FETCH).is_empty());
    assert_eq!(
        header_anomalies(&UaClass::Missing, 0),
        vec!["no User-Agent"]
    );
    assert!(header_anomalies(&UaClass::Library("curl".into()), 0).is_empty());
}

#[test]
fn replay_fingerprints_only_for_measurements() {
    let m = |v: Value| v.as_object().unwrap().clone();
    assert_eq!(
        replay_fingerprint(
            EventKind::Mouse,
            &m(json!({"entropy": 0.74, "samples": 128}))
        ),
        None
    );
    let rich = m(
        json!({"mouse_entropy": 0.6312, "pointer_moves": 212, "path_straightness": 0.8731,
                        "speed_cv": 0.7712, "accel_cv": 1.204}),
    );
    let fp = replay_fingerprint(EventKind::Mouse, &rich).unwrap();
    assert_eq!(fp.len(), 32);
    let reordered = m(
        json!({"accel_cv": 1.204, "speed_cv": 0.7712, "path_straightness": 0.8731,
                             "pointer_moves": 212, "mouse_entropy": 0.6312}),
    );
    assert_eq!(
        replay_fingerprint(EventKind::Mouse, &reordered),
        Some(fp.clone())
    );
    assert_ne!(replay_fingerprint(EventKind::Snapshot, &rich), Some(fp));
    // Too few measurements, or too small a window, to be one person's alone.
    let three = m(
        json!({"mouse_entropy": 0.6312, "pointer_moves": 212, "path_straightness": 0.8731, "speed_cv": 0.7712}),
    );
    assert_eq!(replay_fingerprint(EventKind::Mouse, &three), None);
    let tiny = m(
        json!({"pointer_moves": 2, "move_interval_mean_ms": 16.7, "speed_mean": 0.06,
                        "path_straightness": 0.999, "speed_cv": 0.5}),
    );
    assert_eq!(replay_fingerprint(EventKind::Mouse, &tiny), None);
    let keys = m(
        json!({"key_events": 12, "key_interval_mean_ms": 182.4, "key_interval_cv": 0.412,
                        "key_dwell_mean_ms": 96.1, "key_dwell_cv": 0.233}),
    );
    assert!(replay_fingerprint(EventKind::FirstInput, &keys).is_some());
    let counts =
        m(json!({"pointer_moves": 2, "click_events": 1, "key_events": 3, "scroll_events": 4}));
    assert_eq!(replay_fingerprint(EventKind::Snapshot, &counts), None);
    assert_eq!(replay_fingerprint(EventKind::JsProbe, &rich), None);
}

#[test]
fn automation_http_user_agent() {
    let s = sdk_human(CHROME);
    let o = assess(
        &s,
        &[req(Some(HEADLESS), BROWSER_HEADERS)],
        &Traffic::default(),
    );
    assert!(ids_of(&o).contains(&ids::AUTOMATION_HTTP_UA));
    let f = &o.as_ref().unwrap().findings[0];
    assert_eq!(f.strength, Strength::Deterministic);
    // Client hints naming HeadlessChrome under a patched user agent.
    let o = assess(
        &s,
        &[req(
            Some(CHROME),
            BROWSER_HEADERS | header::SEC_CH_UA_HEADLESS,
        )],
        &Traffic::default(),
    );
    assert!(ids_of(&o).contains(&ids::AUTOMATION_HTTP_UA));
    // Does not fire for a real browser.
    let o = assess(
        &s,
        &[req(Some(CHROME), BROWSER_HEADERS)],
        &Traffic::default(),
    );
    assert!(!ids_of(&o).contains(&ids::AUTOMATION_HTTP_UA));
    assert_eq!(o, None, "a clean SDK session: heuristics abstain");
}

#[test]
fn http_library_user_agent() {
    let curl = req(Some("curl/8.5.0"), header::USER_AGENT | header::ACCEPT);
    // SDK telemetry delivered by curl.
    let o = assess(
        &sdk_human(CHROME),
        std::slice::from_ref(&curl),
        &Traffic::default(),
    );
    assert!(ids_of(&o).contains(&ids::HTTP_LIBRARY_UA));
    // No interaction at all.
    let page = signals(&[(EventKind::Page, json!({"page_path_hash": "ab"}))]);
    let o = assess(&page, std::slice::from_ref(&curl), &Traffic::default());
    assert_eq!(ids_of(&o), vec![ids::HTTP_LIBRARY_UA]);
    // The quickstart posted with curl: left to the evidence gate (evidence.rs).
    let o = assess(
        &quickstart(),
        std::slice::from_ref(&curl),
        &Traffic::default(),
    );
    assert_eq!(o, None);
    // A gRPC client library is an API client, not a scripted scraper.
    let tonic = req(Some("tonic/0.14.2"), header::USER_AGENT);
    assert_eq!(assess(&page, &[tonic], &Traffic::default()), None);
}

#[test]
fn declared_bot_user_agent() {
    let bot = req(
        Some("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
        0,
    );
    let o = assess(&quickstart(), &[bot], &Traffic::default());
    assert_eq!(ids_of(&o), vec![ids::DECLARED_BOT_UA]);
    let o = assess(
        &quickstart(),
        &[req(Some(CHROME), BROWSER_HEADERS)],
        &Traffic::default(),
    );
    assert_eq!(o, None);
}

#[test]
fn user_agent_mismatch() {
    // The page claims Chrome, the HTTP requests carried Firefox's user agent.
    let o = assess(
        &sdk_human(CHROME),
        &[req(Some(FIREFOX), BROWSER_HEADERS & !header::SEC_CH_UA)],
        &Traffic::default(),
    );
    assert_eq!(ids_of(&o), vec![ids::UA_MISMATCH]);
    // Same user agent: no finding. Upper-case hex from the SDK matches too.
    let mut s = sdk_human(CHROME);
    assert_eq!(
        assess(
            &s,
            &[req(Some(CHROME), BROWSER_HEADERS)],
            &Traffic::default()
        ),
        None
    );
    s.probe.ua_hashes = vec![ua_hash(CHROME)[..16].to_string()];
    assert_eq!(
        assess(
            &s,
            &[req(Some(CHROME), BROWSER_HEADERS)],
            &Traffic::default()
        ),
        None
    );
    // Nothing to compare without an SDK hash.
    assert_eq!(
        assess(
            &quickstart(),
            &[req(Some(FIREFOX), BROWSER_HEADERS)],
            &Traffic::default()
        ),
        None
    );
}

#[test]
fn header_shape() {
    let s = sdk_human(CHROME);
    let o = assess(
        &s,
        &[req(
            Some(CHROME),
            BROWSER_HEADERS & !header::ACCEPT_LANGUAGE,
        )],
        &Traffic::default(),
    );
    assert_eq!(ids_of(&o), vec![ids::HEADER_SHAPE]);
    assert!(o.unwrap().findings[0].reason.contains("no Accept-Language"));
    // No user agent at all on SDK telemetry.
    let mut bare = req(None, 0);
    bare.ua_hash = None;
    let o = assess(&s, &[bare.clone()], &Traffic::default());
    assert_eq!(ids_of(&o), vec![ids::HEADER_SHAPE]);
    // Bare API posts (no SDK claim) are not held to a browser's header shape.
    assert_eq!(assess(&quickstart(), &[bare], &Traffic::default()), None);
    assert_eq!(
        assess(
            &s,
            &[req(Some(CHROME), BROWSER_HEADERS)],
            &Traffic::default()
        ),
        None
    );
}

#[test]
fn js_probe_missing() {
    let s = signals(&[(
        EventKind::Mouse,
        json!({"mouse_entropy": 0.7, "pointer_moves": 80, "collector_version": "1.0.0"}),
    )]);
    let r = req(Some(CHROME), BROWSER_HEADERS);
    let o = assess(&s, &[r.clone(), r.clone()], &Traffic::default());
    assert_eq!(ids_of(&o), vec![ids::JS_PROBE_MISSING]);
    // One request: the probe may still come. With a probe: fine. Without SDK claim: n/a.
    assert_eq!(
        assess(&s, std::slice::from_ref(&r), &Traffic::default()),
        None
    );
    assert_eq!(
        assess(
            &sdk_human(CHROME),
            &[r.clone(), r.clone()],
            &Traffic::default()
        ),
        None
    );
    assert_eq!(
        assess(&quickstart(), &[r.clone(), r], &Traffic::default()),
        None
    );
}

#[test]
fn replayed_payload() {
    let t = Traffic {
        replayed_payloads: 2,
        replay_sessions: 3,
        ..Default::default()
    };
    let o = assess(&quickstart(), &[], &t);
    assert_eq!(ids_of(&o), vec![ids::REPLAYED_PAYLOAD]);
    assert!(o.unwrap().findings[0].reason.contains("3 other sessions"));
    assert_eq!(assess(&quickstart(), &[], &Traffic::default()), None);
}

#[test]
fn session_request_rate() {
    let t = Traffic {
        session_requests_1m: 61,
        ..Default::default()
    };
    assert_eq!(
        ids_of(&assess(&quickstart(), &[], &t)),
        vec![ids::SESSION_RATE]
    );
    let t = Traffic {
        session_events_1m: 2_001,
        ..Default::default()
    };
    assert_eq!(
        ids_of(&assess(&quickstart(), &[], &t)),
        vec![ids::SESSION_RATE]
    );
    let t = Traffic {
        session_requests_1m: 60,
        session_events_1m: 2_000,
        ..Default::default()
    };
    assert_eq!(assess(&quickstart(), &[], &t), None);
}

#[test]
fn client_ip_request_rate() {
    let busy = |ip: &str| Traffic {
        ip: Some(ip.parse().unwrap()),
        ip_sessions_10m: 50,
        ..Default::default()
    };
    let o = assess(&quickstart(), &[], &busy("198.51.100.7"));
    assert_eq!(ids_of(&o), vec![ids::IP_RATE]);
    assert_eq!(o.unwrap().findings[0].strength, Strength::Corroborating);
    let t = Traffic {
        ip: Some("2001:db8::1".parse().unwrap()),
        ip_requests_1m: 300,
        ..Default::default()
    };
    assert_eq!(ids_of(&assess(&quickstart(), &[], &t)), vec![ids::IP_RATE]);
    for exempt in [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.9",
        "172.16.0.1",
        "100.64.0.1",
        "::1",
        "fd00::1",
        "fe80::1",
    ] {
        assert_eq!(assess(&quickstart(), &[], &busy(exempt)), None, "{exempt}");
    }
    let t = Traffic {
        ip: Some("198.51.100.7".parse().unwrap()),
        ip_sessions_10m: 49,
        ip_requests_1m: 299,
        ..Default::default()
    };
    assert_eq!(assess(&quickstart(), &[], &t), None);
}

#[test]
fn a_chrome_user_agent_over_a_non_chromium_tls_stack_is_found() {
    let chrome = classify(Some(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ));
    let firefox = classify(Some(
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    ));
    let chromium_ja4 = "t13d1516h2_8daaf6152771_02713d6af862";
    let curl_ja4 = "t13d3112h2_e8f1e7e78f70_375b8b8e1b2e";
    assert!(super::tls_mismatch(&chrome, Some(chromium_ja4)).is_none());
    assert!(super::tls_mismatch(&chrome, None).is_none());
    assert!(super::tls_mismatch(&firefox, Some(curl_ja4)).is_none());
    let why = super::tls_mismatch(&chrome, Some(curl_ja4)).unwrap();
    assert!(why.contains(curl_ja4), "{why}");
    // Through the engine: a graded finding with its published ID.
    let r = RequestFacts {
        ja4: Some(curl_ja4.into()),
        ..req(
            Some(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            ),
            0,
        )
    };
    let s = signals(&[]);
    let out = super::assess(&s, &[r], &[], &Traffic::default()).unwrap();
    let f = out
        .findings
        .iter()
        .find(|f| f.id == ids::TLS_CLIENT_MISMATCH)
        .expect("the TLS finding");
    assert_eq!(
        (f.score, f.strength),
        (super::TLS_MISMATCH_SCORE, Strength::Graded)
    );
    // A page request (reported by the site's backend) over curl's stack, for a session whose
    // own requests claim Chrome: the same finding.
    let chrome_req = req(
        Some(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        ),
        0,
    );
    let hit = crate::engines::PageHitFacts {
        ja4: Some(curl_ja4.into()),
        ..Default::default()
    };
    let out = super::assess(
        &s,
        std::slice::from_ref(&chrome_req),
        std::slice::from_ref(&hit),
        &Traffic::default(),
    )
    .unwrap();
    assert!(
        out.findings
            .iter()
            .any(|f| f.id == ids::TLS_CLIENT_MISMATCH)
    );
    let hit = crate::engines::PageHitFacts {
        ja4: Some(chromium_ja4.into()),
        ..Default::default()
    };
    let out = super::assess(&s, &[chrome_req], &[hit], &Traffic::default());
    assert!(out.is_none_or(|o| o.findings.iter().all(|f| f.id != ids::TLS_CLIENT_MISMATCH)));
}
