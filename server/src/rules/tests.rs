//! Tests of the rules language: grammar, every error class, printing, evaluation
//! semantics, step-4 resolution, property tests and every example of `docs/rules.md`.
use std::net::IpAddr;

use proptest::prelude::*;

use super::ast::{
    BandSet, BoolField, CmpOp, Cond, Expr, Field, IpNet, MatchOp, NumField, TextField,
    normalize_category,
};
use super::*;
use crate::domain::{Action, Band, RequestContext};

fn ok(src: &str) -> Expr {
    parse(src).unwrap_or_else(|e| panic!("{src:?} should parse: {e}"))
}

fn err(src: &str) -> RuleError {
    match parse(src) {
        Ok(e) => panic!("{src:?} should be rejected, parsed as {e}"),
        Err(e) => e,
    }
}

/// Kind, message and 1-based line:column of the error of `src`.
fn check_err(src: &str, kind: ErrorKind, line: u32, column: u32, message: &str) {
    let e = err(src);
    assert_eq!(e.kind, kind, "{src:?}: {e}");
    assert_eq!(e.message, message, "{src:?}");
    assert_eq!(
        (e.position.line, e.position.column),
        (line, column),
        "{src:?}: {e}"
    );
}

fn canon(src: &str) -> String {
    ok(src).to_string()
}

// ---- fixtures: the sample requests docs/rules.md lists ----

const HUMAN_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

fn fixture(name: &str) -> RuleInput<'static> {
    match name {
        "human" => RuleInput {
            score: 87,
            band: Band::LikelyHuman,
            js_passed: Some(true),
            path: Some("/login?next=/account"),
            ip: ip("203.0.113.7"),
            country: Some("DE"),
            ua: Some(HUMAN_UA),
            mouse_entropy: Some(0.74),
            scroll_velocity: Some(310.0),
            visibility_changes: Some(2.0),
            first_input_delay_ms: Some(180.0),
            ..Default::default()
        },
        "login_bot" => RuleInput {
            score: 12,
            band: Band::LikelyAutomated,
            js_passed: Some(false),
            detection_ids: &[50331651],
            path: Some("/login"),
            ip: ip("198.51.100.23"),
            country: Some("US"),
            ua: Some("python-requests/2.31.0"),
            ..Default::default()
        },
        "headless" => RuleInput {
            score: 1,
            band: Band::Definite,
            js_passed: Some(false),
            detection_ids: &[50331648, 50331651],
            path: Some("/checkout"),
            ip: ip("2001:db8::42"),
            country: Some("us"),
            ua: Some("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/126.0 Safari/537.36"),
            mouse_entropy: Some(0.02),
            scroll_velocity: Some(0.0),
            visibility_changes: Some(0.0),
            first_input_delay_ms: Some(3.0),
            ..Default::default()
        },
        "search_crawler" => RuleInput {
            score: 50,
            band: Band::Verified,
            verified_bot: true,
            verified_bot_category: Some("search"),
            path: Some("/products/42"),
            ip: ip("66.249.66.1"),
            country: Some("US"),
            ua: Some("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
            ..Default::default()
        },
        "ai_crawler" => RuleInput {
            score: 50,
            band: Band::Verified,
            verified_bot: true,
            verified_bot_category: Some("ai_crawler"),
            path: Some("/blog/rules"),
            ip: ip("20.171.207.2"),
            country: Some("US"),
            ua: Some("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)"),
            ..Default::default()
        },
        "asset" => RuleInput {
            score: 40,
            band: Band::LikelyHuman,
            static_resource: true,
            path: Some("/assets/app.js"),
            ip: ip("::ffff:192.0.2.10"),
            country: Some("FR"),
            ua: Some("curl/8.5.0"),
            ..Default::default()
        },
        "no_context" => RuleInput {
            score: 55,
            band: Band::LikelyHuman,
            ..Default::default()
        },
        other => panic!("unknown fixture {other:?}"),
    }
}

const FIXTURES: [&str; 7] = [
    "human",
    "login_bot",
    "headless",
    "search_crawler",
    "ai_crawler",
    "asset",
    "no_context",
];

fn matches(src: &str, fixture_name: &str) -> bool {
    eval(&ok(src), &fixture(fixture_name))
}

// ---- grammar ----

#[test]
fn contract_example_parses_and_decides() {
    let src = r#"score < 30 AND path == "/login" AND NOT verified_bot"#;
    let e = ok(src);
    assert_eq!(e.to_string(), src);
    assert!(matches(src, "login_bot"));
    assert!(!matches(src, "human"));
    assert!(!matches(src, "search_crawler"));
    let rules = [Rule::compile("login", src, Action::Block, true).unwrap()];
    let out = resolve(&rules, &fixture("login_bot"));
    assert_eq!(out.decided, Some(("login", Action::Block)));
    assert_eq!(out.action(None), Action::Block);
}

