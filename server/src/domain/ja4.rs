//! JA4 TLS client fingerprints, exactly as FoxIO's published specification defines them
//! (<https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4.md>): computed from a
//! ClientHello, and their shape.
//!
//! `t13d1516h2_8daaf6152771_e5627efa2ab1` is three parts:
//! - **a**: protocol (`t` TCP, `q` QUIC, `d` DTLS), the highest TLS version offered
//!   (`supported_versions` when present, else the hello's version), `d` with an SNI / `i`
//!   without, the number of cipher suites and of extensions (two digits each, GREASE
//!   excluded, at most 99), and the first and last characters of the first ALPN value (`00`
//!   without one);
//! - **b**: the first 12 hex digits of the SHA-256 of the cipher suites, as 4-digit hex,
//!   sorted, comma-separated (`000000000000` without any);
//! - **c**: the same of the extensions sorted (SNI and ALPN left out), then `_` and the
//!   signature algorithms in the order offered.
use sha2::{Digest, Sha256};

const SNI: u16 = 0x0000;
const ALPN: u16 = 0x0010;
const SIGNATURE_ALGORITHMS: u16 = 0x000d;
const SUPPORTED_VERSIONS: u16 = 0x002b;

/// A GREASE value (RFC 8701): `0x?a?a` with both bytes equal.
fn grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff
}

/// Big-endian reads over a byte slice; `None` when it runs out.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    /// A vector with a `len_bytes`-byte length prefix.
    fn vec(&mut self, len_bytes: usize) -> Option<&'a [u8]> {
        let len = self
            .take(len_bytes)?
            .iter()
            .fold(0usize, |n, b| (n << 8) | *b as usize);
        self.take(len)
    }
    fn u16s(bytes: &[u8]) -> Vec<u16> {
        bytes
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect()
    }
}

fn version(v: u16) -> &'static str {
    match v {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    }
}

fn truncated_hash(items: &[String]) -> String {
    if items.is_empty() {
        return "000000000000".to_string();
    }
    hex::encode(Sha256::digest(items.join(",").as_bytes()))[..12].to_string()
}

fn hex4(v: &u16) -> String {
    format!("{v:04x}")
}

/// The two ALPN characters of part a.
fn alpn_chars(first: Option<&[u8]>) -> String {
    let Some(value) = first.filter(|v| !v.is_empty()) else {
        return "00".to_string();
    };
    let (a, z) = (value[0], value[value.len() - 1]);
    if a.is_ascii_alphanumeric() && z.is_ascii_alphanumeric() {
        format!("{}{}", a as char, z as char)
    } else {
        let h = hex::encode(value);
        format!("{}{}", &h[..1], &h[h.len() - 1..])
    }
}

/// The JA4 of a ClientHello handshake message (type byte, 3-byte length, body) seen over
/// TCP. `None` when it is not a well-formed ClientHello.
pub fn of_client_hello(handshake: &[u8]) -> Option<String> {
    let mut r = Reader(handshake);
    if r.u8()? != 1 {
        return None;
    }
    let body = r.vec(3)?;
    let mut r = Reader(body);
    let legacy_version = r.u16()?;
    r.take(32)?;
    r.vec(1)?;
    let ciphers: Vec<u16> = Reader::u16s(r.vec(2)?)
        .into_iter()
        .filter(|c| !grease(*c))
        .collect();
    r.vec(1)?;
    let mut extensions = Vec::new();
    let mut sni = false;
    let mut first_alpn: Option<&[u8]> = None;
    let mut signature_algorithms = Vec::new();
    let mut highest = None;
    if !r.0.is_empty() {
        let mut ext = Reader(r.vec(2)?);
        while !ext.0.is_empty() {
            let kind = ext.u16()?;
            let data = ext.vec(2)?;
            if grease(kind) {
                continue;
            }
            extensions.push(kind);
            match kind {
                SNI => sni = true,
                ALPN => {
                    let mut d = Reader(data);
                    let mut list = Reader(d.vec(2)?);
                    first_alpn = list.vec(1);
                }
                SIGNATURE_ALGORITHMS => {
                    let mut d = Reader(data);
                    signature_algorithms = Reader::u16s(d.vec(2)?)
                        .into_iter()
                        .filter(|s| !grease(*s))
                        .collect();
                }
                SUPPORTED_VERSIONS => {
                    let mut d = Reader(data);
                    highest = Reader::u16s(d.vec(1)?)
                        .into_iter()
                        .filter(|v| !grease(*v))
                        .max();
                }
                _ => {}
            }
        }
    }
    let a = format!(
        "t{}{}{:02}{:02}{}",
        version(highest.unwrap_or(legacy_version)),
        if sni { 'd' } else { 'i' },
        ciphers.len().min(99),
        extensions.len().min(99),
        alpn_chars(first_alpn),
    );
    let mut sorted_ciphers: Vec<String> = ciphers.iter().map(hex4).collect();
    sorted_ciphers.sort();
    let mut sorted_extensions: Vec<String> = extensions
        .iter()
        .filter(|e| **e != SNI && **e != ALPN)
        .map(hex4)
        .collect();
    sorted_extensions.sort();
    let c = if sorted_extensions.is_empty() {
        "000000000000".to_string()
    } else {
        let mut text = sorted_extensions.join(",");
        if !signature_algorithms.is_empty() {
            let sigs: Vec<String> = signature_algorithms.iter().map(hex4).collect();
            text = format!("{text}_{}", sigs.join(","));
        }
        hex::encode(Sha256::digest(text.as_bytes()))[..12].to_string()
    };
    Some(format!("{a}_{}_{c}", truncated_hash(&sorted_ciphers)))
}

