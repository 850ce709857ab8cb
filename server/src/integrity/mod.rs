//! Signed, single-use proof-of-work challenges (docs/ingest.md#integrity). Pure: no I/O, no
//! clock, no randomness of its own; the core passes the secret, the time and the id.
//!
//! A challenge is `base64url(payload) "." base64url(HMAC-SHA256(secret, payload))`, where
//! the 46-byte payload holds a version byte, the project id, the expiry (Unix ms), the
//! difficulty, a random 16-byte id and 8-byte digests of the client's address prefix and
//! user agent. Verification recomputes the HMAC and the digests from the redeeming request;
//! only the single-use check (by id) needs the database.
//!
//! The work: a decimal nonce such that SHA-256(challenge ‖ nonce) has at least `difficulty`
//! leading zero bits (hashcash-style; 2^difficulty hashes expected).
pub mod challenge;
pub mod outcome;

pub use challenge::{Binding, Issued, Redeemable, Secret, address_prefix, mint, solve, verify};
pub use outcome::Outcome;

/// The only algorithm.
pub const ALGORITHM: &str = "SHA-256";
/// How long a challenge can be redeemed.
pub const TTL_MS: i64 = 5 * 60_000;
/// The largest `challenge_difficulty` a project can set.
pub const MAX_DIFFICULTY: u32 = 24;
/// A new project's difficulty (docs/performance.md, proof-of-work: the browser's median
/// solve at this difficulty on the benchmark machine).
pub const DEFAULT_DIFFICULTY: u32 = 18;
/// Longest challenge string accepted back (anything longer is malformed).
pub const MAX_CHALLENGE_LEN: usize = 256;
/// Longest nonce accepted (decimal digits of a u64).
pub const MAX_NONCE_LEN: usize = 20;