#[test]
fn precedence_and_canonical_printing() {
    // AND binds tighter than OR, NOT tighter than AND.
    assert_eq!(
        ok("verified_bot OR static_resource AND score < 3"),
        Expr::Or(vec![
            ok("verified_bot"),
            Expr::And(vec![ok("static_resource"), ok("score < 3")])
        ])
    );
    assert_eq!(
        ok("NOT verified_bot AND static_resource"),
        Expr::And(vec![
            Expr::Not(Box::new(ok("verified_bot"))),
            ok("static_resource")
        ])
    );
    // Redundant parentheses disappear; needed ones stay.
    assert_eq!(canon("((score<30))"), "score < 30");
    assert_eq!(
        canon("(verified_bot OR static_resource) AND score<3"),
        "(verified_bot OR static_resource) AND score < 3"
    );
    assert_eq!(
        canon("verified_bot OR (static_resource AND score<3)"),
        "verified_bot OR static_resource AND score < 3"
    );
    assert_eq!(
        canon("NOT (verified_bot OR static_resource)"),
        "NOT (verified_bot OR static_resource)"
    );
    assert_eq!(canon("NOT NOT verified_bot"), "NOT NOT verified_bot");
    // Grouping is kept in the AST (a AND (b AND c) is not flattened).
    assert_eq!(
        canon("verified_bot AND (static_resource AND score < 3)"),
        "verified_bot AND (static_resource AND score < 3)"
    );
    // Literals are normalised.
    assert_eq!(
        canon("verified_bot_category == \"AI  Crawler\""),
        "verified_bot_category == \"ai_crawler\""
    );
    assert_eq!(
        canon("country in [\"us\",\"Ca\"]"),
        "country in [\"US\", \"CA\"]"
    );
    assert_eq!(
        canon("detection_ids in [50331651, 50331648, 50331651]"),
        "detection_ids in [50331648, 50331651]"
    );
    assert_eq!(
        canon("band in [\"likely_automated\", \"definite\"]"),
        "band in [\"definite\", \"likely_automated\"]"
    );
    assert_eq!(
        canon("ip in [\"::ffff:10.0.0.0/104\", \"2001:DB8:0::/32\", \"::ffff:1.2.3.4\"]"),
        "ip in [\"10.0.0.0/8\", \"2001:db8::/32\", \"1.2.3.4\"]"
    );
    assert_eq!(canon("score >= 007.50"), "score >= 7.5");
    assert_eq!(
        canon("behavioral.scroll_velocity > -1.25"),
        "behavioral.scroll_velocity > -1.25"
    );
    assert_eq!(canon("verified_bot == true"), "verified_bot");
    assert_eq!(canon("verified_bot != false"), "verified_bot != false");
    assert_eq!(
        canon("js_detection.passed == false"),
        "js_detection.passed == false"
    );
    assert_eq!(canon(r#"ua == "a \"q\" \\ b""#), r#"ua == "a \"q\" \\ b""#);
    assert_eq!(canon("path != null"), "path != null");
    // White space, including newlines and tabs, is free between tokens; `not in` may be
    // split by any white space.
    assert_eq!(
        canon("country\tnot\n in [\"US\"]\nAND\r\nscore<30"),
        "country not in [\"US\"] AND score < 30"
    );
}

#[test]
fn every_field_and_operator_type_checks() {
    for src in [
        "score == 1",
        "score != 1",
        "score < 1",
        "score <= 1",
        "score > 1",
        "score >= 1",
        "band == \"verified\"",
        "band != \"not_computed\"",
        "band in [\"likely_human\"]",
        "band not in [\"definite\"]",
        "verified_bot",
        "verified_bot == false",
        "verified_bot != true",
        "verified_bot_category == \"ai_crawler\"",
        "verified_bot_category != null",
        "verified_bot_category in [\"x\", \"y\"]",
        "verified_bot_category not in [\"x\"]",
        "js_detection.passed",
        "js_detection.passed == null",
        "static_resource",
        "detection_ids in [1]",
        "detection_ids not in [1, 2]",
        "path == \"/\"",
        "path in [\"/a\", \"/b\"]",
        "ip == \"10.0.0.1\"",
        "ip != \"10.0.0.0/8\"",
        "ip in [\"::1\", \"fe80::/10\"]",
        "ip not in [\"0.0.0.0/0\"]",
        "ip == null",
        "country == \"DE\"",
        "ua not in [\"curl/8.5.0\"]",
        "behavioral.mouse_entropy < 0.2",
        "behavioral.scroll_velocity == null",
        "behavioral.visibility_changes >= 3",
        "behavioral.first_input_delay_ms != 0",
        "logged_in",
        "NOT logged_in AND score < 30",
        "logged_in == false",
        "ja4 == \"t13d1516h2_8daaf6152771_e5627efa2ab1\"",
        "ja4 != null",
        "ja4 in [\"t13d1516h2_8daaf6152771_e5627efa2ab1\", \"t13d3112h2_e8f1e7e78f70_375b8b8e1b2e\"]",
    ] {
        let e = ok(src);
        assert_eq!(ok(&e.to_string()), e, "{src}");
    }
    assert_eq!(Field::ALL.len(), 17);
    for f in Field::ALL {
        assert_eq!(Field::from_name(f.name()), Some(f));
    }
}

// ---- every error class ----

#[test]
fn unknown_field_keeps_the_contract_message() {
    let e = err("scorre < 30");
    assert_eq!(e.kind, ErrorKind::UnknownField);
    assert_eq!(e.message, "Unknown field \"scorre\" in rule expression.");
    assert_eq!(
        e.position,
        Position {
            offset: 0,
            line: 1,
            column: 1
        }
    );
    assert_eq!(e.hint.as_deref(), Some("Did you mean \"score\"?"));
    assert_eq!(
        e.to_string(),
        "Unknown field \"scorre\" in rule expression. At line 1, column 1. Did you mean \"score\"?"
    );
    check_err(
        "verified_bot AND\n  mouse_entropy < 0.2",
        ErrorKind::UnknownField,
        2,
        3,
        "Unknown field \"mouse_entropy\" in rule expression.",
    );
    assert_eq!(
        err("mouse_entropy < 1").hint.as_deref(),
        Some("Did you mean \"behavioral.mouse_entropy\"?")
    );
    assert_eq!(
        err("Score < 1").hint.as_deref(),
        Some("Did you mean \"score\"?")
    );
    assert_eq!(err("zzz < 1").hint, None);
    check_err(
        "behavioral.foo == 1",
        ErrorKind::UnknownField,
        1,
        1,
        "Unknown field \"behavioral.foo\" in rule expression.",
    );
}

#[test]
fn operator_and_type_mismatches() {
    use ErrorKind::TypeMismatch as T;
    check_err(
        "band < \"definite\"",
        T,
        1,
        6,
        "Operator \"<\" cannot be used with field \"band\" (a string); use ==, !=, in, not in.",
    );
    check_err(
        "detection_ids == 50331648",
        T,
        1,
        15,
        "Operator \"==\" cannot be used with field \"detection_ids\" (a set of detection IDs); use in or not in (any overlap with a list), e.g. detection_ids in [50331648].",
    );
    check_err(
        "score in [1, 2]",
        T,
        1,
        7,
        "Operator \"in\" cannot be used with field \"score\" (a number); use ==, !=, <, <=, >, >=.",
    );
    check_err(
        "verified_bot > false",
        T,
        1,
        14,
        "Operator \">\" cannot be used with field \"verified_bot\" (a boolean); use == or != (or the bare field).",
    );
    check_err(
        "score == \"30\"",
        T,
        1,
        10,
        "Field \"score\" is a number; expected a number, found string \"30\".",
    );
    check_err(
        "verified_bot == 1",
        T,
        1,
        17,
        "Field \"verified_bot\" is a boolean; expected true or false, found number 1.",
    );
    check_err(
        "path == 3",
        T,
        1,
        9,
        "Field \"path\" is a string; expected a quoted string, found number 3.",
    );
    check_err(
        "country in \"US\"",
        T,
        1,
        12,
        "Operator \"in\" needs a [list] of strings, found string \"US\"; write [\"US\"].",
    );
    check_err(
        "detection_ids in 7",
        T,
        1,
        18,
        "Operator \"in\" needs a [list] of detection IDs, found number 7; write [7].",
    );
    check_err(
        "country == [\"US\"]",
        T,
        1,
        12,
        "Operator \"==\" compares with one value, found a list; use \"in\" or \"not in\" with a list.",
    );
    check_err(
        "country in [\"US\", 3]",
        T,
        1,
        19,
        "List for field \"country\" must contain only strings; found number 3.",
    );
    check_err(
        "detection_ids in [1, \"2\"]",
        T,
        1,
        22,
        "List for field \"detection_ids\" must contain only detection IDs (whole numbers); found string \"2\".",
    );
    check_err(
        "score == null",
        T,
        1,
        10,
        "Field \"score\" always has a value and cannot be compared with null; only fields that can be absent can.",
    );
    check_err(
        "behavioral.mouse_entropy < null",
        T,
        1,
        26,
        "null can only be compared with == or !=, not \"<\".",
    );
    check_err(
        "ip in null",
        T,
        1,
        4,
        "Operator \"in\" needs a [list], found null; compare with null using == or !=.",
    );
    check_err(
        "score AND verified_bot",
        T,
        1,
        7,
        "Field \"score\" is a number and must be compared with a value (==, !=, <, <=, >, >=), found AND; only verified_bot, js_detection.passed and static_resource stand alone.",
    );
    check_err(
        "path",
        T,
        1,
        5,
        "Field \"path\" is a string and must be compared with a value (==, !=, in, not in), found the end of the expression; only verified_bot, js_detection.passed and static_resource stand alone.",
    );
}

#[test]
fn unbalanced_parentheses_and_brackets() {
    use ErrorKind::Unbalanced as U;
    check_err(
        "(score < 30 AND verified_bot",
        U,
        1,
        1,
        "Unbalanced parentheses: the \"(\" at line 1, column 1 is never closed.",
    );
    check_err(
        "score < 30)",
        U,
        1,
        11,
        "Unbalanced parentheses: \")\" has no matching \"(\".",
    );
    check_err(
        ") score < 30",
        U,
        1,
        1,
        "Unbalanced parentheses: \")\" has no matching \"(\".",
    );
    check_err(
        "score < )",
        U,
        1,
        9,
        "Unbalanced parentheses: \")\" has no matching \"(\".",
    );
    check_err(
        "((verified_bot)",
        U,
        1,
        1,
        "Unbalanced parentheses: the \"(\" at line 1, column 1 is never closed.",
    );
    check_err(
        "country in [\"US\", \"CA\"",
        U,
        1,
        12,
        "Unbalanced brackets: the \"[\" at line 1, column 12 is never closed.",
    );
    check_err(
        "country in [\"US\"",
        U,
        1,
        12,
        "Unbalanced brackets: the \"[\" at line 1, column 12 is never closed.",
    );
    check_err(
        "country == ]",
        U,
        1,
        12,
        "Unbalanced brackets: \"]\" has no matching \"[\".",
    );
}

#[test]
fn bad_literals() {
    use ErrorKind::InvalidLiteral as L;
    check_err(
        "band == \"likely_bot\"",
        L,
        1,
        9,
        "Unknown band \"likely_bot\" in rule expression; expected one of not_computed, definite, likely_automated, likely_human, verified.",
    );
    check_err(
        "ip == \"10.0.0.256\"",
        L,
        1,
        7,
        "Invalid IP address \"10.0.0.256\" in rule expression; expected an IPv4 or IPv6 address such as \"203.0.113.7\" or \"2001:db8::1\".",
    );
    check_err(
        "ip in [\"10.0.0.0/8\", \"10.1.2.3/8\"]",
        L,
        1,
        22,
        "Invalid CIDR \"10.1.2.3/8\" in rule expression: host bits are set; did you mean \"10.0.0.0/8\"?",
    );
    check_err(
        "ip == \"10.0.0.0/33\"",
        L,
        1,
        7,
        "Invalid CIDR \"10.0.0.0/33\" in rule expression: the prefix length must be a whole number from 0 to 32.",
    );
    check_err(
        "ip == \"2001:db8::/129\"",
        L,
        1,
        7,
        "Invalid CIDR \"2001:db8::/129\" in rule expression: the prefix length must be a whole number from 0 to 128.",
    );
    for bad in [
        "10.0.0.0/",
        "10.0.0.0/08",
        "10.0.0.0/+8",
        "fe80::1%eth0",
        "example.com",
        "",
    ] {
        assert_eq!(err(&format!("ip == \"{bad}\"")).kind, L, "{bad}");
    }
    let e = err("ip == 10.0.0.1");
    assert_eq!(e.kind, L);
    assert_eq!(e.message, "Invalid number \"10.0.0.1\" in rule expression.");
    assert_eq!(
        e.hint.as_deref(),
        Some("IP addresses and CIDRs are strings: write \"10.0.0.1\".")
    );
    check_err(
        "score < 1.",
        L,
        1,
        9,
        "Invalid number \"1.\" in rule expression.",
    );
    check_err(
        "score < 1e5",
        L,
        1,
        9,
        "Invalid number \"1e5\" in rule expression.",
    );
    check_err(
        "score < 0x1F",
        L,
        1,
        9,
        "Invalid number \"0x1F\" in rule expression.",
    );
    check_err(
        "score < 30abc",
        L,
        1,
        9,
        "Invalid number \"30abc\" in rule expression.",
    );
    let huge = format!("score < {}", "9".repeat(400));
    assert_eq!(err(&huge).kind, L);
    assert!(err(&huge).message.contains("out of range"));
    check_err(
        "ua == \"abc",
        L,
        1,
        7,
        "Unterminated string literal in rule expression: the closing \" is missing.",
    );
    check_err(
        "ua == \"abc\nAND verified_bot",
        L,
        1,
        7,
        "Unterminated string literal in rule expression: the closing \" is missing.",
    );
    check_err(
        r#"ua == "a\nb""#,
        L,
        1,
        9,
        r#"Invalid escape "\n" in string literal; only \" and \\ are allowed."#,
    );
    check_err(
        "ua == \"a\u{7}b\"",
        L,
        1,
        9,
        "Control character U+0007 in string literal; it cannot appear in rule expressions.",
    );
    check_err(
        "path == \"\"",
        L,
        1,
        9,
        "Empty string \"\" for field \"path\"; to test for a missing value compare with null.",
    );
    check_err(
        "verified_bot_category == \" - \"",
        L,
        1,
        26,
        "Category \" - \" has no letters or digits; categories are compared by their letters and digits only.",
    );
    assert_eq!(err("verified_bot_category == \"é\"").kind, L);
    check_err(
        "detection_ids in [1.5]",
        L,
        1,
        19,
        "Invalid detection ID 1.5: detection IDs are whole numbers from 0 to 4294967295.",
    );
    check_err(
        "detection_ids in [-1]",
        L,
        1,
        19,
        "Invalid detection ID -1: detection IDs are whole numbers from 0 to 4294967295.",
    );
    check_err(
        "detection_ids in [4294967296]",
        L,
        1,
        19,
        "Invalid detection ID 4294967296: detection IDs are whole numbers from 0 to 4294967295.",
    );
    check_err(
        "country in []",
        L,
        1,
        12,
        "Empty list in rule expression: a list needs at least one value.",
    );
    check_err(
        "country in [[\"US\"]]",
        L,
        1,
        13,
        "Lists cannot be nested in rule expressions.",
    );
}

#[test]
fn stray_and_missing_tokens() {
    use ErrorKind::UnexpectedToken as X;
    check_err(
        "score < 30 30",
        X,
        1,
        12,
        "Unexpected number 30 after a complete condition; expected AND, OR or the end of the expression.",
    );
    check_err(
        "verified_bot static_resource",
        X,
        1,
        14,
        "Unexpected \"static_resource\" after a complete condition; expected AND, OR or the end of the expression.",
    );
    check_err(
        "score < 30 AND",
        X,
        1,
        15,
        "Expected a condition after AND, found the end of the expression.",
    );
    check_err(
        "AND score < 30",
        X,
        1,
        1,
        "Expected a condition, found AND; a condition starts with a field such as score, or with NOT or \"(\".",
    );
    check_err(
        "score < 30 OR OR verified_bot",
        X,
        1,
        15,
        "Expected a condition after OR, found OR; a condition starts with a field such as score, or with NOT or \"(\".",
    );
    check_err(
        "score <",
        X,
        1,
        8,
        "Expected a value after \"<\", found the end of the expression.",
    );
    check_err(
        "score < < 3",
        X,
        1,
        9,
        "Expected a value after \"<\", found \"<\".",
    );
    check_err(
        "country == US",
        X,
        1,
        12,
        "Expected a value after \"==\", found \"US\"; strings are quoted: \"US\".",
    );
    check_err(
        "score < score",
        X,
        1,
        9,
        "Expected a value after \"<\", found field \"score\"; a condition compares a field with a literal value.",
    );
    check_err(
        "country NOT in [\"US\"]",
        X,
        1,
        9,
        "Unexpected NOT after field \"country\": write \"not in\" in lower case, or put NOT before the whole condition.",
    );
    check_err(
        "(verified_bot static_resource)",
        X,
        1,
        15,
        "Unexpected \"static_resource\"; expected AND, OR or \")\".",
    );
    check_err(
        "()",
        X,
        1,
        1,
        "Empty parentheses in rule expression: \"()\" must contain a condition.",
    );
    check_err(
        "country in [\"US\" \"CA\"]",
        X,
        1,
        18,
        "Expected \",\" or \"]\" in the list, found string \"CA\".",
    );
    check_err(
        "country in [\"US\",]",
        X,
        1,
        18,
        "Expected a value after \",\" in the list, found \"]\"; remove the trailing comma.",
    );
    check_err(
        "country in [,]",
        X,
        1,
        13,
        "Expected a value in the list, found \",\".",
    );
    check_err(
        "country in [US]",
        X,
        1,
        13,
        "Expected a value in the list, found \"US\"; strings are quoted: \"US\".",
    );
}

#[test]
fn bad_characters_and_keyword_case() {
    use ErrorKind::{InvalidCharacter as C, KeywordCase as K};
    check_err(
        "score < 30 && verified_bot",
        C,
        1,
        12,
        "Unknown operator \"&&\" in rule expression; use AND.",
    );
    check_err(
        "score < 30 || verified_bot",
        C,
        1,
        12,
        "Unknown operator \"||\" in rule expression; use OR.",
    );
    check_err(
        "score = 30",
        C,
        1,
        7,
        "Unknown operator \"=\" in rule expression; use \"==\".",
    );
    check_err(
        "score <> 30",
        C,
        1,
        7,
        "Unknown operator \"<>\" in rule expression; use \"!=\".",
    );
    check_err(
        "!verified_bot",
        C,
        1,
        1,
        "Unexpected character \"!\" in rule expression; use NOT to negate a condition, or \"!=\".",
    );
    check_err(
        "path == '/login'",
        C,
        1,
        9,
        "Unexpected character \"'\" in rule expression; strings use double quotes (\"…\").",
    );
    check_err(
        "score < $30",
        C,
        1,
        9,
        "Unexpected character \"$\" in rule expression.",
    );
    check_err(
        "score < - 3",
        C,
        1,
        9,
        "Unexpected character \"-\" in rule expression; a negative number is written without a space, e.g. -1.5.",
    );
    // Columns count characters, not bytes.
    check_err(
        "ua == \"éé\" € x",
        C,
        1,
        12,
        "Unexpected character \"€\" in rule expression.",
    );
    assert_eq!(err("ua == \"éé\" € x").position.offset, 13);
    check_err(
        "verified_bot\u{a0}",
        C,
        1,
        13,
        "Unexpected character U+00A0 in rule expression.",
    );
    check_err(
        "score < 30 and verified_bot",
        K,
        1,
        12,
        "Keyword \"and\" must be upper case: AND.",
    );
    check_err(
        "score < 30 Or verified_bot",
        K,
        1,
        12,
        "Keyword \"Or\" must be upper case: OR.",
    );
    check_err(
        "not verified_bot",
        K,
        1,
        1,
        "Keyword \"not\" must be upper case: NOT (only \"in\" and \"not in\" are lower case).",
    );
    check_err(
        "country IN [\"US\"]",
        K,
        1,
        9,
        "Operator \"IN\" must be lower case: \"in\" (and \"not in\").",
    );
    check_err(
        "verified_bot == True",
        K,
        1,
        17,
        "Literal \"True\" must be lower case: true.",
    );
    check_err(
        "path == NULL",
        K,
        1,
        9,
        "Literal \"NULL\" must be lower case: null.",
    );
}

#[test]
fn empty_and_limits() {
    for src in ["", "   ", "\n\t  \r\n"] {
        let e = err(src);
        assert_eq!(e.kind, ErrorKind::Empty);
        assert_eq!(
            e.message,
            "Empty rule expression: write at least one condition, e.g. score < 30."
        );
        assert_eq!(e.position.offset, 0);
    }
    // Length: 4096 bytes pass, 4097 do not.
    let pad = |n: usize| format!("verified_bot{}", " ".repeat(n - "verified_bot".len()));
    assert!(parse(&pad(MAX_SOURCE_BYTES)).is_ok());
    let e = err(&pad(MAX_SOURCE_BYTES + 1));
    assert_eq!(e.kind, ErrorKind::TooLong);
    assert_eq!(
        e.message,
        "Rule expression is too long: 4097 bytes; at most 4096 are allowed."
    );
    assert_eq!(e.position.offset, MAX_SOURCE_BYTES);
    // Depth: 32 levels pass, 33 do not, wherever they come from.
    let nest = |n: usize| format!("{}verified_bot{}", "(".repeat(n), ")".repeat(n));
    assert!(parse(&nest(MAX_DEPTH)).is_ok());
    check_err(
        &nest(MAX_DEPTH + 1),
        ErrorKind::TooDeep,
        1,
        33,
        "Rule expression is nested too deeply: at most 32 levels of parentheses and NOT are allowed.",
    );
    let nots = |n: usize| format!("{}verified_bot", "NOT ".repeat(n));
    assert!(parse(&nots(MAX_DEPTH)).is_ok());
    assert_eq!(err(&nots(MAX_DEPTH + 1)).kind, ErrorKind::TooDeep);
    assert_eq!(err(&nots(1000)).kind, ErrorKind::TooDeep);
    assert_eq!(err(&"(".repeat(4000)).kind, ErrorKind::TooDeep);
    let mixed = format!("{}verified_bot{}", "NOT (".repeat(17), ")".repeat(17));
    assert_eq!(err(&mixed).kind, ErrorKind::TooDeep);
    // Long AND/OR chains are not nesting.
    let chain = vec!["verified_bot"; 200].join(" OR ");
    assert!(parse(&chain).is_ok());
    // Lists: 256 values pass, 257 do not.
    let ids = |n: usize| {
        format!(
            "detection_ids in [{}]",
            (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
        )
    };
    assert!(parse(&ids(MAX_LIST_ITEMS)).is_ok());
    let e = err(&ids(MAX_LIST_ITEMS + 1));
    assert_eq!(e.kind, ErrorKind::ListTooLong);
    assert_eq!(
        e.message,
        "List is too long: at most 256 values are allowed."
    );
    assert_eq!(&ids(300)[e.position.offset..e.position.offset + 4], "256,");
}

#[test]
fn error_kinds_have_stable_names() {
    for k in ErrorKind::ALL {
        assert_eq!(ErrorKind::from_name(k.as_str()), Some(k));
    }
}

// ---- evaluation semantics ----

fn eval_src(src: &str, input: &RuleInput<'_>) -> bool {
    eval(&ok(src), input)
}

#[test]
fn null_semantics() {
    let empty = RuleInput::default();
    let full = fixture("human");
    // `== null` is true exactly when the value is absent.
    for f in Field::ALL.into_iter().filter(|f| f.nullable()) {
        let is = format!("{} == null", f.name());
        let isnt = format!("{} != null", f.name());
        assert!(eval_src(&is, &empty), "{is}");
        assert!(!eval_src(&isnt, &empty), "{isnt}");
    }
    for f in [
        "js_detection.passed",
        "path",
        "ip",
        "country",
        "ua",
        "behavioral.mouse_entropy",
    ] {
        assert!(!eval_src(&format!("{f} == null"), &full), "{f}");
    }
    // Absent numbers: every comparison is false except `!=`.
    for op in ["==", "<", "<=", ">", ">="] {
        assert!(!eval_src(
            &format!("behavioral.mouse_entropy {op} 0.5"),
            &empty
        ));
        assert!(eval_src(
            &format!("NOT behavioral.mouse_entropy {op} 0.5"),
            &empty
        ));
    }
    assert!(eval_src("behavioral.mouse_entropy != 0.5", &empty));
    // NaN counts as absent.
    let nan = RuleInput {
        mouse_entropy: Some(f64::NAN),
        ..Default::default()
    };
    assert!(eval_src("behavioral.mouse_entropy == null", &nan));
    let inf = RuleInput {
        scroll_velocity: Some(f64::INFINITY),
        ..Default::default()
    };
    assert!(eval_src("behavioral.scroll_velocity == null", &inf));
    assert!(!eval_src("behavioral.scroll_velocity > 1", &inf));
    assert!(!eval_src("behavioral.mouse_entropy < 1", &nan));
    // Absent strings, IPs and booleans: `==`/`in` false, `!=`/`not in` true.
    for (src, want) in [
        ("country == \"US\"", false),
        ("country != \"US\"", true),
        ("country in [\"US\"]", false),
        ("country not in [\"US\"]", true),
        ("ip == \"10.0.0.1\"", false),
        ("ip != \"10.0.0.1\"", true),
        ("ip in [\"0.0.0.0/0\", \"::/0\"]", false),
        ("ip not in [\"0.0.0.0/0\"]", true),
        ("verified_bot_category == \"ai_crawler\"", false),
        ("verified_bot_category != \"ai_crawler\"", true),
        ("js_detection.passed", false),
        ("js_detection.passed == true", false),
        ("js_detection.passed == false", false),
        ("js_detection.passed != true", true),
        ("NOT js_detection.passed", true),
        ("detection_ids in [1]", false),
        ("detection_ids not in [1]", true),
    ] {
        assert_eq!(eval_src(src, &empty), want, "{src}");
    }
    // Empty strings count as absent.
    let blank = RuleInput {
        country: Some(""),
        path: Some(""),
        ..Default::default()
    };
    assert!(eval_src("country == null AND path == null", &blank));
}

#[test]
fn field_comparisons() {
    let human = fixture("human");
    // Score and band.
    assert!(eval_src(
        "score == 87 AND score >= 87 AND score <= 87 AND score > 86.5",
        &human
    ));
    assert!(!eval_src("score < 87", &human));
    assert!(eval_src("band == \"likely_human\"", &human));
    assert!(eval_src(
        "band not in [\"definite\", \"likely_automated\"]",
        &human
    ));
    // Path ignores the query string and fragment, nothing else.
    assert!(eval_src("path == \"/login\"", &human));
    let frag = RuleInput {
        path: Some("/login#x"),
        ..Default::default()
    };
    assert!(eval_src("path == \"/login\"", &frag));
    assert!(!eval_src("path == \"/Login\"", &frag));
    assert!(!eval_src("path == \"/login/\"", &frag));
    // Country ignores ASCII case; ua does not.
    assert!(eval_src("country == \"de\"", &human));
    assert!(eval_src("country in [\"FR\", \"De\"]", &human));
    assert!(eval_src(&format!("ua == \"{HUMAN_UA}\""), &human));
    assert!(!eval_src(
        &format!("ua == \"{}\"", HUMAN_UA.to_lowercase()),
        &human
    ));
    // Categories ignore case and separators.
    let ai = fixture("ai_crawler");
    for lit in [
        "AI Crawler",
        "ai_crawler",
        "ai-crawler",
        "AI__CRAWLER",
        " ai crawler ",
        "AiCrawler",
        "aicrawler",
        "ai.crawler",
    ] {
        assert!(
            eval_src(&format!("verified_bot_category == \"{lit}\""), &ai),
            "{lit}"
        );
    }
    assert!(!eval_src("verified_bot_category == \"ai_crawlers\"", &ai));
    assert!(!eval_src("verified_bot_category == \"ai_search\"", &ai));
    assert!(!eval_src("verified_bot_category == \"ai\"", &ai));
    let odd = RuleInput {
        verified_bot_category: Some("--Ai-_ Crawler--"),
        ..Default::default()
    };
    assert!(eval_src("verified_bot_category == \"ai crawler\"", &odd));
    assert_eq!(normalize_category(" Search--Engine "), "search_engine");
    // Detection IDs: any overlap.
    let h = fixture("headless");
    assert!(eval_src("detection_ids in [7, 50331651]", &h));
    assert!(!eval_src("detection_ids in [7, 8]", &h));
    assert!(eval_src("detection_ids not in [7, 8]", &h));
    assert!(!eval_src("detection_ids not in [50331648]", &h));
    let many: Vec<String> = (0..40).map(|i| (50331600 + i * 3).to_string()).collect();
    assert!(eval_src(
        &format!("detection_ids in [{}]", many.join(", ")),
        &h
    ));
}

#[test]
fn ip_matching() {
    let at = |s: &str| RuleInput {
        ip: Some(s.parse().unwrap()),
        ..Default::default()
    };
    let cases: &[(&str, &str, bool)] = &[
        ("ip == \"203.0.113.7\"", "203.0.113.7", true),
        ("ip == \"203.0.113.7\"", "203.0.113.8", false),
        ("ip != \"203.0.113.7\"", "203.0.113.8", true),
        ("ip == \"203.0.113.0/24\"", "203.0.113.200", true),
        ("ip == \"203.0.113.0/24\"", "203.0.114.1", false),
        (
            "ip in [\"10.0.0.0/8\", \"192.168.0.0/16\"]",
            "192.168.4.4",
            true,
        ),
        ("ip in [\"10.0.0.0/8\"]", "11.0.0.1", false),
        ("ip not in [\"10.0.0.0/8\"]", "11.0.0.1", true),
        ("ip in [\"0.0.0.0/0\"]", "8.8.8.8", true),
        ("ip in [\"0.0.0.0/0\"]", "::1", false),
        ("ip in [\"::/0\"]", "::1", true),
        ("ip in [\"2001:db8::/32\"]", "2001:db8:1:2::3", true),
        ("ip in [\"2001:db8::/32\"]", "2001:db9::3", false),
        ("ip == \"::1\"", "::1", true),
        // IPv4-mapped addresses compare as IPv4, on both sides.
        ("ip in [\"10.0.0.0/8\"]", "::ffff:10.1.2.3", true),
        ("ip == \"::ffff:10.1.2.3\"", "10.1.2.3", true),
        ("ip in [\"::ffff:10.0.0.0/104\"]", "10.200.0.1", true),
        ("ip == \"10.0.0.0/8\"", "2001:db8::1", false),
    ];
    for (src, addr, want) in cases {
        assert_eq!(eval_src(src, &at(addr)), *want, "{src} with {addr}");
    }
    assert_eq!(
        IpNet::parse("192.0.2.0/24").unwrap(),
        IpNet::V4 {
            addr: 0xc000_0200,
            mask: 0xffff_ff00,
            prefix: 24
        }
    );
}

#[test]
fn with_request_reads_the_verdict_query() {
    let ctx = RequestContext {
        path: "/assets/site.css?v=3".into(),
        ip: " 2001:db8::7 ".into(),
        country: "".into(),
        ua: "curl/8.5.0".into(),
    };
    let input = RuleInput::default().with_request(&ctx);
    assert_eq!(input.path, Some("/assets/site.css?v=3"));
    assert_eq!(input.ip, Some("2001:db8::7".parse().unwrap()));
    assert_eq!(input.country, None);
    assert_eq!(input.ua, Some("curl/8.5.0"));
    assert!(input.static_resource);
    assert!(eval_src(
        "path == \"/assets/site.css\" AND static_resource AND country == null",
        &input
    ));
    let bad = RequestContext {
        ip: "not-an-ip".into(),
        ..Default::default()
    };
    let input = RuleInput::default().with_request(&bad);
    assert_eq!(input.ip, None);
    assert_eq!(input.path, None);
    assert!(!input.static_resource);
}

// ---- step 4 ----

fn rule(name: &str, src: &str, action: &str, active: bool) -> Rule {
    Rule::compile(name, src, parse_action(action).unwrap(), active).unwrap()
}

#[test]
fn resolution_first_terminating_match_wins() {
    let bot = fixture("login_bot");
    let rules = vec![
        rule("inactive block", "score < 30", "block", false),
        rule("watch login", "path == \"/login\"", "log", true),
        rule("no match", "verified_bot", "allow", true),
        rule("challenge bots", "score < 30", "challenge", true),
        rule("later block", "score < 30", "block", true),
        rule("later log", "score < 30", "log", true),
    ];
    let out = resolve(&rules, &bot);
    assert_eq!(out.decided, Some(("challenge bots", Action::Challenge)));
    assert_eq!(out.logged, vec!["watch login"]);
    assert_eq!(out.action(Some(Action::Block)), Action::Challenge);
    assert_eq!(
        out.reason().as_deref(),
        Some("Logged by rule \"watch login\"; rule \"challenge bots\" matched (challenge).")
    );
    // `allow` terminates too.
    let rules2 = vec![
        rule("trust crawlers", "verified_bot", "allow", true),
        rule("block all", "score < 100", "block", true),
    ];
    let out = resolve(&rules2, &fixture("search_crawler"));
    assert_eq!(out.decided, Some(("trust crawlers", Action::Allow)));
    assert_eq!(out.action(Some(Action::Block)), Action::Allow);
    assert_eq!(
        out.reason().as_deref(),
        Some("Rule \"trust crawlers\" matched (allow).")
    );
    // `delay` terminates.
    let rules3 = vec![
        rule("slow", "score < 30", "delay", true),
        rule("block", "score < 30", "block", true),
    ];
    assert_eq!(resolve(&rules3, &bot).action(None), Action::Delay);
}

#[test]
fn resolution_log_is_noted_and_decides_only_last() {
    let bot = fixture("login_bot");
    let rules = vec![
        rule("log a", "score < 30", "log", true),
        rule("no", "verified_bot", "block", true),
        rule("log b", "path == \"/login\"", "log", true),
    ];
    let out = resolve(&rules, &bot);
    assert_eq!(out.decided, None);
    assert_eq!(out.logged, vec!["log a", "log b"]);
    assert!(out.matched());
    // Nothing later decides: `log`.
    assert_eq!(out.action(None), Action::Log);
    // A toggle (step 5) decides after a log match.
    assert_eq!(out.action(Some(Action::Block)), Action::Block);
    assert_eq!(
        out.reason().as_deref(),
        Some("Logged by rules \"log a\", \"log b\".")
    );
    // No match at all.
    let none = resolve(&rules, &fixture("no_context"));
    assert_eq!(none, RulesOutcome::default());
    assert!(!none.matched());
    assert_eq!(none.action(None), Action::Allow);
    assert_eq!(none.action(Some(Action::Challenge)), Action::Challenge);
    assert_eq!(none.reason(), None);
    assert!(resolve(std::iter::empty(), &bot).decided.is_none());
}

#[test]
fn actions_parse() {
    for a in ["allow", "challenge", "block", "log", "delay"] {
        let action = parse_action(a).unwrap();
        assert_eq!(action.as_str(), a);
        assert_eq!(terminates(action), a != "log");
    }
    assert_eq!(parse_action("Block"), None);
    assert_eq!(parse_action("deny"), None);
}

// ---- docs/rules.md ----

const DOC: &str = include_str!("../../../docs/rules.md");

struct DocBlock {
    line: usize,
    info: String,
    body: String,
    /// The fenced block right after it, when its info string is `text`.
    next_text: Option<String>,
}

fn doc_blocks() -> Vec<DocBlock> {
    let lines: Vec<&str> = DOC.lines().collect();
    let mut blocks: Vec<(usize, String, String)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(info) = lines[i].trim_start().strip_prefix("```")
            && !info.is_empty()
        {
            let start = i;
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && lines[i].trim_start() != "```" {
                body.push(lines[i]);
                i += 1;
            }
            blocks.push((start + 1, info.trim().to_string(), body.join("\n")));
        }
        i += 1;
    }
    let mut out = Vec::new();
    for (n, (line, info, body)) in blocks.iter().enumerate() {
        if info == "rules" || info.starts_with("rules ") {
            let next_text = blocks
                .get(n + 1)
                .filter(|(_, i, _)| i == "text")
                .map(|(_, _, b)| b.clone());
            out.push(DocBlock {
                line: *line,
                info: info.clone(),
                body: body.clone(),
                next_text,
            });
        }
    }
    out
}

#[test]
fn every_docs_example_is_checked() {
    let blocks = doc_blocks();
    assert!(
        blocks.len() >= 20,
        "docs/rules.md has {} rules blocks",
        blocks.len()
    );
    let mut checked_errors = std::collections::HashSet::new();
    for b in &blocks {
        let at = format!("docs/rules.md:{} ({})", b.line, b.body);
        let mut annotated = false;
        let mut expect_error = None;
        let mut canonical = None;
        for ann in b.info.split_whitespace().skip(1) {
            let (key, value) = ann
                .split_once('=')
                .unwrap_or_else(|| panic!("{at}: bad annotation {ann:?}"));
            match key {
                "matches" | "misses" => {
                    annotated = true;
                    let e = parse(&b.body).unwrap_or_else(|e| panic!("{at}: {e}"));
                    for name in value.split(',') {
                        assert!(FIXTURES.contains(&name), "{at}: fixture {name}");
                        assert_eq!(
                            eval(&e, &fixture(name)),
                            key == "matches",
                            "{at}: {key} {name}"
                        );
                    }
                }
                "error" => {
                    annotated = true;
                    expect_error = Some(
                        ErrorKind::from_name(value)
                            .unwrap_or_else(|| panic!("{at}: error kind {value}")),
                    );
                }
                "canonical" => {
                    annotated = true;
                    canonical = Some(());
                }
                other => panic!("{at}: unknown annotation {other}"),
            }
        }
        assert!(annotated, "{at}: every example needs an expected outcome");
        match expect_error {
            Some(kind) => {
                let e = parse(&b.body).expect_err(&at);
                assert_eq!(e.kind, kind, "{at}: {e}");
                checked_errors.insert(kind);
                if let Some(text) = &b.next_text {
                    assert_eq!(&e.to_string(), text, "{at}");
                }
            }
            None => {
                let e = parse(&b.body).unwrap_or_else(|e| panic!("{at}: {e}"));
                assert_eq!(parse(&e.to_string()).as_ref(), Ok(&e), "{at}");
                if canonical.is_some() {
                    let text = b.next_text.as_ref().expect("canonical needs a text block");
                    assert_eq!(&e.to_string(), text, "{at}");
                }
            }
        }
    }
    // The error section shows every class (but the two whose examples would be kilobytes
    // long; `empty_and_limits` covers them).
    for k in ErrorKind::ALL
        .into_iter()
        .filter(|k| !matches!(k, ErrorKind::TooLong | ErrorKind::ListTooLong))
    {
        assert!(
            checked_errors.contains(&k),
            "docs/rules.md shows no {} example",
            k.as_str()
        );
    }
}

#[test]
fn docs_list_every_field_and_the_limits() {
    for f in Field::ALL {
        assert!(
            DOC.contains(&format!("`{}`", f.name())),
            "docs miss {}",
            f.name()
        );
    }
    for n in [MAX_SOURCE_BYTES, MAX_DEPTH, MAX_LIST_ITEMS] {
        assert!(DOC.contains(&n.to_string()), "docs miss limit {n}");
    }
}

// ---- property tests ----

fn num_field() -> impl Strategy<Value = NumField> {
    prop_oneof![
        Just(NumField::Score),
        Just(NumField::MouseEntropy),
        Just(NumField::ScrollVelocity),
        Just(NumField::VisibilityChanges),
        Just(NumField::FirstInputDelayMs),
    ]
}

fn text_field() -> impl Strategy<Value = TextField> {
    prop_oneof![
        Just(TextField::VerifiedBotCategory),
        Just(TextField::Path),
        Just(TextField::Country),
        Just(TextField::Ua),
    ]
}

fn match_op() -> impl Strategy<Value = MatchOp> {
    prop_oneof![
        Just(MatchOp::Eq),
        Just(MatchOp::Ne),
        Just(MatchOp::In),
        Just(MatchOp::NotIn)
    ]
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::Ne),
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge)
    ]
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-1000i32..1000).prop_map(f64::from),
        -1.0e6..1.0e6f64,
        0.0..1.0f64,
    ]
}

