//! Byte streams <-> messages, and the only place that splits or joins lines.
//!
//! A byte stream (a TCP connection, a command's pipes, stdin/stdout) is cut into chunks as they
//! arrive and joined back unchanged on the other side. Where a byte stream meets a message
//! transport (WebSocket), [`stage`] sits between them and applies the [`Framing`]: each line
//! (or NUL-terminated record) of the stream is one text message and each message is written
//! followed by the delimiter, or (`-b`) chunks go as binary messages and payloads are written
//! raw.

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::exit::{Exit, Fail};
use crate::relay::{Ends, Kind, Message, Side, Stage, Transport, Unsent};
use crate::shutdown::Shutdown;

mod crlf;
pub use crlf::crlf;

/// How a byte-stream side meets a message side: the cut, the longest record, and the
/// transport, which says the kind of message a record becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Records {
    /// The cut: lines, NUL-ended records, or chunks as read (`-b`).
    pub framing: Framing,
    /// The longest record, in bytes (`--max-message-size`; UDP's own limit for datagrams).
    pub max: usize,
    /// What the records travel over: over [`Transport::Message`] (WebSocket) lines become
    /// text messages and must be UTF-8; over the others they are binary (datagrams, a hub's
    /// TCP lines).
    pub transport: Transport,
    /// `-C/--crlf`: line ends go as `\r\n` towards the remote side ([`crlf`]).
    pub crlf: bool,
}

impl Records {
    /// A TCP stream's local side: bytes as they come both ways, never cut (`crlf`: `-C`).
    pub fn bytes(crlf: bool) -> Records {
        Records {
            framing: Framing::Binary,
            max: usize::MAX,
            transport: Transport::Stream,
            crlf,
        }
    }

    /// Whether records become text messages (and must be UTF-8).
    pub fn text(self) -> bool {
        self.transport == Transport::Message
    }
}

/// How a byte stream is cut into messages and messages are joined into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Each line, without its `\n`, is a text message; messages are written with `\n` after.
    Lines,
    /// The same with NUL (`-0`).
    Null,
    /// Chunks as they are read are binary messages; payloads are written raw (`-b`).
    Binary,
}

impl Framing {
    fn delimiter(self) -> Option<u8> {
        match self {
            Framing::Lines => Some(b'\n'),
            Framing::Null => Some(0),
            Framing::Binary => None,
        }
    }
}

/// The framing stage between a byte-stream side and a message side: records cut from the
/// bytes by `records.framing` go on as messages, and messages come back as records, each
/// followed by the delimiter. `records.max` bounds one record (a longer line is an error,
/// never split in two). Over WebSocket ([`Records::text`]), records must be UTF-8 and become
/// text messages; otherwise they are binary (UDP datagrams, a hub's TCP lines). `None` for
/// `-b`: chunks already are binary messages, and payloads are written as they are.
///
/// Its ends facing the local side face the bytes; it is part of the byte side ([`Side::Local`]:
/// its errors are the input's).
pub fn stage<'a>(records: Records) -> Option<Stage<'a>> {
    let delimiter = records.framing.delimiter()?;
    let (max, text) = (records.max, records.text());
    Some(Stage::new(
        Side::Local,
        move |bytes: Ends, messages: Ends| {
            let Ends {
                tx: to_bytes,
                rx: from_bytes,
            } = bytes;
            let Ends { tx, rx } = messages;
            async move {
                let split = split_records(from_bytes, tx, delimiter, max, text);
                let join = join_records(rx, to_bytes, delimiter);
                tokio::join!(split, join).0
            }
        },
    ))
}

