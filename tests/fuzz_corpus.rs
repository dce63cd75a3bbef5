//! The committed fuzz corpus (`fuzz/corpus/<target>/`) replayed through the checks the fuzz
//! targets run (`fuzz/checks.rs`): a deterministic gate in `cargo test` that needs no fuzzing
//! toolchain. A crash the fuzzer finds is added to the corpus and stays tested here.

#[allow(dead_code)]
mod checks {
    include!("../fuzz/checks.rs");
}

/// Runs `check` on every file of `fuzz/corpus/<target>/` (there must be some).
fn replay(target: &str, check: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("the corpus is committed") {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| check(&data));
        assert!(result.is_ok(), "{} fails its check", path.display());
        count += 1;
    }
    assert!(count > 0, "no corpus for {target}");
}

#[test]
fn gate() {
    replay("gate", checks::gate);
}

#[test]
fn ws_request() {
    replay("ws_request", checks::ws_request);
}

#[test]
fn user_input() {
    replay("user_input", checks::user_input);
}

#[test]
fn framing() {
    replay("framing", checks::framing);
}

#[test]
fn proxy() {
    replay("proxy", checks::proxy);
}

#[test]
fn ws_answer() {
    replay("ws_answer", checks::ws_answer);
}

#[test]
fn deflate_offer() {
    replay("deflate_offer", checks::deflate_offer);
}

#[test]
fn inflate() {
    replay("inflate", checks::inflate);
}
