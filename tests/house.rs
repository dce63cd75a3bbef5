//! The shape of the house (`../shared/DESIGN.md`, "The next shape"): `net/` is the ground
//! floor and names nothing above it, so that a transport can be read, tested and changed
//! without the configuration, the servers or the local sides.

use std::path::Path;

/// The modules above `net/`; none may be named from under `src/net`.
const ABOVE_NET: &[&str] = &[
    "config",
    "server",
    "local",
    "forward",
    "hub",
    "script",
    "reconnect",
    "client",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn net_names_nothing_above_it() {
    let net = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/net");
    let mut files = Vec::new();
    rust_files(&net, &mut files);
    assert!(files.len() > 10, "src/net not found: {}", net.display());
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for module in ABOVE_NET {
                // `crate::config`, `crate::{config, …}` and the like.
                let direct = format!("crate::{module}");
                let grouped = code.contains("crate::{")
                    && code.split(['{', ',', '}', ' ']).any(|w| w == *module);
                let named = code.match_indices(&direct).any(|(at, _)| {
                    let after = code[at + direct.len()..].chars().next();
                    !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if named || grouped {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "net/ reaches up:\n{}", found.join("\n"));
}

/// A file past 500 lines holds more than one thing: split it by role (DESIGN.md).
#[test]
fn no_source_file_passes_500_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(file).unwrap().lines().count();
            (lines > 500).then(|| format!("{}: {lines} lines", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these:\n{}", long.join("\n"));
}