/// Cuts the chunks from `rx` into records ending in `delimiter`, each sent on `tx` as a text
/// message (`text`) or a binary one; what follows the last delimiter at EOF is the last record.
async fn split_records(
    mut rx: mpsc::Receiver<Message>,
    tx: mpsc::Sender<Message>,
    delimiter: u8,
    max: usize,
    text: bool,
) -> anyhow::Result<()> {
    let mut records = Splitter::new(delimiter);
    let mut record = 0u64;
    let too_long = |what: &str| {
        Fail::new(
            Exit::Io,
            format!("a {what} of more than {max} bytes is in the input"),
        )
        .hint("raise --max-message-size, or use -b/--binary to send chunks")
        .err()
    };
    let mut send = async |data: Bytes| -> anyhow::Result<bool> {
        record += 1;
        let what = if delimiter == 0 { "record" } else { "line" };
        // Never sent to be refused by the peer (1009), nor split: as `--max-message-size`
        // says, the same limit both ways.
        if data.len() > max {
            return Err(too_long(what));
        }
        if !text {
            return Ok(tx.send(Message::binary(data)).await.is_ok());
        }
        std::str::from_utf8(&data).map_err(|_| {
            Fail::new(
                Exit::Io,
                format!(
                    "{what} {record} of the input is not UTF-8 text, so it cannot be a text message"
                ),
            )
            .hint("use -b/--binary to send bytes as binary messages")
            .err()
        })?;
        Ok(tx
            .send(Message {
                data,
                kind: Kind::Text,
            })
            .await
            .is_ok())
    };
    // What the input held when the remote side stopped taking it (the peer closed first).
    let left = |rx: &mut mpsc::Receiver<Message>, held: usize| {
        Unsent::check(held as u64 + crate::relay::drain_unsent(rx))
    };
    loop {
        // The remote side may end first (the peer closed): then stop reading the input.
        let chunk = tokio::select! {
            chunk = rx.recv() => chunk,
            _ = tx.closed() => return left(&mut rx, records.held()),
        };
        let Some(chunk) = chunk else { break };
        if chunk.kind.is_control() {
            // Not bytes of the stream (a Close passed on): it goes on as it is.
            if tx.send(chunk).await.is_err() {
                return left(&mut rx, records.held());
            }
            continue;
        }
        records.push(&chunk.data);
        while let Some(line) = records.next_record() {
            let len = line.len() + 1; // with its delimiter
            if !send(line).await? {
                return left(&mut rx, len + records.held());
            }
        }
        if records.held() > max {
            return Err(Fail::new(
                Exit::Io,
                format!("a record of more than {max} bytes arrived without a delimiter"),
            )
            .hint("raise --max-message-size, or use -b/--binary to send chunks")
            .err());
        }
    }
    if let Some(last) = records.rest() {
        let len = last.len();
        if !send(last).await? {
            return left(&mut rx, len);
        }
    }
    Ok(())
}

/// Cuts a byte stream into records that end in a delimiter: the one splitter, used by the
/// relay's framing (`-0`, lines) and by the prompt that shows a TCP stream line by line.
/// Records come out as slices of the bytes pushed, without copying them again.
#[derive(Debug)]
pub struct Splitter {
    delimiter: u8,
    /// Bytes of the record in progress (and of whole records not taken yet).
    pending: BytesMut,
    /// How far `pending` is known to hold no delimiter, so a long record is scanned once.
    scanned: usize,
}

impl Splitter {
    /// A splitter at `delimiter` (`b'\n'` for lines, 0 for `-0`).
    pub fn new(delimiter: u8) -> Splitter {
        Splitter {
            delimiter,
            pending: BytesMut::new(),
            scanned: 0,
        }
    }

    /// Adds the next bytes of the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// The next whole record, without its delimiter; `None` until one is complete.
    pub fn next_record(&mut self) -> Option<Bytes> {
        let Some(at) = memchr::memchr(self.delimiter, &self.pending[self.scanned..]) else {
            self.scanned = self.pending.len();
            return None;
        };
        let end = self.scanned + at;
        self.scanned = 0;
        let mut record = self.pending.split_to(end + 1);
        record.truncate(end);
        Some(record.freeze())
    }

    /// Bytes held that are not a whole record yet (once [`Splitter::next_record`] says
    /// `None`), in bytes.
    pub fn held(&self) -> usize {
        self.pending.len()
    }

