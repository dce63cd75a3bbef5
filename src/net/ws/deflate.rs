//! permessage-deflate (RFC 7692): the negotiation in both roles, and the compressor of our
//! messages. Incoming compressed messages are inflated below tungstenite, in the gate
//! (`gate/inflate.rs`); ours are compressed here and handed to tungstenite as whole frames
//! with RSV1 set (tungstenite 0.30 has no extension support: it refuses RSV1 and never sets
//! it). Names follow tungstenite-rs PR #426 (`DeflateConfig`), so that this can give way to
//! upstream support once it ships.
//!
//! Hand-written because no maintained crate negotiates RFC 7692 for tungstenite; the
//! compression itself is flate2's (zlib-rs backend). flate2 takes window bits 9 to 15 and
//! panics on 8, so an 8 never reaches it: a peer's 8 is inflated with 9 (a larger window
//! inflates anything a smaller one made), an offer that asks us to compress with 8 is
//! declined, and a server that tells our client to compress with 8 gets our messages
//! uncompressed (a sender may always send a message uncompressed).

use bytes::Bytes;
use flate2::{Compress, Compression, FlushCompress};

/// The extension's name in `Sec-WebSocket-Extensions`.
pub const NAME: &str = "permessage-deflate";

/// What a client offers: the extension, letting the server choose our window.
pub const CLIENT_OFFER: &str = "permessage-deflate; client_max_window_bits";

/// The window a listener asks its clients to compress with when they let it choose, and the
/// one it inflates with: 2^12 = 4 KiB of history per connection instead of 32 KiB.
pub const LISTENER_WINDOW_BITS: u8 = 12;

/// The bytes a compressed message's payload lacks at its end (RFC 7692 7.2.1).
pub const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// The negotiated parameters (RFC 7692 7.1), as both sides know them. A `*_max_window_bits`
/// is the LZ77 window of that side's compressor, 8 to 15 (15 when not named).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateConfig {
    /// The server resets its compressor after each message.
    pub server_no_context_takeover: bool,
    /// The client resets its compressor after each message.
    pub client_no_context_takeover: bool,
    /// The server's compressor window, in bits.
    pub server_max_window_bits: u8,
    /// The client's compressor window, in bits.
    pub client_max_window_bits: u8,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        DeflateConfig {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: 15,
            client_max_window_bits: 15,
        }
    }
}

/// One side's compressor or decompressor as negotiated: its window, and whether it starts
/// afresh for each message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// 8 to 15.
    pub bits: u8,
    /// No context takeover: reset after each message.
    pub reset: bool,
}

impl DeflateConfig {
    /// Our compressor's window and the peer's (which we inflate), for the role we play.
    pub fn sides(&self, server: bool) -> (Window, Window) {
        let server_side = Window {
            bits: self.server_max_window_bits,
            reset: self.server_no_context_takeover,
        };
        let client_side = Window {
            bits: self.client_max_window_bits,
            reset: self.client_no_context_takeover,
        };
        if server {
            (server_side, client_side)
        } else {
            (client_side, server_side)
        }
    }

    /// The parameters as the response names them (`permessage-deflate; ...`).
    pub fn response(&self) -> String {
        let mut text = NAME.to_string();
        if self.server_no_context_takeover {
            text.push_str("; server_no_context_takeover");
        }
        if self.client_no_context_takeover {
            text.push_str("; client_no_context_takeover");
        }
        if self.server_max_window_bits < 15 {
            text.push_str(&format!(
                "; server_max_window_bits={}",
                self.server_max_window_bits
            ));
        }
        if self.client_max_window_bits < 15 {
            text.push_str(&format!(
                "; client_max_window_bits={}",
                self.client_max_window_bits
            ));
        }
        text
    }
}

/// One extension in a `Sec-WebSocket-Extensions` value: its name and parameters (a value
/// unquoted; `None` for a parameter without one).
type Extension = (String, Vec<(String, Option<String>)>);

