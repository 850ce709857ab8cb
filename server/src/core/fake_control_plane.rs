//! The control plane's part of the in-memory fake store (`fake_store`): accounts, projects,
//! their scoring configuration and rules, kept coherent with the verdict side (enabling,
//! disabling or rotating changes which key hash a verdict read finds), every write bumping
//! the change stamps as the store's commits do, and a log of every string the store was
//! handed, so tests can check that no plaintext secret reaches it.
use std::{
    collections::{BTreeMap, HashMap},
    future::Future,
};

use sea_orm::DbErr;

use super::fake_store::FakeStore;
use crate::domain::SettingsPatch;
use crate::store::{
    AccountReads, AccountRow, ProjectRow, ProjectStore, RuleRow, RuleStore, RuleWrite, ScoringRow,
    Touched, UserRow, VerdictRow,
};

#[derive(Default)]
pub struct ControlPlane {
    pub accounts: HashMap<i32, AccountRow>,
    pub users: HashMap<i32, UserRow>,
    pub projects: BTreeMap<i32, ProjectRow>,
    /// A project's scoring configuration and its private key's hash.
    pub scoring: HashMap<i32, (ScoringRow, Option<String>)>,
    pub next_id: i32,
    /// Every string argument of every control-plane call, in order.
    pub handed: Vec<String>,
}

impl ControlPlane {
    fn id(&mut self) -> i32 {
        self.next_id += 1;
        self.next_id
    }
}

/// The verdict side's row of an enabled project (no session fields).
pub fn key_row(s: &ScoringRow, subscription_active: bool, hash: &str) -> VerdictRow {
    VerdictRow {
        project_id: s.project_id,
        subscription_active,
        allow_verified: s.allow_verified,
        protect_static: s.protect_static,
        block_definite: s.block_definite,
        challenge_likely: s.challenge_likely,
        likely_bot_threshold: s.likely_bot_threshold,
        private_key_hash: hash.to_string(),
        score: None,
        detection_ids: None,
        reason: None,
        js_passed: None,
        features: None,
        rules_version: 0,
        logged_in: None,
        ja4: None,
        client_ip: None,
    }
}

impl FakeStore {
    /// An account with one owner; returns (account id, user id).
    pub fn add_account(&self, name: &str) -> (i32, i32) {
        let mut c = self.control.lock().unwrap();
        let (account, user) = (c.id(), c.id());
        c.accounts.insert(
            account,
            AccountRow {
                id: account,
                name: name.to_string(),
                slug: name.to_lowercase(),
                is_personal: true,
                subscription_active: true,
                plan: "free".into(),
                monthly_event_quota: None,
                created_at: 0,
            },
        );
        c.users.insert(
            user,
            UserRow {
                id: user,
                account_id: account,
                name: name.to_string(),
                email: format!("{}@example.com", name.to_lowercase()),
                role: "owner".into(),
                created_at: 0,
            },
        );
        (account, user)
    }

    fn control_call<T>(
        &self,
        args: &[&str],
        f: impl FnOnce(&mut ControlPlane) -> T,
    ) -> Result<T, DbErr> {
        self.check()?;
        let mut c = self.control.lock().unwrap();
        c.handed.extend(args.iter().map(|a| a.to_string()));
        Ok(f(&mut c))
    }

    /// A control-plane commit: [`control_call`](Self::control_call), then the stamps.
    fn control_write<T>(
        &self,
        args: &[&str],
        f: impl FnOnce(&mut ControlPlane) -> T,
    ) -> Result<T, DbErr> {
        let out = self.control_call(args, f)?;
        self.commit(Touched::Everything, |_| {});
        Ok(out)
    }

    /// Keeps the verdict side's key row of `project` in step with its configuration.
    fn sync_key(&self, c: &ControlPlane, project: i32, old_hash: Option<&str>) {
        let mut keys = self.keys.lock().unwrap();
        if let Some(old) = old_hash {
            keys.remove(old);
        }
        let active = c
            .projects
            .get(&project)
            .and_then(|p| c.accounts.get(&p.account_id))
            .is_some_and(|a| a.subscription_active);
        if let Some((s, Some(hash))) = c.scoring.get(&project)
            && s.enabled
        {
            keys.insert(hash.clone(), key_row(s, active, hash));
        }
    }
}

impl AccountReads for FakeStore {
    fn account(&self, id: i32) -> impl Future<Output = Result<Option<AccountRow>, DbErr>> + Send {
        std::future::ready(self.control_call(&[], |c| c.accounts.get(&id).cloned()))
    }

    fn user(&self, id: i32) -> impl Future<Output = Result<Option<UserRow>, DbErr>> + Send {
        std::future::ready(self.control_call(&[], |c| c.users.get(&id).cloned()))
    }

