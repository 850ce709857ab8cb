//! JA4 TLS client fingerprints (FoxIO's published specification,
//! <https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4.md>): their shape.
//! `t13d1516h2_8daaf6152771_e5627efa2ab1`: protocol, TLS version, SNI, cipher and extension
//! counts, ALPN; then the truncated SHA-256 of the sorted cipher suites and of the sorted
//! extensions with the signature algorithms.

/// Whether `s` is a JA4 fingerprint in its hashed form (`a_b_c`, 36 characters).
pub fn is_fingerprint(s: &str) -> bool {
    let mut parts = s.split('_');
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let a = a.as_bytes();
    let hex12 = |p: &str| {
        p.len() == 12
            && p.bytes()
                .all(|x| x.is_ascii_digit() || (b'a'..=b'f').contains(&x))
    };
    a.len() == 10
        && matches!(a[0], b't' | b'q' | b'd')
        && a[1..3].iter().all(u8::is_ascii_alphanumeric)
        && matches!(a[3], b'd' | b'i')
        && a[4..8].iter().all(u8::is_ascii_digit)
        && a[8..10].iter().all(u8::is_ascii_alphanumeric)
        && hex12(b)
        && hex12(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_examples_have_the_shape() {
        assert!(is_fingerprint("t13d1516h2_8daaf6152771_e5627efa2ab1"));
        assert!(is_fingerprint("t13d1517h2_8daaf6152771_b0da82dd1658"));
        assert!(is_fingerprint("q13d0310h3_55b375c5d22e_cd85d2d88918"));
        assert!(is_fingerprint("t12i000000_000000000000_000000000000"));
        assert!(!is_fingerprint("t13d1516h2_8daaf6152771"));
        assert!(!is_fingerprint("t13d1516h2_8DAAF6152771_e5627efa2ab1"));
        assert!(!is_fingerprint("x13d1516h2_8daaf6152771_e5627efa2ab1"));
        assert!(!is_fingerprint("t13d1516h2_8daaf6152771_e5627efa2ab1_"));
        assert!(!is_fingerprint(""));
    }
}
