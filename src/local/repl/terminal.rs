//! The terminal under the prompt: rustyline on a thread of its own (it blocks reading keys),
//! and a printer thread that puts everything else (received data, status lines) above the
//! prompt through rustyline's external printer, so the line being typed is never garbled.
//!
//! Contracts:
//! - typed lines arrive on [`Terminal::input`], one at a time: the next prompt is shown only
//!   once the line has been handled ([`Terminal::resume`]), so a `/to` changes the very next
//!   prompt and what is printed follows what was typed;
//! - between two prompts the terminal stays quiet (no echo, no line editing, no signals):
//!   keys typed meanwhile, Ctrl-C and Ctrl-D among them, wait for the next prompt instead of
//!   being echoed, swallowed, or killing the process;
//! - Ctrl-C clears the line; a second Ctrl-C within [`TWICE`] is [`Input::Quit`];
//! - history is loaded from, and each new line appended to, one file, at most
//!   [`HISTORY_SIZE`] entries;
//! - dropping the terminal prints what is still queued and puts the terminal back as it was
//!   (even when the prompt is still up, with the reader thread blocked on the keyboard).

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{Config, Context, Editor, ExternalPrinter, Helper};
use serde_json::json;
use tokio::sync::mpsc;

use crate::console;

/// History entries kept (older ones fall off the file too).
pub const HISTORY_SIZE: usize = 1000;

/// Two Ctrl-C presses this close together quit.
pub const TWICE: Duration = Duration::from_secs(2);

/// What the person at the keyboard did.
pub enum Input {
    /// Enter: the next prompt waits for [`Terminal::resume`].
    Line(String),
    /// Ctrl-C once: the line was cleared.
    Interrupted,
    /// Ctrl-C twice.
    Quit,
    /// Ctrl-D on an empty line: the input has ended (the prompt stays, empty, for what
    /// arrives, `/help` and `/quit`).
    Eof,
}

pub struct Terminal {
    /// What the keyboard does: lines, Ctrl-C, Ctrl-D.
    pub input: mpsc::UnboundedReceiver<Input>,
    out: Option<mpsc::Sender<String>>,
    prompt: Arc<Mutex<String>>,
    /// Where the keyboard thread is.
    keyboard: Arc<Keyboard>,
    /// Ends when the printer thread has printed everything (a `Mutex` only to be `Sync`).
    printed: Mutex<Option<std::sync::mpsc::Receiver<()>>>,
    /// Lets the keyboard thread show the next prompt; dropped (so it ends) only once the
    /// terminal is restored, so that it cannot take the terminal back after that.
    resume: Mutex<Option<std::sync::mpsc::Sender<()>>>,
    saved: Option<libc::termios>,
}

impl Terminal {
    /// Starts the prompt, with `history` as the history file and `commands` offered by Tab.
    pub fn start(history: Option<PathBuf>, commands: Vec<String>) -> anyhow::Result<Terminal> {
        let saved = saved_mode();
        let config = Config::builder()
            .max_history_size(HISTORY_SIZE)?
            .history_ignore_dups(true)?
            // As shells do with HISTCONTROL=ignorespace: a line typed with a leading space
            // is sent, not remembered.
            .history_ignore_space(true)
            .auto_add_history(false)
            .build();
        let mut editor: Editor<Commands, FileHistory> = Editor::with_config(config)?;
        let keyboard = Arc::new(Keyboard::default());
        editor.set_helper(Some(Commands {
            names: commands,
            keyboard: keyboard.clone(),
        }));
        if let Some(path) = &history {
            // A first run has no file yet; anything else unreadable is said once.
            if path.exists() {
                if let Err(err) = editor.load_history(path) {
                    history_warning(path, &err);
                }
            }
        }
        let printer = editor.create_external_printer()?;
        let prompt = Arc::new(Mutex::new("> ".to_string()));
        let (input_tx, input) = mpsc::unbounded_channel();
        let (out, out_rx) = mpsc::channel(64);
        let printed = spawn_printer(printer, out_rx, keyboard.clone());
        let (resume, resumed) = std::sync::mpsc::channel();
        if let Some(saved) = &saved {
            set_mode(&quiet(saved));
        }
        let keys = Keys {
            editor,
            history,
            prompt: prompt.clone(),
            keyboard: keyboard.clone(),
            input: input_tx,
            resumed,
        };
        let read = {
            move || {
                keys.read();
                // Ctrl-D or Ctrl-C twice: the terminal is the shell's again (Ctrl-C signals).
                if let Some(saved) = &saved {
                    set_mode(saved);
                }
            }
        };
        std::thread::Builder::new()
            .name("prompt".into())
            .spawn(read)?;
        // Status lines now go above the prompt too (when they would reach this terminal).
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            console::set_printer(Some(out.clone()));
        }
        Ok(Terminal {
            input,
            out: Some(out),
            prompt,
            keyboard,
            printed: Mutex::new(Some(printed)),
            resume: Mutex::new(Some(resume)),
            saved,
        })
    }

    /// Prints `line` above the prompt (waits while the terminal is behind).
    pub async fn print(&self, line: String) {
        if let Some(out) = &self.out {
            let _ = out.send(line).await;
        }
    }

    /// Shows the next prompt, once a typed line has been handled.
    pub fn resume(&self) {
        if let Some(resume) = self.resume.lock().unwrap().as_ref() {
            let _ = resume.send(());
        }
    }

    /// The prompt from the next line on.
    pub fn set_prompt(&self, prompt: String) {
        *self.prompt.lock().unwrap() = prompt;
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        console::set_printer(None);
        drop(self.out.take());
        if let Some(printed) = self.printed.lock().unwrap().take() {
            let _ = printed.recv_timeout(Duration::from_secs(1));
        }
        if self.keyboard.close() {
            // The prompt is still up: wipe it, so the shell's prompt starts on a clean line.
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(b"\r\x1b[K");
            let _ = out.flush();
        }
        if let Some(saved) = &self.saved {
            set_mode(saved);
        }
        drop(self.resume.lock().unwrap().take());
    }
}

