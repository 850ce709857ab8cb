//! Who the client of a request is when proxies stand in front of Botect: with
//! `--trusted-proxy CIDR`, a connection from one of those networks has its client address
//! taken from `X-Forwarded-For` (or `Forwarded`) and its JA4 from `--ja4-header`; from anyone
//! else both headers are ignored and the socket peer and the connection's own ClientHello
//! count. Pure.
use std::net::IpAddr;

use http::{HeaderMap, HeaderName};
use ipnet::IpNet;

use super::connection::Peer;
use crate::domain::ja4;

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    pub nets: Vec<IpNet>,
    /// The header a trusted proxy puts the client's JA4 in (e.g. `cf-ja4`, `x-ja4`).
    pub ja4_header: Option<HeaderName>,
}

/// The client as far as the request can be believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    pub ja4: Option<String>,
}

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// The request's client: through trusted proxies, the first address from the right of
    /// the forwarding chain that is not itself a trusted proxy, and the proxy's JA4 header;
    /// otherwise the peer and its connection's JA4.
    pub fn client(&self, peer: &Peer, headers: &HeaderMap) -> Client {
        let ip = peer.addr.ip().to_canonical();
        if !self.trusts(ip) {
            return Client {
                ip,
                ja4: peer.ja4.clone(),
            };
        }
        let mut chain = forwarded_for(headers);
        if chain.is_empty() {
            chain = forwarded(headers);
        }
        let client = chain
            .iter()
            .rev()
            .find(|a| !self.trusts(**a))
            .or(chain.first())
            .copied()
            .unwrap_or(ip);
        // The connection's own hello is the proxy's, never the client's.
        let ja4 = self
            .ja4_header
            .as_ref()
            .and_then(|h| headers.get(h))
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| ja4::is_fingerprint(v))
            .map(str::to_string);
        Client {
            ip: client.to_canonical(),
            ja4,
        }
    }
}

/// The addresses of every `X-Forwarded-For` header, in order; unparsable entries end the
/// chain's believable part (nothing left of them is used).
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let items: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    believable(items.iter().map(|s| parse_node(s)))
}

/// The `for=` addresses of every `Forwarded` header (RFC 7239), in order.
fn forwarded(headers: &HeaderMap) -> Vec<IpAddr> {
    let nodes: Vec<Option<IpAddr>> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| parse_node(v.trim().trim_matches('"')))
            })
        })
        .collect();
    believable(nodes.into_iter())
}

/// The parsed chain to the right of its last unparsable entry (a proxy appends on the right,
/// so what is left of garbage may be the client's own invention).
fn believable(nodes: impl Iterator<Item = Option<IpAddr>>) -> Vec<IpAddr> {
    let mut out = Vec::new();
    for n in nodes {
        match n {
            Some(ip) => out.push(ip),
            None => out.clear(),
        }
    }
    out
}

/// `203.0.113.7`, `203.0.113.7:443`, `2001:db8::1`, `[2001:db8::1]:443`.
fn parse_node(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, port) = s.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: &str = "t13d1516h2_8daaf6152771_e5627efa2ab1";
    const CURL: &str = "t13d3112h2_e8f1e7e78f70_375b8b8e1b2e";

    fn peer(ip: &str) -> Peer {
        Peer {
            addr: std::net::SocketAddr::new(ip.parse().unwrap(), 5000),
            ja4: Some(CURL.into()),
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn trusted() -> TrustedProxies {
        TrustedProxies {
            nets: vec![
                "10.0.0.0/8".parse().unwrap(),
                "2001:db8:ff::/48".parse().unwrap(),
            ],
            ja4_header: Some(HeaderName::from_static("x-ja4")),
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let h = headers(&[("x-forwarded-for", "198.51.100.1"), ("x-ja4", CHROME)]);
        let c = trusted().client(&peer("203.0.113.9"), &h);
        assert_eq!(
            c,
            Client {
                ip: ip("203.0.113.9"),
                ja4: Some(CURL.into())
            }
        );
        // No proxies configured: the same.
        let c = TrustedProxies::default().client(&peer("10.1.2.3"), &h);
        assert_eq!(c.ip, ip("10.1.2.3"));
    }

    #[test]
    fn through_trusted_proxies_the_rightmost_untrusted_address_counts() {
        let h = headers(&[
            ("x-forwarded-for", "192.0.2.66, 198.51.100.1"),
            ("x-forwarded-for", "10.9.9.9"),
            ("x-ja4", CHROME),
        ]);
        let c = trusted().client(&peer("10.0.0.2"), &h);
        // 192.0.2.66 is what the client claimed; 198.51.100.1 is who reached the first proxy.
        assert_eq!(
            c,
            Client {
                ip: ip("198.51.100.1"),
                ja4: Some(CHROME.into())
            }
        );
        // Only proxies in the chain: the leftmost.
        let h = headers(&[("x-forwarded-for", "10.5.5.5, 10.6.6.6")]);
        assert_eq!(trusted().client(&peer("10.0.0.2"), &h).ip, ip("10.5.5.5"));
        // Garbage ends the believable part.
        let h = headers(&[(
            "x-forwarded-for",
            "198.51.100.1, nonsense, 203.0.113.4:8443",
        )]);
        assert_eq!(
            trusted().client(&peer("10.0.0.2"), &h).ip,
            ip("203.0.113.4")
        );
        // No header: the proxy itself, and never its own hello.
        let c = trusted().client(&peer("10.0.0.2"), &HeaderMap::new());
        assert_eq!(
            c,
            Client {
                ip: ip("10.0.0.2"),
                ja4: None
            }
        );
        // A JA4 header that is not a fingerprint is dropped.
        let h = headers(&[("x-ja4", "chrome, trust me")]);
        assert_eq!(trusted().client(&peer("10.0.0.2"), &h).ja4, None);
    }

    #[test]
    fn forwarded_is_read_when_x_forwarded_for_is_absent() {
        let h = headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=https, for=\"[2001:db8::17]:4711\";by=10.0.0.2",
        )]);
        assert_eq!(
            trusted().client(&peer("10.0.0.2"), &h).ip,
            ip("2001:db8::17")
        );
        let h = headers(&[("forwarded", "for=unknown, for=198.51.100.8")]);
        assert_eq!(
            trusted().client(&peer("::ffff:10.0.0.2"), &h).ip,
            ip("198.51.100.8")
        );
        let h = headers(&[("forwarded", "for=198.51.100.8")]);
        assert_eq!(
            trusted().client(&peer("2001:db8:ff::1"), &h).ip,
            ip("198.51.100.8")
        );
    }
}
