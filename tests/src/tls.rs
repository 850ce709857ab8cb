//! A test certificate authority for the HTTPS suites: a CA made per test, a server
//! certificate for `localhost` and `127.0.0.1` signed by it (PEM files beside the database),
//! and clients that trust only that CA (reqwest, tonic; curl and Python get its file).
use std::{
    path::{Path, PathBuf},
    sync::Mutex,
};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};

/// Every test CA made in this process (the harness's `http()` trusts them).
static TRUSTED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The PEMs of the test CAs made so far.
pub fn trusted() -> Vec<String> {
    TRUSTED.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// A CA and the files of a server certificate it signed.
pub struct TestCa {
    pub ca_pem: String,
    pub ca_file: PathBuf,
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    issuer: Issuer<'static, KeyPair>,
    dir: PathBuf,
}

impl TestCa {
    /// A new CA in `dir`, and a `localhost` certificate from it.
    pub fn new(dir: &Path) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params
            .distinguished_name
            .push(DnType::CommonName, "Botect test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("CA key");
        let ca = params.self_signed(&key).expect("CA certificate");
        let ca_pem = ca.pem();
        let ca_file = dir.join("test-ca.pem");
        std::fs::write(&ca_file, &ca_pem).expect("write CA");
        TRUSTED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(ca_pem.clone());
        let issuer = Issuer::new(params, key);
        let mut ca = TestCa {
            ca_pem,
            ca_file,
            cert_file: dir.join("server-cert.pem"),
            key_file: dir.join("server-key.pem"),
            issuer,
            dir: dir.to_path_buf(),
        };
        ca.issue("localhost");
        ca
    }

    /// (Re)writes the server certificate files with a new certificate whose common name is
    /// `cn` (for `localhost` and `127.0.0.1`). Returns its PEM.
    pub fn issue(&mut self, cn: &str) -> String {
        let mut params =
            CertificateParams::new(vec!["localhost".to_string()]).expect("server params");
        params
            .subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
        params.distinguished_name.push(DnType::CommonName, cn);
        let key = KeyPair::generate().expect("server key");
        let cert = params.signed_by(&key, &self.issuer).expect("server cert");
        let pem = cert.pem();
        std::fs::write(&self.cert_file, &pem).expect("write cert");
        std::fs::write(&self.key_file, key.serialize_pem()).expect("write key");
        pem
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The `serve` arguments for these files.
    pub fn serve_args(&self) -> Vec<String> {
        vec![
            "--tls-cert".into(),
            self.cert_file.display().to_string(),
            "--tls-key".into(),
            self.key_file.display().to_string(),
        ]
    }

    /// A reqwest client that trusts this CA only.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(
                reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).expect("CA pem"),
            )
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("client")
    }

    /// A tonic channel to `base` (`https://localhost:PORT`) trusting this CA only.
    pub async fn channel(&self, base: &str) -> tonic::transport::Channel {
        let tls = tonic::transport::ClientTlsConfig::new()
            .ca_certificate(tonic::transport::Certificate::from_pem(&self.ca_pem))
            .domain_name("localhost");
        tonic::transport::Endpoint::from_shared(base.to_string())
            .expect("endpoint")
            .tls_config(tls)
            .expect("tls config")
            .connect()
            .await
            .expect("connect over TLS")
    }
}

/// The certificate a fresh TLS connection to `127.0.0.1:port` (SNI `localhost`) is served,
/// as DER, checked against `ca_pem`.
pub fn served_certificate(port: u16, ca_pem: &str) -> Vec<u8> {
    use rustls_pki_types::{CertificateDer, pem::PemObject};
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).expect("CA der"))
        .expect("root");
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
    let mut conn =
        rustls::ClientConnection::new(std::sync::Arc::new(config), name).expect("client");
    let mut sock = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    while conn.is_handshaking() {
        conn.complete_io(&mut sock).expect("handshake");
    }
    conn.peer_certificates().expect("certificates")[0].to_vec()
}

/// The DER of a PEM certificate.
pub fn der(pem: &str) -> Vec<u8> {
    use rustls_pki_types::{CertificateDer, pem::PemObject};
    CertificateDer::from_pem_slice(pem.as_bytes())
        .expect("certificate")
        .to_vec()
}
