//! The detection registry: every detection ID the engines can emit, in one static table.
//! Published in `docs/detections.md` and by `GET /v1/detections`
//! (`botect.v1.DetectionService/ListDetections`).
//!
//! IDs are stable `u32`s: the high byte is the family (`0x01` heuristics, `0x02` behavioral,
//! `0x03` JS detection), the low three bytes the detection within it. A published ID keeps its
//! meaning forever; new detections only ever get new IDs.

/// Detection families (the ID's high byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// `0x01`: server-side facts about the requests that delivered the telemetry.
    Heuristics = 0x01,
    /// `0x02`: how the pointer, keyboard, scrolling and page visibility behaved.
    Behavioral = 0x02,
    /// `0x03`: facts the SDK's JS probe reports about the browser environment.
    JsDetection = 0x03,
}

impl Family {
    pub fn byte(self) -> u8 {
        self as u8
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Family::Heuristics => "heuristics",
            Family::Behavioral => "behavioral",
            Family::JsDetection => "js_detection",
        }
    }

    pub fn of(id: u32) -> Option<Family> {
        match id >> 24 {
            0x01 => Some(Family::Heuristics),
            0x02 => Some(Family::Behavioral),
            0x03 => Some(Family::JsDetection),
            _ => None,
        }
    }
}

/// One registry entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    pub id: u32,
    pub family: Family,
    /// The engine that emits it: `heuristics`, `behavioral`, `js_detection` or `combiner`.
    pub engine: &'static str,
    /// Stable snake_case name.
    pub name: &'static str,
    /// Short label, used in verdict reasons.
    pub label: &'static str,
    /// What it means.
    pub description: &'static str,
}

impl Detection {
    /// `0x03000000`-style hex form.
    pub fn hex(&self) -> String {
        format!("0x{:08X}", self.id)
    }
}

/// The IDs, by name.
pub mod ids {
    // ---- 0x01 heuristics ----
    /// The HTTP user agent or client hints name an automation browser (HeadlessChrome,
    /// PhantomJS, HtmlUnit, jsdom, Puppeteer, Playwright, Selenium …).
    pub const AUTOMATION_HTTP_UA: u32 = 0x0100_0001;
    /// The HTTP user agent is a scripting HTTP client (curl, python-requests, Go-http-client …).
    pub const HTTP_LIBRARY_UA: u32 = 0x0100_0002;
    /// The SDK-reported `ua_hash` matches no HTTP User-Agent the session's requests carried.
    pub const UA_MISMATCH: u32 = 0x0100_0003;
    /// Request headers unlike the browser the user agent claims.
    pub const HEADER_SHAPE: u32 = 0x0100_0004;
    /// SDK telemetry arrived in several requests, never with a `js_probe`.
    pub const JS_PROBE_MISSING: u32 = 0x0100_0005;
    /// A non-trivial payload identical to one stored for another session of the project.
    pub const REPLAYED_PAYLOAD: u32 = 0x0100_0006;
    /// The session sent requests faster than the SDK ever does.
    pub const SESSION_RATE: u32 = 0x0100_0007;
    /// The client IP opened many sessions or sent many requests in a short time.
    pub const IP_RATE: u32 = 0x0100_0008;
    /// The HTTP user agent declares a crawler or bot.
    pub const DECLARED_BOT_UA: u32 = 0x0100_0009;
    /// The session lacks the browser SDK's own events (`js_probe`, and `page` or `snapshot`).
    pub const NO_SDK_EVIDENCE: u32 = 0x0100_000A;
    /// No request of the session carried a valid, unused proof-of-work solution.
    pub const INTEGRITY_MISSING: u32 = 0x0100_000B;
    /// A request carried a reused, expired, foreign, tampered or wrongly solved proof.
    pub const INTEGRITY_INVALID: u32 = 0x0100_000C;
    /// An automation browser (HTTP layer) that also produced interaction: definite.
    pub const AUTOMATION_WITH_INTERACTION: u32 = 0x0100_000D;
    /// Browser events without any page hit while the project's backend reports page hits.
    pub const EVENTS_WITHOUT_PAGE_HIT: u32 = 0x0100_000E;
    /// The page's languages share none with its page requests' Accept-Language.
    pub const PAGE_HIT_LANGUAGES_MISMATCH: u32 = 0x0100_000F;
    /// No page request of the session sent a User-Agent, or none an Accept-Language.
    pub const PAGE_HIT_HEADERS_MISMATCH: u32 = 0x0100_0010;
    /// The page requests and the telemetry came from different networks.
    pub const PAGE_HIT_ADDRESS_MISMATCH: u32 = 0x0100_0011;
    /// A Chromium user agent over a TLS ClientHello no Chromium sends.
    pub const TLS_CLIENT_MISMATCH: u32 = 0x0100_0012;

