// What each fuzz target checks, shared by the targets (fuzz_targets/*.rs) and by the replay
// of the committed corpus in the main test suite (tests/fuzz_corpus.rs), which needs no fuzzing
// toolchain. Each function takes any bytes; a panic is a finding.

/// The frame rewriter (`net/ws/gate.rs`): the first byte picks how the socket cuts the input,
/// how much each read asks for, and whether our writes are stuck; the rest is an HTTP head and
/// frames. No panic; and where the input parses as frames (control frames within their 125
/// bytes) and no ping is dropped, the output carries exactly the same messages.
pub fn gate(data: &[u8]) {
    use wsctl::net::ws::gate::{messages, run_through};
    let Some((&knobs, input)) = data.split_first() else {
        return;
    };
    let piece = 1 + usize::from(knobs & 0x0F) * 37;
    let read = 1 + usize::from(knobs >> 4) * 311;
    let stuck = knobs & 0x80 != 0;
    let out = run_through(input, usize::MAX, piece, read, stuck);
    if let Some(want) = messages(input) {
        let sound = want
            .iter()
            .all(|(op, payload)| *op & 0x0F < 8 || payload.len() <= 125);
        if sound && !stuck {
            assert_eq!(
                messages(&out),
                Some(want),
                "the rewriter changed the messages"
            );
        }
    }
    let _ = run_through(input, 1 << 20, piece, read, stuck);
}

/// The server's reading of an opening handshake (`net/ws/request.rs`): no panic; a refusal
/// is a whole HTTP response with one of the statuses the parser may give; an accepted request
/// has a key and gets a 101.
pub fn ws_request(data: &[u8]) {
    use wsctl::net::ws::request::{head_end, parse, switching};
    let _ = head_end(data);
    for path in [None, Some("/ws")] {
        match parse(data, path) {
            Ok(upgrade) => {
                assert!(!upgrade.key.is_empty());
                assert!(switching(&upgrade, None).starts_with(b"HTTP/1.1 101 "));
            }
            Err(refusal) => {
                assert!(
                    [400, 404, 405, 426, 431].contains(&refusal.status),
                    "{refusal:?}"
                );
                assert!(refusal.response().starts_with(b"HTTP/1.1 "));
            }
        }
    }
}

/// What a user types: targets, bind addresses, durations and lingers. No panic; a target
/// that parses, written back as HOST:PORT, parses to the same.
pub fn user_input(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = wsctl::cli::parse_duration(text);
    let _ = wsctl::cli::parse_linger(text);
    let _ = wsctl::config::parse_bind(text);
    if let Ok(target) = wsctl::config::parse_target(text, None) {
        let host = if target.host.contains(':') {
            format!("[{}]", target.host)
        } else {
            target.host.clone()
        };
        let again = wsctl::config::parse_target(&format!("{host}:{}", target.port), None);
        assert_eq!(again.ok(), Some(target));
    }
    if let Some((host, port)) = text.split_once(' ') {
        let _ = wsctl::config::parse_target(host, Some(port));
    }
}
