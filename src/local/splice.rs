//! stdin/stdout and a plain TCP or Unix stream socket, face to face, moving bytes without
//! copying them through user space where the kernel can: stdin a regular file goes to the
//! socket by `sendfile(2)`, stdin a pipe by `splice(2)`, and the socket goes to stdout a
//! pipe by `splice(2)`. A direction that cannot (stdin a terminal or `/dev/null`, stdout a
//! terminal or a file) is copied as `stdio.rs` copies it, with its [`Input`] and [`Output`].
//!
//! It steps aside (the caller keeps the relay of `stdio.rs` and `net/tcp.rs`) wherever
//! wsctl needs the bytes: TLS, `--hex-dump`, any stage between the sides (framing, `-C`,
//! `--count`, `--idle-timeout` and the other scripts), a local side other than stdio, and
//! when neither direction could go without a copy. See [`plan`].
//!
//! It keeps the contract of that relay (`stdio.rs`'s and `tcp::run`'s comments): stdin's end
//! half-closes (`shutdown(SHUT_WR)`), as does a listener's graceful shutdown; the peer's FIN
//! ends what goes to stdout, while stdin from a pipe or a file is still delivered to its end
//! (on a terminal the peer's end ends the run); a reset either way ends the run at once with
//! exit 5; a broken stdout pipe ends it quietly with exit 0. No descriptor's flags change:
//! `SPLICE_F_NONBLOCK` makes the pipe side of each call nonblocking without `O_NONBLOCK` on
//! a pipe that other processes share, readiness comes from epoll (tokio's [`AsyncFd`]), and
//! the socket is nonblocking already. A regular file is always ready (epoll refuses it);
//! `sendfile` returns `EAGAIN` when the socket's buffer is full.
//!
//! Hand-written: no maintained crate relays with splice/sendfile over tokio (tokio-splice
//! and the like are unmaintained or do pipe-to-pipe only), and the calls are a few lines.

use std::fs::File;
use std::io::ErrorKind;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::os::unix::fs::FileTypeExt;

use anyhow::Context;
use bytes::BytesMut;
use serde_json::json;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio_util::sync::CancellationToken;

use super::stdio::{Input, Output, grow_pipe, stdout_ended};
use crate::console;
use crate::framing::CHUNK;
use crate::net::tcp::peer_error;
use crate::net::tls::Stream;
use crate::shutdown::Shutdown;

mod staged;

/// The most one `sendfile` call offers: the socket takes what fits in its buffer and the
/// call returns, so this only bounds one call's work.
const SENDFILE_MAX: usize = 16 << 20;

/// How each direction goes: the result of [`plan`].
pub struct Plan {
    up: Up,
    down: Down,
}

/// stdin to the socket.
enum Up {
    /// stdin is a regular file: `sendfile(2)` from its current offset (which it moves on,
    /// as `read(2)` would).
    Sendfile(File),
    /// stdin is a pipe: `splice(2)` from it.
    Splice(File),
    /// Anything else: read as `stdio.rs` reads it, and written.
    Copy,
}

/// The socket to stdout.
enum Down {
    /// stdout is a pipe: `splice(2)` into it.
    Splice(File),
    /// Anything else: read and written as `stdio.rs` writes it.
    Copy,
}

/// How stdin and stdout would meet `stream` without copies, if they can: `None` (keep the
/// relay) for a TLS stream, under `--hex-dump`, or when neither stdin (a regular file or a
/// pipe) nor stdout (a pipe) lends itself. The caller checks that the local side is stdio
/// with no stage between it and the socket.
pub fn plan(stream: &Stream) -> Option<Plan> {
    if crate::hexdump::enabled() || matches!(stream, Stream::Tls(_)) {
        return None;
    }
    let dup = |fd: std::os::fd::BorrowedFd<'_>| fd.try_clone_to_owned().ok().map(File::from);
    let up = match dup(std::io::stdin().as_fd()) {
        Some(file) => match file.metadata() {
            Ok(m) if m.is_file() => Up::Sendfile(file),
            Ok(m) if m.file_type().is_fifo() => {
                grow_pipe(&file);
                Up::Splice(file)
            }
            _ => Up::Copy,
        },
        None => Up::Copy,
    };
    let down = match dup(std::io::stdout().as_fd()) {
        Some(file) if file.metadata().is_ok_and(|m| m.file_type().is_fifo()) => {
            grow_pipe(&file);
            Down::Splice(file)
        }
        _ => Down::Copy,
    };
    if matches!((&up, &down), (Up::Copy, Down::Copy)) {
        return None;
    }
    Some(Plan { up, down })
}