    // ---- 0x02 behavioral ----
    /// No interaction of any kind recorded.
    pub const NO_INTERACTION: u32 = 0x0200_0001;
    /// Low mouse-movement entropy.
    pub const LOW_MOUSE_ENTROPY: u32 = 0x0200_0002;
    /// Pointer events dispatched by script (`isTrusted` false).
    pub const SYNTHETIC_EVENTS: u32 = 0x0200_0003;
    /// Geometrically straight pointer paths.
    pub const STRAIGHT_PATHS: u32 = 0x0200_0004;
    /// Constant pointer speed / acceleration.
    pub const UNIFORM_SPEED: u32 = 0x0200_0005;
    /// Pointer event intervals without jitter.
    pub const METRONOMIC_TIMING: u32 = 0x0200_0006;
    /// Pointer events faster than any display refresh.
    pub const SUPERHUMAN_POINTER_RATE: u32 = 0x0200_0007;
    /// Few distinct movement directions.
    pub const LOW_DIRECTION_ENTROPY: u32 = 0x0200_0008;
    /// No pauses and no overshoot-and-correct over several strokes.
    pub const NO_CORRECTIONS: u32 = 0x0200_0009;
    /// Keystroke timing no person produces.
    pub const ROBOTIC_KEYSTROKES: u32 = 0x0200_000A;
    /// First input sooner after navigation than a person reacts.
    pub const INSTANT_FIRST_INPUT: u32 = 0x0200_000B;
    /// Interaction recorded while the page was never visible.
    pub const HIDDEN_INTERACTION: u32 = 0x0200_000C;
    /// Scroll velocity only programmatic scrolling reaches.
    pub const IMPLAUSIBLE_SCROLL: u32 = 0x0200_000D;
    /// Pointer kinematics the trained model places with generated movement.
    pub const MACHINE_KINEMATICS: u32 = 0x0200_000E;
    /// Pointer events from a viewport emulated larger than the window's content area.
    pub const EMULATED_VIEWPORT_INPUT: u32 = 0x0200_000F;
    /// Mouse buttons pressed with zero pressure (DevTools-dispatched presses).
    pub const PRESSURELESS_MOUSE_DOWNS: u32 = 0x0200_0010;

    // ---- 0x03 JS detection ----
    /// Headless/automation browser signature (`webdriver`, `headless`, `headless_ua`). Published.
    pub const AUTOMATION_SIGNATURE: u32 = 0x0300_0000;
    /// Automation globals (`cdc_…`, `__webdriver…`, `__selenium…`, `callPhantom`, …).
    pub const AUTOMATION_GLOBALS: u32 = 0x0300_0001;
    /// The probe reported `js_passed: false`.
    pub const JS_PROBE_FAILED: u32 = 0x0300_0002;
    /// No human interaction recorded alongside deterministic automation evidence. Published.
    pub const NO_HUMAN_INTERACTION: u32 = 0x0300_0003;
    /// DevTools-protocol side effects (`Runtime.enable`, sourceURL in stacks).
    pub const CDP_DETECTED: u32 = 0x0300_0004;
    /// Native functions whose `toString` or descriptors were tampered with.
    pub const NATIVE_TAMPERED: u32 = 0x0300_0005;
    /// `navigator.userAgentData` contradicts `navigator.userAgent`.
    pub const UA_DATA_MISMATCH: u32 = 0x0300_0006;
    /// Software WebGL renderer (SwiftShader, llvmpipe, Mesa OffScreen).
    pub const SOFTWARE_WEBGL: u32 = 0x0300_0007;
    /// Plugins/mimeTypes missing or inconsistent.
    pub const PLUGINS_INCONSISTENT: u32 = 0x0300_0008;
    /// Empty `navigator.languages`.
    pub const LANGUAGES_EMPTY: u32 = 0x0300_0009;
    /// Zero outer window size while focused.
    pub const ZERO_VIEWPORT: u32 = 0x0300_000A;
    /// The Notification-permission quirk of headless Chrome.
    pub const NOTIFICATION_QUIRK: u32 = 0x0300_000B;
    /// `eval.toString().length` does not fit the engine the user agent claims.
    pub const EVAL_LENGTH_MISMATCH: u32 = 0x0300_000C;
    /// Default automation viewport (800×600, 1280×720).
    pub const AUTOMATION_VIEWPORT: u32 = 0x0300_000D;
    /// Other navigator inconsistencies the collector reports (`navigator_anomaly`).
    pub const NAVIGATOR_ANOMALY: u32 = 0x0300_000E;
}

