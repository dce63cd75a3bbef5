//! Exit codes and the error -> code mapping.
//!
//! Errors travel as `anyhow::Error`. Where a failure decides the exit code, the code is attached
//! as a [`Fail`] context; anything without one is an I/O or protocol error after connecting (1).

use std::fmt;

/// The process exit codes: the contract listed in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Clean end.
    Ok = 0,
    /// I/O or protocol error after connecting.
    Io = 1,
    /// Usage error (bad flags or addresses).
    Usage = 2,
    /// Could not connect or bind: refused, unreachable, DNS, timeout, address in use.
    Connect = 3,
    /// Handshake refused: HTTP status not 101, TLS verification, proxy refusal.
    Handshake = 4,
    /// The peer ended abnormally: a reset, or a WebSocket close code other than 1000/1001.
    PeerAbnormal = 5,
    /// Interrupted by Ctrl-C.
    Interrupted = 130,
}

/// The help text that lists the exit codes (shown by `wsctl --help`).
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    clean end
  1    I/O or protocol error after connecting
  2    usage error
  3    could not connect or bind (refused, unreachable, DNS, timeout, address in use)
  4    handshake refused (HTTP status not 101, TLS verification, proxy refusal)
  5    the peer ended abnormally (a reset, or a WebSocket close code other than 1000/1001)
  130  interrupted (for tcp/ws listen, the second Ctrl-C: the first shuts down, exit 0;
       at the prompt, Ctrl-C twice)";

/// A failure that picks the exit code, with an optional hint naming the fix.
///
/// Attach it with `anyhow::Context`; it is found again at any depth by `downcast_ref`.
#[derive(Debug)]
pub struct Fail {
    /// The exit code the run ends with.
    pub code: Exit,
    /// What failed, in plain words: the `error:` line.
    pub what: String,
    /// The fix to try: the `hint:` line under the error.
    pub hint: Option<String>,
}

impl Fail {
    pub fn new(code: Exit, what: impl Into<String>) -> Self {
        Fail {
            code,
            what: what.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// [`Fail::hint`], when there is one to give.
    pub fn maybe_hint(self, hint: Option<impl Into<String>>) -> Self {
        match hint {
            Some(hint) => self.hint(hint),
            None => self,
        }
    }

    /// The end of a run that is not an error to report: stdout closed by its reader (a broken
    /// pipe ends quietly with 0), or Ctrl-C (130).
    pub fn quiet(code: Exit, what: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Quiet).context(Fail::new(code, what))
    }

    /// Turn this into an error with no further cause.
    pub fn err(self) -> anyhow::Error {
        anyhow::Error::msg(self.what.clone()).context(self)
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

/// Marks an ending that prints no error line.
#[derive(Debug, thiserror::Error)]
#[error("")]
pub struct Quiet;

/// The exit code an error maps to.
pub fn code_of(err: &anyhow::Error) -> Exit {
    err.downcast_ref::<Fail>().map_or(Exit::Io, |f| f.code)
}

/// The hint carried by an error, if any.
pub fn hint_of(err: &anyhow::Error) -> Option<&str> {
    err.downcast_ref::<Fail>().and_then(|f| f.hint.as_deref())
}

/// Whether this error ends the run without an error line.
pub fn is_quiet(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.is::<Quiet>())
}

/// `WHAT (CAUSE: CAUSE)`: the outermost message, then its causes in parentheses, with the
/// noise of OS error numbers left out and repeated messages dropped.
pub fn describe(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = tidy(&cause.to_string());
        // A library's error often repeats its source in its own text: each cause once.
        let said = |part: &String| part.to_lowercase().contains(&text.to_lowercase());
        if !text.is_empty() && !parts.iter().any(said) {
            parts.push(text);
        }
    }
    match parts.split_first() {
        None => "unknown error".to_string(),
        Some((what, [])) => what.clone(),
        Some((what, causes)) => format!("{what} ({})", causes.join(": ")),
    }
}

pub(crate) fn tidy(text: &str) -> String {
    let text = match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => &text[..i],
        _ => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        // "Connection refused" -> "connection refused", but leave "HTTP", "DNS" and
        // "WebSocket" alone.
        Some(c)
            if c.is_uppercase()
                && chars
                    .take_while(|n| !n.is_whitespace())
                    .all(|n| !n.is_uppercase()) =>
        {
            c.to_lowercase()
                .chain(text[c.len_utf8()..].chars())
                .collect()
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn code_found_under_later_context() {
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let err = Err::<(), _>(io)
            .context(Fail::new(Exit::Connect, "could not connect to x:1").hint("check it"))
            .context("outer")
            .unwrap_err();
        assert_eq!(code_of(&err), Exit::Connect);
        assert_eq!(hint_of(&err), Some("check it"));
        assert_eq!(
            describe(&err),
            "outer (could not connect to x:1: connection refused)"
        );
    }

    #[test]
    fn plain_error_is_io() {
        let err = anyhow::anyhow!("boom");
        assert_eq!(code_of(&err), Exit::Io);
        assert!(!is_quiet(&err));
        assert_eq!(describe(&err), "boom");
    }

    #[test]
    fn os_error_numbers_are_dropped() {
        let err = anyhow::Error::new(std::io::Error::from_raw_os_error(111)).context("connect");
        assert_eq!(describe(&err), "connect (connection refused)");
    }

    #[test]
    fn quiet_ending_keeps_its_code() {
        let err = Fail::quiet(Exit::Interrupted, "interrupted");
        assert!(is_quiet(&err));
        assert_eq!(code_of(&err), Exit::Interrupted);
    }
}