/// Relays stdin and stdout with `stream` as [`plan`] said, until both directions are done.
/// Errors as the relay's: a reset is exit 5 (`tcp::peer_error`), stdin unreadable or stdout
/// failing exit 1, a broken stdout pipe a quiet exit 0.
pub async fn run(plan: Plan, stream: Stream, shutdown: &Shutdown) -> anyhow::Result<()> {
    let peer = stream.peer_name();
    let what = |dir: &str| match &peer {
        Some(peer) => format!("{dir} {peer}"),
        None => dir.to_string(),
    };
    let tcp = matches!(stream, Stream::Plain(_));
    let fd: OwnedFd = match stream {
        Stream::Plain(tcp) => {
            let _ = tcp.set_nodelay(true);
            tcp.into_std()?.into()
        }
        Stream::Unix(unix, _) => unix.into_std()?.into(),
        Stream::Tls(_) => unreachable!("plan() refuses TLS"),
    };
    // Nonblocking already (tokio's), and stays so: the socket is ours alone.
    let socket = register(fd, Interest::READABLE | Interest::WRITABLE)?;
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    // Cancelled when reading stdin should stop before its end (a terminal's).
    let stop = CancellationToken::new();
    let up = upload(plan.up, &socket, &stop, shutdown, &what, tcp);
    let down = async {
        let received = download(plan.down, &socket, peer.as_deref(), &what).await;
        if interactive || received.is_err() {
            stop.cancel();
        }
        received
    };
    tokio::pin!(up, down);
    // A failure either way ends the run at once; the peer's FIN ends its direction only.
    let ((sent, sent_by), (received, spliced)) = tokio::select! {
        biased;
        received = &mut down => {
            let received = received?;
            (up.await?, received)
        }
        sent = &mut up => match sent {
            Ok(sent) => (sent, down.await?),
            Err(failed) => {
                // A reset reaches both directions; the relay's reader, slower to be
                // refilled than sendfile, heard it first and said so ("receiving from
                // ... reset by peer"). Once the reactor has seen it, so may ours.
                if is_reset(&failed) {
                    tokio::task::yield_now().await;
                    if let Some(Err(heard)) = futures_util::FutureExt::now_or_never(&mut down) {
                        return Err(heard);
                    }
                }
                return Err(failed);
            }
        },
    };
    let how: Vec<&str> = sent_by
        .into_iter()
        .chain(spliced.then_some("splice(2) to stdout"))
        .collect();
    let mut fields = json!({"peer": peer, "bytes_sent": sent, "bytes_received": received});
    let mut text = format!("closed: {sent} bytes sent, {received} received");
    if !how.is_empty() {
        // (Empty only when a file the kernel cannot send from met stdout not a pipe.)
        text += &format!(" (zero-copy: {})", how.join(", "));
        fields["zero_copy"] = json!(how.join(", "));
    }
    console::detail(1, "closed", text, fields);
    Ok(())
}

/// stdin to `socket` until stdin's end (or `stop`, or a listener's shutdown), then the
/// half-close. Returns the bytes sent, and the call that carried them when not a copy. `tcp`:
/// the socket is TCP's (not a Unix socket's).
async fn upload(
    up: Up,
    socket: &AsyncFd<OwnedFd>,
    stop: &CancellationToken,
    shutdown: &Shutdown,
    what: &(dyn Fn(&str) -> String + Sync),
    tcp: bool,
) -> anyhow::Result<(u64, Option<&'static str>)> {
    let sending = |e: std::io::Error| {
        // Our half-close comes only after the last send, so a TCP send's EPIPE is the
        // peer's reset, whose ECONNRESET a partly done sendfile took and did not report.
        let e = match e.kind() {
            ErrorKind::BrokenPipe if tcp => std::io::Error::from_raw_os_error(libc::ECONNRESET),
            _ => e,
        };
        peer_error(e, what("sending to"))
    };
    let mut sent = 0u64;
    let mut how = None;
    let fell_back = match up {
        Up::Sendfile(file) => {
            how = Some("sendfile(2) from stdin");
            let file = file.as_raw_fd();
            let step = move || async move {
                let mut ready = socket.writable().await?;
                // SAFETY (in `sendfile`): both descriptors are open for the whole call.
                match ready.try_io(|s| sendfile(s.as_raw_fd(), file)) {
                    Ok(moved) => moved.map(Some),
                    Err(_would_block) => Ok(None),
                }
            };
            pump(step, shutdown, &mut sent).await
        }
        Up::Splice(pipe) => {
            how = Some("splice(2) from stdin");
            let pipe = register(pipe, Interest::READABLE)?;
            // A listener shutting down: no more is taken from stdin, what was is sent.
            match staged::relay(&pipe, socket, &mut sent, shutdown.requested()).await {
                Ok(()) => Ok(()),
                Err(staged::Failed::From(e))
                    if e.raw_os_error() == Some(libc::EINVAL) && sent == 0 =>
                {
                    Err(None)
                }
                Err(staged::Failed::From(e)) => Err(Some(e)),
                Err(staged::Failed::To(e)) => return Err(sending(e)),
            }
        }
        Up::Copy => Err(None),
    };
    match fell_back {
        Ok(()) => {}
        // A file or pipe the kernel cannot send from (EINVAL: a /proc file, say): the
        // rest is copied, from where the call stopped.
        Err(None) => {
            how = None;
            sent += copy_up(socket, stop, shutdown, &sending).await?;
        }
        Err(Some(e)) if is_peers(&e) => return Err(sending(e)),
        Err(Some(e)) => return Err(anyhow::Error::new(e).context("could not read stdin")),
    }
    socket2::SockRef::from(socket.get_ref())
        .shutdown(std::net::Shutdown::Write)
        .map_err(sending)?;
    Ok((sent, how))
}

