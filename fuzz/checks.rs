// What each fuzz target checks, shared by the targets (fuzz_targets/*.rs) and by the replay
// of the committed corpus in the main test suite (tests/fuzz_corpus.rs), which needs no fuzzing
// toolchain. Each function takes any bytes; a panic is a finding.

/// The frame rewriter (`net/ws/gate.rs`): the first byte picks how the socket cuts the input,
/// how much each read asks for, and whether our writes are stuck; the rest is an HTTP head and
/// frames. No panic, under no limit, a 1 MiB limit and a tiny one; and under no limit, where
/// the input parses as frames and no ping may be dropped (writes not stuck), the output
/// carries exactly the same messages. Excepted by design: a control frame longer than the 125
/// bytes it may carry, which the rewriter announces as 126 for tungstenite to refuse (e.g. a
/// 200-byte ping, `corpus/gate/oversized-ping`).
pub fn gate(data: &[u8]) {
    use wsctl::net::ws::gate::{messages, run_through};
    let Some((&knobs, input)) = data.split_first() else {
        return;
    };
    let piece = 1 + usize::from(knobs & 0x0F) * 37;
    let read = 1 + usize::from(knobs >> 4) * 311;
    let stuck = knobs & 0x80 != 0;
    let out = run_through(input, usize::MAX, piece, read, stuck);
    if let Some(want) = messages(input) {
        let sound = want
            .iter()
            .all(|(op, payload)| *op & 0x0F < 8 || payload.len() <= 125);
        if sound && !stuck {
            assert_eq!(
                messages(&out),
                Some(want),
                "the rewriter changed the messages"
            );
        }
    }
    let _ = run_through(input, 1 << 20, piece, read, stuck);
    let _ = run_through(input, usize::from(knobs) * 5, piece, read, stuck);
}

/// The server's reading of an opening handshake (`net/ws/request.rs`): no panic; a refusal
/// is a whole HTTP response with one of the statuses the parser may give; an accepted request
/// has a key and gets a 101.
pub fn ws_request(data: &[u8]) {
    use wsctl::net::ws::request::{head_end, parse, switching};
    let _ = head_end(data);
    for path in [None, Some("/ws")] {
        match parse(data, path) {
            Ok(upgrade) => {
                assert!(!upgrade.key.is_empty());
                assert!(switching(&upgrade, None, None).starts_with(b"HTTP/1.1 101 "));
            }
            Err(refusal) => {
                assert!(
                    [400, 404, 405, 426, 431].contains(&refusal.status),
                    "{refusal:?}"
                );
                assert!(refusal.response().starts_with(b"HTTP/1.1 "));
            }
        }
    }
}

/// What a user types: targets, bind addresses, durations and lingers. No panic; a target
/// that parses, written back as HOST:PORT, parses to the same.
pub fn user_input(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = wsctl::cli::parse_duration(text);
    let _ = wsctl::cli::parse_linger(text);
    let _ = wsctl::config::parse_bind(text);
    if let Ok(target) = wsctl::config::parse_target(text, None) {
        let host = if target.host.contains(':') {
            format!("[{}]", target.host)
        } else {
            target.host.clone()
        };
        let again = wsctl::config::parse_target(&format!("{host}:{}", target.port), None);
        assert_eq!(again.ok(), Some(target));
    }
    if let Some((host, port)) = text.split_once(' ') {
        let _ = wsctl::config::parse_target(host, Some(port));
    }
    // `ws connect URL`: a URL taken is one whose request URL, carrying no credentials, is
    // taken again the same way.
    if let Ok(ws) = wsctl::config::ws_url(text) {
        assert!(!ws.target.host.is_empty(), "{text:?}");
        assert!(ws.url.username().is_empty() && ws.url.password().is_none());
        let again = wsctl::config::ws_url(ws.url.as_str())
            .unwrap_or_else(|e| panic!("{text:?} became {}: {e:#}", ws.url));
        assert_eq!((again.target, again.auth), (ws.target, None), "{text:?}");
    }
}

