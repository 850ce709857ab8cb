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
/// Sessions from one public address (in 10 minutes) from which its challenges get harder: the
/// client-IP rate finding's threshold.
pub const VOLUME_SESSIONS: i64 = crate::domain::address::IP_SESSIONS_PER_10MIN as i64;
/// At most this many extra bits for volume (16× the work).
pub const MAX_VOLUME_BITS: u32 = 4;

/// Extra difficulty for an address that opened `sessions` sessions in the last 10 minutes: one
/// bit (twice the work) from [`VOLUME_SESSIONS`], one more per doubling, at most
/// [`MAX_VOLUME_BITS`]. A forger at volume from one address pays more per session; people
/// behind a busy NAT pay at most 16× the normal solve.
pub fn volume_bits(sessions: i64) -> u32 {
    let mut bits = 0;
    let mut at = VOLUME_SESSIONS;
    while sessions >= at && bits < MAX_VOLUME_BITS {
        bits += 1;
        at *= 2;
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_adds_a_bit_per_doubling_up_to_four() {
        assert_eq!(volume_bits(0), 0);
        assert_eq!(volume_bits(49), 0);
        assert_eq!(volume_bits(50), 1);
        assert_eq!(volume_bits(99), 1);
        assert_eq!(volume_bits(100), 2);
        assert_eq!(volume_bits(200), 3);
        assert_eq!(volume_bits(400), 4);
        assert_eq!(volume_bits(1_000_000), MAX_VOLUME_BITS);
    }
}
