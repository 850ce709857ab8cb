//! Error bodies for answers no handler writes.
//!
//! [`status_error`] is the flat error of a bare HTTP status (a layer's or the router's answer
//! without a body). [`Listener`] covers the HTTP library's own refusals: hyper answers a
//! request it cannot parse itself, before any service runs, with an empty body: `400` (a
//! malformed request line or header), `414` (a URI over 65,534 bytes), `431` (over 100
//! headers, or a head over hyper's ~400 KiB read buffer). Each connection's writes pass
//! through [`FlatErrorIo`], which replaces exactly those answers (a whole `4xx` head with
//! `content-length: 0` and no `content-type`, which no response of Botect's has: every error
//! it sends carries the JSON body) with the same status and the flat JSON error body.
use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    task::{Context, Poll, ready},
};

use http::StatusCode;
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
};

use crate::error::{ApiError, ErrorCode};

/// The flat error for a bare HTTP status.
pub fn status_error(status: StatusCode) -> ApiError {
    match status.as_u16() {
        404 => ApiError::not_found("No such endpoint."),
        405 => ApiError::new(
            ErrorCode::MethodNotAllowed,
            "This endpoint does not support that HTTP method.",
        ),
        413 => ApiError::new(ErrorCode::PayloadTooLarge, "The request is too large."),
        400..=499 => ApiError::invalid("request", "The request could not be understood."),
        503 => ApiError::new(
            ErrorCode::Unavailable,
            "The service is unavailable; retry later.",
        ),
        _ => ApiError::internal("unexpected server error"),
    }
}

/// The flat error for one of the HTTP/1 parser's refusals (`400`, `414`, `431`).
fn parser_error(status: StatusCode) -> ApiError {
    match status.as_u16() {
        414 => ApiError::invalid(
            "uri",
            "The request URI is too long (at most 65534 bytes; Botect's URIs are short).",
        ),
        431 => ApiError::invalid(
            "headers",
            "The request headers are too large: at most 100 headers and about 400 KiB in all.",
        ),
        _ => ApiError::invalid(
            "request",
            "The request is not valid HTTP: its request line or a header could not be parsed.",
        ),
    }
}

/// A TCP listener whose connections get [`FlatErrorIo`] (and `TCP_NODELAY`: answers are
/// written whole, nothing is gained by waiting to coalesce them).
pub struct Listener(pub TcpListener);

impl axum::serve::Listener for Listener {
    type Io = FlatErrorIo<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.0).await;
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        (FlatErrorIo::new(stream), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A connection whose HTTP library error answers get the flat JSON body (module docs).
pub struct FlatErrorIo<T> {
    inner: T,
    /// A replacement answer still to be written, and how much of it is.
    pending: Vec<u8>,
    written: usize,
}

impl<T> FlatErrorIo<T> {
    pub fn new(inner: T) -> Self {
        FlatErrorIo {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<T: AsyncWrite + Unpin> FlatErrorIo<T> {
    /// Writes what is left of the replacement answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for FlatErrorIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for FlatErrorIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        if let Some(answer) = with_flat_body(buf) {
            // Taken whole; written by this and the following calls (hyper flushes and shuts
            // the connection down after such an answer).
            self.pending = answer;
            if let Poll::Ready(Err(e)) = self.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // Not vectored: hyper then writes each answer as one flat buffer, so a library answer is
    // always seen whole at the start of a write.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// `buf` with the flat JSON body, when it is exactly the head of one of hyper's own error
/// answers; else `None`.
fn with_flat_body(buf: &[u8]) -> Option<Vec<u8>> {
    if !buf.starts_with(b"HTTP/1.") || !buf.ends_with(b"\r\n\r\n") || buf.len() > 1024 {
        return None;
    }
    let head = std::str::from_utf8(buf).ok()?;
    if head.find("\r\n\r\n")? + 4 != head.len() {
        return None;
    }
    let status: u16 = head.get(9..12)?.parse().ok()?;
    if !matches!(status, 400 | 414 | 431) {
        return None;
    }
    let lower = head.to_ascii_lowercase();
    if !lower.contains("\r\ncontent-length: 0\r\n") || lower.contains("\r\ncontent-type:") {
        return None;
    }
    let status = StatusCode::from_u16(status).ok()?;
    let body = serde_json::to_vec(&parser_error(status).to_json()).ok()?;
    let date = lower
        .split("\r\n")
        .position(|l| l.starts_with("date:"))
        .and_then(|i| head.split("\r\n").nth(i));
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or_default(),
        body.len()
    );
    if let Some(d) = date {
        out.push_str(d);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYPER_431: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 12:00:00 GMT\r\n\r\n";

    #[test]
    fn the_librarys_empty_answers_get_the_flat_body() {
        let out = String::from_utf8(with_flat_body(HYPER_431).expect("rewritten")).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(head.contains("\r\ncontent-type: application/json\r\n"));
        assert!(head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())));
        assert!(head.contains("\r\ndate: Tue, 01 Dec 2026 12:00:00 GMT"));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["code"], "INVALID_PAYLOAD");
        assert_eq!(v["details"]["field"], "headers");
        for status in ["400 Bad Request", "414 URI Too Long"] {
            let head = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
            assert!(with_flat_body(head.as_bytes()).is_some(), "{status}");
        }
    }

    #[test]
    fn every_other_write_passes_untouched() {
        for buf in [
            // Botect's own errors have a content type and a body.
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}",
            b"{\"message\":\"HTTP/1.1 400 Bad Request\"}",
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n",
        ] {
            assert!(with_flat_body(buf).is_none(), "{}", String::from_utf8_lossy(buf));
        }
    }

    #[tokio::test]
    async fn a_replacement_is_written_whole_through_partial_writes() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        // A 16-byte pipe: the replacement needs many writes, driven by flush.
        let (a, mut b) = tokio::io::duplex(16);
        let writer = tokio::spawn(async move {
            let mut io = FlatErrorIo::new(a);
            assert_eq!(io.write(HYPER_431).await.unwrap(), HYPER_431.len());
            io.flush().await.unwrap();
            io.shutdown().await.unwrap();
        });
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        writer.await.unwrap();
        assert_eq!(got, with_flat_body(HYPER_431).unwrap());
    }
}
