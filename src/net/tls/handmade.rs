//! The client's certificate check under `--ca`: rustls's own verifier (webpki) first, and
//! where it refuses one of the setups people make by hand with `openssl` that curl, OpenSSL
//! and Python accept, the same checks done here instead:
//!
//! 1. **The server's certificate is itself in `--ca`** (pinned), as `openssl req -x509` makes
//!    it: self-signed with `basicConstraints CA:TRUE`, which webpki refuses as a server's own
//!    (`CaUsedAsEndEntity`). OpenSSL trusts a certificate it was given outright.
//! 2. **A version 1 certificate issued by a CA in `--ca`**, as `openssl x509 -req` makes it
//!    without `-extfile` (webpki reads version 3 only), or one with CA:TRUE. Its signature is
//!    checked with the key of a `--ca` certificate whose subject is its issuer. (Not issued
//!    so, either is refused as of an unknown issuer, which is what it then is.)
//! 3. **No subjectAltName**: the subject's CN stands for the name, as curl, OpenSSL and
//!    Python read it (RFC 6125 6.4.4), once everything else has been verified.
//!
//! In every case the certificate must still be valid now, name the host (a dNSName or
//! iPAddress in its subjectAltName, or else its CN; `*.` covers one label), and, when it
//! says what it is for (extendedKeyUsage), be for TLS servers; the server must still sign the
//! handshake with its key. Nothing else is accepted that webpki refuses: an unknown issuer, an
//! expired certificate, another name stay refused, with webpki's own error.
//!
//! Hand-written because no maintained crate does this for rustls: its verifier has no switch
//! for these setups. The certificate is read with x509-parser; signatures are checked with the
//! crypto provider's own algorithms through webpki.

use std::net::IpAddr;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{
    CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature,
    verify_tls13_signature_with_raw_key,
};
use rustls::pki_types::{
    CertificateDer, ServerName, SignatureVerificationAlgorithm, SubjectPublicKeyInfoDer, UnixTime,
};
use rustls::sign::CertifiedKey;
use rustls::{
    CertificateError, DigitallySignedStruct, InconsistentKeys, RootCertStore, SignatureScheme,
};
use x509_parser::prelude::{GeneralName, X509Certificate, X509Version};

/// The `--ca` verifier: webpki's, then the three hand-made setups of the module's doc.
#[derive(Debug)]
pub struct CaFile {
    webpki: Arc<WebPkiServerVerifier>,
    /// The certificates of `--ca`, as given (DER).
    given: Vec<CertificateDer<'static>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl CaFile {
    /// The verifier for the certificates `given` in `--ca` (`roots`: those rustls could use).
    pub fn new(
        roots: RootCertStore,
        given: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> anyhow::Result<CaFile> {
        let algorithms = provider.signature_verification_algorithms;
        let webpki =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider).build()?;
        Ok(CaFile {
            webpki,
            given,
            algorithms,
        })
    }

    /// Whether `ee`, refused by webpki with `refused`, is one of the hand-made setups and
    /// passes their checks: `None` when it is none of them (webpki's refusal stands).
    fn hand_made(
        &self,
        ee: &CertificateDer<'_>,
        name: &ServerName<'_>,
        now: UnixTime,
        refused: &rustls::Error,
    ) -> Option<Result<(), rustls::Error>> {
        let (_, cert) = x509_parser::parse_x509_certificate(ee).ok()?;
        let pinned = self.given.iter().any(|given| given.as_ref() == ee.as_ref());
        // What webpki will not take as a server's own: version 1, or a CA (CA:TRUE).
        let not_a_leaf_to_webpki = cert.version() == X509Version::V1
            || refused_as(refused, &webpki::Error::CaUsedAsEndEntity);
        let chain_verified = matches!(
            refused,
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        ) && !has_alt_names(&cert);
        if not_a_leaf_to_webpki && !pinned && !self.issued_by_given(&cert) {
            // webpki would say what it cannot take; what matters is that no --ca issued it.
            return Some(Err(CertificateError::UnknownIssuer.into()));
        }
        if !(pinned || not_a_leaf_to_webpki || chain_verified) {
            return None;
        }
        Some(check(&cert, name, now))
    }

