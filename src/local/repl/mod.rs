//! The interactive prompt: the local side when stdin and stdout are terminals (DESIGN.md,
//! "The interactive prompt").
//!
//! A client's prompt ([`run`]) is in front of one connection; a listener's ([`serve`]) is in
//! front of its clients through the [`Hub`], which numbers them: lines go to all of them, or
//! to one after `/to N`, and what each sends is shown with its number.
//!
//! Ending: Ctrl-D (or `/close`, `/shutdown`) ends what is sent, the way stdin EOF does (a Close,
//! a half-close) and the replies are still shown until the peer is done; a listener's Ctrl-D
//! shuts it down gracefully. `/quit` closes and exits without showing more. Ctrl-C twice is an
//! interrupt (exit 130).

mod command;
mod keyboard;
mod show;
mod terminal;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;

use crate::hub::{Event, Hub, To};
use crate::relay::{Ends, Initiator, Kind, Message, Transport};
use crate::shutdown::Shutdown;
pub use command::Session;
use command::{Command, parse};
use terminal::{Input, Terminal};

/// The one line a prompt starts with, for whoever has not met it yet.
const HELLO: &str = "type /help for the commands; Ctrl-D ends the input";

/// What a line asked the session to do next.
enum Flow {
    Go,
    /// Sending is over (Ctrl-D, `/close`, `/shutdown`): replies are still shown.
    EndInput,
    Quit,
}

/// A key event, seen by a session.
enum Key {
    /// Enter: the line, to handle (then [`Terminal::resume`]).
    Line(String),
    Handled,
    /// Ctrl-D: the input has ended.
    Ended,
}

/// The parts of a prompt both kinds of session share.
struct Prompt {
    term: Terminal,
    session: Session,
    /// `-b`: typed lines go as binary messages.
    binary: bool,
    /// `/ping`s waiting for their pong: payload and when it went.
    pings: VecDeque<(Bytes, Instant)>,
    /// The run's shutdown: Ctrl-C twice stops the run, a listener's Ctrl-D or `/quit` starts
    /// its graceful shutdown.
    shutdown: Shutdown,
}

impl Prompt {
    fn start(
        history: Option<PathBuf>,
        session: Session,
        binary: bool,
        shutdown: &Shutdown,
    ) -> anyhow::Result<Prompt> {
        Ok(Prompt {
            term: Terminal::start(history, session.names())?,
            session,
            binary,
            pings: VecDeque::new(),
            shutdown: shutdown.clone(),
        })
    }

    async fn say(&self, text: &str) {
        self.term.print(show::note(text)).await;
    }

    async fn complain(&self, text: &str) {
        self.term.print(show::problem(text)).await;
    }

    /// A typed line as the message it stands for.
    fn line(&self, text: String) -> Message {
        match self.session.transport {
            Transport::Message if !self.binary => Message {
                data: text.into(),
                kind: Kind::Text,
            },
            // A listener's TCP clients get records (lines): the hub adds the newline.
            Transport::Stream if !self.session.listener => Message::binary(text + "\n"),
            _ => Message::binary(text),
        }
    }

    /// The message a sending command stands for (`None`: not a sending command).
    fn message(&mut self, command: &Command) -> Option<Message> {
        let (kind, data) = match command {
            Command::Send(text) => return Some(self.line(text.clone())),
            Command::Ping(data) => {
                let data = Bytes::from(data.clone());
                self.pings.push_back((data.clone(), Instant::now()));
                (Kind::Ping, data)
            }
            Command::Pong(data) => (Kind::Pong, Bytes::from(data.clone())),
            Command::Binary(bytes) => (Kind::Binary, Bytes::from(bytes.clone())),
            Command::Close(code, reason) => {
                return Some(Message::close(*code, reason, Initiator::Local));
            }
            _ => return None,
        };
        Some(Message { data, kind })
    }