/// The client's reading of a server's answer to its opening handshake
/// (`net::ws::handshake::check_answer`): the first byte picks the subprotocols offered, the
/// rest is the answer. No panic; and an answer taken meets RFC 6455 4.1 (checked here with
/// httparse, independently): status 101, `Upgrade: websocket`, `Connection` naming `upgrade`,
/// the right `Sec-WebSocket-Accept`, no extension (none was offered), and a subprotocol that
/// was offered, or none when none was.
pub fn ws_answer(data: &[u8]) {
    let Some((&pick, answer)) = data.split_first() else {
        return;
    };
    let protocols: Vec<String> = match pick % 3 {
        0 => vec![],
        1 => vec!["chat".into()],
        _ => vec!["chat".into(), "superchat".into()],
    };
    if wsctl::net::ws::handshake::check_answer(answer, &protocols).is_err() {
        return;
    }
    let mut fields = [httparse::EMPTY_HEADER; 124];
    let mut response = httparse::Response::new(&mut fields);
    let parsed = response.parse(answer);
    assert!(
        matches!(parsed, Ok(httparse::Status::Complete(_))),
        "taken, yet httparse says {parsed:?}"
    );
    assert_eq!(response.code, Some(101));
    let values = |name: &str| -> Vec<String> {
        response
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
            .collect()
    };
    let tokens = |name: &str| -> Vec<String> {
        values(name)
            .iter()
            .flat_map(|v| v.split(',').map(|t| t.trim().to_ascii_lowercase()))
            .filter(|t| !t.is_empty())
            .collect()
    };
    assert!(tokens("upgrade").contains(&"websocket".into()), "{answer:?}");
    assert!(tokens("connection").contains(&"upgrade".into()), "{answer:?}");
    assert_eq!(values("sec-websocket-accept"), ["s3pPLMBiTxaQ9kYGzzhZRbK+xOo="]);
    assert_eq!(tokens("sec-websocket-extensions"), Vec::<String>::new());
    match values("sec-websocket-protocol").as_slice() {
        [] => assert!(protocols.is_empty(), "none chosen of {protocols:?}"),
        [chosen] => assert!(protocols.contains(chosen), "{chosen:?} not offered"),
        more => panic!("several subprotocols chosen: {more:?}"),
    }
}

/// Cutting a byte stream into lines or NUL records and joining messages back
/// (`framing::stage`, the only place that does either). The first byte picks the delimiter
/// (bit 0: NUL), text records (bit 1: must be UTF-8) and the size of the chunks the input
/// arrives in (bits 2-7); the second the record limit (255: none); the rest is the stream.
/// Checked: the records sent are the stream cut at each delimiter (a last one without its
/// delimiter included), in order, as text or binary messages; an error only at a record that
/// is over the limit or (text) not UTF-8, after every record before it; and the messages sent
/// the other way come out joined, each followed by the delimiter, a Ping skipped.
pub fn framing(data: &[u8]) {
    use wsctl::framing::{Framing, Records};
    use wsctl::relay::{Ends, Kind, Message, Transport, pair};

    thread_local! {
        // Built once per process (per thread): the fuzzer calls this many thousand times.
        static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime");
    }
    let [knobs, limit, input @ ..] = data else {
        return;
    };
    let (framing, delimiter) = if knobs & 1 == 0 {
        (Framing::Lines, b'\n')
    } else {
        (Framing::Null, 0)
    };
    let text = knobs & 2 != 0;
    let piece = 1 + usize::from(knobs >> 2);
    let max = if *limit == u8::MAX {
        usize::MAX
    } else {
        usize::from(*limit)
    };
    let mut want: Vec<&[u8]> = input.split(|&b| b == delimiter).collect();
    if want.last().is_some_and(|last| last.is_empty()) {
        want.pop(); // the stream ended with a delimiter (or was empty)
    }

    let (ends, remote) = pair();
    let Ends {
        tx: to_framed,
        rx: mut from_framed,
    } = remote;
    let joined = std::cell::RefCell::new(Vec::new());
    let controls = std::cell::Cell::new(0);
    // The local side: the input in chunks of `piece` bytes, then all that comes back.
    let (joined, controls) = (&joined, &controls);
    let side = |Ends { tx, mut rx }: Ends| async move {
        for chunk in input.chunks(piece) {
            if tx.send(Message::binary(chunk.to_vec())).await.is_err() {
                break; // the splitting failed
            }
        }
        drop(tx);
        while let Some(msg) = rx.recv().await {
            if msg.kind.is_control() {
                controls.set(controls.get() + 1);
            } else {
                joined.borrow_mut().extend_from_slice(&msg.data);
            }
        }
        Ok(())
    };
    // The remote side: records out, and the records back the other way after a ping.
    let records = async {
        let mut got = Vec::new();
        while let Some(msg) = from_framed.recv().await {
            got.push(msg);
        }
        got
    };
    let other_way = async {
        let ping = Message {
            data: Vec::new().into(),
            kind: Kind::Ping,
        };
        let _ = to_framed.send(ping).await;
        for record in &want {
            if to_framed.send(Message::binary(record.to_vec())).await.is_err() {
                break;
            }
        }
        drop(to_framed);
    };
    let transport = if text {
        Transport::Message
    } else {
        Transport::Datagram
    };
    let cut = Records {
        framing,
        max,
        transport,
        crlf: false,
    };
    let stages = wsctl::framing::stage(cut).into_iter().collect();
    let run = wsctl::relay::behind(side, stages, ends);
    let (result, got, ()) =
        RUNTIME.with(|runtime| runtime.block_on(async { tokio::join!(run, records, other_way) }));

    let kind = if text { Kind::Text } else { Kind::Binary };
    for (i, msg) in got.iter().enumerate() {
        assert_eq!(msg.kind, kind, "record {i}");
        assert_eq!(&msg.data[..], want[i], "record {i}");
    }
    match result {
        Ok(()) => assert_eq!(got.len(), want.len(), "records missing"),
        Err(err) => {
            let next = want.get(got.len()).unwrap_or_else(|| panic!("{err:#} after all"));
            let bad = next.len() > max || (text && std::str::from_utf8(next).is_err());
            assert!(bad, "{err:#} at a record that is fine");
        }
    }
    let mut rejoined = Vec::new();
    for record in &want {
        rejoined.extend_from_slice(record);
        rejoined.push(delimiter);
    }
    assert_eq!(*joined.borrow(), rejoined, "the messages were not joined back");
    assert_eq!(controls.get(), 1, "the ping is passed on");
}