/// Runs `step` (`Some(bytes moved)`, 0 at the end; `None`: not ready, try again) until the
/// end or a listener's shutdown. `Err(None)`: the call cannot serve this descriptor, and
/// nothing was moved by the step that said so.
async fn pump<F, Fut>(
    step: F,
    shutdown: &Shutdown,
    sent: &mut u64,
) -> Result<(), Option<std::io::Error>>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = std::io::Result<Option<usize>>>,
{
    loop {
        let moved = tokio::select! {
            biased;
            // A listener shutting down: nothing is held here, so the half-close follows.
            _ = shutdown.requested() => return Ok(()),
            moved = step() => moved,
        };
        match moved {
            Ok(Some(0)) => return Ok(()),
            Ok(Some(n)) => *sent += n as u64,
            Ok(None) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) && *sent == 0 => return Err(None),
            Err(e) => return Err(Some(e)),
        }
    }
}

/// stdin read as `stdio.rs` reads it and written to `socket`, until its end, `stop` (what
/// was read already is still sent) or a listener's shutdown. Returns the bytes sent.
async fn copy_up(
    socket: &AsyncFd<OwnedFd>,
    stop: &CancellationToken,
    shutdown: &Shutdown,
    sending: &(dyn Fn(std::io::Error) -> anyhow::Error + Sync),
) -> anyhow::Result<u64> {
    let mut input = Input::open();
    let mut sent = 0u64;
    loop {
        let chunk = tokio::select! {
            biased;
            _ = stop.cancelled() => {
                while let Some(Ok(chunk)) = input.try_recv() {
                    write_all(socket, &chunk).await.map_err(sending)?;
                    sent += chunk.len() as u64;
                }
                return Ok(sent);
            }
            _ = shutdown.requested() => return Ok(sent),
            chunk = input.recv() => chunk,
        };
        let Some(chunk) = chunk else { return Ok(sent) };
        let chunk = chunk.context("could not read stdin")?;
        write_all(socket, &chunk).await.map_err(sending)?;
        sent += chunk.len() as u64;
    }
}

/// `socket` to stdout until the peer's end; returns the bytes received and whether they
/// went by `splice`.
async fn download(
    down: Down,
    socket: &AsyncFd<OwnedFd>,
    peer: Option<&str>,
    what: &(dyn Fn(&str) -> String + Sync),
) -> anyhow::Result<(u64, bool)> {
    let receiving = |e: std::io::Error| peer_error(e, what("receiving from"));
    let mut received = 0u64;
    let spliced = matches!(down, Down::Splice(_));
    match down {
        Down::Splice(pipe) => {
            let pipe = register(pipe, Interest::WRITABLE)?;
            match staged::relay(socket, &pipe, &mut received, std::future::pending()).await {
                Ok(()) => {}
                // The reader of stdout is gone (a quiet end), or stdout failed.
                Err(staged::Failed::To(e)) => {
                    return stdout_ended(Err(e)).map(|()| (received, spliced));
                }
                Err(staged::Failed::From(e)) => return Err(receiving(e)),
            }
            console::detail(2, "eof", "peer finished sending", json!({"peer": peer}));
        }
        Down::Copy => {
            let mut output = Output::open();
            let mut buf = BytesMut::with_capacity(CHUNK);
            loop {
                buf.reserve(CHUNK);
                let mut has_data = socket.readable().await?;
                let n = match has_data.try_io(|s| read_into(s.as_raw_fd(), &mut buf)) {
                    Ok(n) => n.map_err(receiving)?,
                    Err(_empty) => continue,
                };
                if n == 0 {
                    break;
                }
                received += n as u64;
                if !output.write(buf.split().freeze()).await {
                    break; // the writer stopped: `finish` says why
                }
            }
            stdout_ended(output.finish().await)?;
        }
    }
    Ok((received, spliced))
}