    /// Where the `n`th record of `data` ends, counting from 1: the offset just after its
    /// delimiter; `Err(count)` with the number of delimiters in `data` when it holds fewer
    /// (`--count` over a byte stream counts lines this way, across chunks).
    pub fn nth_end(data: &[u8], delimiter: u8, n: u64) -> Result<usize, u64> {
        let mut count = 0;
        for at in memchr::memchr_iter(delimiter, data) {
            count += 1;
            if count == n {
                return Ok(at + 1);
            }
        }
        Err(count)
    }

    /// What is held, taken as the last record (the stream ended without a delimiter, or the
    /// record is shown in pieces); `None` when nothing is.
    pub fn rest(&mut self) -> Option<Bytes> {
        self.scanned = 0;
        (!self.pending.is_empty()).then(|| self.pending.split().freeze())
    }
}

/// Writes each message followed by `delimiter`, unless it ends with one already (as
/// websocat does): a peer that sends its lines with their newline (websocat's messages, nc's
/// datagrams) shows no blank line after each. Small ones go in one chunk.
async fn join_records(mut rx: mpsc::Receiver<Message>, tx: mpsc::Sender<Message>, delimiter: u8) {
    const COPY_BELOW: usize = 16 * 1024;
    while let Some(msg) = rx.recv().await {
        let delimited = if msg.kind.is_control() {
            // Not a record: it goes on as it is (and a byte stream skips it).
            tx.send(msg).await
        } else if msg.data.last() == Some(&delimiter) {
            tx.send(Message::binary(msg.data)).await
        } else if msg.data.len() < COPY_BELOW {
            let mut buf = BytesMut::with_capacity(msg.data.len() + 1);
            buf.extend_from_slice(&msg.data);
            buf.extend_from_slice(&[delimiter]);
            tx.send(Message::binary(buf.freeze())).await
        } else {
            match tx.send(Message::binary(msg.data)).await {
                Ok(()) => {
                    tx.send(Message::binary(Bytes::copy_from_slice(&[delimiter])))
                        .await
                }
                err => err,
            }
        };
        if delimited.is_err() {
            return;
        }
    }
}

/// The most one read takes. wsctl's pipes are grown to 1 MiB (`local::stdio`), and reads of
/// 256 KiB rather than 64 KiB took TCP from 1142 to 1631 MiB/s (`cargo bench --bench
/// tcp_throughput`, same machine and hour): per-chunk costs vanish next to the copying.
pub const CHUNK: usize = 256 * 1024;

/// Reads `reader` into chunks sent on `tx` until EOF, or until the receiver goes away (then
/// what is unread stays unread). Returns the bytes read.
pub async fn read_chunks<R>(mut reader: R, tx: &mpsc::Sender<Message>) -> std::io::Result<u64>
where
    R: AsyncRead + Unpin,
{
    let mut buf = BytesMut::with_capacity(CHUNK);
    let mut total = 0;
    loop {
        // Reuses the allocation once the previous chunk has been written and dropped.
        buf.reserve(CHUNK);
        let n = tokio::select! {
            n = reader.read_buf(&mut buf) => n?,
            _ = tx.closed() => return Ok(total),
        };
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
        if tx
            .send(Message::binary(buf.split().freeze()))
            .await
            .is_err()
        {
            return Ok(total);
        }
    }
}

/// The other side of a bridge failed: the byte stream must end abnormally (TCP: a reset),
/// not with the half-close of a clean end. The error [`write_chunks`] returns for it.
#[derive(Debug, thiserror::Error)]
#[error("the other side of the bridge failed")]
pub struct Aborted;

