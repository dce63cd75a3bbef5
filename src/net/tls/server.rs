//! A listener's TLS: its certificate (files, or self-signed and announced) and, with
//! `--client-ca`, the client certificates it requires.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::PrivateKeyDer;
use rustls::server::WebPkiClientVerifier;
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{RootCertStore, ServerConfig};
use serde_json::json;
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use super::{Stream, certificates, certified_key, fingerprint, provider, rustls_error, usage};
use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::addr::HostPort;

/// The listener's TLS options, as given on the command line.
#[derive(Debug, Default, Clone)]
pub struct ServerOptions {
    /// `--tls-cert`: the PEM certificate chain served.
    pub cert: Option<PathBuf>,
    /// `--tls-key`: its PEM private key.
    pub key: Option<PathBuf>,
    /// `--tls-self-signed`: a certificate made at start-up for the host.
    pub self_signed: bool,
    /// `--client-ca`: clients must show a certificate from these PEM roots.
    pub client_ca: Option<PathBuf>,
}

impl std::fmt::Debug for TlsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsServer")
            .field("self_signed", &self.self_signed)
            .field("client_ca", &self.client_ca)
            .finish_non_exhaustive()
    }
}

/// A listener's TLS: the acceptor, and what to announce about a self-signed certificate.
#[derive(Clone)]
pub struct TlsServer {
    acceptor: TlsAcceptor,
    self_signed: Option<(Vec<String>, String)>,
    client_ca: bool,
}

/// Builds the listener's TLS configuration, or `None` without TLS flags. A self-signed
/// certificate is made for `localhost`, the loopback addresses and `bind`'s host.
pub fn server(opts: &ServerOptions, bind: &HostPort) -> anyhow::Result<Option<TlsServer>> {
    let provider = provider();
    let (certified, self_signed) = match (&opts.cert, &opts.key, opts.self_signed) {
        (Some(cert), Some(key), false) => (
            certified_key(cert, key, ("--tls-cert", "--tls-key"), &provider)?,
            None,
        ),
        (None, None, true) => {
            let mut names = vec!["localhost".to_string(), "127.0.0.1".into(), "::1".into()];
            if !bind.host.is_empty() && !names.contains(&bind.host) {
                names.push(bind.host.clone());
            }
            let made = rcgen::generate_simple_self_signed(names.clone())
                .map_err(|e| anyhow::anyhow!("could not make a self-signed certificate: {e}"))?;
            let cert = made.cert.der().clone();
            let key = PrivateKeyDer::try_from(made.signing_key.serialize_der())
                .map_err(|e| anyhow::anyhow!("could not use the self-signed key: {e}"))?;
            let print = fingerprint(&cert);
            let certified = CertifiedKey::from_der(vec![cert], key, &provider)
                .map_err(|e| anyhow::anyhow!("the self-signed certificate is unusable: {e}"))?;
            (Arc::new(certified), Some((names, print)))
        }
        (None, None, false) if opts.client_ca.is_some() => {
            return Err(usage(
                "--client-ca needs TLS on the listener".into(),
                "add --tls-cert FILE --tls-key FILE, or --tls-self-signed",
            ));
        }
        (None, None, false) => return Ok(None),
        _ => {
            return Err(usage(
                "a TLS listener needs both --tls-cert and --tls-key, or --tls-self-signed alone"
                    .into(),
                "give --tls-cert FILE --tls-key FILE, or --tls-self-signed",
            ));
        }
    };
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions");
    let builder = match &opts.client_ca {
        Some(file) => {
            let mut roots = RootCertStore::empty();
            roots.add_parsable_certificates(certificates(file, "--client-ca")?);
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| {
                    usage(
                        format!("--client-ca {}: {e}", file.display()),
                        "give a PEM file of the CA certificates that issue client certificates",
                    )
                })?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
    config.key_log = Arc::new(rustls::KeyLogFile::new());
    // No TLS 1.3 session tickets: a listener here never resumes sessions anyway, and with
    // them about 1 in 60 Python (OpenSSL) wss:// clients stalled before their WebSocket
    // request was read (0 in 500 without; measured in this repo's tests).
    config.send_tls13_tickets = 0;
    Ok(Some(TlsServer {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        self_signed,
        client_ca: opts.client_ca.is_some(),
    }))
}

impl TlsServer {
    /// After `listening on`: a self-signed certificate's names and fingerprint, so clients
    /// can check what they are shown.
    pub fn announce(&self) {
        if let Some((names, print)) = &self.self_signed {
            console::status(
                "tls_certificate",
                format!(
                    "TLS certificate (self-signed, for {}) SHA-256 {print}",
                    names.join(", ")
                ),
                json!({"names": names, "sha256": print}),
            );
        }
    }

    /// The server's side of the handshake; a failure is exit 4 (the listener goes on).
    pub async fn accept(&self, tcp: TcpStream) -> anyhow::Result<Stream> {
        match self.acceptor.accept(tcp).await {
            Ok(stream) => Ok(Stream::Tls(Box::new(stream.into()))),
            Err(err) => {
                let what = match rustls_error(&err) {
                    Some(rustls::Error::InvalidMessage(_)) => {
                        "TLS handshake failed: the client does not speak TLS (a plain ws:// or TCP client?)".to_string()
                    }
                    Some(rustls::Error::AlertReceived(alert)) => {
                        let words = super::alert_words(*alert);
                        match alert {
                            rustls::AlertDescription::BadCertificate
                            | rustls::AlertDescription::UnknownCA
                            | rustls::AlertDescription::CertificateUnknown
                            | rustls::AlertDescription::CertificateExpired => format!(
                                "TLS handshake failed: the client refused our certificate (alert: {words})"
                            ),
                            _ => format!("TLS handshake failed: the client ended it (alert: {words})"),
                        }
                    }
                    Some(rustls::Error::NoCertificatesPresented) if self.client_ca => {
                        "TLS handshake failed: the client sent no certificate (--client-ca requires one)".to_string()
                    }
                    Some(other) => format!("TLS handshake failed: {other}"),
                    None if err.kind() == io::ErrorKind::UnexpectedEof => {
                        "TLS handshake failed: the client closed the connection".to_string()
                    }
                    None => format!("TLS handshake failed: {err}"),
                };
                Err(Fail::new(Exit::Handshake, what).err())
            }
        }
    }
}
