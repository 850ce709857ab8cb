//! The domain: the types and small pure facts every layer shares. A leaf: it imports nothing
//! of the crate. Layers above (docs/architecture.md): `domain` ← {`rules`, `engines`,
//! `verified`, `integrity`} ← `store` ← `core` ← {`transport`, `worker`, `cli`, `server`}.
pub mod address;
pub mod batch_rules;
pub mod event;
pub mod ja4;
pub mod records;
pub mod request;
pub mod server_ingest;
pub mod sessions;
pub mod verdict;

pub use event::{EventKind, IncomingBatch, IncomingEvent, IncomingIntegrity, Receipt};
pub use records::{Account, ApiToken, Project, ProjectRule, SettingsPatch, User};
pub use request::{Credentials, DashboardCredential, RequestContext, is_static_resource};
pub use server_ingest::{
    Channel, IncomingObserved, IncomingPageHit, IncomingRelay, ObservedSource, PageHit,
};
pub use verdict::{
    Action, Band, BotSettings, DEFAULT_THRESHOLD, FAIL_OPEN_REASON, Policy, Scored, VerdictOut,
    band,
};
