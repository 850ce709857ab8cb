//! Minting, verifying and (natively) solving challenges.
use std::net::IpAddr;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{MAX_CHALLENGE_LEN, MAX_NONCE_LEN, Outcome, TTL_MS};

const VERSION: u8 = 1;
const PAYLOAD_LEN: usize = 46;
const MAC_LEN: usize = 32;

/// The HMAC key (32 random bytes, generated at first start and shared through the database).
#[derive(Clone)]
pub struct Secret([u8; 32]);

impl Secret {
    pub fn new(bytes: [u8; 32]) -> Secret {
        Secret(bytes)
    }

    /// From its stored hex form.
    pub fn from_hex(s: &str) -> Option<Secret> {
        let v = hex::decode(s.trim()).ok()?;
        Some(Secret(v.try_into().ok()?))
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut m = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        m.update(payload);
        m
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// What a challenge is bound to: the project and the requesting client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding<'a> {
    pub project_id: u32,
    /// [`address_prefix`] of the client.
    pub address_prefix: &'a str,
    /// The `User-Agent` header ("" when absent).
    pub user_agent: &'a str,
}

/// The client's network: its IPv4 /24 or IPv6 /48 (so a browser whose address changes within
/// its network keeps its challenge); `-` when unknown.
pub fn address_prefix(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => {
            let o = v4.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
        None => "-".into(),
    }
}

fn digest8(domain: &str, value: &str) -> [u8; 8] {
    let h = Sha256::new()
        .chain_update(domain.as_bytes())
        .chain_update([0])
        .chain_update(value.as_bytes())
        .finalize();
    h[..8].try_into().expect("8 bytes")
}

/// A minted challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub challenge: String,
    pub difficulty: u32,
    pub expires_at_ms: i64,
}

/// Mints a challenge for `binding`, valid until `now_ms` + [`TTL_MS`]. `id` must come from a
/// CSPRNG.
pub fn mint(
    secret: &Secret,
    b: &Binding<'_>,
    difficulty: u32,
    now_ms: i64,
    id: [u8; 16],
) -> Issued {
    let expires_at_ms = now_ms + TTL_MS;
    let mut p = [0u8; PAYLOAD_LEN];
    p[0] = VERSION;
    p[1..5].copy_from_slice(&b.project_id.to_be_bytes());
    p[5..13].copy_from_slice(&expires_at_ms.to_be_bytes());
    p[13] = difficulty.min(255) as u8;
    p[14..30].copy_from_slice(&id);
    p[30..38].copy_from_slice(&digest8("net", b.address_prefix));
    p[38..46].copy_from_slice(&digest8("ua", b.user_agent));
    let mac = secret.mac(&p).finalize().into_bytes();
    Issued {
        challenge: format!("{}.{}", B64.encode(p), B64.encode(mac)),
        difficulty: p[13] as u32,
        expires_at_ms,
    }
}

/// A verified proof, still to be checked for single use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemable {
    /// The challenge's id, 32 hex digits: the single-use key.
    pub id: String,
    pub expires_at_ms: i64,
}

/// Leading zero bits of a hash.
pub fn leading_zero_bits(h: &[u8]) -> u32 {
    let mut n = 0;
    for b in h {
        if *b == 0 {
            n += 8;
        } else {
            return n + b.leading_zeros();
        }
    }
    n
}

/// Checks a proof against the redeeming request. The first failing check names the outcome:
/// shape and signature (tampered), project, expiry, client binding, then the work.
pub fn verify(
    secret: &Secret,
    b: &Binding<'_>,
    challenge: &str,
    nonce: &str,
    now_ms: i64,
) -> Result<Redeemable, Outcome> {
    if challenge.len() > MAX_CHALLENGE_LEN
        || nonce.is_empty()
        || nonce.len() > MAX_NONCE_LEN
        || !nonce.bytes().all(|c| c.is_ascii_digit())
    {
        return Err(Outcome::Tampered);
    }
    let (p64, mac64) = challenge.split_once('.').ok_or(Outcome::Tampered)?;
    let payload = B64.decode(p64).map_err(|_| Outcome::Tampered)?;
    let mac = B64.decode(mac64).map_err(|_| Outcome::Tampered)?;
    if payload.len() != PAYLOAD_LEN || mac.len() != MAC_LEN || payload[0] != VERSION {
        return Err(Outcome::Tampered);
    }
    // Constant-time comparison.
    secret
        .mac(&payload)
        .verify_slice(&mac)
        .map_err(|_| Outcome::Tampered)?;
    let project = u32::from_be_bytes(payload[1..5].try_into().expect("4 bytes"));
    if project != b.project_id {
        return Err(Outcome::ForeignProject);
    }
    let expires_at_ms = i64::from_be_bytes(payload[5..13].try_into().expect("8 bytes"));
    if now_ms > expires_at_ms {
        return Err(Outcome::Expired);
    }
    if payload[30..38] != digest8("net", b.address_prefix)
        || payload[38..46] != digest8("ua", b.user_agent)
    {
        return Err(Outcome::OtherClient);
    }
    let difficulty = payload[13] as u32;
    let h = Sha256::new()
        .chain_update(challenge.as_bytes())
        .chain_update(nonce.as_bytes())
        .finalize();
    if leading_zero_bits(&h) < difficulty {
        return Err(Outcome::Unsolved);
    }
    Ok(Redeemable {
        id: hex::encode(&payload[14..30]),
        expires_at_ms,
    })
}

