//! stdin/stdout as the local side, piped byte-exact.
//!
//! Each is served by a plain thread doing blocking reads or writes on a duplicate of the file
//! descriptor: that works for pipes, files and terminals alike (epoll refuses regular files)
//! and costs one hand-off per 64 KiB chunk. Bounded channels carry the backpressure.
//!
//! Ending: stdin EOF ends what we send (the remote half-closes). When the remote's data ends,
//! stdout is flushed; a TCP FIN is only a half-close, so stdin from a pipe or file is still
//! delivered to its end (a peer that is gone for good answers with a reset, which says the
//! data could not be delivered). Stdin on a terminal has nothing pending, so there the peer's
//! close ends the run. A broken pipe on stdout ends the run quietly.
//!
//! When the other side stops taking stdin before its end (a WebSocket peer closed first),
//! what was read and not handed over, and for a regular file what is left of it, is reported
//! as [`Unsent`] (the remote side judges whether it counts: see `relay::verdict`).

use std::fs::File;
use std::io::{ErrorKind, IsTerminal, Read, Write};
use std::os::fd::AsFd;

use anyhow::Context;
use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::exit::{Exit, Fail};
use crate::framing::CHUNK;
use crate::relay::{Ends, Message, Unsent};

pub async fn run(ends: Ends) -> anyhow::Result<()> {
    let Ends { tx, mut rx } = ends;
    // Cancelled when reading stdin should stop before its EOF.
    let stop_input = CancellationToken::new();
    let interactive = std::io::stdin().is_terminal();
    let mut stdin = Input::open();
    let mut stdout = Output::open();

    let send = {
        let stop_input = stop_input.clone();
        async move {
            // Bytes handed to the other side, to tell what of a file was not sent.
            let mut handed = 0u64;
            loop {
                let chunk = tokio::select! {
                    biased;
                    _ = stop_input.cancelled() => {
                        // Deliver what was already read, then stop.
                        while let Some(chunk) = stdin.try_recv() {
                            if tx.send(Message::binary(chunk?)).await.is_err() {
                                break;
                            }
                        }
                        return Ok(());
                    }
                    _ = tx.closed() => return Unsent::check(stdin.unsent(handed, 0)),
                    chunk = stdin.recv() => chunk,
                };
                match chunk {
                    None => return Ok(()),
                    Some(chunk) => {
                        let chunk = chunk.context("could not read stdin")?;
                        let len = chunk.len() as u64;
                        if tx.send(Message::binary(chunk)).await.is_err() {
                            return Unsent::check(stdin.unsent(handed, len));
                        }
                        handed += len;
                    }
                }
            }
        }
    };
    let receive = async move {
        let mut carried = None;
        loop {
            let first = match carried.take() {
                Some(data) => data,
                None => match rx.recv().await {
                    // A byte stream has no place for control (a Close passed on, say).
                    Some(msg) if msg.kind.is_control() => continue,
                    Some(msg) => msg.data,
                    None => break,
                },
            };
            let (data, next) = batch(first, &mut rx);
            carried = next;
            if !stdout.write(data).await {
                break; // the writer stopped: its result says why
            }
        }
        drop(rx);
        let result = stdout.finish().await;
        if interactive || result.is_err() {
            stop_input.cancel();
        }
        stdout_ended(result)
    };
    // A failure on our side (stdin unreadable, stdout failing) ends the run at once.
    tokio::try_join!(receive, send).map(|_| ())
}

/// How writing stdout ended, as the run's result: a broken pipe (the reader is done, as
/// `| head` is) ends the run quietly with exit 0; any other error is the run's.
pub(super) fn stdout_ended(result: std::io::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            Err(Fail::quiet(Exit::Ok, "stdout was closed"))
        }
        other => other.context("could not write stdout"),
    }
}

/// The most one read of stdin takes. With [`grow_pipe`], a fast writer fills a pipe this far
/// between two reads, so a bulk transfer costs a quarter of the reads and wake-ups of 64 KiB.
/// (Beyond one chunk per message, `-b` WebSocket messages and datagrams would just grow.)
const PIPE_CHUNK: usize = CHUNK;