    /// Shows a received message (`from`: a listener's client).
    async fn show(&mut self, from: Option<u64>, msg: &Message) {
        let text = match (msg.kind, self.session.transport) {
            (Kind::Text, _) => show::incoming(from, &String::from_utf8_lossy(&msg.data)),
            (Kind::Binary, Transport::Message) => show::binary(from, &msg.data),
            // A TCP client's line may end in \r\n.
            (Kind::Binary, Transport::Stream) => {
                show::record(from, msg.data.strip_suffix(b"\r").unwrap_or(&msg.data))
            }
            (Kind::Binary, _) => show::record(from, &msg.data),
            (Kind::Ping, _) => show::control(from, "ping", &msg.data, ""),
            (Kind::Pong, _) => {
                let rtt = self.answered(&msg.data);
                show::control(from, "pong", &msg.data, &rtt)
            }
            (Kind::Close(_), _) => return,
        };
        self.term.print(text).await;
    }

    /// ` (0.42 ms)` when `payload` answers one of our pings.
    fn answered(&mut self, payload: &[u8]) -> String {
        let Some(at) = self.pings.iter().position(|(data, _)| data == payload) else {
            return String::new();
        };
        let (_, sent) = self.pings.remove(at).expect("found");
        format!(" ({:.2} ms)", sent.elapsed().as_secs_f64() * 1000.0)
    }

    /// What the commands that do not send do; `None` for those that send.
    async fn local_command(&self, command: &Command) -> Option<Flow> {
        match command {
            Command::Help => self.say(&self.session.help()).await,
            Command::Quit => return Some(Flow::Quit),
            Command::Unknown(hint) | Command::Invalid(hint) => self.complain(hint).await,
            _ => return None,
        }
        Some(Flow::Go)
    }

    /// What a key means before a line is handled. Ctrl-C twice ends the whole run at once
    /// (130), from above: this never returns then.
    async fn key(&self, input: Option<Input>) -> Key {
        match input {
            Some(Input::Line(line)) => Key::Line(line),
            Some(Input::Interrupted) => {
                // Ctrl-C once: the line is gone; say how to leave.
                self.say("(Ctrl-C again to quit; Ctrl-D ends the input)")
                    .await;
                Key::Handled
            }
            Some(Input::Quit) => {
                // The run ends from above (lib.rs), at once, as on a signal when piping
                // (a listener would only start shutting down on one); nothing closes first.
                self.shutdown.stop_now();
                std::future::pending().await
            }
            // Ctrl-D, or the keyboard gone.
            Some(Input::Eof) | None => Key::Ended,
        }
    }
}

/// The prompt in front of one connection (`ends`: the remote side's).
pub async fn run(
    history: Option<PathBuf>,
    transport: Transport,
    binary: bool,
    ends: Ends,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    let session = Session {
        transport,
        listener: false,
    };
    let mut prompt = Prompt::start(history, session, binary, shutdown)?;
    prompt.say(HELLO).await;
    let Ends { tx, mut rx } = ends;
    let mut tx = Some(tx);
    let mut keyboard = true;
    let mut lines = show::Lines::default();
    loop {
        let partial = lines.deadline();
        tokio::select! {
            input = prompt.term.input.recv(), if keyboard => {
                keyboard = input.is_some();
                let flow = match prompt.key(input).await {
                    Key::Line(line) => {
                        let flow = one_line(&mut prompt, &line, &mut tx).await;
                        if !matches!(flow, Flow::Quit) {
                            prompt.term.resume();
                        }
                        flow
                    }
                    Key::Handled => Flow::Go,
                    Key::Ended => Flow::EndInput,
                };
                match flow {
                    Flow::Go => {}
                    // The keyboard stays open for /help and /quit.
                    Flow::EndInput => tx = None,
                    Flow::Quit => {
                        // A clean Close (1000) at once, not the 1001 of output that is gone.
                        if let Some(tx) = &tx {
                            let _ = tx.try_send(Message::end_now());
                        }
                        return Ok(());
                    }
                }
            }
            msg = rx.recv() => {
                let Some(msg) = msg else { break };
                if transport == Transport::Stream && msg.kind == Kind::Binary {
                    for line in lines.push(&msg.data) {
                        prompt.term.print(show::incoming(None, &line)).await;
                    }
                } else {
                    prompt.show(None, &msg).await;
                }
            }
            _ = async { tx.as_ref().expect("checked").closed().await }, if tx.is_some() => {
                // The remote side takes nothing more (the peer closed).
                tx = None;
            }
            _ = sleep_until(partial.unwrap_or_else(Instant::now)), if partial.is_some() => {
                if let Some(rest) = lines.flush() {
                    prompt.term.print(show::incoming(None, &rest)).await;
                }
            }
        }
    }
    if let Some(rest) = lines.flush() {
        prompt.term.print(show::incoming(None, &rest)).await;
    }
    Ok(())
}

