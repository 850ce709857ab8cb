//! Verdicts: bands, actions, the observe-first toggles, a project's policy inputs, the verdict
//! body and its fail-open form, and a stored score.

/// Verdict band (contract §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    NotComputed,
    Definite,
    LikelyAutomated,
    LikelyHuman,
    Verified,
}

impl Band {
    pub fn as_str(self) -> &'static str {
        match self {
            Band::NotComputed => "not_computed",
            Band::Definite => "definite",
            Band::LikelyAutomated => "likely_automated",
            Band::LikelyHuman => "likely_human",
            Band::Verified => "verified",
        }
    }
}

/// What the customer's backend should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allow,
    Challenge,
    Block,
    Log,
    Delay,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Challenge => "challenge",
            Action::Block => "block",
            Action::Log => "log",
            Action::Delay => "delay",
        }
    }
}

/// Observe-first toggles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BotSettings {
    pub allow_verified: bool,
    pub protect_static: bool,
    pub block_definite: bool,
    pub challenge_likely: bool,
}

impl Default for BotSettings {
    fn default() -> Self {
        BotSettings {
            allow_verified: true,
            protect_static: true,
            block_definite: false,
            challenge_likely: false,
        }
    }
}

pub const DEFAULT_THRESHOLD: u8 = 30;

/// A project's policy inputs, read at verdict time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub bot: BotSettings,
    pub threshold: u8,
}

/// The verdict body: always these five fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictOut {
    pub band: Band,
    pub score: u8,
    pub action: Action,
    pub detection_ids: Vec<u32>,
    pub reason: String,
}

pub const FAIL_OPEN_REASON: &str = "Score not available; allowing by default.";

impl VerdictOut {
    /// The contract's fail-open body.
    pub fn fail_open() -> Self {
        VerdictOut {
            band: Band::NotComputed,
            score: 0,
            action: Action::Allow,
            detection_ids: Vec::new(),
            reason: FAIL_OPEN_REASON.to_string(),
        }
    }
}

/// Band of a score under threshold `t`.
pub fn band(score: u8, t: u8) -> Band {
    match score {
        0 => Band::NotComputed,
        1 => Band::Definite,
        s if s < t => Band::LikelyAutomated,
        _ => Band::LikelyHuman,
    }
}

/// A stored score as the scoring engines produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub score: u8,
    pub detection_ids: Vec<u32>,
    pub reason: String,
}
