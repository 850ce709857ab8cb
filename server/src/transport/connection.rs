//! What the server knows of a connection before any request on it: the socket peer and,
//! on a TLS connection Botect terminates, the JA4 of its ClientHello.
use std::net::SocketAddr;

/// A connection's peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub addr: SocketAddr,
    /// JA4 of the connection's ClientHello (`None` on cleartext, or a hello that did not
    /// parse).
    pub ja4: Option<String>,
}

/// The JA4 of the connection a request came on, as a request extension (read by the
/// ingest handlers with the socket peer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionJa4(pub String);

/// What a listener's address says of its connection.
pub trait AsPeer {
    fn as_peer(&self) -> Peer;
}

impl AsPeer for SocketAddr {
    fn as_peer(&self) -> Peer {
        Peer {
            addr: *self,
            ja4: None,
        }
    }
}

impl AsPeer for Peer {
    fn as_peer(&self) -> Peer {
        self.clone()
    }
}
