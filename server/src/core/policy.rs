//! Policy at read time: band from the stored score and the current threshold, action from
//! the band, the toggles and the request context (contract §4's resolution order). Pure.
use crate::domain::{
    Action, Band, Policy, RequestContext, Scored, VerdictOut, band, is_static_resource,
};
use crate::rules::{self, Rule, RuleInput};

/// What a verdict read knows besides the stored score: the session's probe result and
/// behavioral features (rule fields), and the verified-bot check of the request's IP.
#[derive(Debug, Clone, Default)]
pub struct ReadFacts<'a> {
    pub js_passed: Option<bool>,
    pub mouse_entropy: Option<f64>,
    pub scroll_velocity: Option<f64>,
    pub visibility_changes: Option<f64>,
    pub first_input_delay_ms: Option<f64>,
    /// `(name, category)` of a verified crawler.
    pub verified: Option<(&'a str, &'a str)>,
    /// What the session carries besides its score (rule fields, never score inputs).
    pub session: SessionFacts<'a>,
}

/// The session's rule fields that are not scoring output.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SessionFacts<'a> {
    /// The backend asserted a signed-in user (`logged_in`).
    pub logged_in: bool,
    /// The latest JA4 seen for the session (`ja4`).
    pub ja4: Option<&'a str>,
    /// The latest client address seen for the session: the `ip` field when the verdict
    /// read gives none.
    pub client_ip: Option<std::net::IpAddr>,
}

impl<'a> SessionFacts<'a> {
    /// From the stored columns (an unparsable address is no address).
    pub fn of(logged_in: bool, ja4: Option<&'a str>, client_ip: Option<&str>) -> Self {
        SessionFacts {
            logged_in,
            ja4,
            client_ip: client_ip.and_then(|ip| ip.parse().ok()),
        }
    }
}

