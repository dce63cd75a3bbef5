//! The command line itself: help, version, completions, colour and event formats.

mod common;

use assert_cmd::Command;
use common::*;
use predicates::prelude::*;

fn cmd() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wsctl"));
    cmd.timeout(WAIT).env_remove("NO_COLOR");
    cmd
}

#[test]
fn help_lists_working_commands_and_exit_codes() {
    cmd()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("tcp"))
        .stdout(predicate::str::contains("completions"))
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("130  interrupted"));
}

#[test]
fn version_prints() {
    cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("wsctl "));
}

#[test]
fn usage_errors_exit_2() {
    cmd()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage"));
    cmd().args(["tcp", "connect"]).assert().code(2);
    cmd()
        .args(["--color", "sometimes", "tcp", "listen", "0"])
        .assert()
        .code(2);
}

/// The committed completion scripts must match what the binary generates.
#[test]
fn completions_are_fresh() {
    let files = [
        ("bash", "wsctl.bash"),
        ("zsh", "_wsctl"),
        ("fish", "wsctl.fish"),
        ("powershell", "_wsctl.ps1"),
        ("elvish", "wsctl.elv"),
    ];
    for (shell, file) in files {
        let out = cmd().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let path = format!("{}/completions/{file}", env!("CARGO_MANIFEST_DIR"));
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "completions/{file} is out of date: run `cargo run -- completions {shell} > completions/{file}`"
        );
    }
}

#[test]
fn json_events_are_one_object_per_line() {
    let mut server = start(&["--events", "json", "tcp", "listen", "127.0.0.1:0"]);
    let line = server.line();
    let event: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    assert_eq!(event["event"], "listening");
    let addr = event["addr"].as_str().unwrap().to_string();
    assert!(event["time"].as_str().unwrap().ends_with('Z'));
    let mut client = start(&["tcp", "connect", &addr, "--events=json"]);
    let connected: serde_json::Value = serde_json::from_str(&client.line()).unwrap();
    assert_eq!(connected["event"], "connected");
    assert_eq!(connected["addr"], addr.as_str());
    let accepted: serde_json::Value = serde_json::from_str(&server.line()).unwrap();
    assert_eq!(accepted["event"], "accepted");
    client.close_stdin();
    server.close_stdin();
    assert_eq!(client.finish().code(), 0);
    assert_eq!(server.finish().code(), 0);

    let port = closed_port().to_string();
    let done = start(&["--events", "json", "tcp", "connect", "127.0.0.1", &port]).finish();
    assert_eq!(done.code(), 3);
    let error: serde_json::Value = serde_json::from_str(done.stderr.trim()).expect("one JSON line");
    assert_eq!(error["event"], "error");
    assert_eq!(error["code"], 3);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("connection refused")
    );
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("nothing is listening")
    );
}

