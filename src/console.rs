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
    pub verbose: u8,
    pub quiet: bool,
    pub color: bool,
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
    let mut line = format!("{} {}", "wsctl: error:".red().bold(), what);
    if let Some(hint) = hint {
        line.push_str(&format!("\n{} {}", "  hint:".yellow(), hint));
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
    let text = text.to_string();
    let line = match style {
        Style::Status => text.green().to_string(),
        Style::Detail => text.dimmed().to_string(),
        Style::Warning => format!("{} {}", "wsctl: warning:".yellow().bold(), text),
        Style::Error => format!("{} {}", "wsctl: error:".red().bold(), text),
    };
    write_line(&line);
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