/// The extensions of the header values `values`, in order (RFC 6455 9.1: comma-separated,
/// parameters after `;`, a value a token or a quoted string). `None` if they cannot be read.
pub fn extensions<'a>(values: impl Iterator<Item = &'a [u8]>) -> Option<Vec<Extension>> {
    let mut all = Vec::new();
    for value in values {
        let text = std::str::from_utf8(value).ok()?;
        for item in text.split(',') {
            if item.trim().is_empty() {
                continue;
            }
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next()?.to_ascii_lowercase();
            if name.is_empty() {
                return None;
            }
            let mut params = Vec::new();
            for part in parts {
                let (key, value) = match part.split_once('=') {
                    Some((key, value)) => {
                        let value = value.trim();
                        let value = value
                            .strip_prefix('"')
                            .and_then(|v| v.strip_suffix('"'))
                            .unwrap_or(value);
                        (key.trim(), Some(value.to_string()))
                    }
                    None => (part, None),
                };
                if key.is_empty() {
                    return None;
                }
                params.push((key.to_ascii_lowercase(), value));
            }
            all.push((name, params));
        }
    }
    Some(all)
}

/// A window's bits as a parameter gives them: 8 to 15, digits only (RFC 7692 7.1.2).
fn bits(value: &str) -> Option<u8> {
    // Decimal, no leading zero (RFC 7692 7.1.2.1).
    if value.is_empty()
        || value.len() > 2
        || value.starts_with('0')
        || !value.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    value.parse().ok().filter(|b| (8..=15).contains(b))
}

/// The server's choice among a client's offers: the first it can take (RFC 7692 5.1), with
/// the answer it sends. A listener asks for a small window where the client lets it choose
/// ([`LISTENER_WINDOW_BITS`]), and has the client reset its context where it does not (so
/// no 32 KiB window is kept for an idle connection); its own compressor always resets
/// (`server_no_context_takeover`, which the RFC lets a server add), so that it holds no
/// compressor between messages. An offer with an unknown or repeated parameter, a bad value,
/// or `server_max_window_bits=8` (flate2 cannot compress with 8) is declined.
pub fn accept(offers: &[Extension]) -> Option<DeflateConfig> {
    offers
        .iter()
        .filter(|(name, _)| name == NAME)
        .find_map(|(_, params)| accept_one(params))
}

fn accept_one(params: &[(String, Option<String>)]) -> Option<DeflateConfig> {
    let mut seen: Vec<&str> = Vec::new();
    let mut config = DeflateConfig {
        server_no_context_takeover: true,
        ..DeflateConfig::default()
    };
    let mut client_may_choose = false;
    for (key, value) in params {
        if seen.contains(&key.as_str()) {
            return None;
        }
        seen.push(key);
        match (key.as_str(), value.as_deref()) {
            ("server_no_context_takeover", None) => config.server_no_context_takeover = true,
            ("client_no_context_takeover", None) => config.client_no_context_takeover = true,
            ("server_max_window_bits", Some(value)) => match bits(value)? {
                8 => return None,
                n => config.server_max_window_bits = n,
            },
            ("client_max_window_bits", None) => client_may_choose = true,
            ("client_max_window_bits", Some(value)) => {
                bits(value)?;
                client_may_choose = true;
            }
            _ => return None,
        }
    }
    let asked = params
        .iter()
        .find(|(key, _)| key == "client_max_window_bits")
        .and_then(|(_, value)| value.as_deref().and_then(bits))
        .unwrap_or(15);
    if client_may_choose {
        config.client_max_window_bits = asked.min(LISTENER_WINDOW_BITS);
    } else {
        config.client_no_context_takeover = true;
    }
    Some(config)
}