fn ipnet() -> impl Strategy<Value = IpNet> {
    prop_oneof![
        (any::<u32>(), 0u8..=32).prop_map(|(a, p)| {
            let mask = u32::MAX.checked_shl(32 - u32::from(p)).unwrap_or(0);
            IpNet::parse(&format!("{}/{p}", std::net::Ipv4Addr::from(a & mask))).unwrap()
        }),
        (any::<u128>(), 0u8..=128).prop_map(|(a, p)| {
            let mask = u128::MAX.checked_shl(128 - u32::from(p)).unwrap_or(0);
            IpNet::parse(&format!("{}/{p}", std::net::Ipv6Addr::from(a & mask))).unwrap()
        }),
        any::<u32>().prop_map(|a| {
            IpNet::parse(&format!("::ffff:{}", std::net::Ipv4Addr::from(a))).unwrap()
        }),
    ]
}

fn cond() -> impl Strategy<Value = Cond> {
    let nullable: Vec<Field> = Field::ALL.into_iter().filter(|f| f.nullable()).collect();
    prop_oneof![
        (num_field(), cmp_op(), number()).prop_map(|(field, op, value)| Cond::Num {
            field,
            op,
            value
        }),
        (
            prop_oneof![
                Just(BoolField::VerifiedBot),
                Just(BoolField::JsPassed),
                Just(BoolField::StaticResource)
            ],
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(field, negated, value)| Cond::Bool {
                field,
                negated,
                value
            }),
        (proptest::sample::select(nullable), any::<bool>())
            .prop_map(|(field, negated)| Cond::Null { field, negated }),
        (match_op(), 1u8..32, 0usize..5).prop_map(|(op, mask, one)| Cond::Band {
            op,
            set: if op.list() {
                BandSet(mask)
            } else {
                BandSet::default().with(BandSet::ORDER[one])
            },
        }),
        (
            text_field(),
            match_op(),
            proptest::collection::vec("[ -~éß€]{1,10}", 1..4)
        )
            .prop_filter_map("non-empty values", |(field, op, raw)| {
                let n = if op.list() { raw.len() } else { 1 };
                let values: Vec<Box<str>> = raw[..n]
                    .iter()
                    .map(|s| field.normalize(s).into_boxed_str())
                    .collect();
                let valid = |v: &str| match field {
                    TextField::VerifiedBotCategory => v.chars().any(|c| c.is_ascii_alphanumeric()),
                    _ => !v.is_empty(),
                };
                values.iter().all(|v| valid(v)).then(|| Cond::Text {
                    field,
                    op,
                    values: values.into(),
                })
            }),
        (
            any::<bool>(),
            proptest::collection::btree_set(any::<u32>(), 1..5)
        )
            .prop_map(|(negated, ids)| Cond::Ids {
                negated,
                ids: ids.into_iter().collect(),
            }),
        (match_op(), proptest::collection::vec(ipnet(), 1..4)).prop_map(|(op, nets)| {
            let n = if op.list() { nets.len() } else { 1 };
            Cond::Ip {
                op,
                nets: nets[..n].into(),
            }
        }),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    cond()
        .prop_map(Expr::Cond)
        .prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
                proptest::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
                proptest::collection::vec(inner, 2..4).prop_map(Expr::Or),
            ]
        })
}

