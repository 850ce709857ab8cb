//! Credential material: generation from the OS CSPRNG, SHA-256 hashing and constant-time
//! comparison. Secrets (account tokens, private keys) are stored only as SHA-256 hex.
use base64::Engine;
use rand::TryRngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const SITE_KEY_PREFIX: &str = "pk_";
pub const PRIVATE_KEY_PREFIX: &str = "sk_";
pub const SESSION_PREFIX: &str = "sess_";

/// `n` random bytes from the operating system's CSPRNG, base64url without padding.
fn random_b64(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand::rngs::OsRng
        .try_fill_bytes(&mut buf)
        .expect("the OS random number generator failed");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// An account API token: 32 random bytes, no prefix (43 characters).
pub fn new_account_token() -> String {
    random_b64(32)
}

/// A public site key: `pk_` + 24 random bytes.
pub fn new_site_key() -> String {
    format!("{SITE_KEY_PREFIX}{}", random_b64(24))
}

/// A secret private key: `sk_` + 32 random bytes.
pub fn new_private_key() -> String {
    format!("{PRIVATE_KEY_PREFIX}{}", random_b64(32))
}

/// A session token: `sess_` + 24 random bytes.
pub fn new_session_token() -> String {
    format!("{SESSION_PREFIX}{}", random_b64(24))
}

/// Lower-case hex SHA-256 of a secret: what the store keeps and looks up by.
pub fn hash_secret(secret: &str) -> String {
    // Into a fixed buffer: `hex::encode` builds the string a char at a time, which showed in
    // the verdict path's profile.
    let mut buf = [0u8; 64];
    hex::encode_to_slice(Sha256::digest(secret.as_bytes()), &mut buf)
        .expect("a SHA-256 is 32 bytes");
    std::str::from_utf8(&buf).expect("hex is ASCII").to_owned()
}

/// Constant-time equality of two stored hashes (after the indexed lookup, so that the final
/// acceptance never depends on a short-circuiting comparison).
pub fn hashes_match(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Shape check that never touches the store: printable ASCII of sane length.
pub fn plausible_secret(s: &str) -> bool {
    (16..=256).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_prefixes_and_are_unique() {
        let a = new_private_key();
        let b = new_private_key();
        assert!(a.starts_with("sk_") && b.starts_with("sk_"));
        assert_ne!(a, b);
        assert!(new_site_key().starts_with("pk_"));
        assert!(new_session_token().starts_with("sess_"));
        let t = new_account_token();
        assert_eq!(t.len(), 43);
        assert!(!t.starts_with("sk_") && plausible_secret(&t));
    }

    #[test]
    fn hashing_is_sha256_hex() {
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(hashes_match(&hash_secret("x"), &hash_secret("x")));
        assert!(!hashes_match(&hash_secret("x"), &hash_secret("y")));
    }
}
