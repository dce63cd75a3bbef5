#!/usr/bin/env python3
"""WebSocket peers that are not wsctl, for the interop tests (Python `websockets`, plus raw
sockets for peers that misbehave on purpose). Servers print `listening on HOST:PORT` on stderr
once bound to port 0, as wsctl does.

  ws_peer.py echo                      server: sends every message back, same type
  ws_peer.py report                    server: answers each message with a JSON line
                                       {"type": "text"|"binary", "len": N, "text": ...}
  ws_peer.py send N                    server: sends N text messages "message I", then closes
  ws_peer.py sink OUT IN               server: writes binary it receives to OUT, sends IN as
                                       binary messages, then closes when both are done
  ws_peer.py types URL                 client: sends a text and a binary message, prints the
                                       type of each echo
  ws_peer.py transfer URL IN OUT       client: sends IN as binary messages while writing what
                                       arrives to OUT, closes after IN, waits for the close
  ws_peer.py request URL TEXT          client: sends TEXT, prints the first answer, closes
  ws_peer.py raw MODE                  raw-socket server after a correct handshake:
                                       silent (reads, never answers: no pong, no Close)
                                       drop (closes TCP without a Close frame)
"""
import base64
import hashlib
import json
import socket
import sys
import threading

from websockets.sync.client import connect
from websockets.sync.server import serve

CHUNK = 64 * 1024


def listening(server_socket):
    host, port = server_socket.getsockname()[:2]
    print(f"listening on {host}:{port}", file=sys.stderr, flush=True)


def run_server(handler):
    with serve(handler, "127.0.0.1", 0, max_size=None, compression=None) as server:
        listening(server.socket)
        server.serve_forever()


def echo(ws):
    for message in ws:
        ws.send(message)


def report(ws):
    for message in ws:
        if isinstance(message, str):
            ws.send(json.dumps({"type": "text", "len": len(message.encode()), "text": message[:100]}))
        else:
            ws.send(json.dumps({"type": "binary", "len": len(message)}))


def sender(count):
    def handler(ws):
        for i in range(count):
            ws.send(f"message {i}")
        ws.close()

    return handler


def sink(out_path, in_path):
    def handler(ws):
        def receive():
            with open(out_path, "wb") as out:
                try:
                    for message in ws:
                        out.write(message if isinstance(message, bytes) else message.encode())
                except Exception as e:  # noqa: BLE001 - reported, then the test compares files
                    print(f"receive failed: {e}", file=sys.stderr, flush=True)

        receiver = threading.Thread(target=receive)
        receiver.start()
        with open(in_path, "rb") as data:
            while chunk := data.read(CHUNK):
                ws.send(chunk)
        receiver.join()

    return handler


def types(url):
    with connect(url, compression=None) as ws:
        ws.send("text message")
        ws.send(b"\x00\xffbinary")
        for _ in range(2):
            answer = ws.recv()
            print(type(answer).__name__, repr(answer), flush=True)


def transfer(url, in_path, out_path):
    with connect(url, max_size=None, compression=None) as ws:
        def receive():
            with open(out_path, "wb") as out:
                for message in ws:
                    out.write(message if isinstance(message, bytes) else message.encode())

        receiver = threading.Thread(target=receive)
        receiver.start()
        with open(in_path, "rb") as data:
            while chunk := data.read(CHUNK):
                ws.send(chunk)
        # Our Close goes after the data; what the peer sends until its Close is still written.
        ws.close()
        receiver.join()


def request(url, text):
    with connect(url, compression=None) as ws:
        ws.send(text)
        print(ws.recv(), flush=True)


def raw(mode):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    listening(server)
    conn, _ = server.accept()
    head = b""
    while b"\r\n\r\n" not in head:
        head += conn.recv(4096)
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
    if mode == "echo":
        run_server(echo)
    elif mode == "report":
        run_server(report)
    elif mode == "send":
        run_server(sender(int(args[0])))
    elif mode == "sink":
        run_server(sink(args[0], args[1]))
    elif mode == "types":
        types(args[0])
    elif mode == "transfer":
        transfer(*args)
    elif mode == "request":
        request(*args)
    elif mode == "raw":
        raw(args[0])
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
