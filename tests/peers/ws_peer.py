#!/usr/bin/env python3
"""WebSocket peers that are not wsctl, for the interop tests (Python `websockets`, plus raw
sockets for peers that misbehave on purpose). Servers print `listening on HOST:PORT` on stderr
once bound to port 0, as wsctl does; all but `echo`, `reply` and `close-after` serve one
connection and exit.

  ws_peer.py echo                 server: sends every message back, same type (until killed)
  ws_peer.py collect              server: prints one JSON line per message received,
                                  {"type": "text"|"binary", "len": N, "text": first 100 chars}
  ws_peer.py send N               server: sends N text messages "message I", then closes
  ws_peer.py serve-file IN        server: sends the file IN as binary messages, then closes
  ws_peer.py save OUT             server: writes the payloads it receives to the file OUT
  ws_peer.py types URL            client: sends a text and a binary message, prints the type
                                  of each answer
  ws_peer.py pipeline URL N       client: sends N messages of mixed sizes and types (0 bytes to
                                  200 KB, every 40th at least 64 KiB) without waiting, while
                                  reading the echoes; prints "N echoes in order", or the first
                                  echo that differs, then closes
  ws_peer.py upload URL IN        client: sends the file IN as binary messages, then closes
  ws_peer.py download URL OUT     client: writes the payloads it receives to OUT until closed
  ws_peer.py raw silent|drop      raw-socket server: after a correct handshake, reads and
                                  never answers (no pong, no Close) / closes TCP at once
  ws_peer.py http                 raw-socket server: answers any request with HTTP/1.1 403
  ws_peer.py close-on CODE        server: echoes messages; on the text "close" it closes with
                                  CODE and the reason "asked to"
  ws_peer.py rfb-server            raw TCP server, VNC-like: sends an RFB banner line first,
                                  then echoes every byte (one connection)
  ws_peer.py reply DELAY          server (sync): answers each text message M with "re:M" after
                                  DELAY seconds (until killed)
  ws_peer.py reply-count DELAY    server (sync): answers each text message M with "re:M" after
                                  DELAY seconds; when the connection ends, prints
                                  {"replies": N, "end": "close CODE" | "no close"} (N: the replies
                                  it managed to send) and exits
  ws_peer.py close-after N        server (sync): once N messages have arrived on a connection,
                                  closes it with 1000 "enough" (until killed)
  ws_peer.py slow RATE            server (asyncio): reads messages at about RATE bytes/s, then
                                  prints {"received": N, "end": "close CODE" | ...} and exits
  ws_peer.py paced SECS           the same, taking SECS per message whatever its size, with
                                  the library's default queue (16 messages): it stops reading
                                  for 12 messages' time whenever the queue is full
  ws_peer.py vnc URL N            client, as a VNC viewer through a websockify: reads the
                                  server's first bytes (an RFB banner) as binary messages,
                                  sends N bytes of a pattern and reads them back (an echoing
                                  server), then closes; prints the banner and "N bytes back"

TLS: with WS_PEER_CERT and WS_PEER_KEY (PEM files) set, the servers speak wss://; clients of
a wss:// URL trust the CA certificates in WS_PEER_CA.
"""
import base64
import hashlib
import json
import os
import socket
import ssl
import sys
import threading
import time

from websockets.sync.client import connect
from websockets.sync.server import serve

CHUNK = 64 * 1024


def listening(server_socket):
    host, port = server_socket.getsockname()[:2]
    print(f"listening on {host}:{port}", file=sys.stderr, flush=True)


def server_tls():
    cert = os.environ.get("WS_PEER_CERT")
    if not cert:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, os.environ["WS_PEER_KEY"])
    return context


def client_tls(url):
    if not url.startswith("wss:"):
        return None
    return ssl.create_default_context(cafile=os.environ.get("WS_PEER_CA"))


def run_server(handler, once=True, **options):
    with serve(handler_once(handler) if once else handler, "127.0.0.1", 0, max_size=None,
               compression=None, ssl=server_tls(), **options) as server:
        SERVERS.append(server)
        listening(server.socket)
        server.serve_forever()


SERVERS = []