/// How much of a connection's first bytes [`client_hello`] needs: the TLS records that
/// carry the whole ClientHello handshake message.
#[derive(Debug, PartialEq, Eq)]
pub enum Hello {
    /// The handshake message, reassembled from its records.
    Complete(Vec<u8>),
    /// More bytes are needed.
    Partial,
    /// Not a TLS handshake (or too large to be a ClientHello).
    NotTls,
}

/// Most bytes read to find a ClientHello.
pub const MAX_HELLO: usize = 64 * 1024;

/// The ClientHello handshake message at the start of a TLS connection's bytes.
pub fn client_hello(bytes: &[u8]) -> Hello {
    let mut handshake = Vec::new();
    let mut r = Reader(bytes);
    loop {
        if r.0.is_empty() {
            return Hello::Partial;
        }
        if r.0[0] != 22 {
            return Hello::NotTls;
        }
        let Some(header) = r.take(5) else {
            return Hello::Partial;
        };
        let len = u16::from_be_bytes([header[3], header[4]]) as usize;
        let Some(fragment) = r.take(len) else {
            return if bytes.len() >= MAX_HELLO {
                Hello::NotTls
            } else {
                Hello::Partial
            };
        };
        handshake.extend_from_slice(fragment);
        if handshake.len() >= 4 {
            if handshake[0] != 1 {
                return Hello::NotTls;
            }
            let need = 4
                + ((handshake[1] as usize) << 16
                    | (handshake[2] as usize) << 8
                    | handshake[3] as usize);
            if need > MAX_HELLO {
                return Hello::NotTls;
            }
            if handshake.len() >= need {
                handshake.truncate(need);
                return Hello::Complete(handshake);
            }
        }
    }
}

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

/// The cipher-suite part (b) of the JA4 of every Chromium-based browser (Chrome, Edge,
/// Opera, Brave, Samsung Internet …): BoringSSL's fixed list of 15 suites, whatever the
/// version. The specification's own example.
pub const CHROMIUM_CIPHERS: &str = "8daaf6152771";