/// Writes every message from `rx` to `writer` and shuts the writer down when `rx` ends (for
/// TCP, a half-close), or once `shutdown` starts (after what is queued). Returns the bytes written; [`Aborted`] (as an `io::Error`) when the
/// other side failed, leaving `writer` unshut, for the caller to reset.
pub async fn write_chunks<W>(
    mut rx: mpsc::Receiver<Message>,
    writer: &mut W,
    shutdown: &Shutdown,
) -> std::io::Result<u64>
where
    W: AsyncWrite + Unpin,
{
    let mut total = 0;
    loop {
        let msg = tokio::select! {
            biased;
            msg = rx.recv() => msg,
            // A listener shutting down: what is queued goes out, then the half-close.
            _ = shutdown.requested() => {
                while let Ok(msg) = rx.try_recv() {
                    writer.write_all(&msg.data).await?;
                    total += msg.data.len() as u64;
                }
                break;
            }
        };
        let Some(msg) = msg else { break };
        if msg.is_failure() {
            // The other side of a bridge failed: not a clean end (see `Aborted`).
            return Err(std::io::Error::other(Aborted));
        }
        if msg.kind.is_control() {
            continue; // a byte stream ends with its half-close, which follows
        }
        writer.write_all(&msg.data).await?;
        total += msg.data.len() as u64;
    }
    writer.shutdown().await?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_splitter_cuts_at_the_delimiter_across_pushes() {
        let mut lines = Splitter::new(b'\n');
        lines.push(b"one\ntw");
        assert_eq!(lines.next_record().as_deref(), Some(&b"one"[..]));
        assert_eq!(lines.next_record(), None);
        assert_eq!(lines.held(), 2);
        lines.push(b"o");
        assert_eq!(lines.next_record(), None, "scanned once, found nothing");
        lines.push(b"\n\nthree");
        assert_eq!(lines.next_record().as_deref(), Some(&b"two"[..]));
        assert_eq!(
            lines.next_record().as_deref(),
            Some(&b""[..]),
            "an empty line"
        );
        assert_eq!(lines.next_record(), None);
        assert_eq!(lines.rest().as_deref(), Some(&b"three"[..]));
        assert_eq!((lines.held(), lines.rest()), (0, None));
        let mut records = Splitter::new(0);
        records.push(b"a\0b\nc\0");
        assert_eq!(records.next_record().as_deref(), Some(&b"a"[..]));
        assert_eq!(records.next_record().as_deref(), Some(&b"b\nc"[..]));
        assert_eq!(records.next_record(), None);
    }

    #[tokio::test]
    async fn chunks_join_back_unchanged() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let (tx, rx) = mpsc::channel(2);
        let (mut out, sink) = tokio::io::duplex(1024);
        let source = data.clone();
        let reader = tokio::spawn(async move { read_chunks(&source[..], &tx).await });
        let writer = tokio::spawn(async move {
            let mut sink = sink;
            write_chunks(rx, &mut sink, &Shutdown::new()).await
        });
        let mut got = Vec::new();
        out.read_to_end(&mut got).await.unwrap();
        assert_eq!(reader.await.unwrap().unwrap(), data.len() as u64);
        assert_eq!(writer.await.unwrap().unwrap(), data.len() as u64);
        assert_eq!(got, data);
    }

    #[tokio::test]
    async fn a_message_gets_its_delimiter_unless_it_ends_with_one() {
        let big = "x".repeat(20_000);
        let (tx, rx) = mpsc::channel(8);
        let (out_tx, mut out_rx) = mpsc::channel(16);
        let join = tokio::spawn(join_records(rx, out_tx, b'\n'));
        for text in [
            "one",
            "two\n",
            "",
            "\n",
            "three\n\n",
            &big,
            &format!("{big}\n"),
        ] {
            tx.send(Message::binary(Bytes::from(text.to_string())))
                .await
                .unwrap();
        }
        drop(tx);
        join.await.unwrap();
        let mut got = Vec::new();
        while let Some(msg) = out_rx.recv().await {
            got.extend_from_slice(&msg.data);
        }
        let want = format!("one\ntwo\n\n\nthree\n\n{big}\n{big}\n");
        assert!(
            got == want.as_bytes(),
            "{:?}",
            String::from_utf8_lossy(&got[..got.len().min(40)])
        );
    }
}