/// The smallest nonce solving `challenge` at `difficulty`, found natively (the SHA-256 state
/// after the challenge's bytes is computed once). What a forger's script pays per session;
/// the benchmark compares it with the browser SDK's solve.
pub fn solve(challenge: &str, difficulty: u32) -> u64 {
    let prefix = Sha256::new().chain_update(challenge.as_bytes());
    let mut buf = [0u8; 20];
    (0u64..)
        .find(|n| {
            let digits = write_decimal(&mut buf, *n);
            leading_zero_bits(&prefix.clone().chain_update(digits).finalize()) >= difficulty
        })
        .expect("a solution exists")
}

fn write_decimal(buf: &mut [u8; 20], mut n: u64) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000_000;

    fn secret() -> Secret {
        Secret::new([7; 32])
    }

    fn binding() -> Binding<'static> {
        Binding {
            project_id: 3,
            address_prefix: "198.51.100.0/24",
            user_agent: "Mozilla/5.0 Chrome/140",
        }
    }

    fn issued(difficulty: u32) -> Issued {
        mint(&secret(), &binding(), difficulty, NOW, [9; 16])
    }

    fn nonce(i: &Issued) -> String {
        solve(&i.challenge, i.difficulty).to_string()
    }

    #[test]
    fn a_solved_challenge_verifies_once_per_id() {
        let i = issued(12);
        assert!(i.challenge.len() <= MAX_CHALLENGE_LEN);
        assert_eq!(i.expires_at_ms, NOW + TTL_MS);
        let r = verify(&secret(), &binding(), &i.challenge, &nonce(&i), NOW + 1000).unwrap();
        assert_eq!(r.id, "09".repeat(16));
        assert_eq!(r.expires_at_ms, i.expires_at_ms);
        let h = Sha256::new()
            .chain_update(i.challenge.as_bytes())
            .chain_update(nonce(&i).as_bytes())
            .finalize();
        assert!(leading_zero_bits(&h) >= 12);
    }

    #[test]
    fn solve_finds_the_smallest_nonce() {
        let i = issued(8);
        let n = solve(&i.challenge, 8);
        for smaller in 0..n {
            assert_eq!(
                verify(
                    &secret(),
                    &binding(),
                    &i.challenge,
                    &smaller.to_string(),
                    NOW
                ),
                Err(Outcome::Unsolved)
            );
        }
        assert_eq!(solve(&i.challenge, 0), 0);
    }

    #[test]
    fn every_failure_has_its_outcome() {
        let i = issued(10);
        let n = nonce(&i);
        let s = secret();
        let b = binding();
        let check = |c: &str, n: &str, b: &Binding<'_>, at: i64| verify(&s, b, c, n, at).err();
        // Tampered: another key, a changed byte, garbage, bad nonces.
        assert_eq!(
            verify(&Secret::new([8; 32]), &b, &i.challenge, &n, NOW).err(),
            Some(Outcome::Tampered)
        );
        let mut bytes = i.challenge.clone().into_bytes();
        bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(bytes).unwrap();
        assert_eq!(check(&altered, &n, &b, NOW), Some(Outcome::Tampered));
        for bad in ["", "x", "a.b", &"A".repeat(300)] {
            assert_eq!(check(bad, &n, &b, NOW), Some(Outcome::Tampered), "{bad}");
        }
        for bad in ["", "-1", "1e3", "12a", &"1".repeat(21)] {
            assert_eq!(
                check(&i.challenge, bad, &b, NOW),
                Some(Outcome::Tampered),
                "{bad}"
            );
        }
        // Another project's challenge.
        let other = Binding {
            project_id: 4,
            ..binding()
        };
        assert_eq!(
            check(&i.challenge, &n, &other, NOW),
            Some(Outcome::ForeignProject)
        );
        // Expired.
        assert_eq!(
            check(&i.challenge, &n, &b, NOW + TTL_MS + 1),
            Some(Outcome::Expired)
        );
        // Another client: network or user agent.
        for other in [
            Binding {
                address_prefix: "203.0.113.0/24",
                ..binding()
            },
            Binding {
                user_agent: "curl/8.5.0",
                ..binding()
            },
        ] {
            assert_eq!(
                check(&i.challenge, &n, &other, NOW),
                Some(Outcome::OtherClient)
            );
        }
        // Wrongly solved: a nonce that misses the difficulty.
        let wrong = (0u64..)
            .map(|k| k.to_string())
            .find(|k| check(&i.challenge, k, &b, NOW) == Some(Outcome::Unsolved))
            .unwrap();
        assert_eq!(
            check(&i.challenge, &wrong, &b, NOW),
            Some(Outcome::Unsolved)
        );
    }

    #[test]
    fn difficulty_zero_needs_no_work_but_is_still_signed() {
        let i = issued(0);
        assert!(verify(&secret(), &binding(), &i.challenge, "0", NOW).is_ok());
        assert_eq!(
            verify(&Secret::new([1; 32]), &binding(), &i.challenge, "0", NOW).err(),
            Some(Outcome::Tampered)
        );
    }

    #[test]
    fn prefixes_and_zero_bits() {
        assert_eq!(
            address_prefix(Some("198.51.100.7".parse().unwrap())),
            "198.51.100.0/24"
        );
        assert_eq!(
            address_prefix(Some("::ffff:198.51.100.7".parse().unwrap())),
            "198.51.100.0/24"
        );
        assert_eq!(
            address_prefix(Some("2001:db8:abcd:12::1".parse().unwrap())),
            "2001:db8:abcd::/48"
        );
        assert_eq!(address_prefix(None), "-");
        assert_eq!(leading_zero_bits(&[0, 0x10, 0xff]), 11);
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0, 0]), 16);
        assert_eq!(
            Secret::from_hex(&"ab".repeat(32)).map(|s| s.0),
            Some([0xab; 32])
        );
        assert!(Secret::from_hex("abc").is_none());
    }
}