/// Pipes to and from wsctl hold 1 MiB instead of Linux's 64 KiB: fewer context switches
/// between wsctl and the program on the other end (measured: `cargo bench`). Anything else
/// (a file, a terminal) is left alone, and so is a pipe the system will not grow.
pub(super) fn grow_pipe(file: &File) {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::FileTypeExt;
    if file.metadata().is_ok_and(|m| m.file_type().is_fifo()) {
        // SAFETY: F_SETPIPE_SZ on a descriptor we own; failure just leaves the size as it is.
        unsafe {
            libc::fcntl(file.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20);
        }
    }
}

/// Small messages already queued behind `first` are joined into one write (up to
/// [`CHUNK`]): a burst of datagrams or short lines then costs one system call, not one each.
/// A message too big to join is handed back, to go next.
fn batch(first: Bytes, rx: &mut mpsc::Receiver<Message>) -> (Bytes, Option<Bytes>) {
    if first.len() >= CHUNK || rx.is_empty() {
        return (first, None);
    }
    let mut joined = bytes::BytesMut::with_capacity(CHUNK);
    joined.extend_from_slice(&first);
    while let Ok(msg) = rx.try_recv() {
        if msg.kind.is_control() {
            continue;
        }
        if joined.len() + msg.data.len() > CHUNK {
            return (joined.freeze(), Some(msg.data));
        }
        joined.extend_from_slice(&msg.data);
    }
    (joined.freeze(), None)
}

/// Where received data goes: a pipe is written on the runtime's own thread (nonblocking);
/// anything else (a terminal, a file) by a thread, unbuffered.
pub(super) enum Output {
    Thread {
        tx: mpsc::Sender<Bytes>,
        written: oneshot::Receiver<std::io::Result<()>>,
    },
    Pipe {
        // Declared (so dropped) before the pipe: the flags go back while the fd is open.
        _restore: Restore,
        pipe: tokio::net::unix::pipe::Sender,
        result: std::io::Result<()>,
    },
}

impl Output {
    pub(super) fn open() -> Output {
        let pipe = open_pipe(std::io::stdout().as_fd(), |file| {
            tokio::net::unix::pipe::Sender::from_file(file)
        })
        .map(|(pipe, restore)| Output::Pipe {
            _restore: restore,
            pipe,
            result: Ok(()),
        });
        pipe.unwrap_or_else(|| {
            let (tx, written) = spawn_writer();
            Output::Thread { tx, written }
        })
    }

    /// Writes `data`; `false` once writing has failed (see [`Output::finish`]).
    pub(super) async fn write(&mut self, data: Bytes) -> bool {
        match self {
            Output::Thread { tx, .. } => tx.send(data).await.is_ok(),
            Output::Pipe { pipe, result, .. } => {
                use tokio::io::AsyncWriteExt;
                *result = pipe.write_all(&data).await;
                result.is_ok()
            }
        }
    }

    /// How writing ended, once everything handed over is written.
    pub(super) async fn finish(self) -> std::io::Result<()> {
        match self {
            Output::Thread { tx, written } => {
                drop(tx);
                written.await.unwrap_or(Ok(()))
            }
            Output::Pipe { result, .. } => result,
        }
    }
}

/// `fd` (stdin or stdout) as a tokio pipe end made by `make`, if it is a pipe: grown to
/// 1 MiB, with its flags to restore (`make` sets it nonblocking). `None` for anything else.
fn open_pipe<P>(
    fd: std::os::fd::BorrowedFd<'_>,
    make: impl FnOnce(File) -> std::io::Result<P>,
) -> Option<(P, Restore)> {
    use std::os::unix::fs::FileTypeExt;
    let file = File::from(fd.try_clone_to_owned().ok()?);
    if !file.metadata().ok()?.file_type().is_fifo() {
        return None;
    }
    grow_pipe(&file);
    let restore = Restore::flags_of(&file);
    match make(file) {
        Ok(pipe) => Some((pipe, restore)),
        Err(_) => {
            std::mem::forget(restore); // its descriptor is closed already
            None
        }
    }
}