    /// Whether a `--ca` certificate whose subject is `cert`'s issuer signed it.
    fn issued_by_given(&self, cert: &X509Certificate<'_>) -> bool {
        self.given.iter().any(|given| {
            let Ok((_, ca)) = x509_parser::parse_x509_certificate(given) else {
                return false;
            };
            ca.subject().as_raw() == cert.issuer().as_raw()
                && signed_with(
                    self.algorithms.all,
                    ca.public_key().raw,
                    cert.tbs_certificate.as_ref(),
                    cert.signature_algorithm.algorithm.as_bytes(),
                    &cert.signature_value.data,
                )
        })
    }
}

/// Whether `signature` over `message` verifies with the key `spki` (DER) under one of
/// `algorithms` whose AlgorithmIdentifier names the OID `oid` (its content bytes).
fn signed_with(
    algorithms: &[&dyn SignatureVerificationAlgorithm],
    spki: &[u8],
    message: &[u8],
    oid: &[u8],
    signature: &[u8],
) -> bool {
    let spki = SubjectPublicKeyInfoDer::from(spki);
    let Ok(key) = webpki::RawPublicKeyEntity::try_from(&spki) else {
        return false;
    };
    algorithms.iter().any(|algorithm| {
        // The identifier's DER: 06 LEN OID, then any parameters.
        let id = algorithm.signature_alg_id();
        let id = id.as_ref();
        let names_oid = id.len() >= 2 + oid.len()
            && id[0] == 0x06
            && usize::from(id[1]) == oid.len()
            && &id[2..2 + oid.len()] == oid;
        names_oid && key.verify_signature(*algorithm, message, signature).is_ok()
    })
}

/// The checks every hand-made setup still passes: valid now, for this name, for servers.
fn check(
    cert: &X509Certificate<'_>,
    name: &ServerName<'_>,
    now: UnixTime,
) -> Result<(), rustls::Error> {
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let validity = cert.validity();
    if now < validity.not_before.timestamp() {
        return Err(CertificateError::NotValidYet.into());
    }
    if now > validity.not_after.timestamp() {
        return Err(CertificateError::Expired.into());
    }
    if let Ok(Some(usage)) = cert.extended_key_usage() {
        if !usage.value.server_auth && !usage.value.any {
            return Err(CertificateError::InvalidPurpose.into());
        }
    }
    let presented = names(cert);
    if presented
        .iter()
        .any(|presented| matches_name(presented, name))
    {
        return Ok(());
    }
    Err(CertificateError::NotValidForNameContext {
        expected: name.to_owned(),
        presented,
    }
    .into())
}

/// Whether webpki refused with `error`.
fn refused_as(refused: &rustls::Error, error: &webpki::Error) -> bool {
    match refused {
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
            other.0.downcast_ref::<webpki::Error>() == Some(error)
        }
        _ => false,
    }
}

fn has_alt_names(cert: &X509Certificate<'_>) -> bool {
    matches!(cert.subject_alternative_name(), Ok(Some(_)))
}

/// The names a certificate holds: its subjectAltName's dNSNames and iPAddresses, or, when it
/// has no subjectAltName, its subject's CNs.
fn names(cert: &X509Certificate<'_>) -> Vec<String> {
    if let Ok(Some(alt)) = cert.subject_alternative_name() {
        return alt
            .value
            .general_names
            .iter()
            .filter_map(|name| match name {
                GeneralName::DNSName(dns) => Some(dns.to_string()),
                GeneralName::IPAddress(bytes) => ip_of(bytes).map(|ip| ip.to_string()),
                _ => None,
            })
            .collect();
    }
    cert.subject()
        .iter_common_name()
        .filter_map(|cn| cn.as_str().ok().map(str::to_string))
        .collect()
}

