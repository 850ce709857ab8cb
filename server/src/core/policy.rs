//! Policy at read time: band from the stored score and the current threshold, action from
//! the band, the toggles and the request context (contract §4's resolution order). Pure.
use super::model::{Action, Band, Policy, RequestContext, Scored, VerdictOut};

/// Band of a score under threshold `t`.
pub fn band(score: u8, t: u8) -> Band {
    match score {
        0 => Band::NotComputed,
        1 => Band::Definite,
        s if s < t => Band::LikelyAutomated,
        _ => Band::LikelyHuman,
    }
}

const STATIC_EXTENSIONS: &[&str] = &[
    "css",
    "js",
    "mjs",
    "map",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "avif",
    "svg",
    "ico",
    "bmp",
    "woff",
    "woff2",
    "ttf",
    "otf",
    "eot",
    "mp4",
    "webm",
    "mp3",
    "ogg",
    "wav",
    "txt",
    "xml",
    "pdf",
    "zip",
    "gz",
    "wasm",
    "webmanifest",
];

/// Whether the protected request's path is a static resource (asset extensions,
/// `/.well-known/`, `/favicon.ico`, `/robots.txt`). Query strings are ignored.
pub fn is_static_resource(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or("");
    if path.starts_with("/.well-known/") {
        return true;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    match last.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() || last.starts_with('.') => {
            STATIC_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        }
        _ => false,
    }
}

/// Resolves the verdict of a stored score (`None`: not scored yet) under `policy`.
pub fn resolve(stored: Option<&Scored>, policy: &Policy, ctx: &RequestContext) -> VerdictOut {
    // (1) fail-open cases
    let Some(s) = stored.filter(|s| s.score > 0) else {
        return VerdictOut::fail_open();
    };
    let band = band(s.score, policy.threshold);
    let mut out = VerdictOut {
        band,
        score: s.score,
        action: Action::Allow,
        detection_ids: s.detection_ids.clone(),
        reason: s.reason.clone(),
    };
    // (2) verified bots
    if band == Band::Verified && policy.bot.allow_verified {
        return out;
    }
    // (3) static resources
    if !policy.bot.protect_static && !ctx.path.is_empty() && is_static_resource(&ctx.path) {
        return out;
    }
    // (5) toggles; (6) otherwise allow
    out.action = match band {
        Band::Definite if policy.bot.block_definite => Action::Block,
        Band::LikelyAutomated if policy.bot.challenge_likely => Action::Challenge,
        _ => Action::Allow,
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::BotSettings;

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
                resolve(Some(&scored(s)), &p, &RequestContext::default()).action,
                Action::Allow
            );
        }
    }

    #[test]
    fn toggles_decide_block_and_challenge() {
        let ctx = RequestContext::default();
        assert_eq!(
            resolve(Some(&scored(1)), &policy(true, false, true), &ctx).action,
            Action::Block
        );
        assert_eq!(
            resolve(Some(&scored(1)), &policy(false, true, true), &ctx).action,
            Action::Allow
        );
        assert_eq!(
            resolve(Some(&scored(12)), &policy(false, true, true), &ctx).action,
            Action::Challenge
        );
        assert_eq!(
            resolve(Some(&scored(12)), &policy(true, false, true), &ctx).action,
            Action::Allow
        );
        assert_eq!(
            resolve(Some(&scored(87)), &policy(true, true, true), &ctx).action,
            Action::Allow
        );
    }

    #[test]
    fn unscored_is_fail_open() {
        assert_eq!(
            resolve(None, &policy(true, true, true), &RequestContext::default()),
            VerdictOut::fail_open()
        );
        assert_eq!(
            resolve(
                Some(&scored(0)),
                &policy(true, true, true),
                &RequestContext::default()
            ),
            VerdictOut::fail_open()
        );
    }

    #[test]
    fn static_resources_are_allowed_only_when_not_protected() {
        let ctx = RequestContext {
            path: "/assets/app.CSS?v=2".into(),
            ..Default::default()
        };
        assert_eq!(
            resolve(Some(&scored(1)), &policy(true, true, false), &ctx).action,
            Action::Allow
        );
        assert_eq!(
            resolve(Some(&scored(1)), &policy(true, true, true), &ctx).action,
            Action::Block
        );
        assert!(is_static_resource("/.well-known/security.txt"));
        assert!(is_static_resource("/favicon.ico"));
        assert!(!is_static_resource("/login"));
        assert!(!is_static_resource("/api/v1.2/users"));
        assert!(!is_static_resource("/"));
    }
}