/// `fd`, which owns its descriptor, registered with the runtime's epoll for `interest`.
fn register<T: AsRawFd + Into<OwnedFd>>(fd: T, interest: Interest) -> std::io::Result<AsyncFd<T>> {
    // SAFETY: `fd` owns its descriptor (`Into<OwnedFd>`: a `File` or an `OwnedFd` of our
    // own dup), which stays open and is not replaced while the `AsyncFd` holds it.
    unsafe { AsyncFd::register_with_interest(fd, interest) }.map_err(std::io::Error::from)
}

/// Writes all of `data` to the nonblocking `socket`.
async fn write_all(socket: &AsyncFd<OwnedFd>, mut data: &[u8]) -> std::io::Result<()> {
    while !data.is_empty() {
        let mut room = socket.writable().await?;
        // SAFETY: `data` is a live slice of `data.len()` bytes; MSG_NOSIGNAL: a reset is
        // EPIPE, not a signal.
        let sent = room.try_io(|s| {
            cvt(unsafe {
                libc::send(
                    s.as_raw_fd(),
                    data.as_ptr().cast(),
                    data.len(),
                    libc::MSG_NOSIGNAL,
                )
            })
        });
        if let Ok(n) = sent {
            data = &data[n?..];
        }
    }
    Ok(())
}

/// One `read(2)` of `fd` into `buf`'s spare capacity.
fn read_into(fd: RawFd, buf: &mut BytesMut) -> std::io::Result<usize> {
    let spare = buf.spare_capacity_mut();
    // SAFETY: `spare` is writable memory of `spare.len()` bytes owned by `buf`.
    let n = cvt(unsafe { libc::read(fd, spare.as_mut_ptr().cast(), spare.len()) })?;
    // SAFETY: the kernel initialised the first `n` bytes of the spare capacity.
    unsafe { buf.set_len(buf.len() + n) };
    Ok(n)
}

/// `splice(2)` of up to `len` bytes from `from` to `to` (one of them a pipe), neither
/// blocking on the pipe (`SPLICE_F_NONBLOCK`, without changing its flags) nor, the socket
/// being nonblocking, on the socket: `EAGAIN` when either is not ready. 0: `from`'s end.
fn splice(from: RawFd, to: RawFd, len: usize) -> std::io::Result<usize> {
    let flags = libc::SPLICE_F_NONBLOCK | libc::SPLICE_F_MOVE;
    // SAFETY: null offsets (each descriptor's own position is used); the caller keeps both
    // descriptors open for the call.
    cvt(unsafe {
        libc::splice(
            from,
            std::ptr::null_mut(),
            to,
            std::ptr::null_mut(),
            len,
            flags,
        )
    })
}

/// `sendfile(2)` from `file`'s current offset (moved on past what was sent) to the
/// nonblocking `socket`: `EAGAIN` when its buffer is full; 0 at the file's end.
fn sendfile(socket: RawFd, file: RawFd) -> std::io::Result<usize> {
    // SAFETY: a null offset uses and updates the file's own; both descriptors are open.
    cvt(unsafe { libc::sendfile(socket, file, std::ptr::null_mut(), SENDFILE_MAX) })
}

/// A system call's `ssize_t` result as `io::Result`.
fn cvt(n: isize) -> std::io::Result<usize> {
    if n < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// Whether the run's error `e` is the peer's reset (or the broken pipe a send meets after).
fn is_reset(e: &anyhow::Error) -> bool {
    e.root_cause()
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe))
}

/// Whether `e`, from a call between stdin and the socket, is the socket's (the peer's).
fn is_peers(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionReset
            | ErrorKind::BrokenPipe
            | ErrorKind::ConnectionAborted
            | ErrorKind::TimedOut
            | ErrorKind::NotConnected
    )
}
