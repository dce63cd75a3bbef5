//! Status lines and events on stderr: coloured text for people, or one JSON object per line
//! (`--events json`) for programs. stdout carries payload only, so nothing here touches it.
//!
//! JSON events always have `event` (the kind) and `time` (RFC 3339, UTC, microseconds); the
//! other fields depend on the kind and are listed in the README.

use std::fmt::Display;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use tokio::sync::mpsc;

use colored::Colorize;
use serde_json::{Map, Value, json};

use crate::exit;

/// How status lines are shown; set once at start-up from the global flags.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `-v` count: 0 shows status lines, 1 details (handshakes, closes), 2 each ping and EOF.
    pub verbose: u8,
    /// `-q`: status lines off; warnings and errors still shown.
    pub quiet: bool,
    /// ANSI colours on stderr (`--color`, or auto on a terminal).
    pub color: bool,
    /// `--events json`: one JSON object per line on stderr instead of text.
    pub json: bool,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

pub fn init(settings: Settings) {
    colored::control::set_override(settings.color);
    let _ = SETTINGS.set(settings);
}

fn settings() -> &'static Settings {
    SETTINGS.get_or_init(Settings::default)
}

/// The verbosity asked for with `-v` (0 when not given).
pub fn verbosity() -> u8 {
    settings().verbose
}

/// A status line shown by default (`listening on`, `connected to`, `accepted`, `closed`);
/// `-q` hides it.
pub fn status(kind: &str, text: impl Display, fields: Value) {
    if !settings().quiet {
        emit(kind, &text, fields, Style::Status);
    }
}

/// A detail shown only with at least `level` times `-v`.
pub fn detail(level: u8, kind: &str, text: impl Display, fields: Value) {
    if settings().verbose >= level {
        emit(kind, &text, fields, Style::Detail);
    }
}

/// A problem that does not end the run (a listener's failed connection, say).
pub fn warn(text: impl Display, fields: Value) {
    emit("warning", &text, fields, Style::Warning);
}

/// The one error line for an error that ends the run, plus its hint. Shown even with `-q`.
pub fn error(err: &anyhow::Error) {
    let what = exit::describe(err);
    let hint = exit::hint_of(err);
    if settings().json {
        let fields = json!({"message": what, "hint": hint, "code": exit::code_of(err) as i32});
        emit("error", &what, fields, Style::Error);
        return;
    }
    let mut line = format!("{} {}", "wsctl: error:".red().bold(), escaped(&what, false));
    if let Some(hint) = hint {
        line.push_str(&format!(
            "\n{} {}",
            "  hint:".yellow(),
            escaped(hint, false)
        ));
    }
    write_line(&line);
}

enum Style {
    Status,
    Detail,
    Warning,
    Error,
}

fn emit(kind: &str, text: &dyn Display, fields: Value, style: Style) {
    if settings().json {
        let mut obj = Map::new();
        obj.insert("event".into(), kind.into());
        obj.insert("time".into(), now().into());
        if let Value::Object(extra) = fields {
            obj.extend(extra.into_iter().filter(|(_, v)| !v.is_null()));
        }
        write_line(&Value::Object(obj).to_string());
        return;
    }
    // A peer's words (a close reason, a refusal's body) reach these lines: its control
    // characters are shown escaped, so that it can neither drive the terminal nor forge a
    // line of ours. A detail may hold lines of our own (`-v`'s headers).
    let text = escaped(&text.to_string(), matches!(style, Style::Detail)).into_owned();
    let line = match style {
        Style::Status => text.green().to_string(),
        Style::Detail => text.dimmed().to_string(),
        Style::Warning => format!("{} {}", "wsctl: warning:".yellow().bold(), text),
        Style::Error => format!("{} {}", "wsctl: error:".red().bold(), text),
    };
    write_line(&line);
}

/// `text` with its control characters (C0 but tab, DEL, C1) written as Rust escapes
/// (`\u{1b}`, `\r`, `\n`); `lines`: newlines kept.
pub fn escaped(text: &str, lines: bool) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() && c != '\t' && !(lines && c == '\n');
    if !text.contains(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn now() -> String {
    humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string()
}

/// Where lines go while the interactive prompt is up: above it, not through it.
static PRINTER: Mutex<Option<mpsc::Sender<String>>> = Mutex::new(None);

/// Sends status lines to the prompt's printer (`Some`), or back to stderr (`None`).
pub fn set_printer(printer: Option<mpsc::Sender<String>>) {
    *PRINTER.lock().unwrap() = printer;
}

/// Holds the status lines back while the prompt's terminal is put back: lines go to stderr
/// again, but only once the returned guard is dropped (a line written meanwhile waits).
pub fn hold_printer() -> std::sync::MutexGuard<'static, Option<mpsc::Sender<String>>> {
    let mut printer = PRINTER.lock().unwrap();
    *printer = None;
    printer
}

/// One whole line at a time, so that lines from concurrent connections never interleave.
fn write_line(line: &str) {
    if let Some(printer) = PRINTER.lock().unwrap().as_ref() {
        // A printer that is behind loses nothing: the line goes to stderr instead.
        if printer.try_send(line.to_string()).is_ok() {
            return;
        }
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peers_control_characters_are_shown_escaped() {
        let reason = "\u{1b}[2J\u{1b}]0;pwned\u{7}\r\nwsctl: error: fake";
        assert_eq!(
            escaped(reason, false),
            "\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\r\\nwsctl: error: fake"
        );
        assert_eq!(escaped("a\nb\tc", true), "a\nb\tc");
        assert_eq!(escaped("plain, é", false), "plain, é");
    }
}