/// The terminal's mode before rustyline touched it.
fn saved_mode() -> Option<libc::termios> {
    // SAFETY: tcgetattr on stdin fills the zeroed termios it is given.
    unsafe {
        let mut mode: libc::termios = std::mem::zeroed();
        (libc::tcgetattr(libc::STDIN_FILENO, &mut mode) == 0).then_some(mode)
    }
}

fn set_mode(mode: &libc::termios) {
    // SAFETY: tcsetattr on stdin with a termios read from it by tcgetattr (and then changed).
    unsafe {
        libc::tcsetattr(libc::STDIN_FILENO, libc::TCSADRAIN, mode);
    }
}

/// `mode` for between two prompts: keys are kept for the next one, as typed.
fn quiet(mode: &libc::termios) -> libc::termios {
    let mut quiet = *mode;
    quiet.c_lflag &= !(libc::ECHO | libc::ICANON | libc::ISIG | libc::IEXTEN);
    quiet.c_cc[libc::VMIN] = 1;
    quiet.c_cc[libc::VTIME] = 0;
    quiet
}

/// The keyboard thread's part.
struct Keys {
    editor: Editor<Commands, FileHistory>,
    history: Option<PathBuf>,
    prompt: Arc<Mutex<String>>,
    keyboard: Arc<Keyboard>,
    input: mpsc::UnboundedSender<Input>,
    resumed: std::sync::mpsc::Receiver<()>,
}

impl Keys {
    /// One line at a time until a double Ctrl-C, a second Ctrl-D, or the session going away.
    fn read(mut self) {
        let mut last_interrupt: Option<Instant> = None;
        let mut history_failed = false;
        let mut ended = false;
        loop {
            let shown = self.prompt.lock().unwrap().clone();
            if !self.keyboard.enter() {
                return;
            }
            let read = self.editor.readline(&shown);
            if !self.keyboard.left() {
                return; // a key came after the session ended: the terminal is put back below
            }
            let event = match read {
                Ok(text) => {
                    last_interrupt = None;
                    // A pasted block is one line each, as stdin would be.
                    for line in text.split('\n') {
                        if !history_failed {
                            history_failed = !self.remember(line);
                        }
                        let line = line.to_string();
                        if self.input.send(Input::Line(line)).is_err()
                            || self.resumed.recv().is_err()
                        {
                            return;
                        }
                    }
                    continue;
                }
                Err(ReadlineError::Interrupted) => {
                    let twice = last_interrupt.is_some_and(|at| at.elapsed() < TWICE);
                    last_interrupt = Some(Instant::now());
                    if twice {
                        Input::Quit
                    } else {
                        Input::Interrupted
                    }
                }
                // The first Ctrl-D ends the input, not the prompt: it stays up (empty) so
                // that what arrives still prints through rustyline, which keeps a line handed
                // to it just as a Ctrl-D came until its next prompt. A second Ctrl-D (or a
                // terminal that is gone) ends the reading.
                Err(ReadlineError::Eof) if !ended => {
                    ended = true;
                    self.prompt.lock().unwrap().clear();
                    Input::Eof
                }
                Err(ReadlineError::Eof) => return,
                Err(err) => {
                    console::warn(
                        format!("the prompt failed: {err}"),
                        json!({"message": err.to_string()}),
                    );
                    let _ = self.input.send(Input::Eof);
                    return;
                }
            };
            let last = matches!(event, Input::Quit);
            if self.input.send(event).is_err() || last {
                return;
            }
        }
    }