/// A descriptor's file status flags, put back on drop: a pipe read or written nonblocking
/// shares its open file description with whatever runs after wsctl on the same pipe.
pub(super) struct Restore(Option<(std::os::fd::RawFd, libc::c_int)>);

impl Restore {
    fn flags_of(file: &File) -> Restore {
        use std::os::fd::AsRawFd;
        let raw = file.as_raw_fd();
        // SAFETY: F_GETFL on a descriptor the caller owns.
        let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
        Restore((flags >= 0).then_some((raw, flags)))
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some((fd, flags)) = self.0 {
            // SAFETY: F_SETFL on a descriptor still open: each `Restore` is declared before
            // the pipe owning the descriptor, and fields drop in declaration order.
            unsafe {
                libc::fcntl(fd, libc::F_SETFL, flags);
            }
        }
    }
}

/// Where stdin's chunks come from: a pipe is read on the runtime's own thread (nonblocking,
/// no hand-off per chunk); anything else (a file, a terminal, which epoll refuses or which
/// must stay blocking) by a thread.
pub(super) enum Input {
    /// Read by a thread; for a regular file, its size and the offset reading started at.
    Thread(mpsc::Receiver<std::io::Result<Bytes>>, Option<(u64, u64)>),
    Pipe {
        // Declared (so dropped) before the pipe: the flags go back while the fd is open.
        _restore: Restore,
        pipe: tokio::net::unix::pipe::Receiver,
        buf: bytes::BytesMut,
    },
}

impl Input {
    pub(super) fn open() -> Input {
        let pipe = open_pipe(std::io::stdin().as_fd(), |file| {
            tokio::net::unix::pipe::Receiver::from_file(file)
        })
        .map(|(pipe, restore)| Input::Pipe {
            _restore: restore,
            pipe,
            buf: bytes::BytesMut::new(),
        });
        pipe.unwrap_or_else(|| Input::Thread(spawn_reader(), regular_file()))
    }

    /// What was read, or is still in a regular file, and not sent: `handed` bytes went to
    /// the other side, `in_hand` more were read and refused.
    fn unsent(&mut self, handed: u64, in_hand: u64) -> u64 {
        match self {
            Input::Thread(_, Some((size, start))) => size.saturating_sub(*start + handed),
            Input::Thread(rx, None) => {
                let mut read = in_hand;
                while let Ok(Ok(chunk)) = rx.try_recv() {
                    read += chunk.len() as u64;
                }
                read
            }
            Input::Pipe { .. } => in_hand,
        }
    }

    /// The next chunk; `None` at EOF.
    pub(super) async fn recv(&mut self) -> Option<std::io::Result<Bytes>> {
        match self {
            Input::Thread(rx, _) => rx.recv().await,
            Input::Pipe { pipe, buf, .. } => {
                use tokio::io::AsyncReadExt;
                buf.reserve(PIPE_CHUNK);
                match pipe.read_buf(buf).await {
                    Ok(0) => None,
                    Ok(_) => Some(Ok(buf.split().freeze())),
                    Err(e) => Some(Err(e)),
                }
            }
        }
    }

    /// A chunk already read, if any (the thread reads ahead; the pipe does not).
    pub(super) fn try_recv(&mut self) -> Option<std::io::Result<Bytes>> {
        match self {
            Input::Thread(rx, _) => rx.try_recv().ok(),
            Input::Pipe { .. } => None,
        }
    }
}

/// Stdin's size and current offset, when it is a regular file.
fn regular_file() -> Option<(u64, u64)> {
    use std::io::Seek;
    let mut file = File::from(std::io::stdin().as_fd().try_clone_to_owned().ok()?);
    let meta = file.metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    Some((meta.len(), file.stream_position().ok()?))
}

