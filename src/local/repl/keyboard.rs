//! The keyboard thread's side of the prompt: where rustyline is (so that the terminal is
//! handed back only when rustyline cannot take it again), how its prompt is frozen at the end
//! (see `terminal`'s doc), and the helper rustyline calls back (Tab completion, and the hooks
//! that tell [`Keyboard`] when a prompt is drawn).

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use rustyline::Context;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{ExternalPrinter, Helper};

/// A print that shows nothing: up a row, then down again (a newline of its own, so that
/// rustyline adds none, and harmless as well when written straight to a cooked terminal).
pub const NOTHING: &str = "\x1b[1A\n";

/// The longest the end waits for rustyline to take the terminal's last prints.
pub const SETTLE: Duration = Duration::from_secs(1);

/// A rustyline external printer, boxed (its type is not public).
pub type Printer = Box<dyn ExternalPrinter + Send>;

/// Where the keyboard thread is, so that the terminal is handed back only when rustyline
/// cannot take it again: between two prompts, or blocked on a key with its prompt up, never
/// in the instant where a prompt is being entered (rustyline sets its raw mode then).
#[derive(Default)]
pub struct Keyboard {
    stage: Mutex<Stage>,
    changed: Condvar,
    /// Set at the end: rustyline's next redraw parks its thread for good.
    freezing: AtomicBool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Stage {
    #[default]
    Between,
    /// `readline` called; its raw mode may not be set yet.
    Entering,
    /// The prompt has been drawn (its raw mode is set).
    Prompting,
    /// rustyline is parked for good inside a redraw, with nothing of it on the screen.
    Frozen,
    Closed,
}

/// How the prompt was left at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// No prompt was up.
    Quiet,
    /// rustyline cleared the prompt and froze.
    Frozen,
    /// rustyline did not answer within [`SETTLE`] (a key held down, say): the prompt's row is
    /// wiped anyway.
    Stuck,
}

impl Keyboard {
    fn set(&self, from: &[Stage], to: Stage) -> bool {
        let mut stage = self.stage.lock().unwrap();
        if !from.contains(&stage) {
            return false;
        }
        *stage = to;
        self.changed.notify_all();
        true
    }

    /// Before `readline`; `false` once closed.
    pub fn enter(&self) -> bool {
        self.set(&[Stage::Between], Stage::Entering)
    }

    /// rustyline draws the prompt (with its raw mode set).
    fn drawn(&self) {
        self.set(&[Stage::Entering], Stage::Prompting);
    }

    /// After `readline`; `false` once closed.
    pub fn left(&self) -> bool {
        self.set(&[Stage::Entering, Stage::Prompting], Stage::Between)
    }

    /// Whether a prompt is up, once any prompt being entered is (waiting a little, at most).
    pub fn prompting(&self) -> bool {
        *self.settled() == Stage::Prompting
    }

    fn settled(&self) -> std::sync::MutexGuard<'_, Stage> {
        let stage = self.stage.lock().unwrap();
        let limit = Duration::from_millis(500);
        let entering = |s: &mut Stage| *s == Stage::Entering;
        self.changed
            .wait_timeout_while(stage, limit, entering)
            .unwrap()
            .0
    }

    /// No prompt from now on. A prompt that is up (or coming up) is cleared and frozen:
    /// `waker` (a print of nothing) makes rustyline redraw, and its redraw stops in
    /// [`Keyboard::park`]. Waits at most [`SETTLE`].
    pub fn freeze(&self, waker: Option<Printer>) -> Ending {
        let stage = self.stage.lock().unwrap();
        self.freezing.store(true, Ordering::SeqCst);
        if matches!(*stage, Stage::Entering | Stage::Prompting) {
            if let Some(mut waker) = waker {
                // It may wait for rustyline to take an earlier print, which a freeze can
                // leave untaken: on a thread of its own, left behind.
                let _ = std::thread::Builder::new()
                    .name("prompt-end".into())
                    .spawn(move || {
                        let _ = waker.print(NOTHING.into());
                    });
            }
        }
        let up = |s: &mut Stage| matches!(s, Stage::Entering | Stage::Prompting);
        let (mut stage, _) = self.changed.wait_timeout_while(stage, SETTLE, up).unwrap();
        let ending = match *stage {
            Stage::Frozen => Ending::Frozen,
            Stage::Entering | Stage::Prompting => Ending::Stuck,
            Stage::Between | Stage::Closed => Ending::Quiet,
        };
        if *stage != Stage::Frozen {
            *stage = Stage::Closed;
        }
        ending
    }

    /// Called by rustyline's thread before each redraw: once freezing, it never returns.
    fn park(&self) {
        if !self.freezing.load(Ordering::SeqCst) {
            return;
        }
        self.set(&[Stage::Entering, Stage::Prompting], Stage::Frozen);
        loop {
            std::thread::park();
        }
    }
}

/// Tab completion of the slash commands this session has; it also tells [`Keyboard`] when
/// a prompt is drawn (rustyline asks for a hint at every drawing).
pub struct Commands {
    pub names: Vec<String>,
    pub keyboard: Arc<Keyboard>,
}

impl Completer for Commands {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let word = &line[..pos];
        if !word.starts_with('/') || word.contains(' ') {
            return Ok((0, Vec::new()));
        }
        let found = self
            .names
            .iter()
            .filter(|name| name.starts_with(word))
            .map(|name| Pair {
                display: name.clone(),
                replacement: format!("{name} "),
            })
            .collect();
        Ok((0, found))
    }
}

impl Hinter for Commands {
    type Hint = String;

    fn hint(&self, _line: &str, _pos: usize, _ctx: &Context<'_>) -> Option<String> {
        self.keyboard.drawn();
        None
    }
}

impl Highlighter for Commands {
    /// The prompt as it is; at the end, where rustyline stops for good (see the module's doc).
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, _: bool) -> Cow<'b, str> {
        self.keyboard.park();
        Cow::Borrowed(prompt)
    }
}

impl Validator for Commands {}

impl Helper for Commands {}