const fn d(
    id: u32,
    family: Family,
    engine: &'static str,
    name: &'static str,
    label: &'static str,
    description: &'static str,
) -> Detection {
    Detection {
        id,
        family,
        engine,
        name,
        label,
        description,
    }
}

use Family::{Behavioral as B, Heuristics as H, JsDetection as J};

/// Every detection, ordered by ID.
pub static REGISTRY: &[Detection] = &[
    d(
        ids::AUTOMATION_HTTP_UA,
        H,
        "heuristics",
        "automation_http_user_agent",
        "Automation browser user agent",
        "The User-Agent header (or the Sec-CH-UA client hint) of a request that delivered the session's telemetry names an automation browser: HeadlessChrome, PhantomJS, SlimerJS, HtmlUnit, jsdom, Puppeteer, Playwright, Selenium/WebDriver or Nightmare. Deterministic.",
    ),
    d(
        ids::HTTP_LIBRARY_UA,
        H,
        "heuristics",
        "http_library_user_agent",
        "Scripted HTTP client",
        "The telemetry was delivered by a scripting HTTP client, not a browser: curl, Wget, python-requests, urllib, aiohttp, httpx, Go-http-client, OkHttp, Java HttpClient, Apache HttpClient, libwww-perl, node-fetch, axios, undici, Scrapy, Postman, HTTPie, Guzzle … Deterministic. Counts when the session claims to come from the browser SDK or records no interaction.",
    ),
    d(
        ids::UA_MISMATCH,
        H,
        "heuristics",
        "user_agent_mismatch",
        "User-agent mismatch",
        "The `ua_hash` the SDK reports (SHA-256 of navigator.userAgent, first 32 hex digits) matches none of the User-Agent headers of the session's requests: the page's user agent was patched in one place only.",
    ),
    d(
        ids::HEADER_SHAPE,
        H,
        "heuristics",
        "header_shape",
        "Request headers unlike the claimed browser",
        "A request of an SDK session lacks headers every real browser sends: no User-Agent, no Accept-Language, no Accept-Encoding, or (to secure origins) no Sec-Fetch-* on Chromium ≥ 80 / Firefox ≥ 90, no Sec-CH-UA on Chromium ≥ 89.",
    ),
    d(
        ids::JS_PROBE_MISSING,
        H,
        "heuristics",
        "js_probe_missing",
        "SDK telemetry without a JS probe",
        "The session sends SDK telemetry (collector_version or SDK aggregates) in two or more requests but never a `js_probe` event, which the SDK sends first: the telemetry was crafted or the probe suppressed.",
    ),
    d(
        ids::REPLAYED_PAYLOAD,
        H,
        "heuristics",
        "replayed_payload",
        "Replayed telemetry",
        "A non-trivial measurement payload (over at least 20 pointer moves or 10 key presses, with at least 4 fractional values) is identical to one another session of the project sent earlier: recorded telemetry replayed.",
    ),
    d(
        ids::SESSION_RATE,
        H,
        "heuristics",
        "session_request_rate",
        "Session request rate",
        "The session sent more than 60 ingest requests, or more than 2,000 events, within one minute; the SDK batches far less often.",
    ),
    d(
        ids::IP_RATE,
        H,
        "heuristics",
        "client_ip_request_rate",
        "Client IP request rate",
        "The session's client IP opened at least 50 sessions within 10 minutes, or sent at least 300 ingest requests within one minute, in this project. Loopback, private and link-local addresses are exempt (proxies, NAT). Corroborating only: shared addresses make it weak on its own.",
    ),
    d(
        ids::DECLARED_BOT_UA,
        H,
        "heuristics",
        "declared_bot_user_agent",
        "Self-declared bot",
        "The User-Agent header declares a crawler or bot (Googlebot, bingbot, GPTBot, …, or a `bot/`, `crawler`, `spider`, `+http` token). Verified-bot matching (IP ranges, reverse DNS) is separate.",
    ),
    d(
        ids::NO_SDK_EVIDENCE,
        H,
        "heuristics",
        "no_browser_sdk_evidence",
        "No browser SDK evidence",
        "Evidence gate: the session lacks the events Botect's browser SDK always sends (a `js_probe` event, and a `page` or `snapshot` event). Events posted by hand or by a non-browser HTTP client look like this. A session can be `likely_human` only with the SDK's events and a valid integrity proof (score 4).",
    ),
    d(
        ids::INTEGRITY_MISSING,
        H,
        "heuristics",
        "integrity_proof_missing",
        "Missing integrity proof",
        "Evidence gate: no request of the session carried a valid solution of a proof-of-work challenge (`POST /v1/challenges`, sent as `integrity` with a batch). The SDK solves one per session in a Web Worker; a script must pay the same CPU per session (docs/evaluation.md). Score 6.",
    ),
    d(
        ids::INTEGRITY_INVALID,
        H,
        "heuristics",
        "integrity_proof_invalid",
        "Invalid integrity proof",
        "A request carried an integrity proof that is reused (redeemed by another session first), expired, issued for another project or another client (address prefix, user agent), tampered with, or wrongly solved. Recorded, never rejected: the batch's events are stored. Score 5, also when another request carried a valid proof.",
    ),
    d(
        ids::AUTOMATION_WITH_INTERACTION,
        H,
        "combiner",
        "automation_with_interaction",
        "Automation browser despite interaction",
        "The telemetry came from an automation browser (HeadlessChrome, PhantomJS, Electron, … in the User-Agent or Sec-CH-UA of the ingest requests) and the session recorded interaction: synthetic mouse moves and typing do not cancel a signature no person's browser carries. Definite (score 1), with the automation finding's ID; the no-interaction case keeps 0x03000003.",
    ),
    d(
        ids::EVENTS_WITHOUT_PAGE_HIT,
        H,
        "heuristics",
        "events_without_page_hit",
        "Browser events without a page hit",
        "The session sent browser events but the site's backend reported no page hit for it (`POST /v1/server/page-hits`), while it reported at least 10 page hits for the project in the hour before: the telemetry bypassed the site it claims to come from. Graded (score 20). Only for projects whose backend reports page hits; a site that reports them for some pages only sees it on sessions of the other pages.",
    ),
    d(
        ids::PAGE_HIT_LANGUAGES_MISMATCH,
        H,
        "heuristics",
        "page_hit_languages_mismatch",
        "Page languages unlike the page requests'",
        "The languages the page reported (navigator.languages, in the SDK's `js_probe`) share no primary language with the Accept-Language of the session's page requests as the site's backend saw them. A browser derives both from one setting. Graded (score 15).",
    ),
    d(
        ids::PAGE_HIT_HEADERS_MISMATCH,
        H,
        "heuristics",
        "page_hit_headers_mismatch",
        "Page requests without a browser's headers",
        "The session sends browser-SDK telemetry, but none of its page requests (as the site's backend listed their header names; CORS preflights aside) carried a User-Agent, or none an Accept-Language, which every browser sends. Graded (score 12).",
    ),
    d(
        ids::PAGE_HIT_ADDRESS_MISMATCH,
        H,
        "heuristics",
        "page_hit_address_mismatch",
        "Page requests from another network",
        "The page requests (the address the site's backend observed, unless only inferred) and the telemetry's requests came from different networks (no shared /24 or /48), comparing IPv4 with IPv4 and IPv6 with IPv6; private and loopback addresses are exempt. Corroborating only: people change networks mid-session.",
    ),
    d(
        ids::TLS_CLIENT_MISMATCH,
        H,
        "heuristics",
        "tls_client_mismatch",
        "TLS client unlike the claimed browser",
        "A request's User-Agent claims a Chromium-based browser (Chrome, Edge, Opera, Brave, Samsung Internet; not an embedded WebView), but the JA4 fingerprint of its TLS ClientHello (Botect's own TLS, or a trusted proxy's JA4 header), or of a page request of the session as the site's backend reports it (`ja4` of a page hit), does not carry the cipher suites every Chromium sends (`8daaf6152771`): a non-browser TLS stack (curl, Python, Go, Java …) with a browser's user agent. Graded (score 10). A TLS-inspecting corporate proxy re-originates the connection with its own stack: behind one, a person's Chrome shows this too.",
    ),
    d(
        ids::NO_INTERACTION,
        B,
        "behavioral",
        "no_interaction",
        "No human interaction recorded",
        "No interaction of any kind: no pointer samples or moves, clicks, keys, touches, scrolls or first input.",
    ),
    d(
        ids::LOW_MOUSE_ENTROPY,
        B,
        "behavioral",
        "low_mouse_entropy",
        "Low mouse-movement entropy",
        "The highest mouse-movement entropy reported is below 0.3, measured over at least 40 pointer moves in one window (or with no move count reported): a machine-like pointer path.",
    ),
    d(
        ids::SYNTHETIC_EVENTS,
        B,
        "behavioral",
        "synthetic_events",
        "Synthetic (untrusted) input events",
        "Fewer than half of at least 10 pointer events were trusted (`isTrusted` false: dispatched by script, not by the user agent).",
    ),
    d(
        ids::STRAIGHT_PATHS,
        B,
        "behavioral",
        "straight_pointer_paths",
        "Straight-line pointer paths",
        "Mean path straightness ≥ 0.995 over at least 3 strokes (or 20 moves when strokes are not reported), or ≥ 0.999 over at least 20 moves however many strokes: the pointer travels on ruler-straight lines.",
    ),
    d(
        ids::UNIFORM_SPEED,
        B,
        "behavioral",
        "uniform_pointer_speed",
        "Uniform pointer speed",
        "Speed coefficient of variation below 0.3, or acceleration coefficient of variation below 0.15, over at least 20 moves (weaker: speed variation below 0.45 over at least 30 moves): no human acceleration/deceleration profile.",
    ),
    d(
        ids::METRONOMIC_TIMING,
        B,
        "behavioral",
        "metronomic_pointer_timing",
        "Metronomic pointer timing",
        "Pointer event intervals vary by less than 1% (coefficient of variation, at least 30 moves) at a mean interval that is no display's frame period; below 3% it is weak evidence only. A steady clock at a frame period (30–240 Hz displays) is how browsers deliver input and never fires.",
    ),
    d(
        ids::SUPERHUMAN_POINTER_RATE,
        B,
        "behavioral",
        "superhuman_pointer_rate",
        "Pointer events faster than the display",
        "Mean interval between pointer events below 3 ms over at least 30 moves: faster than any display refresh a browser aligns input to.",
    ),
    d(
        ids::LOW_DIRECTION_ENTROPY,
        B,
        "behavioral",
        "low_direction_entropy",
        "Mechanical movement directions",
        "Direction-change entropy below 0.02 over at least 30 moves, or below 0.1 in windows of at least 80 moves each: the pointer keeps one heading without the corrections a hand makes.",
    ),
    d(
        ids::NO_CORRECTIONS,
        B,
        "behavioral",
        "no_pauses_or_corrections",
        "No pauses or corrections",
        "No pause and no overshoot-and-correct over at least 5 strokes. Weak: corroborates other evidence, never a bot band alone.",
    ),
    d(
        ids::ROBOTIC_KEYSTROKES,
        B,
        "behavioral",
        "robotic_keystrokes",
        "Robotic keystroke timing",
        "Over at least 5 keys: mean key dwell below 10 ms, or mean inter-key interval below 15 ms, or (at least 10 keys, a mean interval of at most 400 ms: typing rhythm, not deliberate presses) inter-key interval coefficient of variation below 0.1. The dwell criterion is skipped on touch devices (virtual keyboards send keydown and keyup together).",
    ),
    d(
        ids::INSTANT_FIRST_INPUT,
        B,
        "behavioral",
        "instant_first_input",
        "Instant first input",
        "The first click or key came less than 100 ms after navigation start (below 400 ms it only corroborates).",
    ),
    d(
        ids::HIDDEN_INTERACTION,
        B,
        "behavioral",
        "interaction_while_hidden",
        "Interaction while the page was hidden",
        "Interaction was recorded although the page reported zero visible time over a non-zero lifetime: nobody could see it.",
    ),
    d(
        ids::IMPLAUSIBLE_SCROLL,
        B,
        "behavioral",
        "implausible_scroll_velocity",
        "Programmatic scrolling",
        "Scroll velocity above 20,000 px/s: jumps only programmatic scrolling makes. Weak: corroborates other evidence only.",
    ),
    d(
        ids::MACHINE_KINEMATICS,
        B,
        "behavioral",
        "machine_like_kinematics",
        "Machine-like pointer kinematics",
        "The pointer-kinematics model (a logistic regression over each window's speed, acceleration and jerk distributions, turning, sub-movements, deviation and Fitts time; weights in server/src/engines/kinematics_model.json, trained by bench/eval/js/train.mjs on the evaluation's tuning half) puts the session's windows of at least 20 moves, on average weighted by their moves, above its flag logit, which at most 0.25 % of the tuning humans exceed. Not applied on touch devices. Graded 29 at the flag logit down to 10, 3 points per logit unit; below it the natural-interaction score is at most 30 + 12 per unit under the flag.",
    ),
    d(
        ids::EMULATED_VIEWPORT_INPUT,
        B,
        "behavioral",
        "emulated_viewport_input",
        "Input into an emulated viewport",
        "The page's trusted pointer events (screenY − clientY, screenX − clientX, constant over at least 10 moves spanning 50 px, top frame only) place its viewport at least 2 px further from the window's corner than the window's whole chrome (outerHeight − innerHeight, outerWidth − innerWidth): the viewport is emulated larger than the window's content area, as Playwright's default viewport does (headless by about 87 px, headed by 2 px). In a real browser window the viewport lies inside the window, so the gap is at most 0 (bottom toolbars and docked DevTools make it negative). Graded 8.",
    ),
    d(
        ids::PRESSURELESS_MOUSE_DOWNS,
        B,
        "behavioral",
        "pressureless_mouse_downs",
        "Mouse presses without pressure",
        "Every trusted mouse-button press (pointerdown with a button held) the page saw in Chromium had pressure 0, where the Pointer Events spec and Chromium report 0.5 for a held button on hardware without pressure: presses dispatched through the DevTools protocol without a force, as Puppeteer (and rebrowser-puppeteer) sends them. Graded 10.",
    ),
    d(
        ids::AUTOMATION_SIGNATURE,
        J,
        "js_detection",
        "automation_signature",
        "Headless automation signature",
        "Headless/automation browser signature: `webdriver`, `headless` or `headless_ua` is true in a `js_probe` or `snapshot` event. Deterministic.",
    ),
    d(
        ids::AUTOMATION_GLOBALS,
        J,
        "js_detection",
        "automation_globals",
        "Automation globals",
        "The probe found automation globals (`cdc_…`, `__webdriver…`, `__selenium…`, `callPhantom`, `__nightmare`, `domAutomation…`). Deterministic.",
    ),
    d(
        ids::JS_PROBE_FAILED,
        J,
        "js_detection",
        "js_probe_failed",
        "JS probe failed",
        "The probe reported `js_passed: false`. Corroborating only.",
    ),
    d(
        ids::NO_HUMAN_INTERACTION,
        J,
        "combiner",
        "no_human_interaction",
        "No human interaction recorded",
        "No human interaction recorded alongside deterministic automation evidence; always emitted together with it, at score 1.",
    ),
    d(
        ids::CDP_DETECTED,
        J,
        "js_detection",
        "devtools_protocol",
        "DevTools-protocol side effects",
        "DevTools-protocol side effects (`Runtime.enable` serialization, sourceURL markers in stacks), as automation through CDP leaves them. Corroborating only: an open DevTools shows them too.",
    ),
    d(
        ids::NATIVE_TAMPERED,
        J,
        "js_detection",
        "native_functions_tampered",
        "Tampered native functions",
        "Native functions whose `toString` or property descriptors were patched, as stealth plugins do. Corroborating only: privacy extensions patch natives too.",
    ),
    d(
        ids::UA_DATA_MISMATCH,
        J,
        "js_detection",
        "user_agent_data_mismatch",
        "userAgentData mismatch",
        "`navigator.userAgentData` (brands, platform) contradicts `navigator.userAgent`. Corroborating only.",
    ),
    d(
        ids::SOFTWARE_WEBGL,
        J,
        "js_detection",
        "software_webgl",
        "Software WebGL renderer",
        "WebGL renders in software (SwiftShader, llvmpipe, Mesa OffScreen), as in headless and virtualised browsers. Corroborating only.",
    ),
    d(
        ids::PLUGINS_INCONSISTENT,
        J,
        "js_detection",
        "plugins_inconsistent",
        "Plugins inconsistent",
        "`navigator.plugins`/`mimeTypes` missing (`missing_plugins`) or inconsistent with each other (`plugins_inconsistent`). Corroborating only.",
    ),
    d(
        ids::LANGUAGES_EMPTY,
        J,
        "js_detection",
        "languages_empty",
        "Empty navigator.languages",
        "`navigator.languages` is empty. Corroborating only.",
    ),
    d(
        ids::ZERO_VIEWPORT,
        J,
        "js_detection",
        "zero_window_size",
        "Zero window size",
        "Zero outer window size while the page is focused. Corroborating only.",
    ),
    d(
        ids::NOTIFICATION_QUIRK,
        J,
        "js_detection",
        "notification_permission_quirk",
        "Notification-permission quirk",
        "`Notification.permission` is `denied` while the Permissions API says `prompt`, as in headless Chrome. Corroborating only.",
    ),
    d(
        ids::EVAL_LENGTH_MISMATCH,
        J,
        "js_detection",
        "eval_length_mismatch",
        "Engine mismatch",
        "`eval.toString().length` does not fit the engine the user agent claims (33 V8, 37 SpiderMonkey/JavaScriptCore). Corroborating only.",
    ),
    d(
        ids::AUTOMATION_VIEWPORT,
        J,
        "js_detection",
        "automation_default_viewport",
        "Default automation viewport",
        "The viewport is an automation framework's default (800×600, 1280×720). Corroborating only.",
    ),
    d(
        ids::NAVIGATOR_ANOMALY,
        J,
        "js_detection",
        "navigator_anomaly",
        "Navigator anomaly",
        "The collector reported `navigator_anomaly`: navigator properties inconsistent with each other. Corroborating only.",
    ),
];