def handler_once(handler):
    def wrapped(ws):
        try:
            handler(ws)
        finally:
            threading.Thread(target=SERVERS[0].shutdown).start()

    return wrapped


def payload(message):
    return message if isinstance(message, bytes) else message.encode()


def echo(ws):
    for message in ws:
        ws.send(message)


def collect(ws):
    for message in ws:
        if isinstance(message, str):
            report = {"type": "text", "len": len(message.encode()), "text": message[:100]}
        else:
            report = {"type": "binary", "len": len(message)}
        print(json.dumps(report), flush=True)


def close_on(code):
    def handler(ws):
        for message in ws:
            if message == "close":
                ws.close(code, "asked to")
                return
            ws.send(message)
    return handler


def rfb_server():
    server = socket.create_server(("127.0.0.1", 0))
    listening(server)
    conn, _ = server.accept()
    conn.sendall(b"RFB 003.008\n")
    while data := conn.recv(65536):
        conn.sendall(data)
    conn.close()


def vnc(url, count):
    pattern = bytes((i * 7 + 3) % 251 for i in range(count))
    with connect(url, max_size=None, compression=None, ssl=client_tls(url)) as ws:
        banner = b""
        while not banner.endswith(b"\n"):
            message = ws.recv(timeout=30)
            assert isinstance(message, bytes), f"text from a byte stream: {message!r}"
            banner += message
        print(banner.decode().strip(), flush=True)
        # Sent from a thread while this one reads: a viewer reads as it sends, and a sender
        # that waited for its last byte to go out before reading could fill every buffer.
        def send_all():
            for start in range(0, count, 32768):
                ws.send(pattern[start:start + 32768])
        sending = threading.Thread(target=send_all)
        sending.start()
        back = b""
        while len(back) < count:
            back += ws.recv(timeout=30)
        sending.join()
        assert back == pattern, "the stream came back changed"
        print(f"{len(back)} bytes back", flush=True)


def replier(delay):
    def handler(ws):
        for message in ws:
            time.sleep(delay)
            ws.send("re:" + message)

    return handler


def counting_replier(delay):
    from websockets.exceptions import ConnectionClosed
    from websockets.protocol import State

    def handler(ws):
        replies = 0
        try:
            for message in ws:
                # The library answers a Close as it reads it; the messages still queued then
                # are drained unanswered (a send would wait for the reader, which waits for
                # room in the queue: a deadlock until the close timeout).
                if ws.protocol.state is State.OPEN:
                    time.sleep(delay)
                if ws.protocol.state is State.OPEN:
                    ws.send("re:" + message)
                    replies += 1
        except ConnectionClosed:
            pass  # the Close came between the look at the state and the send
        rcvd = ws.protocol.close_rcvd
        end = f"close {rcvd.code}" if rcvd else "no close"
        print(json.dumps({"replies": replies, "end": end}), flush=True)

    return handler


def closer_after(count):
    def handler(ws):
        received = 0
        for _ in ws:
            received += 1
            if received >= count:
                ws.close(1000, "enough")
                return

    return handler


def slow(rate, per_message=None, max_queue=1):
    import asyncio

    from websockets.asyncio.server import serve as serve_async
    from websockets.exceptions import ConnectionClosed

    async def main():
        done = asyncio.get_running_loop().create_future()

        async def handler(ws):
            received = 0
            messages = 0
            try:
                async for message in ws:
                    received += len(message)
                    messages += 1
                    await asyncio.sleep(per_message or len(message) / rate)
                rcvd = ws.protocol.close_rcvd
                end = f"close {rcvd.code}" if rcvd else "no close"
            except ConnectionClosed as e:
                end = f"lost: {e}"
            print(json.dumps({"received": received, "end": end, "messages": messages}),
                  flush=True)
            if not done.done():
                done.set_result(None)

        # max_queue=1: what the handler has not taken stays in TCP, where the sender can see
        # it being taken (the default queue of 16 messages hides up to 16 of them from it).
        async with serve_async(handler, "127.0.0.1", 0, max_size=None, compression=None,
                               ping_interval=None, max_queue=max_queue) as server:
            listening(list(server.sockets)[0])
            await done

    asyncio.run(main())


def sender(count):
    def handler(ws):
        for i in range(count):
            ws.send(f"message {i}")
        ws.close()

    return handler