/// The client's reading of the server's answer to [`CLIENT_OFFER`] (RFC 7692 7.1): the
/// parameters, or what makes the answer one the connection must fail on (a second
/// extension, an unknown or repeated parameter, a value out of range).
pub fn accepted(answer: &[Extension]) -> Result<DeflateConfig, String> {
    let [(name, params)] = answer else {
        return Err(format!(
            "the server accepted {} extensions; we offered one",
            answer.len()
        ));
    };
    if name != NAME {
        return Err(format!(
            "the server accepted an extension we did not offer ({name})"
        ));
    }
    let mut config = DeflateConfig::default();
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in params {
        if seen.contains(&key.as_str()) {
            return Err(format!(
                "the server named {key} twice in permessage-deflate"
            ));
        }
        seen.push(key);
        let bad = || {
            format!(
                "the server gave {key} a value out of range ({})",
                value.as_deref().unwrap_or_default()
            )
        };
        match (key.as_str(), value.as_deref()) {
            ("server_no_context_takeover", None) => config.server_no_context_takeover = true,
            ("client_no_context_takeover", None) => config.client_no_context_takeover = true,
            ("server_max_window_bits", Some(v)) => {
                config.server_max_window_bits = bits(v).ok_or_else(bad)?;
            }
            ("client_max_window_bits", Some(v)) => {
                config.client_max_window_bits = bits(v).ok_or_else(bad)?;
            }
            ("server_no_context_takeover" | "client_no_context_takeover", Some(v)) => {
                return Err(format!(
                    "the server gave {key} a value ({v}); it takes none"
                ));
            }
            ("server_max_window_bits" | "client_max_window_bits", None) => {
                return Err(format!(
                    "the server gave {key} no value; it needs one (8 to 15)"
                ));
            }
            _ => {
                return Err(format!(
                    "the server answered permessage-deflate with an unknown parameter ({key})"
                ));
            }
        }
    }
    Ok(config)
}

/// Our side's compressor: each message deflated on its own or with the history of those
/// before it, as negotiated. Its state (about 256 KiB for zlib's defaults) is taken on the
/// first message, and, when the context is not taken over, given back after each message
/// to a few spares of this thread's.
pub struct Compressor {
    window: Window,
    state: Option<Box<Compress>>,
}

impl Compressor {
    pub fn new(window: Window) -> Compressor {
        Compressor {
            window,
            state: None,
        }
    }

    /// The payload of `data`'s compressed message (RFC 7692 7.2.1: deflated, flushed to a
    /// byte boundary, its last 4 bytes `00 00 ff ff` removed); `None` when this side may not
    /// compress (a window of 8 bits, which flate2 cannot make).
    pub fn compress(&mut self, data: &[u8]) -> Option<Bytes> {
        if self.window.bits < 9 {
            return None;
        }
        let bits = self.window.bits;
        let state = self.state.get_or_insert_with(|| spare(bits));
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        let start = state.total_in();
        loop {
            let consumed = (state.total_in() - start) as usize;
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(1024));
            }
            state
                .compress_vec(&data[consumed..], &mut out, FlushCompress::Sync)
                .expect("deflate of memory never fails");
            let consumed = (state.total_in() - start) as usize;
            // Done once all is in and the flush did not fill the room it had.
            if consumed == data.len() && out.len() < out.capacity() {
                break;
            }
        }
        if out.ends_with(&TAIL) {
            out.truncate(out.len() - TAIL.len());
        }
        // Nothing new to flush (an empty message) made no bytes: the empty stored block's
        // header is one byte of its own (RFC 7692 7.2.3.6).
        if out.is_empty() {
            out.push(0x00);
        }
        if self.window.reset {
            if let Some(state) = self.state.take() {
                give_back(bits, state);
            }
        }
        Some(Bytes::from(out))
    }
}