    /// The batches stored so far, as the usage of every account.
    fn events_this_period(
        &self,
        _account_id: i32,
    ) -> impl Future<Output = Result<i64, DbErr>> + Send {
        let n = self
            .batches
            .lock()
            .unwrap()
            .iter()
            .map(|b| b.events.len() as i64)
            .sum();
        std::future::ready(Ok(n))
    }
}

impl ProjectStore for FakeStore {
    fn create_project(
        &self,
        account_id: i32,
        name: &str,
    ) -> impl Future<Output = Result<ProjectRow, DbErr>> + Send {
        let out = self.control_write(&[name], |c| {
            let id = c.id();
            let row = ProjectRow {
                id,
                account_id,
                name: name.to_string(),
                created_at: 0,
                scoring_enabled: false,
            };
            c.projects.insert(id, row.clone());
            c.scoring.insert(
                id,
                (
                    ScoringRow {
                        project_id: id,
                        enabled: false,
                        site_key: None,
                        allow_verified: true,
                        protect_static: true,
                        block_definite: false,
                        challenge_likely: false,
                        likely_bot_threshold: 30,
                        challenge_difficulty: 18,
                    },
                    None,
                ),
            );
            row
        });
        std::future::ready(out)
    }

    fn project(&self, id: i32) -> impl Future<Output = Result<Option<ProjectRow>, DbErr>> + Send {
        std::future::ready(self.control_call(&[], |c| c.projects.get(&id).cloned()))
    }

    fn projects(
        &self,
        account_id: i32,
    ) -> impl Future<Output = Result<Vec<ProjectRow>, DbErr>> + Send {
        std::future::ready(self.control_call(&[], |c| {
            c.projects
                .values()
                .filter(|p| p.account_id == account_id)
                .cloned()
                .collect()
        }))
    }

    fn delete_project(&self, id: i32) -> impl Future<Output = Result<u64, DbErr>> + Send {
        let out = self.control_write(&[], |c| {
            let hash = c.scoring.remove(&id).and_then(|(_, h)| h);
            if let Some(h) = hash {
                self.keys.lock().unwrap().remove(&h);
            }
            u64::from(c.projects.remove(&id).is_some())
        });
        std::future::ready(out)
    }

    fn scoring(
        &self,
        project_id: i32,
    ) -> impl Future<Output = Result<Option<ScoringRow>, DbErr>> + Send {
        std::future::ready(
            self.control_call(&[], |c| c.scoring.get(&project_id).map(|(s, _)| s.clone())),
        )
    }

    fn enable_scoring(
        &self,
        project_id: i32,
        site_key: &str,
        private_key_hash: &str,
    ) -> impl Future<Output = Result<(ScoringRow, bool), DbErr>> + Send {
        let out = self
            .control_write(&[site_key, private_key_hash], |c| {
                let (s, hash) = c.scoring.get_mut(&project_id)?;
                let minted = !s.enabled;
                if minted {
                    s.enabled = true;
                    s.site_key = Some(site_key.to_string());
                    *hash = Some(private_key_hash.to_string());
                }
                let row = s.clone();
                if let Some(p) = c.projects.get_mut(&project_id) {
                    p.scoring_enabled = true;
                }
                self.sync_key(c, project_id, None);
                Some((row, minted))
            })
            .and_then(|r| r.ok_or_else(|| DbErr::RecordNotFound("scoring".into())));
        std::future::ready(out)
    }

    fn disable_scoring(&self, project_id: i32) -> impl Future<Output = Result<u64, DbErr>> + Send {
        let out = self.control_write(&[], |c| {
            let Some((s, hash)) = c.scoring.get_mut(&project_id) else {
                return 0;
            };
            let old = hash.take();
            s.enabled = false;
            s.site_key = None;
            if let Some(p) = c.projects.get_mut(&project_id) {
                p.scoring_enabled = false;
            }
            self.sync_key(c, project_id, old.as_deref());
            1
        });
        std::future::ready(out)
    }

    fn update_settings(
        &self,
        project_id: i32,
        patch: &SettingsPatch,
    ) -> impl Future<Output = Result<Option<ScoringRow>, DbErr>> + Send {
        let out = self.control_write(&[], |c| {
            let (s, _) = c.scoring.get_mut(&project_id)?;
            let p = patch;
            s.allow_verified = p.allow_verified.unwrap_or(s.allow_verified);
            s.protect_static = p.protect_static.unwrap_or(s.protect_static);
            s.block_definite = p.block_definite.unwrap_or(s.block_definite);
            s.challenge_likely = p.challenge_likely.unwrap_or(s.challenge_likely);
            s.likely_bot_threshold = p.likely_bot_threshold.unwrap_or(s.likely_bot_threshold);
            s.challenge_difficulty = p.challenge_difficulty.unwrap_or(s.challenge_difficulty);
            let row = s.clone();
            self.sync_key(c, project_id, None);
            Some(row)
        });
        std::future::ready(out)
    }

