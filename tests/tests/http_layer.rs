//! The HTTP library's own refusals, over a raw TCP connection to a real server: a malformed
//! request line or header (400), an over-long URI (414), too many or too large headers (431)
//! answer with the flat JSON error body and `Content-Type: application/json`, like every other
//! error; valid requests on the same server are untouched.
use botect_tests::{DbKind, Server, TestDb, serde_json};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `request` as is and reads the answer until the server closes (or 5 s pass).
async fn raw(server: &Server, request: &[u8]) -> (u16, String, Value) {
    let mut s = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    // The server may answer (and close) before it has read everything: ignore write errors.
    let _ = s.write_all(request).await;
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf).to_string();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let status = head[9..12].parse().unwrap();
    let body = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, head.to_ascii_lowercase(), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_librarys_refusals_have_the_flat_body() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    let long_uri = format!(
        "GET /v1/detections?x={} HTTP/1.1\r\nHost: t\r\n\r\n",
        "a".repeat(70_000)
    );
    let many_headers = format!(
        "GET /v1/detections HTTP/1.1\r\nHost: t\r\n{}\r\n",
        (0..150)
            .map(|i| format!("x-h{i}: v\r\n"))
            .collect::<String>()
    );
    // (A head over hyper's ~400 KiB buffer takes the same path as too many headers, but the
    // server closes with the rest unread, and the reset can race the answer: not sent here.)
    let cases: [(&str, &[u8], u16, &str); 4] = [
        (
            "malformed request line",
            b"GARBAGE\x01 / HTTP/1.1\r\n\r\n",
            400,
            "request",
        ),
        (
            "malformed header",
            b"GET / HTTP/1.1\r\nHost t\r\n\r\n",
            400,
            "request",
        ),
        ("over-long URI", long_uri.as_bytes(), 414, "uri"),
        ("too many headers", many_headers.as_bytes(), 431, "headers"),
    ];
    for (what, request, status, field) in cases {
        let (got, head, body) = raw(&server, request).await;
        assert_eq!(got, status, "{what}: {head}");
        assert!(
            head.contains("\r\ncontent-type: application/json\r\n"),
            "{what}: {head}"
        );
        assert!(
            head.contains("\r\ncache-control: no-store\r\n"),
            "{what}: {head}"
        );
        assert_eq!(body["code"], "INVALID_PAYLOAD", "{what}: {body}");
        assert_eq!(body["details"]["field"], field, "{what}: {body}");
        assert!(
            body["message"].as_str().unwrap().len() > 20,
            "{what}: {body}"
        );
        assert_eq!(body["error"], "Invalid payload", "{what}: {body}");
    }
    // A valid request, and a valid 404, are the server's own answers.
    let (status, head, body) = raw(
        &server,
        b"GET /v1/detections HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200, "{head}");
    assert!(body.as_array().is_some_and(|a| !a.is_empty()), "{body}");
    let (status, _, body) = raw(
        &server,
        b"GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("NOT_FOUND")));
}
