//! TLS on rustls (the ring provider; no OpenSSL): what a client trusts (the bundled web roots
//! plus the system's store, or `--ca`, or nothing with `--insecure`), client certificates,
//! SNI; a listener's certificate (PEM files, or a fresh self-signed one) and `--client-ca`;
//! and [`Stream`], the plain-or-TLS byte stream both relays run over.
//!
//! Files are read and checked while the command line is validated, so a missing file or a
//! key that does not match its certificate is a usage error (2) before anything connects. A
//! refused certificate is exit 4 with the reason and the flag that would help.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    AlertDescription, CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore,
    ServerConfig, SignatureScheme,
};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::config::HostPort;
use crate::console;
use crate::exit::{Exit, Fail};

/// A connection to or from a peer: plain TCP, or TLS over it.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::TlsStream<TcpStream>>),
}

impl Stream {
    /// The TCP connection underneath.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref().0,
        }
    }
}

macro_rules! both {
    ($self:ident, $s:ident => $e:expr) => {
        match $self.get_mut() {
            Stream::Plain($s) => $e,
            Stream::Tls($s) => $e,
        }
    };
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        both!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        both!(self, s => Pin::new(s).poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        both!(self, s => Pin::new(s).poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self, s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self, s => Pin::new(s).poll_shutdown(cx))
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The client's TLS options, as given on the command line.
#[derive(Debug, Default, Clone)]
pub struct ClientOptions {
    pub ca: Option<PathBuf>,
    pub insecure: bool,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub sni: Option<String>,
}

impl ClientOptions {
    /// The first TLS flag given, to name in a "needs TLS" error.
    pub fn first_flag(&self) -> Option<&'static str> {
        [
            (self.ca.is_some(), "--ca"),
            (self.insecure, "--insecure"),
            (self.cert.is_some(), "--cert"),
            (self.key.is_some(), "--key"),
            (self.sni.is_some(), "--sni"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }
}

/// What a client needs to open TLS: its configuration and the name it checks.
#[derive(Clone, Debug)]
pub struct TlsClient {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
    ca_given: bool,
}

/// Builds the client's TLS configuration for `host` (checked against the server's
/// certificate, and sent as SNI when it is a name), reading every file now.
pub fn client(opts: &ClientOptions, host: &str) -> anyhow::Result<TlsClient> {
    let name_text = opts.sni.as_deref().unwrap_or(host);
    let name = ServerName::try_from(name_text.to_string()).map_err(|_| {
        usage(
            format!("`{name_text}` is not a valid TLS server name"),
            "give a DNS name or an IP address with --sni",
        )
    })?;
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions");
    let builder = if opts.insecure {
        console::warn(
            "--insecure: the server's certificate is not checked; anyone on the path can read and change this connection".to_string(),
            json!({"message": "certificate verification disabled"}),
        );
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider.clone())))
    } else {
        builder.with_root_certificates(roots(opts.ca.as_deref())?)
    };
    let mut config = match (&opts.cert, &opts.key) {
        (Some(cert), Some(key)) => {
            let (chain, key) = cert_and_key(cert, key, "--cert", "--key")?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| key_error(e, cert, "--cert", "--key"))?
        }
        _ => builder.with_no_client_auth(),
    };
    // SSLKEYLOGFILE, as browsers and curl honour it, for reading captures in Wireshark.
    config.key_log = Arc::new(rustls::KeyLogFile::new());
    Ok(TlsClient {
        config: Arc::new(config),
        name,
        ca_given: opts.ca.is_some(),
    })
}

/// `--ca FILE` alone, or the bundled web roots and the system's store.
fn roots(ca: Option<&Path>) -> anyhow::Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    match ca {
        Some(file) => {
            let certs = certificates(file, "--ca")?;
            let (_, ignored) = roots.add_parsable_certificates(certs);
            if roots.is_empty() {
                return Err(usage(
                    format!(
                        "--ca {}: no usable CA certificate ({ignored} unparsable)",
                        file.display()
                    ),
                    "give a PEM file of CA certificates",
                ));
            }
        }
        None => {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            // The system's store adds any local CA; a broken one leaves the web roots.
            let native = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(native.certs);
        }
    }
    Ok(roots)
}