#[test]
fn colour_only_when_asked_and_never_under_no_color() {
    let port = closed_port().to_string();
    let args = ["tcp", "connect", "127.0.0.1", port.as_str()];
    // stderr is a pipe here: auto means no colour.
    let plain = cmd().args(args).output().unwrap();
    assert!(!String::from_utf8_lossy(&plain.stderr).contains('\x1b'));
    let always = cmd()
        .args(args)
        .args(["--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&always.stderr).contains("\x1b["));
    let never = cmd()
        .args(args)
        .args(["--color", "never"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&never.stderr).contains('\x1b'));
    let no_color = cmd().args(args).env("NO_COLOR", "1").output().unwrap();
    assert!(!String::from_utf8_lossy(&no_color.stderr).contains('\x1b'));
}

#[test]
fn quiet_hides_status_but_not_errors() {
    let mut server = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut client = start(&["-q", "tcp", "connect", &addr]);
    client.write_stdin(b"hi\n");
    client.close_stdin();
    server.close_stdin();
    let c = client.finish();
    assert_eq!(c.code(), 0);
    assert_eq!(c.stderr, "", "-q prints no status lines");
    assert_eq!(server.finish().stdout_text(), "hi\n");

    let port = closed_port().to_string();
    let done = start(&["-q", "tcp", "connect", "127.0.0.1", &port]).finish();
    assert!(done.stderr.contains("wsctl: error:"));
}

#[test]
fn verbose_shows_attempts_and_byte_counts() {
    let mut server = start(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut client = start(&["-v", "tcp", "connect", &addr]);
    client.write_stdin(b"12345");
    client.close_stdin();
    server.close_stdin();
    let c = client.finish();
    assert!(c.stderr.contains(&format!("trying {addr}")), "{}", c.stderr);
    assert!(
        c.stderr.contains("closed: 5 bytes sent, 0 received"),
        "{}",
        c.stderr
    );
    server.finish();
}

/// The heading each flag shows under in `SUBCOMMAND --help`, as (heading, flag) pairs.
fn headings(args: &[&str]) -> Vec<(String, String)> {
    let out = cmd().args(args).arg("--help").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut heading = String::new();
    let mut pairs = Vec::new();
    for line in text.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            heading = line.trim_end_matches(':').to_string();
        } else if let Some(flag) = line
            .trim_start()
            .split([' ', ','])
            .find(|w| w.starts_with("--"))
            .filter(|_| line.trim_start().starts_with('-'))
        {
            pairs.push((heading.clone(), flag.to_string()));
        }
    }
    pairs
}

/// Every flag shows under its own group's heading: `ws connect -h` listed --send, --count and
/// --timeout under TLS once.
#[test]
fn each_flag_shows_under_its_own_heading() {
    let want: &[(&[&str], &str, &str)] = &[
        (&["ws", "connect"], "Scripting", "--send"),
        (&["ws", "connect"], "Scripting", "--count"),
        (&["ws", "connect"], "Scripting", "--timeout"),
        (&["ws", "connect"], "TLS", "--ca"),
        (&["ws", "connect"], "WebSocket", "--ping-interval"),
        (&["ws", "connect"], "Connecting", "--connect-timeout"),
        (&["ws", "connect"], "Framing", "--binary"),
        (&["ws", "connect"], "Local side", "--exec"),
        (&["ws", "listen"], "Serving", "--keep-open"),
        (&["ws", "listen"], "TLS", "--tls-cert"),
        (&["tcp", "connect"], "Scripting", "--send"),
        (&["tcp", "listen"], "Serving", "--max-conns"),
        (&["udp", "send"], "Scripting", "--count"),
    ];
    for (command, heading, flag) in want {
        let pairs = headings(command);
        let found = pairs.iter().find(|(_, f)| f == flag);
        assert_eq!(
            found.map(|(h, _)| h.as_str()),
            Some(*heading),
            "{command:?} {flag}: {pairs:?}"
        );
    }
}

/// `text` as roff lines: backslashes escaped, a line that starts with `.` or `'` kept as text.
fn roff_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('\\', "\\e");
            if line.starts_with('.') || line.starts_with('\'') {
                format!("\\&{line}")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The man pages in `man/`: `wsctl.1` and one page per subcommand (`wsctl-ws-connect.1`...),
/// made by clap_mangen from the command line's own definition.
fn man_pages() -> Vec<(String, Vec<u8>)> {
    use clap::CommandFactory;
    let root = wsctl::cli::Cli::command();
    let render = |cmd: clap::Command, name: &str| {
        let mut out = Vec::new();
        // clap names are 'static without its `string` feature: a test may leak a few.
        let name: &'static str = Box::leak(name.to_string().into_boxed_str());
        let man = clap_mangen::Man::new(cmd.clone().name(name));
        man.render_title(&mut out).unwrap();
        man.render_name_section(&mut out).unwrap();
        man.render_synopsis_section(&mut out).unwrap();
        man.render_description_section(&mut out).unwrap();
        if cmd.get_arguments().next().is_some() {
            man.render_options_section(&mut out).unwrap();
        }
        if cmd.has_subcommands() {
            man.render_subcommands_section(&mut out).unwrap();
        }
        // clap_mangen puts the text after the options under "EXTRA": ours is NOTES (EXIT
        // STATUS for the exit codes) and EXAMPLES, as man pages name them.
        if let Some(after) = cmd.get_after_long_help().or_else(|| cmd.get_after_help()) {
            let after = after.to_string();
            let (notes, examples) = match after.split_once("\n\nExamples:\n") {
                Some((notes, examples)) => (notes.to_string(), Some(examples.to_string())),
                None => (after, None),
            };
            let section = if notes.starts_with("Exit codes") {
                format!(".SH \"EXIT STATUS\"\n.nf\n{}\n.fi\n", roff_text(&notes))
            } else {
                format!(".SH NOTES\n{}\n", roff_text(&notes))
            };
            out.extend(section.bytes());
            if let Some(examples) = examples {
                out.extend(format!(".SH EXAMPLES\n.nf\n{}\n.fi\n", roff_text(&examples)).bytes());
            }
        }
        if cmd.get_version().is_some() {
            man.render_version_section(&mut out).unwrap();
        }
        (format!("{name}.1"), out)
    };
    let mut pages = vec![render(root.clone().disable_help_subcommand(true), "wsctl")];
    // Every page wsctl.1 names (wsctl-tcp(1) and the others), and the subcommands' own; the
    // `help` subcommands clap adds are not pages (`--help` is).
    for group in root.get_subcommands() {
        let leaves: Vec<&clap::Command> = group.get_subcommands().collect();
        pages.push(render(
            group.clone().disable_help_subcommand(true),
            &format!("wsctl-{}", group.get_name()),
        ));
        for leaf in leaves {
            let name = format!("wsctl-{}-{}", group.get_name(), leaf.get_name());
            pages.push(render(leaf.clone(), &name));
        }
    }
    pages
}

/// The committed man pages must match what the definition makes (regenerate with
/// `WSCTL_WRITE_MAN=1 cargo test --test cli man_pages_are_fresh`).
#[test]
fn man_pages_are_fresh() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let write = std::env::var_os("WSCTL_WRITE_MAN").is_some();
    let pages = man_pages();
    assert!(
        pages.len() >= 7,
        "{:?}",
        pages.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    for (name, page) in pages {
        let path = dir.join(&name);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &page).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == page,
            "man/{name} is out of date: run `WSCTL_WRITE_MAN=1 cargo test --test cli man_pages_are_fresh`"
        );
    }
}

/// Each subcommand's `--help` ends with examples (`-h` stays short), and every example is a
/// command line that parses.
#[test]
fn long_help_has_examples_that_parse() {
    use clap::Parser;
    for command in [
        ["tcp", "connect"],
        ["tcp", "listen"],
        ["ws", "connect"],
        ["ws", "listen"],
        ["udp", "send"],
        ["udp", "listen"],
    ] {
        let long = cmd().args(command).arg("--help").output().unwrap();
        let long = String::from_utf8(long.stdout).unwrap();
        let short = cmd().args(command).arg("-h").output().unwrap();
        assert!(
            !String::from_utf8(short.stdout)
                .unwrap()
                .contains("Examples:")
        );
        let examples = long.split_once("\nExamples:\n").expect("Examples").1;
        let lines: Vec<&str> = examples
            .lines()
            .filter(|l| !l.trim().starts_with('#'))
            .collect();
        assert!(lines.len() >= 3, "{command:?}: {examples}");
        for line in lines {
            // The wsctl part of a pipeline, without a redirection.
            let part = line.rsplit("| ").next().unwrap();
            let part = part.split(" < ").next().unwrap().trim();
            let mut words = Vec::new();
            let mut rest = part;
            while !rest.is_empty() {
                rest = rest.trim_start();
                let (word, after) = match rest.strip_prefix('\'') {
                    Some(quoted) => quoted.split_once('\'').unwrap(),
                    None => rest.split_once(' ').unwrap_or((rest, "")),
                };
                words.push(word.to_string());
                rest = after;
            }
            assert_eq!(words[0], "wsctl", "{line}");
            if let Err(err) = wsctl::cli::Cli::try_parse_from(&words) {
                panic!("{line}: {err}");
            }
        }
    }
}

/// Each subcommand's own options sit under their group's heading in `-h`: "Options:" holds
/// only the global ones. Each subcommand's man page has an EXAMPLES section.
#[test]
fn every_option_is_under_its_heading_and_every_page_has_examples() {
    let globals = [
        "--verbose",
        "--quiet",
        "--color",
        "--events",
        "--hex-dump",
        "--help",
        "--version",
    ];
    for sub in [
        "tcp connect",
        "tcp listen",
        "ws connect",
        "ws listen",
        "udp send",
        "udp listen",
        "unix connect",
    ] {
        let mut args: Vec<&str> = sub.split(' ').collect();
        args.push("-h");
        let out = cmd().args(&args).output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        let options = help
            .split_once("\nOptions:\n")
            .expect("an Options section")
            .1;
        let options = options.split("\n\n").next().unwrap();
        for line in options.lines().filter(|l| l.trim_start().starts_with('-')) {
            assert!(
                globals.iter().any(|g| line.contains(g)),
                "{sub}: `{}` is under Options:, not its own heading",
                line.trim()
            );
        }
        let page = format!(
            "{}/man/wsctl-{}.1",
            env!("CARGO_MANIFEST_DIR"),
            sub.replace(' ', "-")
        );
        let page = std::fs::read_to_string(&page).unwrap();
        assert!(
            page.contains("\n.SH EXAMPLES\n"),
            "{sub}: no EXAMPLES section"
        );
        assert!(!page.contains(".SH EXTRA"), "{sub}");
    }
}