fn opt_f64() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        Just(Some(f64::NAN)),
        (-10i32..400).prop_map(|v| Some(f64::from(v))),
        (0.0..1.0f64).prop_map(Some),
    ]
}

/// Random verdict reads, over a vocabulary close to the literals above.
fn input() -> impl Strategy<Value = RuleInput<'static>> {
    const PATHS: &[&str] = &["/login", "/login?x=1", "/", "/a\"b", "/api/v1"];
    const CATS: &[&str] = &["AI Crawler", "search_engine", "monitoring", "ai-crawler"];
    const COUNTRIES: &[&str] = &["US", "de", "Fr", ""];
    const UAS: &[&str] = &["curl/8.5.0", "Mozilla/5.0", "python-requests/2.31"];
    const IDS: &[&[u32]] = &[&[], &[50331648], &[50331648, 50331651], &[7, 4294967295]];
    const IPS: &[&str] = &[
        "10.1.2.3",
        "::ffff:10.1.2.3",
        "2001:db8::1",
        "203.0.113.7",
        "::1",
    ];
    let band = proptest::sample::select(BandSet::ORDER.to_vec());
    let opt_str = |v: &'static [&'static str]| {
        prop_oneof![Just(None), proptest::sample::select(v).prop_map(Some)]
    };
    (
        (
            0u8..100,
            band,
            any::<bool>(),
            opt_str(CATS),
            any::<Option<bool>>(),
        ),
        (any::<bool>(), proptest::sample::select(IDS), opt_str(PATHS)),
        (
            prop_oneof![
                Just(None),
                proptest::sample::select(IPS).prop_map(|s| s.parse::<IpAddr>().ok())
            ],
            opt_str(COUNTRIES),
            opt_str(UAS),
        ),
        (opt_f64(), opt_f64(), opt_f64(), opt_f64()),
    )
        .prop_map(
            |((score, band, vb, cat, js), (st, ids, path), (ip, country, ua), b)| RuleInput {
                score,
                band,
                verified_bot: vb,
                verified_bot_category: cat,
                js_passed: js,
                static_resource: st,
                // Varied without another strategy (the tuple is at its arity limit).
                logged_in: score % 2 == 0,
                detection_ids: ids,
                path,
                ip,
                country,
                ua,
                ja4: [
                    None,
                    Some("t13d1516h2_8daaf6152771_e5627efa2ab1"),
                    Some("t13d3112h2_e8f1e7e78f70_375b8b8e1b2e"),
                ][usize::from(score) % 3],
                mouse_entropy: b.0,
                scroll_velocity: b.1,
                visibility_changes: b.2,
                first_input_delay_ms: b.3,
            },
        )
}