/// Opens TLS over `tcp` as a client; a refusal is exit 4 with the reason and a hint.
pub async fn connect(tls: &TlsClient, tcp: TcpStream, target: &HostPort) -> anyhow::Result<Stream> {
    let connector = TlsConnector::from(tls.config.clone());
    let stream = connector
        .connect(tls.name.clone(), tcp)
        .await
        .map_err(|err| client_handshake_error(err, target, tls.ca_given))?;
    let (_, session) = stream.get_ref();
    // "TLSv1_3" -> "1.3"
    let version = session
        .protocol_version()
        .and_then(|v| v.as_str())
        .map_or("?".into(), |v| {
            v.trim_start_matches("TLSv").replace('_', ".")
        });
    let cipher = session
        .negotiated_cipher_suite()
        .and_then(|c| c.suite().as_str())
        .unwrap_or("?");
    let fingerprint = session
        .peer_certificates()
        .and_then(|certs| certs.first())
        .map(|cert| fingerprint(cert));
    console::detail(
        1,
        "tls",
        format!(
            "TLS {version} {cipher} with {}; certificate SHA-256 {}",
            tls.name.to_str(),
            fingerprint.as_deref().unwrap_or("none")
        ),
        json!({"version": version, "cipher": cipher, "server_name": tls.name.to_str(), "sha256": fingerprint}),
    );
    Ok(Stream::Tls(Box::new(stream.into())))
}

const PLAIN_HINT: &str = "if it is a plain server, use ws:// (or tcp connect without --tls)";

fn client_handshake_error(err: io::Error, target: &HostPort, ca_given: bool) -> anyhow::Error {
    let fail = match rustls_error(&err) {
        Some(rustls::Error::InvalidCertificate(cert)) => {
            let hint = match cert {
                CertificateError::Expired
                | CertificateError::ExpiredContext { .. }
                | CertificateError::NotValidYet
                | CertificateError::NotValidYetContext { .. } => {
                    "the server's certificate is out of date (or this machine's clock is wrong); --insecure skips the check"
                }
                CertificateError::UnknownIssuer if ca_given => {
                    "the certificate is not issued by the CA in --ca: give the issuer's certificate, or --insecure to skip the check"
                }
                CertificateError::UnknownIssuer => {
                    "if you trust its issuer, give the issuer's certificate with --ca FILE (or --insecure to skip the check)"
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => {
                    "connect by a name the certificate holds, or check it against that name with --sni NAME"
                }
                _ => "--insecure skips the check (unsafe)",
            };
            Fail::new(
                Exit::Handshake,
                format!(
                    "TLS: the certificate of {target} was refused: {}",
                    cert_reason(cert)
                ),
            )
            .hint(hint)
        }
        Some(rustls::Error::AlertReceived(alert)) => alert_failure(*alert, &target.to_string()),
        Some(rustls::Error::InvalidMessage(_)) => Fail::new(
            Exit::Handshake,
            format!("TLS handshake with {target} failed: the server does not speak TLS"),
        )
        .hint("for a plain server, use ws:// (or tcp connect without --tls)"),
        Some(other) => Fail::new(
            Exit::Handshake,
            format!("TLS handshake with {target} failed: {other}"),
        ),
        None if err.kind() == io::ErrorKind::UnexpectedEof => Fail::new(
            Exit::Handshake,
            format!("TLS handshake with {target} failed: the server closed the connection"),
        )
        .hint(PLAIN_HINT),
        None => {
            return anyhow::Error::new(err).context(Fail::new(
                Exit::Handshake,
                format!("TLS handshake with {target} failed"),
            ));
        }
    };
    fail.err()
}

/// Why a certificate was refused: rustls's own words where they say it (expiry and names come
/// with the dates and names), plain ones where it only gives a variant name.
fn cert_reason(err: &CertificateError) -> String {
    match err {
        CertificateError::UnknownIssuer => {
            "its issuer is unknown (a self-signed certificate, or a CA not trusted here)".into()
        }
        CertificateError::Expired => "it has expired".into(),
        CertificateError::NotValidYet => "it is not valid yet".into(),
        CertificateError::NotValidForName => "it is not valid for this name".into(),
        CertificateError::BadSignature => "its signature is bad".into(),
        CertificateError::Revoked => "it has been revoked".into(),
        other => other.to_string(),
    }
}

/// A fatal alert from the server: during the handshake, or (TLS 1.3) on the first read, which
/// is where a refused client certificate shows.
fn alert_failure(alert: AlertDescription, target: &str) -> Fail {
    let fail = Fail::new(
        Exit::Handshake,
        format!("TLS: {target} refused the connection (alert: {alert:?})"),
    );
    match alert {
        AlertDescription::CertificateRequired => {
            fail.hint("the server requires a client certificate: give --cert FILE --key FILE")
        }
        AlertDescription::BadCertificate
        | AlertDescription::UnknownCA
        | AlertDescription::CertificateUnknown
        | AlertDescription::DecryptError => fail.hint(
            "the server did not accept our client certificate: check --cert, --key and the CA it trusts",
        ),
        AlertDescription::ProtocolVersion | AlertDescription::HandshakeFailure => {
            fail.hint("the server offers no TLS version or cipher in common (wsctl speaks TLS 1.2 and 1.3)")
        }
        _ => fail,
    }
}

/// An alert that ends a connection after its handshake (TLS 1.3 client certificates), as the
/// exit-4 failure it is; `None` for any other error.
pub fn late_alert(err: &io::Error, target: &str) -> Option<anyhow::Error> {
    match rustls_error(err) {
        Some(rustls::Error::AlertReceived(alert)) => Some(alert_failure(*alert, target).err()),
        _ => None,
    }
}

fn rustls_error(err: &io::Error) -> Option<&rustls::Error> {
    err.get_ref()?.downcast_ref::<rustls::Error>()
}

/// Accepts any certificate, still checking that the server holds its key (`--insecure`).
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The listener's TLS options, as given on the command line.
#[derive(Debug, Default, Clone)]
pub struct ServerOptions {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub self_signed: bool,
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
    let (chain, key, self_signed) = match (&opts.cert, &opts.key, opts.self_signed) {
        (Some(cert), Some(key), false) => {
            let (chain, key) = cert_and_key(cert, key, "--tls-cert", "--tls-key")?;
            (chain, key, None)
        }
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
            (vec![cert], key, Some((names, print)))
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
    let provider = provider();
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
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| match &opts.cert {
            Some(cert) => key_error(e, cert, "--tls-cert", "--tls-key"),
            None => anyhow::anyhow!("the self-signed certificate is unusable: {e}"),
        })?;
    config.key_log = Arc::new(rustls::KeyLogFile::new());
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

/// A certificate's SHA-256 as colon-separated hex, as browsers and `openssl x509 -fingerprint`
/// show it.
pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    ring::digest::digest(&ring::digest::SHA256, cert.as_ref())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn certificates(file: &Path, flag: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(file)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| pem_error(e, file, flag))?;
    if certs.is_empty() {
        return Err(usage(
            format!("{flag} {}: no certificate in it", file.display()),
            "give a PEM file with -----BEGIN CERTIFICATE----- blocks",
        ));
    }
    Ok(certs)
}

fn cert_and_key(
    cert: &Path,
    key: &Path,
    cert_flag: &str,
    key_flag: &str,
) -> anyhow::Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let chain = certificates(cert, cert_flag)?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_error(e, key, key_flag))?;
    Ok((chain, key))
}