def serve_file(in_path):
    def handler(ws):
        with open(in_path, "rb") as data:
            while chunk := data.read(CHUNK):
                ws.send(chunk)
        ws.close()

    return handler


def save(out_path):
    def handler(ws):
        with open(out_path, "wb") as out:
            for message in ws:
                out.write(payload(message))

    return handler


def types(url):
    with connect(url, compression=None, ssl=client_tls(url)) as ws:
        ws.send("text message")
        ws.send(b"\x00\xffbinary")
        for _ in range(2):
            answer = ws.recv()
            print(type(answer).__name__, repr(answer), flush=True)


def pipelined(i):
    """The i-th message of `pipeline`: its size and type change from one to the next."""
    size = [0, 1, 32, 125, 126, 1000, 65535][i % 7] if i % 40 else [65536, 200000][i % 80 // 40]
    body = (b"%d:" % i + b"x" * size)[:size] if size else b""
    return body.decode() if i % 3 else body


def pipeline(url, n):
    # asyncio: the sync client holds its lock while a send blocks, so its reading stops too
    # and a client sending faster than it reads deadlocks against any bounded echo.
    import asyncio
    from websockets.asyncio.client import connect as connect_async

    async def run():
        async with connect_async(url, max_size=None, compression=None, ssl=client_tls(url)) as ws:
            async def send():
                for i in range(n):
                    await ws.send(pipelined(i))

            sender = asyncio.ensure_future(send())
            for i in range(n):
                got, want = await asyncio.wait_for(ws.recv(), 20), pipelined(i)
                if got != want:
                    print(f"echo {i} differs: {type(got).__name__} of {len(got)}, "
                          f"expected {type(want).__name__} of {len(want)}", flush=True)
                    break
            else:
                print(f"{n} echoes in order", flush=True)
            await sender

    asyncio.run(run())


def upload(url, in_path):
    with connect(url, max_size=None, compression=None, ssl=client_tls(url)) as ws:
        with open(in_path, "rb") as data:
            while chunk := data.read(CHUNK):
                ws.send(chunk)


def download(url, out_path):
    with connect(url, max_size=None, compression=None, ssl=client_tls(url)) as ws:
        with open(out_path, "wb") as out:
            for message in ws:
                out.write(payload(message))


def accept_request():
    """A raw listener on port 0: the first connection and its request head."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    listening(server)
    conn, _ = server.accept()
    head = b""
    while b"\r\n\r\n" not in head:
        head += conn.recv(4096)
    return conn, head


def http():
    conn, _ = accept_request()
    body = b"<html>no WebSockets for you</html>\n"
    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body)
    conn.close()


def raw(mode):
    conn, head = accept_request()
    key = next(
        line.split(b":", 1)[1].strip()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"sec-websocket-key:")
    )
    accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
    conn.sendall(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )
    if mode == "drop":
        conn.close()
        return
    # silent: read everything, answer nothing, until the client goes away
    while conn.recv(65536):
        pass


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    servers = {
        "collect": lambda: collect,
        "send": lambda: sender(int(args[0])),
        "serve-file": lambda: serve_file(args[0]),
        "save": lambda: save(args[0]),
        "close-on": lambda: close_on(int(args[0])),
    }
    if mode == "echo":
        run_server(echo, once=False)
    elif mode == "reply":
        run_server(replier(float(args[0])), once=False)
    elif mode == "reply-count":
        run_server(counting_replier(float(args[0])), close_timeout=2)
    elif mode == "close-after":
        run_server(closer_after(int(args[0])), once=False)
    elif mode == "slow":
        slow(float(args[0]))
    elif mode == "paced":
        slow(None, per_message=float(args[0]), max_queue=16)
    elif mode in servers:
        run_server(servers[mode]())
    elif mode == "types":
        types(args[0])
    elif mode == "pipeline":
        pipeline(args[0], int(args[1]))
    elif mode == "upload":
        upload(*args)
    elif mode == "download":
        download(*args)
    elif mode == "rfb-server":
        rfb_server()
    elif mode == "vnc":
        vnc(args[0], int(args[1]))
    elif mode == "raw":
        raw(args[0])
    elif mode == "http":
        http()
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
