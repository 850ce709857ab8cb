//! Typed Rust client for Botect: the generated tonic clients of every service, plus
//! [`Botect`], which attaches the right credential to each call.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use botect_client::{Botect, pb};
//! let botect = Botect::connect("http://127.0.0.1:8080").await?;
//! let verdict = botect
//!     .verdicts("sk_…")?
//!     .get_verdict(pb::GetVerdictRequest { session_token: "sess_…".into(), ..Default::default() })
//!     .await?
//!     .into_inner();
//! println!("{:?}", verdict.action());
//! # Ok(()) }
//! ```
use tonic::{
    Request, Status,
    metadata::{AsciiMetadataValue, errors::InvalidMetadataValue},
    service::{Interceptor, interceptor::InterceptedService},
    transport::{Channel, Endpoint},
};

pub use botect_proto::v1 as pb;

/// Adds one credential header to every request.
#[derive(Clone)]
pub struct Credential {
    header: &'static str,
    value: AsciiMetadataValue,
}

impl Credential {
    /// `authorization: Bearer <token>` (control plane).
    pub fn account_token(token: &str) -> Result<Self, InvalidMetadataValue> {
        Ok(Credential {
            header: "authorization",
            value: format!("Bearer {token}").parse()?,
        })
    }

    /// `x-botect-site-key: pk_…` (ingest).
    pub fn site_key(key: &str) -> Result<Self, InvalidMetadataValue> {
        Ok(Credential {
            header: "x-botect-site-key",
            value: key.parse()?,
        })
    }

    /// `authorization: Bearer sk_…` (verdict reads).
    pub fn private_key(key: &str) -> Result<Self, InvalidMetadataValue> {
        Ok(Credential {
            header: "authorization",
            value: format!("Bearer {key}").parse()?,
        })
    }
}

impl Interceptor for Credential {
    fn call(&mut self, mut req: Request<()>) -> Result<Request<()>, Status> {
        req.metadata_mut().insert(self.header, self.value.clone());
        Ok(req)
    }
}

pub type Authed = InterceptedService<Channel, Credential>;

/// Sets the `idempotency-key` metadata of an ingest request.
pub fn with_idempotency_key<T>(
    mut req: Request<T>,
    key: &str,
) -> Result<Request<T>, InvalidMetadataValue> {
    req.metadata_mut().insert("idempotency-key", key.parse()?);
    Ok(req)
}

/// A connection to a Botect server with per-credential service clients.
#[derive(Clone)]
pub struct Botect {
    channel: Channel,
}

impl Botect {
    pub async fn connect(endpoint: impl Into<String>) -> Result<Self, tonic::transport::Error> {
        let channel = Endpoint::from_shared(endpoint.into())?.connect().await?;
        Ok(Botect { channel })
    }

    pub fn from_channel(channel: Channel) -> Self {
        Botect { channel }
    }

    pub fn ingest(
        &self,
        site_key: &str,
    ) -> Result<pb::ingest_service_client::IngestServiceClient<Authed>, InvalidMetadataValue> {
        Ok(
            pb::ingest_service_client::IngestServiceClient::with_interceptor(
                self.channel.clone(),
                Credential::site_key(site_key)?,
            ),
        )
    }

    pub fn verdicts(
        &self,
        private_key: &str,
    ) -> Result<pb::verdict_service_client::VerdictServiceClient<Authed>, InvalidMetadataValue>
    {
        Ok(
            pb::verdict_service_client::VerdictServiceClient::with_interceptor(
                self.channel.clone(),
                Credential::private_key(private_key)?,
            ),
        )
    }

    /// Server-side ingest (page hits, relayed batches), with the private key.
    pub fn server_ingest(
        &self,
        private_key: &str,
    ) -> Result<
        pb::server_ingest_service_client::ServerIngestServiceClient<Authed>,
        InvalidMetadataValue,
    > {
        Ok(
            pb::server_ingest_service_client::ServerIngestServiceClient::with_interceptor(
                self.channel.clone(),
                Credential::private_key(private_key)?,
            ),
        )
    }

    pub fn projects(
        &self,
        token: &str,
    ) -> Result<pb::project_service_client::ProjectServiceClient<Authed>, InvalidMetadataValue>
    {
        Ok(
            pb::project_service_client::ProjectServiceClient::with_interceptor(
                self.channel.clone(),
                Credential::account_token(token)?,
            ),
        )
    }

    pub fn scoring(
        &self,
        token: &str,
    ) -> Result<pb::scoring_service_client::ScoringServiceClient<Authed>, InvalidMetadataValue>
    {
        Ok(
            pb::scoring_service_client::ScoringServiceClient::with_interceptor(
                self.channel.clone(),
                Credential::account_token(token)?,
            ),
        )
    }

    pub fn account(
        &self,
        token: &str,
    ) -> Result<pb::account_service_client::AccountServiceClient<Authed>, InvalidMetadataValue>
    {
        Ok(
            pb::account_service_client::AccountServiceClient::with_interceptor(
                self.channel.clone(),
                Credential::account_token(token)?,
            ),
        )
    }

    pub fn sessions(
        &self,
        token: &str,
    ) -> Result<pb::session_service_client::SessionServiceClient<Authed>, InvalidMetadataValue>
    {
        Ok(
            pb::session_service_client::SessionServiceClient::with_interceptor(
                self.channel.clone(),
                Credential::account_token(token)?,
            ),
        )
    }

    pub fn stats(
        &self,
        token: &str,
    ) -> Result<pb::stats_service_client::StatsServiceClient<Authed>, InvalidMetadataValue> {
        Ok(
            pb::stats_service_client::StatsServiceClient::with_interceptor(
                self.channel.clone(),
                Credential::account_token(token)?,
            ),
        )
    }
}
