//! Byte streams <-> messages. A byte stream (a TCP connection, a command's pipes) is cut into
//! chunks as they arrive and joined back unchanged on the other side; nothing is added or split
//! beyond what the reads return.

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::relay::Message;

/// The most one read takes: a pipe's default capacity, and large enough that per-chunk costs
/// vanish next to the copying.
pub const CHUNK: usize = 64 * 1024;

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

/// Writes every message from `rx` to `writer` and shuts the writer down when `rx` ends (for
/// TCP, a half-close). Returns the bytes written.
pub async fn write_chunks<W>(mut rx: mpsc::Receiver<Message>, mut writer: W) -> std::io::Result<u64>
where
    W: AsyncWrite + Unpin,
{
    let mut total = 0;
    while let Some(msg) = rx.recv().await {
        writer.write_all(&msg.data).await?;
        total += msg.data.len() as u64;
    }
    writer.shutdown().await?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn chunks_join_back_unchanged() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let (tx, rx) = mpsc::channel(2);
        let (mut out, sink) = tokio::io::duplex(1024);
        let source = data.clone();
        let reader = tokio::spawn(async move { read_chunks(&source[..], &tx).await });
        let writer = tokio::spawn(write_chunks(rx, sink));
        let mut got = Vec::new();
        out.read_to_end(&mut got).await.unwrap();
        assert_eq!(reader.await.unwrap().unwrap(), data.len() as u64);
        assert_eq!(writer.await.unwrap().unwrap(), data.len() as u64);
        assert_eq!(got, data);
    }
}
