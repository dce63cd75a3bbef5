//! TLS on rustls (the ring provider; no OpenSSL): what a client trusts (the bundled web roots
//! plus the system's store, or `--ca`, or nothing with `--insecure`), client certificates,
//! SNI ([`client`]); a listener's certificate (PEM files, or a fresh self-signed one) and
//! `--client-ca` ([`server`]); and [`Stream`], the plain-or-TLS byte stream both relays run
//! over.
//!
//! Files are read and checked while the command line is validated, so a missing file or a
//! key that does not match its certificate is a usage error (2) before anything connects. A
//! refused certificate is exit 4 with the reason and the flag that would help.

mod client;
mod handmade;
mod server;

pub use client::{ClientOptions, TlsClient, client, connect, late_alert};
pub use server::{ServerOptions, TlsServer, server};

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::exit::{Exit, Fail};

/// A connection to or from a peer: plain TCP, TLS over it, or a Unix stream socket.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::TlsStream<TcpStream>>),
    /// `unix connect` (its peer named `unix:PATH`).
    Unix(tokio::net::UnixStream, String),
}

impl Stream {
    /// The TCP connection underneath, if it is one.
    pub fn tcp(&self) -> Option<&TcpStream> {
        match self {
            Stream::Plain(s) => Some(s),
            Stream::Tls(s) => Some(s.get_ref().0),
            Stream::Unix(..) => None,
        }
    }

    /// The peer, as status lines name it: `IP:PORT`, or `unix:PATH`.
    pub fn peer_name(&self) -> Option<String> {
        match self {
            Stream::Unix(_, name) => Some(name.clone()),
            tcp => tcp.tcp()?.peer_addr().ok().map(|addr| addr.to_string()),
        }
    }

    /// The socket underneath, for the socket options.
    pub fn socket(&self) -> socket2::SockRef<'_> {
        match self {
            Stream::Unix(s, _) => socket2::SockRef::from(s),
            tcp => socket2::SockRef::from(tcp.tcp().expect("a TCP stream")),
        }
    }
}

macro_rules! both {
    ($self:ident, $s:ident => $e:expr) => {
        match $self.get_mut() {
            Stream::Plain($s) => $e,
            Stream::Tls($s) => $e,
            Stream::Unix($s, _) => $e,
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
            Stream::Unix(s, _) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self, s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self, s => Pin::new(s).poll_shutdown(cx))
    }
}

/// A TLS alert in words: `BadCertificate` as "bad certificate", `UnknownCA` as "unknown CA".
fn alert_words(alert: rustls::AlertDescription) -> String {
    let name = format!("{alert:?}");
    let mut words = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
        let prev_lower = i > 0 && chars[i - 1].is_lowercase();
        if i > 0 && c.is_uppercase() && (prev_lower || next_lower) {
            words.push(' ');
        }
        // An acronym (CA) stays as it is; a word goes lower case.
        let acronym = c.is_uppercase() && !next_lower && (i + 1 < chars.len() || !prev_lower);
        words.push(if acronym { c } else { c.to_ascii_lowercase() });
    }
    words
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
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

/// Reads `cert` (a PEM chain, ours first) and `key` (its PEM private key) into what rustls
/// signs with, checking that they belong together (a version 1 certificate too, as
/// `openssl x509 -req` makes it: see handmade.rs).
fn certified_key(
    cert: &Path,
    key: &Path,
    flags: (&str, &str),
    provider: &CryptoProvider,
) -> anyhow::Result<Arc<CertifiedKey>> {
    let (cert_flag, key_flag) = flags;
    let chain = certificates(cert, cert_flag)?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_error(e, key, key_flag))?;
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| key_error(e, cert, cert_flag, key_flag))?;
    let certified = CertifiedKey::new(chain, signing);
    handmade::keys_match(&certified).map_err(|e| key_error(e, cert, cert_flag, key_flag))?;
    Ok(Arc::new(certified))
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
        rustls::Error::InvalidCertificate(why) => usage(
            format!(
                "{cert_flag} {}: the certificate cannot be used: {}",
                cert.display(),
                client::cert_reason(&why)
            ),
            "give an X.509 certificate in PEM (version 3, or version 1 as `openssl x509 -req` makes it)",
        ),
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

fn rustls_error(err: &io::Error) -> Option<&rustls::Error> {
    err.get_ref()?.downcast_ref::<rustls::Error>()
}

#[cfg(test)]
mod words {
    use super::*;

    #[test]
    fn alerts_in_words() {
        use rustls::AlertDescription as A;
        assert_eq!(alert_words(A::BadCertificate), "bad certificate");
        assert_eq!(alert_words(A::UnknownCA), "unknown CA");
        assert_eq!(alert_words(A::CertificateRequired), "certificate required");
        assert_eq!(alert_words(A::HandshakeFailure), "handshake failure");
    }
}
