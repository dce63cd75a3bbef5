//! What a typed line means: a line to send, or a slash command (`//x` sends `/x`).
//!
//! Which commands a session has depends on its transport and role ([`Session`]); a command
//! it does not have is never sent as text, it gets a hint instead.

use crate::hub::To;
use crate::net::ws::close_problem;
use crate::relay::Transport;

/// What the prompt is in front of: one connection, or a listener's clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// What the prompt is in front of: a stream (TCP), datagrams (UDP) or messages (WebSocket).
    pub transport: Transport,
    /// In front of a listener's clients (`/to`, `/clients`), not one connection.
    pub listener: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// A line to send as it is.
    Send(String),
    Help,
    Quit,
    Ping(String),
    Pong(String),
    Close(u16, String),
    Binary(Vec<u8>),
    Shutdown,
    Clients,
    /// `/to N` (from now on), `/to N TEXT` (this once), `/to all`.
    To(To, Option<String>),
    /// Not a command here; the hint says what to do instead.
    Unknown(String),
    /// A command used wrongly: what is wrong.
    Invalid(String),
}

/// A command's name, arguments, what it does, and which sessions have it.
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    fn(Session) -> bool,
);

/// Every command.
const COMMANDS: &[Spec] = &[
    ("/help", "", "list these commands", |_| true),
    ("/quit", "", "close the connection and exit", |_| true),
    (
        "/ping",
        "[DATA]",
        "send a ping; its pong is shown with the round-trip time",
        ws,
    ),
    ("/pong", "[DATA]", "send an unsolicited pong", ws),
    (
        "/close",
        "[CODE [REASON]]",
        "send a Close (default 1000) and end",
        ws,
    ),
    (
        "/binary",
        "HEX",
        "send bytes given in hex (ws: a binary message)",
        |_| true,
    ),
    (
        "/shutdown",
        "",
        "half-close: stop sending, keep receiving",
        |s| s.transport == Transport::Stream && !s.listener,
    ),
    ("/clients", "", "list the connected clients", |s| s.listener),
    (
        "/to",
        "N [TEXT] | all",
        "send to client N only (TEXT: just this once)",
        |s| s.listener,
    ),
];

fn ws(session: Session) -> bool {
    session.transport == Transport::Message
}

impl Session {
    /// The command names this session has (for Tab).
    pub fn names(self) -> Vec<String> {
        COMMANDS
            .iter()
            .filter(|(_, _, _, has)| has(self))
            .map(|(name, ..)| name.to_string())
            .collect()
    }

    /// `/help`: one line per command this session has.
    pub fn help(self) -> String {
        let mut text = String::from("type a line to send it; //text sends /text");
        for (name, args, what, has) in COMMANDS {
            if has(self) {
                let usage = format!("{name} {args}");
                text.push_str(&format!("\n  {usage:<26}{what}"));
            }
        }
        text.push_str(
            "\n  Ctrl-D ends the input (the replies are still shown); Ctrl-C twice quits",
        );
        text
    }
}

/// What `line` asks for in `session`.
pub fn parse(line: &str, session: Session) -> Command {
    if let Some(text) = line.strip_prefix("//") {
        return Command::Send(format!("/{text}"));
    }
    if !line.starts_with('/') {
        return Command::Send(line.to_string());
    }
    let (name, rest) = match line.split_once(' ') {
        Some((name, rest)) => (name, rest.trim_start()),
        None => (line, ""),
    };
    let Some((_, _, _, has)) = COMMANDS.iter().find(|(n, ..)| *n == name) else {
        return Command::Unknown(format!(
            "unknown command {name}: /help lists the commands; //{} sends {name} as text",
            &name[1..]
        ));
    };
    if !has(session) {
        let instead = match name {
            "/shutdown" if session.listener => "Ctrl-D closes every client and stops listening",
            "/shutdown" => "it is for TCP connections; Ctrl-D ends what you send",
            "/clients" | "/to" => "it is for listeners",
            _ => "it is for WebSocket connections",
        };
        return Command::Unknown(format!("{name} is not available here: {instead}"));
    }
    match name {
        "/help" => Command::Help,
        "/quit" => Command::Quit,
        "/ping" | "/pong" if rest.len() > 125 => {
            Command::Invalid(format!("{name}: a ping or pong carries at most 125 bytes"))
        }
        "/ping" => Command::Ping(rest.to_string()),
        "/pong" => Command::Pong(rest.to_string()),
        "/close" => close(rest),
        "/binary" => match hex(rest) {
            Ok(bytes) => Command::Binary(bytes),
            Err(what) => Command::Invalid(what),
        },
        "/shutdown" => Command::Shutdown,
        "/clients" => Command::Clients,
        "/to" => to(rest),
        _ => unreachable!("every command is matched"),
    }
}

