//! The floor of the echo benchmark: the least any WebSocket echo server can do per message on
//! Linux with one read and one write per message, so what no implementation beats by much.
//!
//! One thread, level-triggered epoll, nonblocking sockets; the handshake is tungstenite's
//! (blocking, before the socket joins the loop); after it, frames are cut and unmasked by
//! hand and answered with one `write` per read (all frames a read brought). No channels, no
//! tasks, no allocation per message. It is not a WebSocket implementation (no fragments,
//! pings or limits): only what the echo benchmark needs, to measure the kernel's share.
//!
//! Run as its own process (`ws --floor-server`), so that its CPU time is its own.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, RawFd};

/// Serves echo on 127.0.0.1:0 until killed; prints `listening on ADDR` on stderr first.
pub fn serve() -> ! {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    eprintln!("listening on {}", listener.local_addr().unwrap());
    // SAFETY: plain epoll calls on descriptors this function owns.
    let epoll = unsafe { libc::epoll_create1(0) };
    assert!(epoll >= 0, "epoll_create1");
    watch(epoll, listener.as_raw_fd());
    let mut conns: HashMap<RawFd, Conn> = HashMap::new();
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 256];
    loop {
        // SAFETY: `events` has room for the count given.
        let n = unsafe { libc::epoll_wait(epoll, events.as_mut_ptr(), events.len() as i32, -1) };
        for event in events.iter().take(n.max(0) as usize) {
            let fd = event.u64 as RawFd;
            if fd == listener.as_raw_fd() {
                let (stream, _) = listener.accept().unwrap();
                stream.set_nodelay(true).unwrap();
                let Ok(ws) = tokio_tungstenite::tungstenite::accept(stream) else {
                    continue;
                };
                let stream = ws.into_inner();
                stream.set_nonblocking(true).unwrap();
                watch(epoll, stream.as_raw_fd());
                conns.insert(stream.as_raw_fd(), Conn::new(stream));
            } else if let Some(conn) = conns.get_mut(&fd) {
                if !conn.serve() {
                    conns.remove(&fd); // closing the socket takes it out of the epoll set
                }
            }
        }
    }
}

fn watch(epoll: RawFd, fd: RawFd) {
    let mut event = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: fd as u64,
    };
    // SAFETY: adds an open descriptor to an epoll set.
    let added = unsafe { libc::epoll_ctl(epoll, libc::EPOLL_CTL_ADD, fd, &mut event) };
    assert_eq!(added, 0, "epoll_ctl");
}

struct Conn {
    stream: TcpStream,
    input: Vec<u8>,
    filled: usize,
    output: Vec<u8>,
}

impl Conn {
    fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            input: vec![0; 64 * 1024],
            filled: 0,
            output: Vec::with_capacity(64 * 1024),
        }
    }

    /// Reads what is there and answers every whole frame; `false` when the connection ends.
    fn serve(&mut self) -> bool {
        match self.stream.read(&mut self.input[self.filled..]) {
            Ok(0) => return false,
            Ok(n) => self.filled += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(_) => return false,
        }
        let mut at = 0;
        let mut open = true;
        while let Some((opcode, start, len)) = frame(&self.input[at..self.filled]) {
            let (mask_at, payload_at) = (at + start - 4, at + start);
            let mask: [u8; 4] = self.input[mask_at..payload_at].try_into().unwrap();
            // The answer: unmasked, same opcode (a Close is answered with a Close).
            self.output.push(0x80 | opcode);
            if len < 126 {
                self.output.push(len as u8);
            } else {
                self.output.push(126);
                self.output.extend_from_slice(&(len as u16).to_be_bytes());
            }
            let payload = &self.input[payload_at..payload_at + len];
            self.output
                .extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
            open &= opcode != 8;
            at = payload_at + len;
        }
        self.input.copy_within(at..self.filled, 0);
        self.filled -= at;
        // One write for everything this read brought (small answers fit the socket buffer).
        let written = self.stream.write_all(&self.output).is_ok();
        self.output.clear();
        written && open
    }
}

/// A whole masked client frame at the start of `buf`: opcode, where its payload starts,
/// and its length (up to 64 KiB, enough for the benchmark).
fn frame(buf: &[u8]) -> Option<(u8, usize, usize)> {
    let (&b0, &b1) = (buf.first()?, buf.get(1)?);
    let (len, header) = match b1 & 0x7f {
        126 => (u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?]) as usize, 4),
        127 => panic!("the floor server takes frames up to 64 KiB"),
        len => (len as usize, 2),
    };
    let start = header + 4;
    (buf.len() >= start + len).then_some((b0 & 0x0f, start, len))
}