    fn rotate_site_key(
        &self,
        project_id: i32,
        site_key: &str,
    ) -> impl Future<Output = Result<bool, DbErr>> + Send {
        let out = self.control_write(&[site_key], |c| match c.scoring.get_mut(&project_id) {
            Some((s, _)) if s.enabled => {
                s.site_key = Some(site_key.to_string());
                true
            }
            _ => false,
        });
        std::future::ready(out)
    }

    fn rotate_private_key(
        &self,
        project_id: i32,
        private_key_hash: &str,
    ) -> impl Future<Output = Result<bool, DbErr>> + Send {
        let out = self.control_write(&[private_key_hash], |c| {
            match c.scoring.get_mut(&project_id) {
                Some((s, hash)) if s.enabled => {
                    let old = hash.replace(private_key_hash.to_string());
                    self.sync_key(c, project_id, old.as_deref());
                    true
                }
                _ => false,
            }
        });
        std::future::ready(out)
    }
}

impl RuleStore for FakeStore {
    fn rules(&self, project_id: i32) -> impl Future<Output = Result<Vec<RuleRow>, DbErr>> + Send {
        let out = self.check().map(|()| {
            let mut rules = self
                .rules
                .lock()
                .unwrap()
                .get(&project_id)
                .map(|(_, r)| r.clone())
                .unwrap_or_default();
            rules.sort_by_key(|r| (r.sort_order, r.id));
            rules
        });
        std::future::ready(out)
    }

    fn rule(
        &self,
        project_id: i32,
        rule_id: i32,
    ) -> impl Future<Output = Result<Option<RuleRow>, DbErr>> + Send {
        let out = self.check().map(|()| {
            self.rules
                .lock()
                .unwrap()
                .get(&project_id)
                .and_then(|(_, r)| r.iter().find(|r| r.id == rule_id).cloned())
        });
        std::future::ready(out)
    }

    fn insert_rule(
        &self,
        project_id: i32,
        rule: &RuleWrite,
    ) -> impl Future<Output = Result<RuleRow, DbErr>> + Send {
        let out = self
            .control_write(&[&rule.name, &rule.expression_source], |c| {
                c.projects.contains_key(&project_id).then(|| c.id())
            })
            .and_then(|id| {
                let id = id
                    .ok_or_else(|| DbErr::RecordNotFound("FOREIGN KEY constraint failed".into()))?;
                let row = RuleRow {
                    id,
                    project_id,
                    name: rule.name.clone(),
                    expression_source: rule.expression_source.clone(),
                    action: rule.action.to_string(),
                    is_active: rule.is_active,
                    sort_order: rule.sort_order,
                    created_at: 0,
                    updated_at: 0,
                };
                let mut rules = self.rules.lock().unwrap();
                let (version, list) = rules.entry(project_id).or_default();
                *version += 1;
                list.push(row.clone());
                Ok(row)
            });
        std::future::ready(out)
    }

    fn update_rule(
        &self,
        project_id: i32,
        rule_id: i32,
        rule: &RuleWrite,
    ) -> impl Future<Output = Result<Option<RuleRow>, DbErr>> + Send {
        let out = self
            .control_write(&[&rule.name, &rule.expression_source], |_| ())
            .map(|()| {
                let mut rules = self.rules.lock().unwrap();
                let (version, list) = rules.get_mut(&project_id)?;
                let r = list.iter_mut().find(|r| r.id == rule_id)?;
                r.name = rule.name.clone();
                r.expression_source = rule.expression_source.clone();
                r.action = rule.action.to_string();
                r.is_active = rule.is_active;
                r.sort_order = rule.sort_order;
                let row = r.clone();
                *version += 1;
                Some(row)
            });
        std::future::ready(out)
    }

    fn delete_rule(
        &self,
        project_id: i32,
        rule_id: i32,
    ) -> impl Future<Output = Result<bool, DbErr>> + Send {
        let out = self.control_write(&[], |_| ()).map(|()| {
            let mut rules = self.rules.lock().unwrap();
            let Some((version, list)) = rules.get_mut(&project_id) else {
                return false;
            };
            let before = list.len();
            list.retain(|r| r.id != rule_id);
            let deleted = list.len() < before;
            if deleted {
                *version += 1;
            }
            deleted
        });
        std::future::ready(out)
    }
}
