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
//!   (even when the prompt is still up, with the reader thread blocked on the keyboard), the
//!   prompt and any half-typed line wiped, so that what comes next (the session's last status
//!   lines, the shell's prompt) starts on a clean row.
//!
//! The end, in detail. rustyline has no call that ends a `readline` from another thread, and
//! it redraws its prompt after every line printed above it. So a prompt that is up when the
//! session ends is *frozen*: once everything queued is on the screen, rustyline is woken by one
//! more (empty) print, which clears the prompt's rows; it then asks its highlighter
//! (`keyboard::Commands`) for the prompt to draw again, and that call never returns (the
//! thread stays parked until the process exits). Nothing rustyline does can then reach the
//! screen after our own last write. Its signal handlers are no worry: with rustyline's
//! `signal-hook` feature it only ever watches SIGWINCH, beside tokio's SIGINT.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{ColorMode, Config, Editor, ExternalPrinter};
use serde_json::json;
use tokio::sync::mpsc;

use super::keyboard::{Commands, Ending, Keyboard, NOTHING, Printer, SETTLE};
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
    /// Wakes rustyline at the end so that it clears the prompt and freezes.
    waker: Mutex<Option<Printer>>,
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
            // The highlighter is how the end freezes rustyline (see the module's doc): it must
            // be asked even where rustyline would not colour. It adds no colour itself.
            .color_mode(ColorMode::Forced)
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
        let waker: Printer = Box::new(editor.create_external_printer()?);
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
            waker: Mutex::new(Some(waker)),
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
        // Status lines from other tasks wait here until the terminal is settled, then go
        // to stderr below the last of ours.
        let held = console::hold_printer();
        drop(self.out.take());
        if let Some(printed) = self.printed.lock().unwrap().take() {
            let _ = printed.recv_timeout(SETTLE);
        }
        let waker = self.waker.lock().unwrap().take();
        let ending = self.keyboard.freeze(waker);
        let mut out = std::io::stdout().lock();
        match ending {
            Ending::Quiet => {}
            // Frozen after clearing the prompt's rows (or just before clearing them, when a
            // key was being drawn: a one-row line is wiped here). rustyline's modes are ended
            // as its own end of `readline` would: synchronized output, bracketed paste.
            Ending::Frozen | Ending::Stuck => {
                let _ = out.write_all(b"\r\x1b[K\x1b[?2026l\x1b[?2004l");
            }
        }
        let _ = out.flush();
        if let Some(saved) = &self.saved {
            set_mode(saved);
        }
        drop(self.resume.lock().unwrap().take());
        drop(held);
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
                        // The empty prompt row rustyline left: gone, as on every other way out.
                        let mut out = std::io::stdout().lock();
                        let _ = out.write_all(b"\x1b[1A\r\x1b[K");
                        let _ = out.flush();
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
        // next only once the last is drawn: when a second print of nothing has been taken,
        // everything before it is on the screen.
        if keyboard.prompting() {
            for _ in 0..2 {
                let _ = printer.print(NOTHING.into());
            }
        }
    };
    std::thread::Builder::new()
        .name("printer".into())
        .spawn(print)
        .expect("spawning the printer thread");
    finished
}