/// The condition with its equality flipped, where the grammar has one.
fn flipped(c: &Cond) -> Option<Cond> {
    let flip = |op: MatchOp| match op {
        MatchOp::Eq => MatchOp::Ne,
        MatchOp::Ne => MatchOp::Eq,
        MatchOp::In => MatchOp::NotIn,
        MatchOp::NotIn => MatchOp::In,
    };
    Some(match c.clone() {
        Cond::Num {
            field,
            op: CmpOp::Eq,
            value,
        } => Cond::Num {
            field,
            op: CmpOp::Ne,
            value,
        },
        Cond::Num { .. } => return None,
        Cond::Bool {
            field,
            negated,
            value,
        } => Cond::Bool {
            field,
            negated: !negated,
            value,
        },
        Cond::Null { field, negated } => Cond::Null {
            field,
            negated: !negated,
        },
        Cond::Band { op, set } => Cond::Band { op: flip(op), set },
        Cond::Text { field, op, values } => Cond::Text {
            field,
            op: flip(op),
            values,
        },
        Cond::Ids { negated, ids } => Cond::Ids {
            negated: !negated,
            ids,
        },
        Cond::Ip { op, nets } => Cond::Ip { op: flip(op), nets },
    })
}

const TOKENS: &[&str] = &[
    "score",
    "band",
    "verified_bot",
    "verified_bot_category",
    "js_detection.passed",
    "static_resource",
    "detection_ids",
    "path",
    "ip",
    "country",
    "ua",
    "behavioral.mouse_entropy",
    "behavioral.first_input_delay_ms",
    "scorre",
    "AND",
    "OR",
    "NOT",
    "and",
    "not",
    "in",
    "not in",
    "IN",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "!",
    "&&",
    "(",
    ")",
    "[",
    "]",
    ",",
    "true",
    "false",
    "null",
    "True",
    "0",
    "30",
    "-1.5",
    "1.",
    "1e5",
    "4294967296",
    "50331648",
    "\"US\"",
    "\"/login\"",
    "\"10.0.0.0/8\"",
    "\"10.0.0.1/8\"",
    "\"::1\"",
    "\"definite\"",
    "\"likely_bot\"",
    "\"AI Crawler\"",
    "\"\"",
    "\"a\\\"b\"",
    "\"\\x\"",
    "\"",
    "'",
    "$",
    "é",
    "\n",
    "\t",
    "-",
    ".",
    "10.0.0.1",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn print_then_parse_is_identity(e in expr()) {
        let src = e.to_string();
        if src.len() > MAX_SOURCE_BYTES {
            prop_assert_eq!(parse(&src).unwrap_err().kind, ErrorKind::TooLong);
        } else {
            prop_assert_eq!(parse(&src), Ok(e.clone()), "{}", src);
            // Canonical: printing again changes nothing.
            prop_assert_eq!(parse(&src).unwrap().to_string(), src);
        }
    }

    #[test]
    fn random_strings_never_panic(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..600)) {
        let s = String::from_utf8_lossy(&b);
        if let Err(e) = parse(&s) {
            prop_assert!(e.position.offset <= s.len());
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn token_soups_never_panic(
        toks in proptest::collection::vec(proptest::sample::select(TOKENS), 0..40),
        sep in prop_oneof![Just(" "), Just(""), Just("\n")],
    ) {
        let src = toks.join(sep);
        match parse(&src) {
            Ok(e) => prop_assert_eq!(parse(&e.to_string()), Ok(e)),
            Err(e) => {
                prop_assert!(e.position.offset <= src.len());
                prop_assert!(e.position.line >= 1 && e.position.column >= 1);
            }
        }
    }

    #[test]
    fn inequality_is_the_negation_of_equality(c in cond(), i in input()) {
        if let Some(f) = flipped(&c) {
            prop_assert_eq!(
                eval(&Expr::Cond(f), &i),
                !eval(&Expr::Cond(c.clone()), &i),
                "{}", c
            );
        }
    }

    #[test]
    fn evaluation_follows_the_connectives(e in expr(), i in input()) {
        let v = eval(&e, &i);
        prop_assert_eq!(eval(&Expr::Not(Box::new(e.clone())), &i), !v);
        match &e {
            Expr::And(items) => prop_assert_eq!(v, items.iter().all(|x| eval(x, &i))),
            Expr::Or(items) => prop_assert_eq!(v, items.iter().any(|x| eval(x, &i))),
            _ => {}
        }
    }

    #[test]
    fn absent_numbers_fail_every_ordering(f in num_field(), op in cmp_op(), v in number()) {
        prop_assume!(f != NumField::Score);
        let c = Expr::Cond(Cond::Num { field: f, op, value: v });
        prop_assert_eq!(eval(&c, &RuleInput::default()), op == CmpOp::Ne);
    }

    #[test]
    fn category_folding_is_idempotent(s in "[ -~]{0,20}") {
        let once = normalize_category(&s);
        prop_assert_eq!(normalize_category(&once), once.clone());
        prop_assert!(ast::category_eq(&s, &once));
    }
}