    /// Adds `line` to the history and its file; `false` (after a warning) when the file
    /// cannot be written.
    fn remember(&mut self, line: &str) -> bool {
        if line.trim().is_empty() || !self.editor.add_history_entry(line).unwrap_or(false) {
            return true;
        }
        let Some(path) = &self.history else {
            return true;
        };
        let appended = match path.parent() {
            Some(dir) => std::fs::create_dir_all(dir).map_err(ReadlineError::from),
            None => Ok(()),
        }
        .and_then(|()| self.editor.append_history(path));
        match appended {
            Ok(()) => true,
            Err(err) => {
                history_warning(path, &err);
                false
            }
        }
    }
}

fn history_warning(path: &std::path::Path, err: &ReadlineError) {
    console::warn(
        format!("history file {}: {err}", path.display()),
        json!({"message": format!("history file {}: {err}", path.display())}),
    );
}

/// The printer thread: lines queued together go out in one print (one redraw of the
/// prompt). Ends when its channel does, after printing everything in it.
fn spawn_printer<P>(
    mut printer: P,
    mut lines: mpsc::Receiver<String>,
    keyboard: Arc<Keyboard>,
) -> std::sync::mpsc::Receiver<()>
where
    P: ExternalPrinter + Send + 'static,
{
    let (finished_tx, finished) = std::sync::mpsc::channel();
    let print = move || {
        let _finished = finished_tx; // dropped when this thread ends
        while let Some(mut text) = lines.blocking_recv() {
            while text.len() < 64 * 1024 {
                match lines.try_recv() {
                    Ok(more) => {
                        text.push('\n');
                        text.push_str(&more);
                    }
                    Err(_) => break,
                }
            }
            // Ended by a newline: rustyline adds one only above its prompt, while a line
            // printed between two prompts is written as it is.
            text.push('\n');
            if printer.print(text.clone()).is_err() {
                // The terminal went away under rustyline: plainly, then.
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(text.as_bytes());
            }
        }
        // rustyline draws what it is handed on its own thread, one at a time, and takes the
        // next only once the last is drawn: when a second no-op (up a line, then its newline)
        // has been taken, everything before it is on the screen, and the process may end.
        if keyboard.prompting() {
            for _ in 0..2 {
                let _ = printer.print("\x1b[1A".into());
            }
        }
    };
    std::thread::Builder::new()
        .name("printer".into())
        .spawn(print)
        .expect("spawning the printer thread");
    finished
}

/// Where the keyboard thread is, so that the terminal is handed back only when rustyline
/// cannot take it again: between two prompts, or blocked on a key with its prompt up, never
/// in the instant where a prompt is being entered (rustyline sets its raw mode then).
#[derive(Default)]
struct Keyboard {
    stage: Mutex<Stage>,
    changed: Condvar,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Stage {
    #[default]
    Between,
    /// `readline` called; its raw mode may not be set yet.
    Entering,
    /// The prompt has been drawn (its raw mode is set).
    Prompting,
    Closed,
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
    fn enter(&self) -> bool {
        self.set(&[Stage::Between], Stage::Entering)
    }

    /// rustyline draws the prompt (with its raw mode set).
    fn drawn(&self) {
        self.set(&[Stage::Entering], Stage::Prompting);
    }

    /// After `readline`; `false` once closed.
    fn left(&self) -> bool {
        self.set(&[Stage::Entering, Stage::Prompting], Stage::Between)
    }

    /// Whether a prompt is up, once any prompt being entered is (waiting a little, at most).
    fn prompting(&self) -> bool {
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

    /// No prompt from now on; returns whether one is up.
    fn close(&self) -> bool {
        let mut stage = self.settled();
        let prompting = *stage == Stage::Prompting;
        *stage = Stage::Closed;
        prompting
    }
}

/// Tab completion of the slash commands this session has; it also tells [`Keyboard`] when
/// a prompt is drawn (rustyline asks for a hint at every drawing).
struct Commands {
    names: Vec<String>,
    keyboard: Arc<Keyboard>,
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

impl Highlighter for Commands {}

impl Validator for Commands {}

impl Helper for Commands {}
