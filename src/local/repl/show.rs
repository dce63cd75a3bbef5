//! How received data looks above the prompt: `< text` in one colour; control characters
//! escaped (a message can never move the cursor or clear the screen); binary payloads as a
//! size and their first bytes in hex; TCP byte streams cut into lines.

use std::time::Duration;

use colored::Colorize;
use tokio::time::Instant;

use crate::framing::Splitter;

/// Bytes of a binary payload shown in hex; the rest is summed up as `…`.
pub const HEX_SHOWN: usize = 32;

/// How long a TCP line without its newline waits for the rest before it is shown as it is
/// (a `Password: ` prompt from the peer, say).
pub const PARTIAL_WAIT: Duration = Duration::from_millis(100);

/// A received line: `< ` and the text, coloured. `from` names a listener's client.
pub fn incoming(from: Option<u64>, text: &str) -> String {
    incoming_raw(from, &escape(text))
}

/// A received binary payload: its size and first [`HEX_SHOWN`] bytes in hex.
pub fn binary(from: Option<u64>, data: &[u8]) -> String {
    incoming_raw(from, &format!("binary, {}", hex_summary(data)))
}

/// A received ping or pong (`what`), with its payload as text if it is some.
pub fn control(from: Option<u64>, what: &str, data: &[u8], extra: &str) -> String {
    let payload = match std::str::from_utf8(data) {
        _ if data.is_empty() => String::new(),
        Ok(text) => format!(": {}", escape(text)),
        Err(_) => format!(": {}", hex_summary(data)),
    };
    let who = from.map(|id| format!("#{id} ")).unwrap_or_default();
    format!("< {who}{what}{payload}{extra}")
        .dimmed()
        .to_string()
}

/// A datagram or TCP record: text when it is UTF-8, else binary.
pub fn record(from: Option<u64>, data: &[u8]) -> String {
    match std::str::from_utf8(data) {
        Ok(text) => incoming(from, text),
        Err(_) => binary(from, data),
    }
}

/// Something the prompt itself says (a hint, a list): dimmed.
pub fn note(text: &str) -> String {
    text.dimmed().to_string()
}

/// A mistake at the prompt: nothing was sent.
pub fn problem(text: &str) -> String {
    text.yellow().to_string()
}

fn incoming_raw(from: Option<u64>, text: &str) -> String {
    let line = match from {
        Some(id) => format!("< #{id}: {text}"),
        None => format!("< {text}"),
    };
    line.cyan().to_string()
}

/// `5 bytes: 68 65 6c 6c 6f`, cut after [`HEX_SHOWN`] bytes.
pub fn hex_summary(data: &[u8]) -> String {
    let mut text = format!("{} bytes:", data.len());
    for byte in data.iter().take(HEX_SHOWN) {
        text.push_str(&format!(" {byte:02x}"));
    }
    if data.len() > HEX_SHOWN {
        text.push_str(" …");
    }
    text
}

/// Control characters (but tab and newline) shown as escapes, such as `\u{1b}`.
pub fn escape(text: &str) -> String {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// A TCP byte stream cut into lines for showing (by [`Splitter`], as the relay cuts lines):
/// whole lines at once, a trailing part after [`PARTIAL_WAIT`] without more.
pub struct Lines {
    lines: Splitter,
    since: Option<Instant>,
}

impl Default for Lines {
    fn default() -> Lines {
        Lines {
            lines: Splitter::new(b'\n'),
            since: None,
        }
    }
}

impl Lines {
    /// The whole lines `chunk` completes (without `\n` or `\r\n`).
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.lines.push(chunk);
        let mut lines = Vec::new();
        while let Some(line) = self.lines.next_record() {
            let line = line.strip_suffix(b"\r").unwrap_or(&line);
            lines.push(String::from_utf8_lossy(line).into_owned());
        }
        // A line too long to hold is shown in pieces.
        if self.lines.held() >= 64 * 1024 {
            lines.extend(self.flush());
        }
        self.since = (self.lines.held() > 0).then(Instant::now);
        lines
    }

    /// When the part held back is to be shown.
    pub fn deadline(&self) -> Option<Instant> {
        self.since.map(|at| at + PARTIAL_WAIT)
    }

    /// The part held back, if any.
    pub fn flush(&mut self) -> Option<String> {
        self.since = None;
        let rest = self.lines.rest()?;
        Some(String::from_utf8_lossy(&rest).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        assert_eq!(escape("plain\ttext\nmore"), "plain\ttext\nmore");
        assert_eq!(escape("\x1b[2Jgone"), "\\u{1b}[2Jgone");
    }

    #[test]
    fn binary_is_summed_up() {
        assert_eq!(hex_summary(b"hi"), "2 bytes: 68 69");
        let long = vec![0u8; 40];
        assert!(hex_summary(&long).starts_with("40 bytes: 00"));
        assert!(hex_summary(&long).ends_with(" …"));
    }

    #[tokio::test]
    async fn tcp_streams_are_cut_into_lines() {
        let mut lines = Lines::default();
        assert_eq!(lines.push(b"one\r\ntw"), vec!["one"]);
        assert!(lines.deadline().is_some());
        assert_eq!(lines.push(b"o\nPassword: "), vec!["two"]);
        assert_eq!(lines.flush().as_deref(), Some("Password: "));
        assert!(lines.deadline().is_none());
        assert_eq!(lines.flush(), None);
    }
}