/// The registry entry of `id`.
pub fn get(id: u32) -> Option<&'static Detection> {
    REGISTRY.iter().find(|d| d.id == id)
}

/// The reason label of `id` (the ID itself when unknown, which the tests rule out).
pub fn label(id: u32) -> &'static str {
    get(id).map_or("Unknown detection", |d| d.label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn published_ids_keep_their_values_and_meaning() {
        assert_eq!(ids::AUTOMATION_SIGNATURE, 50331648);
        assert_eq!(ids::NO_HUMAN_INTERACTION, 50331651);
        assert_eq!(label(50331648), "Headless automation signature");
        assert!(
            get(50331651)
                .unwrap()
                .description
                .contains("No human interaction")
        );
        assert_eq!(get(50331648).unwrap().hex(), "0x03000000");
    }

    #[test]
    fn ids_are_unique_sorted_and_in_their_family() {
        let mut seen = HashSet::new();
        let mut names = HashSet::new();
        for w in REGISTRY.windows(2) {
            assert!(w[0].id < w[1].id, "{:?} before {:?}", w[0].name, w[1].name);
        }
        for d in REGISTRY {
            assert!(seen.insert(d.id), "duplicate id {}", d.hex());
            assert!(names.insert(d.name), "duplicate name {}", d.name);
            assert_eq!(Family::of(d.id), Some(d.family), "{}", d.name);
            assert_eq!((d.id >> 24) as u8, d.family.byte());
            assert!(
                ["heuristics", "behavioral", "js_detection", "combiner"].contains(&d.engine),
                "{}",
                d.engine
            );
            assert!(d.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!(!d.label.is_empty() && !d.description.is_empty());
        }
        assert_eq!(Family::of(0x0400_0000), None);
    }
}