/// A thread reading stdin in chunks; the channel ends at EOF (or after an error).
fn spawn_reader() -> mpsc::Receiver<std::io::Result<Bytes>> {
    let (tx, rx) = mpsc::channel(2);
    let reader = move || {
        let mut input = match std::io::stdin().as_fd().try_clone_to_owned() {
            Ok(fd) => File::from(fd),
            Err(_) => return, // no stdin at all: the same as an empty one
        };
        grow_pipe(&input);
        // A regular file fills whole chunks: each is read into a buffer of the pool, handed
        // over as it is. Anything else: one zeroed buffer, and each chunk copied out at its
        // size (a fresh zeroed chunk per read cost a full-size memset for a one-line read).
        let pool = input
            .metadata()
            .is_ok_and(|m| m.is_file())
            .then(Pool::default);
        let mut buf = vec![0; PIPE_CHUNK];
        loop {
            if let Some(pool) = &pool {
                buf = pool.take();
            }
            let chunk = match input.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => Ok(match &pool {
                    Some(pool) => pool.hand(std::mem::take(&mut buf), n),
                    None => Bytes::copy_from_slice(&buf[..n]),
                }),
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => Err(e),
            };
            let failed = chunk.is_err();
            if tx.blocking_send(chunk).is_err() || failed {
                return;
            }
        }
    };
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(reader)
        .expect("spawning the stdin thread");
    rx
}

/// The buffers of a stdin read from a regular file, given back when the last `Bytes` of one
/// is dropped (by whichever side sent it): memory already faulted in, no copy out of it.
/// Measured (`cargo bench --bench pipes`, `perf`): the copy and the page faults of a fresh
/// buffer per 256 KiB were a fifth of `ws connect -b < FILE`'s CPU.
#[derive(Clone, Default)]
struct Pool(std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>);

/// Buffers a [`Pool`] keeps; more in flight at once are freed when they come back.
const POOLED: usize = 8;

impl Pool {
    /// A buffer of [`PIPE_CHUNK`] bytes.
    fn take(&self) -> Vec<u8> {
        let kept = self.0.lock().unwrap().pop();
        kept.unwrap_or_else(|| vec![0; PIPE_CHUNK])
    }

    /// The first `len` bytes of `buf` as `Bytes`; `buf` comes back on their drop.
    fn hand(&self, buf: Vec<u8>, len: usize) -> Bytes {
        Bytes::from_owner(Pooled {
            buf,
            len,
            pool: self.clone(),
        })
    }
}

/// A pooled buffer and its length in use, owned by the `Bytes` made of it.
struct Pooled {
    buf: Vec<u8>,
    len: usize,
    pool: Pool,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let mut kept = self.pool.0.lock().unwrap();
        if kept.len() < POOLED {
            kept.push(std::mem::take(&mut self.buf));
        }
    }
}

/// Ends when the stdout thread has ended (its sender is dropped).
static WRITER_FINISHED: std::sync::Mutex<Option<std::sync::mpsc::Receiver<()>>> =
    std::sync::Mutex::new(None);

/// After the run was cut short (Ctrl-C): lets the stdout thread write out what it was
/// already handed, for at most `limit`, so that output received before the interrupt is not
/// lost with the process.
pub fn drain(limit: std::time::Duration) {
    let finished = WRITER_FINISHED.lock().unwrap().take();
    if let Some(finished) = finished {
        let _ = finished.recv_timeout(limit);
    }
}

/// A thread writing chunks to stdout unbuffered (so interactive output shows at once); the
/// oneshot reports how it ended once the channel is closed and everything is written.
fn spawn_writer() -> (mpsc::Sender<Bytes>, oneshot::Receiver<std::io::Result<()>>) {
    let (tx, mut rx) = mpsc::channel::<Bytes>(2);
    let (done_tx, done_rx) = oneshot::channel();
    let (finished_tx, finished_rx) = std::sync::mpsc::channel();
    *WRITER_FINISHED.lock().unwrap() = Some(finished_rx);
    let writer = move || {
        let _finished = finished_tx; // dropped when this thread ends
        let result = (|| {
            let mut output = File::from(std::io::stdout().as_fd().try_clone_to_owned()?);
            grow_pipe(&output);
            while let Some(chunk) = rx.blocking_recv() {
                output.write_all(&chunk)?;
            }
            Ok(())
        })();
        let _ = done_tx.send(result);
    };
    std::thread::Builder::new()
        .name("stdout".into())
        .spawn(writer)
        .expect("spawning the stdout thread");
    (tx, done_rx)
}
