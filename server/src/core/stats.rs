//! A project's stats from the roll-ups: sessions per bucket by band (under the current
//! threshold) and by the action the current toggles give that band, events and events over
//! quota, the window's top detection IDs. Roll-ups outlive retention, so purged days keep
//! their numbers.
use std::collections::BTreeMap;

use super::{Core, from_store, sessions::saturating_u32};
use crate::domain::{Action, Band, band};
use crate::engines::registry;
use crate::error::{ApiError, ApiResult};
use crate::store::{
    AccountReads, HOUR_MS, ProjectStore, RuleStore, SessionReads, StatsReads, TokenPrincipal,
};

pub const DAY_MS: i64 = 24 * HOUR_MS;
/// The longest window per bucket size.
pub const MAX_HOURS: i64 = 31 * 24;
pub const MAX_DAYS: i64 = 366;
/// Top detection IDs reported.
pub const TOP_DETECTIONS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Hour,
    Day,
}

impl Bucket {
    pub fn parse(s: &str) -> ApiResult<Bucket> {
        match s {
            "" | "hour" => Ok(Bucket::Hour),
            "day" => Ok(Bucket::Day),
            _ => Err(ApiError::invalid(
                "bucket",
                "\"bucket\" must be \"hour\" or \"day\".",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Hour => "hour",
            Bucket::Day => "day",
        }
    }

    fn ms(self) -> i64 {
        match self {
            Bucket::Hour => HOUR_MS,
            Bucket::Day => DAY_MS,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BandCounts {
    pub not_computed: u32,
    pub definite: u32,
    pub likely_automated: u32,
    pub likely_human: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionCounts {
    pub allow: u32,
    pub challenge: u32,
    pub block: u32,
    pub log: u32,
    pub delay: u32,
}

impl ActionCounts {
    pub fn add(&mut self, a: Action, n: u32) {
        let slot = match a {
            Action::Allow => &mut self.allow,
            Action::Challenge => &mut self.challenge,
            Action::Block => &mut self.block,
            Action::Log => &mut self.log,
            Action::Delay => &mut self.delay,
        };
        *slot = slot.saturating_add(n);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatsBucket {
    pub start_ms: i64,
    pub sessions: BandCounts,
    pub actions: ActionCounts,
    pub events: u32,
    pub over_quota_events: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DetectionCount {
    pub detection_id: u32,
    pub name: &'static str,
    pub label: &'static str,
    pub sessions: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectStats {
    pub since_ms: i64,
    pub until_ms: i64,
    pub bucket: Bucket,
    pub buckets: Vec<StatsBucket>,
    pub top_detections: Vec<DetectionCount>,
    pub actions_exclude_rules: bool,
    pub monthly_event_quota: u32,
    pub events_this_month: u32,
}

/// The window rounded out to whole buckets, with the defaults and the limits applied.
pub fn window(
    since: Option<i64>,
    until: Option<i64>,
    bucket: Bucket,
    now: i64,
) -> ApiResult<(i64, i64)> {
    let size = bucket.ms();
    let until = until.unwrap_or(now);
    let until = until.div_euclid(size) * size + if until.rem_euclid(size) == 0 { 0 } else { size };
    let since = since.unwrap_or(match bucket {
        Bucket::Hour => until - DAY_MS,
        Bucket::Day => until - 30 * DAY_MS,
    });
    let since = since.div_euclid(size) * size;
    if since >= until {
        return Err(ApiError::invalid(
            "since",
            "\"since\" must be before \"until\".",
        ));
    }
    let (limit, unit) = match bucket {
        Bucket::Hour => (MAX_HOURS, "hours"),
        Bucket::Day => (MAX_DAYS, "days"),
    };
    if (until - since) / size > limit {
        return Err(ApiError::invalid(
            "since",
            format!(
                "The window spans more than {limit} {unit} (the most a bucket={} query covers); narrow it{}.",
                bucket.as_str(),
                if bucket == Bucket::Hour {
                    " or use bucket=day"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok((since, until))
}

/// Written against [`StatsReads`] (and the reads that give the policy and the usage).
impl<S: ProjectStore + RuleStore + SessionReads + StatsReads + AccountReads> Core<S> {
    pub async fn stats(
        &self,
        p: &TokenPrincipal,
        project: u32,
        since: Option<i64>,
        until: Option<i64>,
        bucket: &str,
    ) -> ApiResult<ProjectStats> {
        let project = self.owned_project(p, project).await?;
        let bucket = Bucket::parse(bucket)?;
        let (from, to) = window(since, until, bucket, crate::store::now_ms())?;
        let read = self.read_policy(project.id).await?;
        let size = bucket.ms();
        let mut buckets: BTreeMap<i64, StatsBucket> = (0..(to - from) / size)
            .map(|i| {
                let start = from + i * size;
                (
                    start,
                    StatsBucket {
                        start_ms: start,
                        sessions: BandCounts::default(),
                        actions: ActionCounts::default(),
                        events: 0,
                        over_quota_events: 0,
                    },
                )
            })
            .collect();
        let slot = |hour: i64| hour.div_euclid(size) * size;
        // Scored sessions per bucket, by band and by the toggles' action for that band.
        let mut scored: BTreeMap<i64, u32> = BTreeMap::new();
        let toggles = super::sessions::ReadPolicy {
            policy: read.policy,
            rules: Vec::new(),
        };
        for row in from_store(self.store.score_hours(project.id, from, to).await)? {
            let Some(b) = buckets.get_mut(&slot(row.hour)) else {
                continue;
            };
            let n = saturating_u32(row.sessions);
            let score = row.score.clamp(0, 99) as u8;
            let c = &mut b.sessions;
            let counter = match band(score, read.policy.threshold) {
                Band::Definite => &mut c.definite,
                Band::LikelyAutomated => &mut c.likely_automated,
                Band::LikelyHuman | Band::Verified => &mut c.likely_human,
                Band::NotComputed => &mut c.not_computed,
            };
            *counter = counter.saturating_add(n);
            let (_, action) =
                toggles.resolve_parts(i32::from(score), &[], "", None, None, Default::default());
            b.actions.add(action, n);
            let s = scored.entry(slot(row.hour)).or_default();
            *s = s.saturating_add(n);
        }
        for row in from_store(self.store.traffic_hours(project.id, from, to).await)? {
            let start = slot(row.hour);
            let Some(b) = buckets.get_mut(&start) else {
                continue;
            };
            b.events = b.events.saturating_add(saturating_u32(row.events));
            b.over_quota_events = b
                .over_quota_events
                .saturating_add(saturating_u32(row.over_quota_events));
            // Sessions first seen here and not scored (yet): new sessions minus scored ones.
            let new = saturating_u32(row.sessions);
            let unscored = new.saturating_sub(scored.get(&start).copied().unwrap_or(0));
            b.sessions.not_computed = b.sessions.not_computed.saturating_add(unscored);
            b.actions.add(Action::Allow, unscored);
        }
        let top_detections = from_store(
            self.store
                .top_detections(project.id, from, to, TOP_DETECTIONS)
                .await,
        )?
        .into_iter()
        .map(|d| {
            let id = d.detection_id.clamp(0, u32::MAX as i64) as u32;
            let entry = registry::get(id);
            DetectionCount {
                detection_id: id,
                name: entry.map_or("", |e| e.name),
                label: entry.map_or("", |e| e.label),
                sessions: saturating_u32(d.sessions),
            }
        })
        .collect();
        let quota = from_store(self.store.account(p.account_id).await)?
            .and_then(|a| a.monthly_event_quota)
            .map_or(0, saturating_u32);
        let used = from_store(self.store.events_this_period(p.account_id).await)?;
        Ok(ProjectStats {
            since_ms: from,
            until_ms: to,
            bucket,
            buckets: buckets.into_values().collect(),
            top_detections,
            actions_exclude_rules: !read.rules.is_empty(),
            monthly_event_quota: quota,
            events_this_month: saturating_u32(used),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_round_out_to_buckets_and_are_bounded() {
        let now = 100 * DAY_MS + 5 * HOUR_MS + 17;
        // Default: the last 24 whole-or-current hours.
        let (a, b) = window(None, None, Bucket::Hour, now).unwrap();
        assert_eq!(b, 100 * DAY_MS + 6 * HOUR_MS);
        assert_eq!(b - a, DAY_MS);
        let (a, b) = window(None, None, Bucket::Day, now).unwrap();
        assert_eq!((a, b), (71 * DAY_MS, 101 * DAY_MS));
        let (a, b) = window(Some(HOUR_MS + 1), Some(2 * HOUR_MS), Bucket::Hour, now).unwrap();
        assert_eq!((a, b), (HOUR_MS, 2 * HOUR_MS));
        assert!(window(Some(0), Some(32 * DAY_MS), Bucket::Hour, now).is_err());
        assert!(window(Some(0), Some(32 * DAY_MS), Bucket::Day, now).is_ok());
        assert!(window(Some(5 * HOUR_MS), Some(5 * HOUR_MS), Bucket::Hour, now).is_err());
        assert!(Bucket::parse("week").is_err());
    }
}