/// Our proxy parsing (`net/proxy.rs`): the head of a proxy's answer to CONNECT (`answer`), a
/// proxy URL (`--proxy`, `$all_proxy`), a `no_proxy` list against a host (input: LIST, a
/// newline, HOST), and the words of a refusal's body (`text_of`). SOCKS5 is the tokio-socks
/// crate's. No panic; a parsed proxy, written back as
/// SCHEME://HOST:PORT, parses to the same kind and address; a list with `*` or (for a plain
/// host name) the host itself appended bypasses the proxy; the words are single-spaced.
pub fn proxy(data: &[u8]) {
    use wsctl::config::HostPort;
    use wsctl::net::proxy::{Answer, Kind, answer, bypassed, parse, text_of};
    // The input as a proxy's answer to CONNECT, arriving byte by byte: read on until its head
    // is complete, or refused as not HTTP from its first five bytes.
    for n in 0..=data.len() {
        let head = &data[..n];
        match answer(head) {
            Answer::More => assert!(b"HTTP/".starts_with(head) || head.starts_with(b"HTTP/")),
            Answer::NotHttp => {
                assert!(n <= 5 && !b"HTTP/".starts_with(head), "{head:?}");
                break;
            }
            Answer::Complete { status, line } => {
                assert!(head.starts_with(b"HTTP/"), "{head:?}");
                assert!(head.ends_with(b"\n\n") || head.ends_with(b"\n\r\n"));
                if status != 0 {
                    let code = format!("{status:03}");
                    assert_eq!(line.split_whitespace().nth(1), Some(code.as_str()));
                }
                break;
            }
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(proxy) = parse(text, None) {
        assert!(!proxy.addr.host.is_empty());
        let scheme = match proxy.kind {
            Kind::Http => "http",
            Kind::Socks5 => "socks5",
        };
        let host = &proxy.addr.host;
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.clone()
        };
        let url = format!("{scheme}://{host}:{}", proxy.addr.port);
        let again = parse(&url, Some("all_proxy")).unwrap_or_else(|e| panic!("{url}: {e:#}"));
        assert_eq!((again.kind, &again.addr), (proxy.kind, &proxy.addr), "{url}");
    }

    let (list, host) = text.split_once('\n').unwrap_or((text, "example.com"));
    let target = HostPort {
        host: host.to_string(),
        port: 443,
    };
    let _ = bypassed(list, &target);
    assert!(bypassed(&format!("{list},*"), &target));
    let plain = host.split('.').all(|label| {
        !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if plain {
        assert!(bypassed(&format!("{list},{host}"), &target));
        assert!(bypassed(&format!("{list}, .{}:443 ", host.to_uppercase()), &target));
        assert!(!bypassed(&format!("{host}:80"), &target));
    }

    let words = text_of(text);
    assert_eq!(words.trim(), words);
    assert!(!words.contains("  "), "{words:?}");
}

/// permessage-deflate's negotiation (`net/ws/deflate.rs`): the first byte picks the role,
/// the rest is a `Sec-WebSocket-Extensions` value. No panic; an offer a listener takes is
/// answered with windows of 9 to 15 bits (never the 8 flate2 cannot make), never wider than
/// the offer allows, and the answer, read back by a client, gives the same parameters.
pub fn deflate_offer(data: &[u8]) {
    use wsctl::net::ws::deflate::{accept, accepted, extensions};
    let Some((_, value)) = data.split_first() else {
        return;
    };
    let Some(offers) = extensions(std::iter::once(value)) else {
        return;
    };
    let _ = accepted(&offers);
    if let Some(config) = accept(&offers) {
        assert!((9..=15).contains(&config.server_max_window_bits), "{config:?}");
        assert!((8..=15).contains(&config.client_max_window_bits), "{config:?}");
        let answer = config.response();
        let read = extensions(std::iter::once(answer.as_bytes())).expect("our answer reads");
        assert_eq!(accepted(&read), Ok(config), "{answer}");
    }
}

/// The inflating gate (`net/ws/gate/inflate.rs`), as a listener with permessage-deflate: the
/// first byte picks the socket's and the reader's pieces, the client's window and whether it
/// resets; the rest is, first, taken as raw frames after a head (no panic, under no limit, a
/// 1 MiB one and a tiny one), then cut at 0xFF into messages that our own compressor deflates
/// as a client would (masked, the longer ones in two fragments, a ping between): the gate
/// hands tungstenite exactly those messages, inflated, and the ping.
pub fn inflate(data: &[u8]) {
    use wsctl::net::ws::deflate::{Compressor, DeflateConfig, Window};
    use wsctl::net::ws::gate::{messages, run_through_deflate};
    const HEAD: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let Some((&knobs, rest)) = data.split_first() else {
        return;
    };
    let piece = 1 + usize::from(knobs & 0x07) * 97;
    let read = 1 + usize::from((knobs >> 3) & 0x07) * 523;
    let bits = 9 + (knobs >> 1) % 7;
    let reset = knobs & 0x80 != 0;
    let config = DeflateConfig {
        client_max_window_bits: bits,
        client_no_context_takeover: reset,
        ..DeflateConfig::default()
    };
    let raw = [HEAD, rest].concat();
    for limit in [usize::MAX, 1 << 20, usize::from(knobs)] {
        let _ = run_through_deflate(&raw, limit, piece, read, config);
    }
    let key = [0x37, 0xfa, 0x21, 0x3d];
    let frame = |out: &mut Vec<u8>, byte0: u8, payload: &[u8]| {
        out.push(byte0);
        match payload.len() {
            n if n < 126 => out.push(0x80 | n as u8),
            n if n <= 0xFFFF => {
                out.push(0x80 | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(0x80 | 127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(&key);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    };
    let mut ours = Compressor::new(Window { bits, reset });
    let mut stream = HEAD.to_vec();
    let mut want = Vec::new();
    for message in rest.split(|&b| b == 0xFF) {
        let payload = ours.compress(message).expect("9 bits or more");
        if payload.len() > 2 {
            let (a, b) = payload.split_at(payload.len() / 2);
            frame(&mut stream, 0x40 | 0x02, a);
            frame(&mut stream, 0x89, b"between");
            want.push((0x09, b"between".to_vec()));
            frame(&mut stream, 0x80, b);
        } else {
            frame(&mut stream, 0x80 | 0x40 | 0x02, &payload);
        }
        want.push((0x02, message.to_vec()));
    }
    let out = run_through_deflate(&stream, usize::MAX, piece, read, config);
    // A ping between two fragments comes before the message it interrupts.
    let mut got = messages(&out).expect("the gate's output parses as frames");
    for (op, _) in &mut got {
        assert_eq!(*op & 0x70, 0, "RSV bits left set");
    }
    assert_eq!(got, want);
}