fn ip_of(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

/// Whether a name the certificate holds covers `name`: an address equal to it, or a DNS
/// name equal to it but for case, or `*.rest` for one more label before `rest`.
fn matches_name(presented: &str, name: &ServerName<'_>) -> bool {
    match name {
        ServerName::IpAddress(ip) => presented.parse::<IpAddr>().ok() == Some(IpAddr::from(*ip)),
        ServerName::DnsName(dns) => {
            let wanted = dns.as_ref().trim_end_matches('.').to_ascii_lowercase();
            let presented = presented.trim_end_matches('.').to_ascii_lowercase();
            match presented.strip_prefix("*.") {
                Some(rest) => wanted
                    .split_once('.')
                    .is_some_and(|(label, tail)| !label.is_empty() && tail == rest),
                None => presented == wanted,
            }
        }
        _ => false,
    }
}

/// Whether the private key of `certified` is the one its certificate names: rustls's own
/// check, or, for a version 1 certificate (which it cannot read), the same comparison of
/// the two SubjectPublicKeyInfos.
pub fn keys_match(certified: &CertifiedKey) -> Result<(), rustls::Error> {
    let refused = match certified.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(InconsistentKeys::Unknown)) => return Ok(()),
        Err(err @ rustls::Error::InconsistentKeys(_)) => return Err(err),
        Err(refused) => refused,
    };
    let Some(named) = version_1_key(certified.end_entity_cert()?) else {
        return Err(refused);
    };
    match certified.key.public_key() {
        Some(held) if held.as_ref() != named.as_ref() => Err(InconsistentKeys::KeyMismatch.into()),
        _ => Ok(()),
    }
}

/// The subject public key of a version 1 certificate (which webpki cannot read), to check
/// the handshake's signature with.
fn version_1_key(cert: &CertificateDer<'_>) -> Option<SubjectPublicKeyInfoDer<'static>> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert).ok()?;
    (parsed.version() == X509Version::V1)
        .then(|| SubjectPublicKeyInfoDer::from(parsed.public_key().raw.to_vec()))
}

/// The server's TLS 1.2 signature of the handshake, checked with its certificate's key as
/// rustls does, or for a version 1 certificate (which rustls cannot read) with the key read
/// here: `--ca`'s setups and `--insecure` alike.
pub fn tls12_signature(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
    algorithms: &WebPkiSupportedAlgorithms,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    verify_tls12_signature(message, cert, dss, algorithms).or_else(|err| {
        let key = version_1_key(cert).ok_or(err.clone())?;
        // As rustls does for TLS 1.2: every algorithm of the scheme, in turn.
        let candidates = algorithms
            .mapping
            .iter()
            .filter(|(scheme, _)| *scheme == dss.scheme)
            .flat_map(|(_, algorithms)| algorithms.iter().copied())
            .collect::<Vec<_>>();
        let key = webpki::RawPublicKeyEntity::try_from(&key).map_err(|_| err.clone())?;
        candidates
            .iter()
            .any(|algorithm| {
                key.verify_signature(*algorithm, message, dss.signature())
                    .is_ok()
            })
            .then(HandshakeSignatureValid::assertion)
            .ok_or(err)
    })
}

/// [`tls12_signature`] for TLS 1.3.
pub fn tls13_signature(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
    algorithms: &WebPkiSupportedAlgorithms,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    verify_tls13_signature(message, cert, dss, algorithms).or_else(|err| {
        let key = version_1_key(cert).ok_or(err)?;
        verify_tls13_signature_with_raw_key(message, &key, dss, algorithms)
    })
}

impl ServerCertVerifier for CaFile {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let refused = match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => return Ok(verified),
            Err(refused) => refused,
        };
        match self.hand_made(end_entity, server_name, now, &refused) {
            Some(Ok(())) => Ok(ServerCertVerified::assertion()),
            Some(Err(err)) => Err(err),
            None => Err(refused),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dns(name: &str) -> ServerName<'static> {
        ServerName::try_from(name.to_string()).unwrap()
    }

    #[test]
    fn names_match_as_curl_matches_them() {
        assert!(matches_name("localhost", &dns("LocalHost")));
        assert!(matches_name("*.example.com", &dns("a.example.com")));
        assert!(!matches_name("*.example.com", &dns("a.b.example.com")));
        assert!(!matches_name("*.example.com", &dns("example.com")));
        assert!(!matches_name("example.com", &dns("example.org")));
        assert!(matches_name("127.0.0.1", &dns("127.0.0.1")));
        assert!(!matches_name("127.0.0.2", &dns("127.0.0.1")));
        assert!(!matches_name("localhost", &dns("127.0.0.1")));
    }
}