/// Does what one typed line says, on one connection.
async fn one_line(prompt: &mut Prompt, line: &str, tx: &mut Option<mpsc::Sender<Message>>) -> Flow {
    let command = parse(line, prompt.session);
    if let Some(flow) = prompt.local_command(&command).await {
        return flow;
    }
    if command == Command::Shutdown {
        prompt
            .say("half-closed: nothing more is sent; still receiving")
            .await;
        return Flow::EndInput;
    }
    let Some(msg) = prompt.message(&command) else {
        return Flow::Go;
    };
    let Some(sender) = tx.as_ref() else {
        prompt
            .complain("the input has ended (Ctrl-D, /close or the peer's close): nothing was sent")
            .await;
        return Flow::Go;
    };
    let closing = matches!(msg.kind, Kind::Close(_));
    if sender.send(msg).await.is_err() {
        prompt
            .complain("the connection takes no more input: nothing was sent")
            .await;
        return Flow::Go;
    }
    if closing { Flow::EndInput } else { Flow::Go }
}

/// The prompt in front of a listener's clients, as they come and go (`events` from `hub`).
/// Runs until the listener is done (`done`: what is queued is shown first); Ctrl-D and
/// `/quit` shut the listener down gracefully.
pub async fn serve(
    history: Option<PathBuf>,
    transport: Transport,
    binary: bool,
    hub: Arc<Hub>,
    mut events: mpsc::Receiver<Event>,
    done: CancellationToken,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    let session = Session {
        transport,
        listener: true,
    };
    let mut prompt = Prompt::start(history, session, binary, shutdown)?;
    prompt.say(HELLO).await;
    let mut target = To::All;
    let mut keyboard = true;
    loop {
        tokio::select! {
            input = prompt.term.input.recv(), if keyboard => {
                keyboard = input.is_some();
                let flow = match prompt.key(input).await {
                    Key::Line(line) => {
                        let flow = hub_line(&mut prompt, &line, &hub, &mut target).await;
                        // The prompt stays up while the clients close (Ctrl-C twice: at once).
                        prompt.term.resume();
                        flow
                    }
                    Key::Handled => Flow::Go,
                    Key::Ended => Flow::Quit,
                };
                if !matches!(flow, Flow::Go) {
                    prompt.shutdown.begin();
                }
            }
            event = crate::hub::next_event(&mut events, &done) => match event {
                None => return Ok(()),
                Some(Event::Joined(id, peer)) => {
                    prompt.say(&format!("client #{id} is {peer}")).await;
                }
                Some(Event::Left(id)) => prompt.say(&format!("client #{id} left")).await,
                Some(Event::Record(id, msg)) => prompt.show(Some(id), &msg).await,
            }
        }
    }
}

/// Does what one typed line says, for a listener's clients.
async fn hub_line(prompt: &mut Prompt, line: &str, hub: &Hub, target: &mut To) -> Flow {
    let mut command = parse(line, prompt.session);
    if let Some(flow) = prompt.local_command(&command).await {
        return flow;
    }
    let mut to = *target;
    match command {
        Command::Clients => {
            let clients = hub.clients();
            let mut text = format!("{} client(s)", clients.len());
            for (id, peer) in clients {
                text.push_str(&format!("\n  #{id}  {peer}"));
            }
            prompt.say(&text).await;
            return Flow::Go;
        }
        Command::To(who, None) => {
            *target = who;
            prompt.term.set_prompt(match who {
                To::Only(id) => format!("#{id}> "),
                _ => "> ".into(),
            });
            return Flow::Go;
        }
        Command::To(who, Some(text)) => {
            to = who;
            command = Command::Send(text);
        }
        _ => {}
    }
    let Some(msg) = prompt.message(&command) else {
        return Flow::Go;
    };
    let nobody = match to {
        To::Only(id) => format!("client #{id} is not connected: nothing was sent"),
        _ => "no client is connected: nothing was sent".to_string(),
    };
    if hub.send(to, &msg).await == 0 {
        prompt.complain(&nobody).await;
    }
    Flow::Go
}