fn close(rest: &str) -> Command {
    if rest.is_empty() {
        return Command::Close(1000, String::new());
    }
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    let Ok(code) = code.parse::<u16>() else {
        return Command::Invalid(format!(
            "/close {code}: the code is a number such as 1000; write /close [CODE [REASON]]"
        ));
    };
    match close_problem(code, reason) {
        Some((what, hint)) => Command::Invalid(format!("{what}: {hint}")),
        None => Command::Close(code, reason.to_string()),
    }
}

fn to(rest: &str) -> Command {
    let (who, text) = match rest.split_once(' ') {
        Some((who, text)) => (who, Some(text.to_string())),
        None => (rest, None),
    };
    let who = who.trim_start_matches('#');
    if matches!(who, "all" | "*") {
        return Command::To(To::All, text);
    }
    match who.parse::<u64>() {
        Ok(n) => Command::To(To::Only(n), text),
        Err(_) => Command::Invalid(
            "write /to N (a client number from /clients), /to N TEXT, or /to all".into(),
        ),
    }
}

/// Hex digits, with any spaces or colons between bytes (`68 69`, `68:69`, `6869`, `0x6869`).
fn hex(text: &str) -> Result<Vec<u8>, String> {
    let text = text.strip_prefix("0x").unwrap_or(text);
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b' ' | b':' | b'\t'))
        .collect();
    let bad = || format!("/binary {text}: write the bytes as hex digits, such as /binary 68 69 0a");
    if digits.is_empty() || digits.len() % 2 == 1 {
        return Err(bad());
    }
    digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WS: Session = Session {
        transport: Transport::Message,
        listener: false,
    };
    const TCP: Session = Session {
        transport: Transport::Stream,
        listener: false,
    };
    const WS_SERVER: Session = Session {
        transport: Transport::Message,
        listener: true,
    };

    #[test]
    fn lines_and_escaped_slashes_are_sent() {
        assert_eq!(parse("hello", WS), Command::Send("hello".into()));
        assert_eq!(parse("//quit", WS), Command::Send("/quit".into()));
        assert_eq!(parse("", WS), Command::Send("".into()));
    }

    #[test]
    fn commands_with_arguments() {
        assert_eq!(parse("/ping", WS), Command::Ping("".into()));
        assert_eq!(parse("/ping a b", WS), Command::Ping("a b".into()));
        assert_eq!(parse("/close", WS), Command::Close(1000, "".into()));
        assert_eq!(
            parse("/close 4000 bye now", WS),
            Command::Close(4000, "bye now".into())
        );
        assert_eq!(
            parse("/binary 68 69:0a", WS),
            Command::Binary(b"hi\n".to_vec())
        );
        assert_eq!(
            parse("/binary 0x6869", TCP),
            Command::Binary(b"hi".to_vec())
        );
        assert_eq!(parse("/to 2", WS_SERVER), Command::To(To::Only(2), None));
        assert_eq!(
            parse("/to #2 hi there", WS_SERVER),
            Command::To(To::Only(2), Some("hi there".into()))
        );
        assert_eq!(parse("/to all", WS_SERVER), Command::To(To::All, None));
    }

    #[test]
    fn mistakes_get_a_hint_and_are_not_sent() {
        for bad in [
            "/close 1005",
            "/close abc",
            "/close 999",
            "/binary 6",
            "/binary zz",
        ] {
            assert!(matches!(parse(bad, WS), Command::Invalid(_)), "{bad}");
        }
        assert!(matches!(parse("/to x", WS_SERVER), Command::Invalid(_)));
        let long = format!("/ping {}", "x".repeat(126));
        assert!(matches!(parse(&long, WS), Command::Invalid(_)));
        let just = "x".repeat(125);
        assert_eq!(parse(&format!("/pong {just}"), WS), Command::Pong(just));
        let Command::Unknown(hint) = parse("/frobnicate", WS) else {
            panic!("an unknown command")
        };
        assert!(hint.contains("//frobnicate"), "{hint}");
        // Commands of other transports and roles are not available.
        assert!(matches!(parse("/ping", TCP), Command::Unknown(_)));
        assert!(matches!(parse("/shutdown", WS), Command::Unknown(_)));
        assert!(matches!(parse("/clients", WS), Command::Unknown(_)));
    }

    #[test]
    fn each_session_completes_its_own_commands() {
        assert!(WS.names().contains(&"/ping".to_string()));
        assert!(!TCP.names().contains(&"/ping".to_string()));
        assert!(TCP.names().contains(&"/shutdown".to_string()));
        assert!(WS_SERVER.names().contains(&"/to".to_string()));
        assert!(WS_SERVER.help().contains("/clients"));
    }
}