fn pem_error(err: rustls::pki_types::pem::Error, file: &Path, flag: &str) -> anyhow::Error {
    use rustls::pki_types::pem::Error as Pem;
    match err {
        Pem::Io(io) => usage(
            format!(
                "cannot read {flag} {} ({})",
                file.display(),
                crate::exit::tidy(&io.to_string())
            ),
            "check the path",
        ),
        Pem::NoItemsFound => usage(
            format!("{flag} {}: nothing usable in it", file.display()),
            "give a PEM file (-----BEGIN ...-----)",
        ),
        other => usage(
            format!("{flag} {}: not valid PEM ({other})", file.display()),
            "give a PEM file (-----BEGIN ...-----)",
        ),
    }
}

fn key_error(err: rustls::Error, cert: &Path, cert_flag: &str, key_flag: &str) -> anyhow::Error {
    match err {
        rustls::Error::InconsistentKeys(_) => usage(
            format!(
                "{key_flag} is not the key of the certificate in {cert_flag} {}",
                cert.display()
            ),
            "give the private key that was made with that certificate",
        ),
        other => usage(
            format!("{key_flag}: the key cannot be used ({other})"),
            "give an RSA, ECDSA (P-256/P-384) or Ed25519 private key in PEM",
        ),
    }
}

fn usage(what: String, hint: &str) -> anyhow::Error {
    Fail::new(Exit::Usage, what).hint(hint).err()
}
