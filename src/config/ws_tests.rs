//! Tests of `config/ws.rs`: following redirects (`-L`) and reading URLs as the peers write
//! them.

mod redirect {
    use super::super::*;
    use crate::cli::Cli;
    use crate::config::{Config, Job};
    use clap::Parser;

    fn client(args: &[&str]) -> (WsClient, Follow) {
        let mut all = vec!["wsctl", "ws", "connect", "-L"];
        all.extend_from_slice(args);
        let Config {
            job: Job::WsConnect(cfg),
            ..
        } = Config::from_cli(Cli::try_parse_from(all).unwrap()).unwrap()
        else {
            panic!("a ws client")
        };
        let follow = cfg.follow.clone().expect("-L");
        (*cfg, follow)
    }

    #[test]
    fn a_redirect_on_the_same_host_keeps_the_credentials() {
        let (cfg, follow) = client(&[
            "--auth",
            "me:secret",
            "-H",
            "Authorization: Bearer x",
            "ws://a.test:8080/old?q=1",
        ]);
        let next = redirected(&cfg, &follow, "/new").unwrap();
        assert_eq!(next.request.url.as_str(), "ws://a.test:8080/new");
        assert_eq!(next.request.auth.as_deref(), Some("me:secret"));
        assert_eq!(next.request.headers.len(), 1);
        assert_eq!(next.remote.target, cfg.remote.target);
    }

    /// As curl does: credentials (and a -H Host naming the old host) never go to another
    /// host (or port).
    #[test]
    fn a_redirect_to_another_host_drops_the_credentials() {
        let (cfg, follow) = client(&[
            "--auth",
            "me:secret",
            "-H",
            "Authorization: Bearer x",
            "-H",
            "Cookie: c=1",
            "-H",
            "X-Kept: yes",
            "-H",
            "Host: a.test",
            "ws://a.test/old",
        ]);
        for elsewhere in ["ws://b.test/", "https://a.test:444/", "http://a.test:8080/"] {
            let next = redirected(&cfg, &follow, elsewhere).unwrap();
            assert_eq!(next.request.auth, None, "{elsewhere}");
            let names: Vec<&str> = next
                .request
                .headers
                .iter()
                .map(|(n, _)| n.as_str())
                .collect();
            assert_eq!(names, ["x-kept"], "{elsewhere}");
        }
        let tls = redirected(&cfg, &follow, "https://b.test/").unwrap();
        assert!(tls.remote.tls.is_some());
        assert_eq!(tls.remote.target, HostPort::new("b.test", 443));
    }

    #[test]
    fn a_redirect_from_wss_down_to_ws_is_refused() {
        let (cfg, follow) = client(&["wss://a.test/"]);
        let err = redirected(&cfg, &follow, "ws://a.test/").unwrap_err();
        assert!(
            err.to_string()
                .contains("not following a redirect from wss:// down to")
        );
        assert!(redirected(&cfg, &follow, "wss://b.test/").is_ok());
    }
}

mod url {
    use super::super::*;

    /// The peers' habits: no scheme is ws://, http(s):// mean ws(s)://, a host alone is port
    /// 80 (443 for https).
    #[test]
    fn urls_as_the_peers_take_them() {
        let read = |text: &str| {
            let u = ws_url(text).unwrap();
            (u.url.to_string(), u.target, u.scheme)
        };
        assert_eq!(
            read("example.com"),
            (
                "ws://example.com/".into(),
                HostPort::new("example.com", 80),
                Scheme::Ws
            )
        );
        assert_eq!(
            read("localhost:8080/chat?x=1"),
            (
                "ws://localhost:8080/chat?x=1".into(),
                HostPort::new("localhost", 8080),
                Scheme::Ws
            )
        );
        assert_eq!(
            read("https://example.com/feed"),
            (
                "wss://example.com/feed".into(),
                HostPort::new("example.com", 443),
                Scheme::Wss
            )
        );
        assert_eq!(read("http://[::1]:9/").1, HostPort::new("::1", 9));
        // Schemes are case-insensitive (RFC 3986 3.1).
        assert_eq!(read("HTTP://localhost:1/").2, Scheme::Ws);
        assert_eq!(read("WSS://localhost/").2, Scheme::Wss);
        assert!(ws_url("ftp://example.com/").is_err());
    }
}