thread_local! {
    /// Compressors between messages, reset, by window: a listener's connections (which
    /// reset theirs after each message) take one for a message and give it back, so that
    /// their 256 KiB states are not made and freed per message, which left the heap in
    /// holes that no connection could use (146 KiB more per idle connection, measured).
    static SPARE: std::cell::RefCell<Vec<(u8, Box<Compress>)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The most compressors kept between messages, per thread.
const SPARES: usize = 4;

/// A compressor with a window of `bits`: a spare one, or a new one.
fn spare(bits: u8) -> Box<Compress> {
    SPARE
        .with(|spare| {
            let mut spare = spare.borrow_mut();
            let at = spare.iter().position(|(b, _)| *b == bits)?;
            Some(spare.swap_remove(at).1)
        })
        .unwrap_or_else(|| {
            Box::new(Compress::new_with_window_bits(
                Compression::fast(),
                false,
                bits,
            ))
        })
}

/// `state`, reset, kept for the next message (up to [`SPARES`]).
fn give_back(bits: u8, mut state: Box<Compress>) {
    state.reset();
    SPARE.with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < SPARES {
            spare.push((bits, state));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Decompress, FlushDecompress};

    fn offers(text: &str) -> Vec<Extension> {
        extensions(std::iter::once(text.as_bytes())).unwrap()
    }

    #[test]
    fn a_listener_chooses_small_windows_and_no_kept_compressor() {
        let plain = accept(&offers("permessage-deflate")).unwrap();
        assert_eq!(
            plain.response(),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
        );
        let choose = accept(&offers("permessage-deflate; client_max_window_bits")).unwrap();
        assert_eq!(
            choose.response(),
            "permessage-deflate; server_no_context_takeover; client_max_window_bits=12"
        );
        let nine = accept(&offers(
            "permessage-deflate; client_max_window_bits=9; server_max_window_bits=10",
        ))
        .unwrap();
        assert_eq!(
            (nine.client_max_window_bits, nine.server_max_window_bits),
            (9, 10)
        );
        // 8 for us is declined; the next offer is taken.
        let next = accept(&offers(
            "permessage-deflate; server_max_window_bits=8, permessage-deflate",
        ))
        .unwrap();
        assert_eq!(next.server_max_window_bits, 15);
        for bad in [
            "permessage-deflate; foo",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; client_max_window_bits=08x",
            "permessage-deflate; server_max_window_bits=09",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "x-webkit-deflate-frame",
        ] {
            assert_eq!(accept(&offers(bad)), None, "{bad}");
        }
        assert_eq!(
            accept(&offers("permessage-deflate; client_max_window_bits=\"10\""))
                .map(|c| c.client_max_window_bits),
            Some(10)
        );
    }

    #[test]
    fn a_client_follows_the_answer_or_fails_on_what_the_rfc_makes_fatal() {
        let answer = accepted(&offers(
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8",
        ))
        .unwrap();
        let (ours, theirs) = answer.sides(false);
        assert_eq!(
            ours,
            Window {
                bits: 8,
                reset: false
            }
        );
        assert_eq!(
            theirs,
            Window {
                bits: 9,
                reset: true
            }
        );
        for bad in [
            "permessage-deflate; mystery",
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
            "permessage-deflate, permessage-deflate",
            "permessage-deflate; server_max_window_bits=09",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; client_no_context_takeover=1",
            "other",
        ] {
            assert!(accepted(&offers(bad)).is_err(), "{bad}");
        }
    }

    /// What we compress inflates back, with and without the context kept, and a window of
    /// 8 is never handed to flate2.
    #[test]
    fn compressed_messages_inflate_back() {
        for reset in [false, true] {
            let mut ours = Compressor::new(Window { bits: 10, reset });
            let mut theirs = Decompress::new_with_window_bits(false, 10);
            for text in ["hello hello hello", "", "hello again, hello again"] {
                let mut payload = ours.compress(text.as_bytes()).unwrap().to_vec();
                payload.extend_from_slice(&TAIL);
                let mut out = Vec::with_capacity(1024);
                theirs
                    .decompress_vec(&payload, &mut out, FlushDecompress::Sync)
                    .unwrap();
                assert_eq!(out, text.as_bytes());
                if reset {
                    theirs.reset(false);
                }
            }
        }
        assert_eq!(
            Compressor::new(Window {
                bits: 8,
                reset: false
            })
            .compress(b"x"),
            None
        );
    }
}