/// The cipher-suite part of a fingerprint.
pub fn cipher_part(ja4: &str) -> Option<&str> {
    ja4.split('_').nth(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ClientHello record as Chrome sends it (the specification's example: its 15 cipher
    /// suites in Chrome's order with a GREASE value first, 16 extensions in a shuffled order
    /// with GREASE ones around them, SNI, ALPN `h2`, `http/1.1`, and its signature
    /// algorithms).
    pub(crate) fn chrome_hello_record() -> Vec<u8> {
        let ciphers: [u16; 16] = [
            0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
            0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
        ];
        let mut ext: Vec<(u16, Vec<u8>)> = Vec::new();
        let sni_name = b"shop.example";
        let mut sni = vec![];
        sni.extend_from_slice(&((sni_name.len() + 3) as u16).to_be_bytes());
        sni.push(0);
        sni.extend_from_slice(&(sni_name.len() as u16).to_be_bytes());
        sni.extend_from_slice(sni_name);
        let mut alpn = vec![];
        let protos: &[&[u8]] = &[b"h2", b"http/1.1"];
        let list: Vec<u8> = protos
            .iter()
            .flat_map(|p| std::iter::once(p.len() as u8).chain(p.iter().copied()))
            .collect();
        alpn.extend_from_slice(&(list.len() as u16).to_be_bytes());
        alpn.extend_from_slice(&list);
        let sigs: [u16; 8] = [
            0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
        ];
        let mut sig = (16u16).to_be_bytes().to_vec();
        sigs.iter()
            .for_each(|s| sig.extend_from_slice(&s.to_be_bytes()));
        let versions = vec![6u8, 0x7a, 0x7a, 0x03, 0x04, 0x03, 0x03];
        ext.push((0x2a2a, vec![]));
        for (kind, data) in [
            (0x0033, vec![0, 0]),
            (0x002d, vec![1, 1]),
            (0x0000, sni),
            (0x0017, vec![]),
            (0x0010, alpn),
            (0xff01, vec![0]),
            (0x000d, sig),
            (0x002b, versions),
            (0x000a, vec![0, 2, 0, 0x1d]),
            (0x000b, vec![1, 0]),
            (0x0023, vec![]),
            (0x0005, vec![1, 0, 0, 0, 0]),
            (0x0012, vec![]),
            (0x4469, vec![0, 3, 2, b'h', b'2']),
            (0x001b, vec![2, 0, 2]),
            (0x0015, vec![0; 8]),
        ] {
            ext.push((kind, data));
        }
        ext.push((0xdada, vec![0]));
        let mut body = vec![0x03, 0x03];
        body.extend_from_slice(&[7u8; 32]);
        body.push(32);
        body.extend_from_slice(&[9u8; 32]);
        body.extend_from_slice(&((ciphers.len() * 2) as u16).to_be_bytes());
        ciphers
            .iter()
            .for_each(|c| body.extend_from_slice(&c.to_be_bytes()));
        body.extend_from_slice(&[1, 0]);
        let exts: Vec<u8> = ext
            .iter()
            .flat_map(|(k, d)| {
                let mut e = k.to_be_bytes().to_vec();
                e.extend_from_slice(&(d.len() as u16).to_be_bytes());
                e.extend_from_slice(d);
                e
            })
            .collect();
        body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        body.extend_from_slice(&exts);
        let mut hs = vec![1u8];
        hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        hs.extend_from_slice(&body);
        let mut record = vec![22, 0x03, 0x01];
        record.extend_from_slice(&(hs.len() as u16).to_be_bytes());
        record.extend_from_slice(&hs);
        record
    }

    #[test]
    fn the_specifications_example_fingerprint() {
        let record = chrome_hello_record();
        let Hello::Complete(hs) = client_hello(&record) else {
            panic!("a complete hello");
        };
        let ja4 = of_client_hello(&hs).unwrap();
        assert_eq!(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
        assert!(is_fingerprint(&ja4));
        assert_eq!(cipher_part(&ja4), Some(CHROMIUM_CIPHERS));
    }

    #[test]
    fn a_hello_split_over_records_and_reads_is_reassembled() {
        let record = chrome_hello_record();
        let hs = &record[5..];
        // The same handshake message in two records.
        let (x, y) = hs.split_at(100);
        let mut two = vec![22, 3, 1];
        two.extend_from_slice(&(x.len() as u16).to_be_bytes());
        two.extend_from_slice(x);
        two.extend_from_slice(&[22, 3, 1]);
        two.extend_from_slice(&(y.len() as u16).to_be_bytes());
        two.extend_from_slice(y);
        assert_eq!(client_hello(&two), Hello::Complete(hs.to_vec()));
        for cut in [0, 3, 5, 104, two.len() - 1] {
            assert_eq!(client_hello(&two[..cut]), Hello::Partial, "{cut}");
        }
        assert_eq!(client_hello(b"GET / HTTP/1.1\r\n"), Hello::NotTls);
        assert_eq!(of_client_hello(&hs[..50]), None);
    }

    #[test]
    fn versions_sni_alpn_and_empty_lists_follow_the_specification() {
        assert!(grease(0x0a0a) && grease(0xfafa) && !grease(0x0a0b) && !grease(0x1a2a));
        assert_eq!(alpn_chars(Some(b"h2")), "h2");
        assert_eq!(alpn_chars(Some(b"http/1.1")), "h1");
        assert_eq!(alpn_chars(Some(b"h")), "hh");
        // Non-alphanumeric first or last byte: the hex form's first and last characters.
        assert_eq!(alpn_chars(Some(&[0xab, b'x', 0xcd])), "ad");
        assert_eq!(alpn_chars(None), "00");
        assert_eq!(version(0x0303), "12");
        assert_eq!(version(0x1234), "00");
        assert_eq!(truncated_hash(&[]), "000000000000");
        // A TLS 1.2 hello by IP (no SNI), no ALPN and no extensions at all.
        let mut body = vec![0x03, 0x03];
        body.extend_from_slice(&[0u8; 32]);
        body.push(0);
        body.extend_from_slice(&[0, 4, 0xc0, 0x2f, 0x00, 0x9c]);
        body.extend_from_slice(&[1, 0]);
        let mut hs = vec![1u8, 0, 0, body.len() as u8];
        hs.extend_from_slice(&body);
        let ja4 = of_client_hello(&hs).unwrap();
        assert!(ja4.starts_with("t12i020000_"), "{ja4}");
        assert!(ja4.ends_with("_000000000000"), "{ja4}");
    }

    #[test]
    fn the_specifications_examples_have_the_shape() {
        assert!(is_fingerprint("t13d1516h2_8daaf6152771_e5627efa2ab1"));
        assert!(is_fingerprint("q13d0310h3_55b375c5d22e_cd85d2d88918"));
        assert!(is_fingerprint("t12i000000_000000000000_000000000000"));
        assert!(!is_fingerprint("t13d1516h2_8daaf6152771"));
        assert!(!is_fingerprint("t13d1516h2_8DAAF6152771_e5627efa2ab1"));
        assert!(!is_fingerprint("x13d1516h2_8daaf6152771_e5627efa2ab1"));
        assert!(!is_fingerprint("t13d1516h2_8daaf6152771_e5627efa2ab1_"));
        assert!(!is_fingerprint(""));
    }
}
