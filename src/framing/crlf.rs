//! `-C/--crlf`, as `ncat -C`: line ends as CRLF towards the socket.

use bytes::{Bytes, BytesMut};

use crate::relay::{Ends, Side, Stage, Transport, Unsent};

/// `-C/--crlf`, as `ncat -C`: on the way to the socket, every `\n` not already after a `\r`
/// goes as `\r\n` (across chunks: a `\r` that ended the last one counts); over datagrams
/// each record also ends with `\r\n`. What comes from the socket is untouched. `socket`: the
/// end the socket is on, [`Side::Remote`] in [`crate::relay::run`] (where this is the last
/// stage, so that typed lines, stdin, a command's output and `--send` all go this way), and
/// [`Side::Local`] behind a hub (where this is the first stage, next to the socket).
pub fn crlf<'a>(transport: Transport, socket: Side) -> Stage<'a> {
    let datagrams = transport == Transport::Datagram;
    Stage::new(Side::Local, move |local: Ends, remote: Ends| {
        let (outward, inward) = match socket {
            Side::Remote => ((local.rx, remote.tx), (remote.rx, local.tx)),
            Side::Local => ((remote.rx, local.tx), (local.rx, remote.tx)),
        };
        async move {
            let out = async {
                let (mut from, to) = outward;
                let mut after_cr = false;
                while let Some(mut msg) = from.recv().await {
                    let len = msg.payload_len();
                    if !msg.kind.is_control() {
                        msg.data = with_crlf(&msg.data, &mut after_cr, datagrams);
                    }
                    if to.send(msg).await.is_err() {
                        return Unsent::check(len + crate::relay::drain_unsent(&mut from));
                    }
                }
                Ok(())
            };
            let (from, to) = inward;
            tokio::join!(out, crate::relay::forward(from, to)).0
        }
    })
}

/// `data` with each `\n` not after a `\r` as `\r\n`; `after_cr`: the byte before `data`
/// was a `\r` (and, on return, its last byte was). `record`: it must also end with `\r\n`.
fn with_crlf(data: &Bytes, after_cr: &mut bool, record: bool) -> Bytes {
    if record {
        *after_cr = false; // each datagram stands alone
    }
    let bare = memchr::memchr_iter(b'\n', data)
        .filter(|&at| {
            !(if at == 0 {
                *after_cr
            } else {
                data[at - 1] == b'\r'
            })
        })
        .count();
    let end = record && !data.ends_with(b"\n");
    if bare == 0 && !end {
        if let Some(&last) = data.last() {
            *after_cr = last == b'\r';
        }
        return data.clone();
    }
    let mut out = BytesMut::with_capacity(data.len() + bare + 2);
    let mut prev = *after_cr;
    for &byte in data.iter() {
        if byte == b'\n' && !prev {
            out.extend_from_slice(b"\r");
        }
        out.extend_from_slice(&[byte]);
        prev = byte == b'\r';
    }
    if end {
        let ending: &[u8] = if prev { b"\n" } else { b"\r\n" };
        out.extend_from_slice(ending);
    }
    *after_cr = out.last() == Some(&b'\r');
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_turns_bare_line_feeds_into_crlf_across_chunks() {
        let mut after_cr = false;
        let mut go = |data: &'static [u8], record| {
            with_crlf(&Bytes::from_static(data), &mut after_cr, record)
        };
        assert_eq!(
            go(b"GET / HTTP/1.0\nHost: a\r\n", false),
            "GET / HTTP/1.0\r\nHost: a\r\n"
        );
        assert_eq!(go(b"\n\n", false), "\r\n\r\n");
        // A \r that ended the last chunk pairs with the \n that starts this one.
        assert_eq!(go(b"x\r", false), "x\r");
        assert_eq!(go(b"\ny", false), "\ny");
        // Datagrams: each record ends with \r\n, once.
        assert_eq!(go(b"hello", true), "hello\r\n");
        assert_eq!(go(b"a\nb\n", true), "a\r\nb\r\n");
        assert_eq!(go(b"done\r\n", true), "done\r\n");
        assert_eq!(go(b"half\r", true), "half\r\n");
        assert_eq!(go(b"", true), "\r\n");
    }
}
