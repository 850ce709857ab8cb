//! Step 4 of contract §4's resolution order: a project's active rules by `sort_order`.
use super::{
    ast::Expr,
    error::RuleError,
    eval::{RuleInput, eval},
    parse,
};
use crate::domain::Action;

/// The action of a rule by its stored name (`allow`, `challenge`, `block`, `log`, `delay`).
pub fn parse_action(s: &str) -> Option<Action> {
    [
        Action::Allow,
        Action::Challenge,
        Action::Block,
        Action::Log,
        Action::Delay,
    ]
    .into_iter()
    .find(|a| a.as_str() == s)
}

/// Whether a matching rule with this action ends step 4 (contract §4 **Decision**:
/// `block`, `challenge`, `delay` and `allow` do; `log` does not).
pub fn terminates(action: Action) -> bool {
    action != Action::Log
}

/// A rule ready to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub expr: Expr,
    pub action: Action,
    pub is_active: bool,
}

impl Rule {
    /// Compiles a stored rule's `expression_source`.
    pub fn compile(
        name: impl Into<String>,
        source: &str,
        action: Action,
        is_active: bool,
    ) -> Result<Rule, RuleError> {
        Ok(Rule {
            name: name.into(),
            expr: parse(source)?,
            action,
            is_active,
        })
    }
}

/// What step 4 found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RulesOutcome<'r> {
    /// The first active rule that matched with a terminating action: its name and action.
    pub decided: Option<(&'r str, Action)>,
    /// The active `log` rules that matched before it (all that matched when none decided),
    /// in order. Empty unless a log rule matched, so it allocates only then.
    pub logged: Vec<&'r str>,
}

impl RulesOutcome<'_> {
    /// The final action after steps 5 and 6: the deciding rule's action; else the toggles'
    /// action (`block` for `definite` + `block_definite`, `challenge` for
    /// `likely_automated` + `challenge_likely`; `None` when no toggle applies); else `log`
    /// when a log rule matched; else `allow`.
    pub fn action(&self, toggles: Option<Action>) -> Action {
        match (self.decided, toggles) {
            (Some((_, a)), _) => a,
            (None, Some(t)) => t,
            (None, None) if !self.logged.is_empty() => Action::Log,
            (None, None) => Action::Allow,
        }
    }

    /// Whether any rule matched.
    pub fn matched(&self) -> bool {
        self.decided.is_some() || !self.logged.is_empty()
    }

    /// The sentence naming the matching rules for the verdict's `reason`, e.g.
    /// `Rule "block-login-bots" matched (block).` or
    /// `Logged by rule "watch-api"; rule "block-login-bots" matched (block).`
    /// `None` when no rule matched.
    pub fn reason(&self) -> Option<String> {
        let quoted = |names: &[&str]| {
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let logged = match self.logged.len() {
            0 => None,
            1 => Some(format!("Logged by rule {}", quoted(&self.logged))),
            _ => Some(format!("Logged by rules {}", quoted(&self.logged))),
        };
        match (logged, self.decided) {
            (None, None) => None,
            (Some(l), None) => Some(format!("{l}.")),
            (None, Some((n, a))) => Some(format!("Rule \"{n}\" matched ({}).", a.as_str())),
            (Some(l), Some((n, a))) => Some(format!("{l}; rule \"{n}\" matched ({}).", a.as_str())),
        }
    }
}

/// Evaluates `rules` (already sorted by `sort_order` ascending, ties by id) against
/// `input`: inactive rules are skipped; the first active match with a terminating action
/// decides and stops the evaluation; matching `log` rules are noted and evaluation goes
/// on. Allocation-free unless a `log` rule matches.
pub fn resolve<'r>(
    rules: impl IntoIterator<Item = &'r Rule>,
    input: &RuleInput<'_>,
) -> RulesOutcome<'r> {
    let mut out = RulesOutcome::default();
    for rule in rules {
        if !rule.is_active || !eval(&rule.expr, input) {
            continue;
        }
        if terminates(rule.action) {
            out.decided = Some((rule.name.as_str(), rule.action));
            break;
        }
        out.logged.push(rule.name.as_str());
    }
    out
}