/// Resolves the verdict (contract §4): (1) fail-open, (2) verified bots, (3) static
/// resources, (4) rules by `sort_order` (first terminating match wins, `log` does not
/// terminate), (5) toggles, (6) allow. `stored` is `None` when the session is not scored.
pub fn decide(
    stored: Option<&Scored>,
    policy: &Policy,
    ctx: &RequestContext,
    rules: &[Rule],
    facts: &ReadFacts<'_>,
) -> VerdictOut {
    let stored = stored.filter(|s| s.score > 0);
    // (1) fail-open cases (a verified crawler is known even without a session)
    if stored.is_none() && facts.verified.is_none() {
        return VerdictOut::fail_open();
    }
    let (score, ids, reason) = match stored {
        Some(s) => (s.score, s.detection_ids.as_slice(), s.reason.as_str()),
        None => (0, &[][..], ""),
    };
    let band = match facts.verified {
        Some(_) => Band::Verified,
        None => band(score, policy.threshold),
    };
    let mut out = VerdictOut {
        band,
        score,
        action: Action::Allow,
        detection_ids: ids.to_vec(),
        reason: match facts.verified {
            Some((name, category)) => format!("Verified bot: {name} ({category})."),
            None => reason.to_string(),
        },
    };
    // (2) verified bots
    if band == Band::Verified && policy.bot.allow_verified {
        return out;
    }
    // (3) static resources
    if !policy.bot.protect_static && !ctx.path.is_empty() && is_static_resource(&ctx.path) {
        return out;
    }
    // (4) rules
    let input = RuleInput {
        score,
        band,
        verified_bot: facts.verified.is_some(),
        verified_bot_category: facts.verified.map(|(_, c)| c),
        js_passed: facts.js_passed,
        detection_ids: ids,
        mouse_entropy: facts.mouse_entropy,
        scroll_velocity: facts.scroll_velocity,
        visibility_changes: facts.visibility_changes,
        first_input_delay_ms: facts.first_input_delay_ms,
        logged_in: facts.session.logged_in,
        ja4: facts.session.ja4,
        ..RuleInput::default()
    }
    .with_request(ctx);
    // The verdict's own `ip` context wins; without one, the session's address.
    let input = RuleInput {
        ip: input.ip.or(facts.session.client_ip),
        ..input
    };
    let outcome = rules::resolve(rules, &input);
    // (5) toggles; (6) otherwise allow (or `log` when only log rules matched)
    let toggles = match band {
        Band::Definite if policy.bot.block_definite => Some(Action::Block),
        Band::LikelyAutomated if policy.bot.challenge_likely => Some(Action::Challenge),
        _ => None,
    };
    out.action = outcome.action(toggles);
    if let Some(r) = outcome.reason() {
        out.reason = if out.reason.is_empty() {
            r
        } else {
            format!("{r} {}", out.reason)
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BotSettings;

    fn scored(score: u8) -> Scored {
        Scored {
            score,
            detection_ids: vec![],
            reason: "r".into(),
        }
    }

    fn policy(block: bool, challenge: bool, protect_static: bool) -> Policy {
        Policy {
            bot: BotSettings {
                block_definite: block,
                challenge_likely: challenge,
                protect_static,
                allow_verified: true,
            },
            threshold: 30,
        }
    }

    #[test]
    fn bands_follow_score_and_threshold() {
        assert_eq!(band(0, 30), Band::NotComputed);
        assert_eq!(band(1, 30), Band::Definite);
        assert_eq!(band(8, 30), Band::LikelyAutomated);
        assert_eq!(band(29, 30), Band::LikelyAutomated);
        assert_eq!(band(30, 30), Band::LikelyHuman);
        assert_eq!(band(29, 20), Band::LikelyHuman);
        assert_eq!(band(99, 99), Band::LikelyHuman);
    }

    #[test]
    fn observe_first_defaults_allow_everything() {
        let p = Policy {
            bot: BotSettings::default(),
            threshold: 30,
        };
        for s in [1, 10, 87] {
            assert_eq!(
                decide(
                    Some(&scored(s)),
                    &p,
                    &RequestContext::default(),
                    &[],
                    &ReadFacts::default()
                )
                .action,
                Action::Allow
            );
        }
    }

    #[test]
    fn toggles_decide_block_and_challenge() {
        let ctx = RequestContext::default();
        assert_eq!(
            decide(
                Some(&scored(1)),
                &policy(true, false, true),
                &ctx,
                &[],
                &ReadFacts::default()
            )
            .action,
            Action::Block
        );
        assert_eq!(
            decide(
                Some(&scored(1)),
                &policy(false, true, true),
                &ctx,
                &[],
                &ReadFacts::default()
            )
            .action,
            Action::Allow
        );
        assert_eq!(
            decide(
                Some(&scored(12)),
                &policy(false, true, true),
                &ctx,
                &[],
                &ReadFacts::default()
            )
            .action,
            Action::Challenge
        );
        assert_eq!(
            decide(
                Some(&scored(12)),
                &policy(true, false, true),
                &ctx,
                &[],
                &ReadFacts::default()
            )
            .action,
            Action::Allow
        );
        assert_eq!(
            decide(
                Some(&scored(87)),
                &policy(true, true, true),
                &ctx,
                &[],
                &ReadFacts::default()
            )
            .action,
            Action::Allow
        );
    }

    #[test]
    fn unscored_is_fail_open() {
        assert_eq!(
            decide(
                None,
                &policy(true, true, true),
                &RequestContext::default(),
                &[],
                &ReadFacts::default()
            ),
            VerdictOut::fail_open()
        );
        assert_eq!(
            decide(
                Some(&scored(0)),
                &policy(true, true, true),
                &RequestContext::default(),
                &[],
                &ReadFacts::default()
            ),
            VerdictOut::fail_open()
        );
    }

    fn rule(name: &str, expr: &str, action: Action) -> Rule {
        Rule::compile(name, expr, action, true).unwrap()
    }

    #[test]
    fn verified_crawler_short_circuits_even_without_a_session() {
        let facts = ReadFacts {
            verified: Some(("Googlebot", "search")),
            ..Default::default()
        };
        let rules = [rule("block all", "score >= 0", Action::Block)];
        let v = decide(
            None,
            &policy(true, true, true),
            &RequestContext::default(),
            &rules,
            &facts,
        );
        assert_eq!((v.band, v.action), (Band::Verified, Action::Allow));
        assert_eq!(v.reason, "Verified bot: Googlebot (search).");
        // allow_verified off: the rules see `verified_bot` and decide.
        let mut p = policy(true, true, true);
        p.bot.allow_verified = false;
        let rules = [rule(
            "no crawlers",
            "verified_bot AND verified_bot_category == \"Search\"",
            Action::Block,
        )];
        let v = decide(None, &p, &RequestContext::default(), &rules, &facts);
        assert_eq!(v.action, Action::Block);
        assert!(
            v.reason
                .starts_with("Rule \"no crawlers\" matched (block)."),
            "{}",
            v.reason
        );
    }

    #[test]
    fn rules_run_in_order_before_toggles_and_log_does_not_terminate() {
        let ctx = RequestContext {
            path: "/login".into(),
            ..Default::default()
        };
        let rules = [
            rule("watch", "path == \"/login\"", Action::Log),
            rule(
                "login bots",
                "score < 30 AND path == \"/login\" AND NOT verified_bot",
                Action::Challenge,
            ),
            rule("later", "score < 50", Action::Block),
        ];
        let v = decide(
            Some(&scored(12)),
            &policy(true, false, true),
            &ctx,
            &rules,
            &ReadFacts::default(),
        );
        assert_eq!(v.action, Action::Challenge);
        assert!(
            v.reason.contains("\"watch\"") && v.reason.contains("\"login bots\""),
            "{}",
            v.reason
        );
        // Only a log rule matches: the toggles still decide; with none, `log`.
        let v = decide(
            Some(&scored(1)),
            &policy(true, false, true),
            &ctx,
            &rules[..1],
            &ReadFacts::default(),
        );
        assert_eq!(v.action, Action::Block);
        let v = decide(
            Some(&scored(87)),
            &policy(true, false, true),
            &ctx,
            &rules[..1],
            &ReadFacts::default(),
        );
        assert_eq!(v.action, Action::Log);
        // Rules never run for fail-open reads.
        let v = decide(
            None,
            &policy(true, true, true),
            &ctx,
            &rules,
            &ReadFacts::default(),
        );
        assert_eq!(v, VerdictOut::fail_open());
    }

    #[test]
    fn static_resources_are_allowed_only_when_not_protected() {
        let ctx = RequestContext {
            path: "/assets/app.CSS?v=2".into(),
            ..Default::default()
        };
        assert_eq!(
            decide(
                Some(&scored(1)),
                &policy(true, true, false),
                &ctx,
                &[],
                &ReadFacts::default()
            )
            .action,
            Action::Allow
        );
        assert_eq!(
            decide(
                Some(&scored(1)),
                &policy(true, true, true),
                &ctx,
                &[],
                &ReadFacts::default()
            )
            .action,
            Action::Block
        );
        assert!(is_static_resource("/.well-known/security.txt"));
        assert!(is_static_resource("/favicon.ico"));
        assert!(!is_static_resource("/login"));
        assert!(!is_static_resource("/api/v1.2/users"));
        assert!(!is_static_resource("/"));
    }

    #[test]
    fn ja4_and_the_sessions_address_are_rule_fields_and_the_verdicts_ip_wins() {
        let rules = [
            rule(
                "curl tls",
                "ja4 == \"t13d3112h2_e8f1e7e78f70_375b8b8e1b2e\"",
                Action::Block,
            ),
            rule("office", "ip in [\"198.51.100.0/24\"]", Action::Challenge),
        ];
        let decide_with = |ctx: &RequestContext, session: SessionFacts<'_>| {
            let facts = ReadFacts {
                session,
                ..Default::default()
            };
            decide(
                Some(&scored(80)),
                &policy(false, false, false),
                ctx,
                &rules,
                &facts,
            )
            .action
        };
        let curl = SessionFacts {
            ja4: Some("t13d3112h2_e8f1e7e78f70_375b8b8e1b2e"),
            ..Default::default()
        };
        assert_eq!(decide_with(&RequestContext::default(), curl), Action::Block);
        assert_eq!(
            decide_with(&RequestContext::default(), SessionFacts::default()),
            Action::Allow
        );
        // Without an `ip` in the verdict query, the session's address.
        let office = SessionFacts::of(false, None, Some("198.51.100.20"));
        assert_eq!(
            decide_with(&RequestContext::default(), office),
            Action::Challenge
        );
        // The verdict's `ip` wins.
        let ctx = RequestContext {
            ip: "203.0.113.1".into(),
            ..Default::default()
        };
        assert_eq!(decide_with(&ctx, office), Action::Allow);
    }
}
