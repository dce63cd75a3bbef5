//! Certificates for the TLS tests, made fresh in a temporary directory: a CA and what it
//! issues (server certificates with ECDSA, Ed25519 and RSA keys, an expired one, one for
//! another name, one through an intermediate CA, a client certificate), and a second CA that
//! issued none of them. The RSA
//! certificate is made by `openssl` (key in the traditional PKCS#1 form), the rest by rcgen.

use std::path::{Path, PathBuf};
use std::process::Command;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ED25519, date_time_ymd,
};

pub struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
        let (ca_params, ca_key) = ca("wsctl test CA");
        write("ca.pem", ca_params.self_signed(&ca_key).unwrap().pem());
        write("ca.key", ca_key.serialize_pem());
        let (other_params, other_key) = ca("another CA");
        write(
            "other-ca.pem",
            other_params.self_signed(&other_key).unwrap().pem(),
        );
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf = |name: &str, sans: &[&str], key: KeyPair, expired: bool, usage| {
            let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
            let mut params = CertificateParams::new(sans.clone()).unwrap();
            params.distinguished_name.push(DnType::CommonName, &sans[0]);
            params.extended_key_usages = vec![usage];
            if expired {
                params.not_before = date_time_ymd(2020, 1, 1);
                params.not_after = date_time_ymd(2021, 1, 1);
            }
            write(
                &format!("{name}.pem"),
                params.signed_by(&key, &issuer).unwrap().pem(),
            );
            write(&format!("{name}.key"), key.serialize_pem());
        };
        let server = ExtendedKeyUsagePurpose::ServerAuth;
        let here = ["localhost", "127.0.0.1"];
        leaf(
            "server",
            &here,
            KeyPair::generate().unwrap(),
            false,
            server.clone(),
        );
        leaf(
            "expired",
            &here,
            KeyPair::generate().unwrap(),
            true,
            server.clone(),
        );
        leaf(
            "other-name",
            &["example.org"],
            KeyPair::generate().unwrap(),
            false,
            server.clone(),
        );
        let ed25519 = KeyPair::generate_for(&PKCS_ED25519).unwrap();
        leaf("ed25519", &here, ed25519, false, server);
        // A chain: the CA issues an intermediate, which issues the leaf; chain.pem holds both.
        let (mid_params, mid_key) = ca("wsctl test intermediate");
        let mid_pem = mid_params.signed_by(&mid_key, &issuer).unwrap().pem();
        let mid = Issuer::new(mid_params, mid_key);
        let leaf_key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf_pem = params.signed_by(&leaf_key, &mid).unwrap().pem();
        write("chain.pem", format!("{leaf_pem}{mid_pem}"));
        write("chain-leaf.pem", leaf_pem);
        write("chain.key", leaf_key.serialize_pem());
        // What `openssl req -x509 -subj /CN=localhost` makes: a self-signed certificate that
        // is a CA (basicConstraints CA:TRUE) serving as the server's own.
        let (mut selfca, selfca_key) = ca("localhost");
        selfca.subject_alt_names = vec![rcgen::SanType::DnsName("localhost".try_into().unwrap())];
        write(
            "self-ca.pem",
            selfca.self_signed(&selfca_key).unwrap().pem(),
        );
        write("self-ca.key", selfca_key.serialize_pem());
        // A server certificate naming its host in the CN only, with no subjectAltName.
        let cn_key = KeyPair::generate().unwrap();
        let mut cn_only = CertificateParams::new(Vec::<String>::new()).unwrap();
        cn_only
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        cn_only.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        write(
            "cn-only.pem",
            cn_only.signed_by(&cn_key, &issuer).unwrap().pem(),
        );
        write("cn-only.key", cn_key.serialize_pem());
        let client = ExtendedKeyUsagePurpose::ClientAuth;
        leaf(
            "client",
            &["client.test"],
            KeyPair::generate().unwrap(),
            false,
            client,
        );
        let pki = Pki { dir };
        pki.openssl_rsa();
        pki
    }

    /// `rsa.pem` and `rsa.key` (PKCS#1), issued by the CA through `openssl x509 -req`; only
    /// where openssl is installed (the tests that use them check with `have("openssl")`).
    fn openssl_rsa(&self) {
        let found = Command::new("openssl").arg("version").output().is_ok();
        if !found {
            return;
        }
        let script = "set -e
            openssl req -new -newkey rsa:2048 -nodes -keyout rsa8.key -subj /CN=localhost \
              -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -out rsa.csr 2>/dev/null
            openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -days 2 -copy_extensions copy \
              -out rsa.pem 2>/dev/null
            openssl rsa -in rsa8.key -traditional -out rsa.key 2>/dev/null";
        let status = Command::new("sh")
            .args(["-c", script])
            .current_dir(self.dir.path())
            .status()
            .expect("openssl");
        assert!(
            status.success(),
            "openssl could not make the RSA certificate"
        );
    }

    /// The directory the files are made in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The path of a file made here (`ca.pem`, `server.key`, ...), as a string for arguments.
    pub fn path(&self, name: &str) -> String {
        let path: PathBuf = self.dir.path().join(name);
        path.to_string_lossy().into_owned()
    }
}

fn ca(name: &str) -> (CertificateParams, KeyPair) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    (params, KeyPair::generate().unwrap())
}
