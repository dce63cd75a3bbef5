//! A client's TLS: what it trusts, what it presents, and why a handshake failed.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::SingleCertAndKey;
use rustls::{
    AlertDescription, CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore,
    SignatureScheme,
};
use serde_json::json;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::handmade::{self, CaFile};
use super::{Stream, certificates, certified_key, fingerprint, provider, rustls_error, usage};
use crate::console;
use crate::exit::{Exit, Fail};
use crate::net::addr::HostPort;

/// The client's TLS options, as given on the command line.
#[derive(Debug, Default, Clone)]
pub struct ClientOptions {
    /// `--ca`: PEM roots to trust instead of the system's.
    pub ca: Option<PathBuf>,
    /// `--insecure`: no certificate check at all.
    pub insecure: bool,
    /// `--cert`: a PEM client certificate (chain), with `key`.
    pub cert: Option<PathBuf>,
    /// `--key`: its PEM private key.
    pub key: Option<PathBuf>,
    /// `--sni`: the server name sent and checked, instead of the host.
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
    } else if let Some(ca) = &opts.ca {
        // The hand-made setups curl accepts as well (handmade.rs).
        let given = certificates(ca, "--ca")?;
        let verifier = CaFile::new(ca_roots(ca, &given)?, given, provider.clone())?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
    } else {
        builder.with_root_certificates(system_roots())
    };
    let mut config = match (&opts.cert, &opts.key) {
        (Some(cert), Some(key)) => {
            let certified = certified_key(cert, key, ("--cert", "--key"), &provider)?;
            builder.with_client_cert_resolver(Arc::new(SingleCertAndKey::from(certified)))
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

/// The roots of `--ca FILE` (its certificates `given`), and nothing else.
fn ca_roots(file: &Path, given: &[CertificateDer<'static>]) -> anyhow::Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    let (_, ignored) = roots.add_parsable_certificates(given.iter().cloned());
    if roots.is_empty() {
        return Err(usage(
            format!(
                "--ca {}: no usable CA certificate ({ignored} unparsable)",
                file.display()
            ),
            "give a PEM file of CA certificates",
        ));
    }
    Ok(roots)
}

/// The bundled web roots and the system's store.
fn system_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    // The system's store adds any local CA; a broken one leaves the web roots.
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    roots
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
                CertificateError::NotValidForNameContext { presented, .. }
                    if presented.is_empty() =>
                {
                    "the certificate names no host in its subjectAltName: make it with `-addext subjectAltName=DNS:NAME` (a CN alone is read only against --ca, as curl reads it), or --insecure to skip the check"
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => {
                    "connect by a name the certificate holds, or check it against that name with --sni NAME"
                }
                other => cert_fix(other).unwrap_or("--insecure skips the check (unsafe)"),
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
pub(super) fn cert_reason(err: &CertificateError) -> String {
    match err {
        CertificateError::UnknownIssuer => {
            "its issuer is unknown (a self-signed certificate, or a CA not trusted here)".into()
        }
        CertificateError::Expired => "it has expired".into(),
        CertificateError::NotValidYet => "it is not valid yet".into(),
        CertificateError::NotValidForName => "it is not valid for this name".into(),
        CertificateError::BadSignature => "its signature is bad".into(),
        CertificateError::Revoked => "it has been revoked".into(),
        CertificateError::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(webpki::Error::CaUsedAsEndEntity) => "it is a CA certificate (basicConstraints \
                CA:TRUE, as `openssl req -x509` makes by default) serving as the server's own"
                .into(),
            Some(webpki::Error::EndEntityUsedAsCa) => {
                "its chain uses a server certificate as a CA".into()
            }
            Some(webpki::Error::RequiredEkuNotFoundContext(_)) => {
                "it is not for TLS servers (its extended key usage lacks serverAuth)".into()
            }
            Some(
                webpki::Error::UnsupportedSignatureAlgorithmContext(_)
                | webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_),
            ) => "it is signed with an algorithm rustls does not accept (SHA-1, say)".into(),
            Some(webpki::Error::UnsupportedCertVersion) => {
                "it is not an X.509 version 3 certificate".into()
            }
            Some(other) => format!("{other}"),
            None => other.to_string(),
        },
        other => other.to_string(),
    }
}

/// The fix for a refusal [`cert_reason`] names in plain words, where there is one beyond
/// `--insecure`.
fn cert_fix(err: &CertificateError) -> Option<&'static str> {
    let CertificateError::Other(other) = err else {
        return None;
    };
    match other.0.downcast_ref::<webpki::Error>()? {
        webpki::Error::CaUsedAsEndEntity => Some(
            "give it with --ca FILE (it is then trusted as curl trusts it), or make the \
             server's certificate with `-addext basicConstraints=critical,CA:FALSE -addext \
             subjectAltName=DNS:NAME`, or --insecure to skip the check",
        ),
        webpki::Error::UnsupportedCertVersion => Some(
            "give the CA that issued it with --ca FILE (wsctl then reads it, as curl does), or \
             --insecure to skip the check",
        ),
        webpki::Error::RequiredEkuNotFoundContext(_) => Some(
            "make the server's certificate with `-addext extendedKeyUsage=serverAuth`, or \
             --insecure to skip the check",
        ),
        _ => None,
    }
}

/// A fatal alert from the server: during the handshake, or (TLS 1.3) on the first read, which
/// is where a refused client certificate shows.
fn alert_failure(alert: AlertDescription, target: &str) -> Fail {
    let fail = Fail::new(
        Exit::Handshake,
        format!(
            "TLS: {target} refused the connection (alert: {})",
            super::alert_words(alert)
        ),
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
        // A version 1 certificate too (curl -k takes one).
        handmade::tls12_signature(
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
        handmade::tls13_signature(
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
