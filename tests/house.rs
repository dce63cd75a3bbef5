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

/// The layers of `src/`, from the ground up (`lib.rs`'s module map): a module names only
/// modules of its own layer or below.
const LAYERS: &[&[&str]] = &[
    &["exit", "console", "cli"],
    &["relay", "framing", "script", "shutdown", "hexdump"],
    &["net"],
    // The hub names its clients as the transports do (`net::Peer`).
    &["config", "local", "forward", "reconnect", "hub"],
    &["client", "server"],
];

/// The one import that runs from a lower layer to a higher one, and why: `--linger` and the
/// longest duration are parsed by the command line into the transport's own types.
const UPWARD: &[(&str, &str)] = &[("cli", "net")];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Each top-level module of `src/` and the top-level modules its code names (`crate::x`).
fn module_imports() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let all: Vec<&str> = LAYERS
        .iter()
        .flat_map(|layer| layer.iter().copied())
        .collect();
    let mut imports = std::collections::BTreeMap::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_str().unwrap().trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let names: &mut std::collections::BTreeSet<String> =
            imports.entry(module.clone()).or_default();
        let text = std::fs::read_to_string(file).unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or_default();
            for target in &all {
                if *target == module {
                    continue;
                }
                let direct = format!("crate::{target}");
                let named = code.match_indices(&direct).any(|(at, _)| {
                    let after = code[at + direct.len()..].chars().next();
                    !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                let grouped = code.contains("crate::{")
                    && code.split(['{', ',', '}', ' ']).any(|w| w == *target);
                if named || grouped {
                    names.insert(target.to_string());
                }
            }
        }
    }
    imports
}

#[test]
fn every_module_has_a_layer() {
    for module in module_imports().keys() {
        assert!(
            layer_of(module).is_some(),
            "src/{module}: give it a layer in LAYERS (and in lib.rs's module map)"
        );
    }
}

#[test]
fn imports_run_down_the_layers() {
    let mut upward = Vec::new();
    for (module, names) in module_imports() {
        let Some(own) = layer_of(&module) else {
            continue;
        };
        for name in names {
            let Some(theirs) = layer_of(&name) else {
                continue;
            };
            if theirs > own && !UPWARD.contains(&(module.as_str(), name.as_str())) {
                upward.push(format!("{module} -> {name}"));
            }
        }
    }
    assert!(upward.is_empty(), "imports up the layers: {upward:?}");
}

#[test]
fn no_import_loop_between_modules() {
    let imports = module_imports();
    // Depth-first search for a cycle, the path kept for the message.
    fn visit(
        module: &str,
        imports: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module.to_string());
            return Some(cycle);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_string());
        for next in imports.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, imports, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(module.to_string());
        None
    }
    let mut done = std::collections::BTreeSet::new();
    for module in imports.keys() {
        let mut path = Vec::new();
        if let Some(cycle) = visit(module, &imports, &mut path, &mut done) {
            panic!("import loop: {}", cycle.join(" -> "));
        }
    }
}

/// Cancellation is a handle passed down (`shutdown::Shutdown`), never a process-global token.
#[test]
fn no_global_cancellation_token() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains("static ") && code.contains("CancellationToken") {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "global tokens:\n{}", found.join("\n"));
}
