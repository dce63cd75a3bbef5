#!/usr/bin/env python3
"""permessage-deflate peers that are not wsctl (Python `websockets`, which negotiates
compression by default), for tests/deflate.rs.

  deflate_peer.py server            server: echoes every message (compression on, no size
                                    limit); prints `listening on HOST:PORT` on stderr
  deflate_peer.py client URL MIB    client: sends MIB MiB of JSON-like text messages and MIB
                                    MiB of binary ones while reading the echoes back; prints
                                    one JSON line: the extension agreed and the SHA-256 of
                                    what it sent and got, per type
  deflate_peer.py one URL TEXT       client: sends TEXT, prints the extensions agreed and the
                                    first message back, as one JSON line
  deflate_peer.py bomb URL MIB      raw client: offers permessage-deflate, then sends one
                                    compressed text frame that inflates to MIB MiB; prints
                                    the close code the server answers with, and the frame's
                                    size
"""
import asyncio
import base64
import hashlib
import json
import os
import socket
import struct
import sys
import zlib

import websockets

CHUNK = 64 * 1024


def text_chunks(total):
    """JSON-like lines, as a feed would send them, about `total` bytes in all."""
    n, sent = 0, 0
    while sent < total:
        parts = []
        size = 0
        while size < CHUNK and sent + size < total:
            line = json.dumps({"id": n, "symbol": "ABC%d" % (n % 97), "price": n * 1.25,
                               "side": "buy" if n % 2 else "sell"})
            parts.append(line)
            size += len(line) + 1
            n += 1
        chunk = "\n".join(parts)
        sent += len(chunk)
        yield chunk


def binary_chunks(total):
    seed = hashlib.sha256(b"wsctl").digest()
    sent = 0
    while sent < total:
        block = b"".join(hashlib.sha256(seed + struct.pack(">Q", i)).digest()
                         for i in range(sent // 32, sent // 32 + CHUNK // 32))
        # Half random, half repeated: compressible, but not trivially.
        chunk = block[: CHUNK // 2] + bytes(CHUNK // 2)
        chunk = chunk[: total - sent]
        sent += len(chunk)
        yield chunk


async def client(url, mib):
    total = mib * 1024 * 1024
    async with websockets.connect(url, max_size=None, max_queue=None) as ws:
        extensions = [str(e.name) for e in ws.protocol.extensions]
        hashes = {k: hashlib.sha256() for k in ("sent_text", "got_text", "sent_binary", "got_binary")}
        count = 0

        async def send():
            nonlocal count
            for chunk in text_chunks(total):
                hashes["sent_text"].update(chunk.encode())
                await ws.send(chunk)
                count += 1
            for chunk in binary_chunks(total):
                hashes["sent_binary"].update(chunk)
                await ws.send(chunk)
                count += 1

        async def receive():
            got = 0
            sender = asyncio.ensure_future(send())
            while not sender.done() or got < count:
                try:
                    message = await asyncio.wait_for(ws.recv(), 30)
                except asyncio.TimeoutError:
                    break
                got += 1
                if isinstance(message, str):
                    hashes["got_text"].update(message.encode())
                else:
                    hashes["got_binary"].update(message)
            await sender

        await receive()
        result = {k: h.hexdigest() for k, h in hashes.items()}
        result["extensions"] = extensions
        print(json.dumps(result), flush=True)


async def server():
    async def echo(ws):
        async for message in ws:
            await ws.send(message)

    async with websockets.serve(echo, "127.0.0.1", 0, max_size=None) as srv:
        host, port = list(srv.sockets)[0].getsockname()[:2]
        print(f"listening on {host}:{port}", file=sys.stderr, flush=True)
        await asyncio.get_running_loop().create_future()


async def one(url, text):
    async with websockets.connect(url) as ws:
        extensions = [str(e.name) for e in ws.protocol.extensions]
        await ws.send(text)
        reply = await asyncio.wait_for(ws.recv(), 30)
        print(json.dumps({"extensions": extensions, "reply": reply}), flush=True)


def bomb(url, mib):
    host, port = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((
        f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        data = sock.recv(4096)
        if not data:
            raise SystemExit("closed during the handshake")
        head += data
    if b"permessage-deflate" not in head.split(b"\r\n\r\n")[0].lower():
        raise SystemExit("permessage-deflate was not accepted: " + head.decode(errors="replace"))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = b""
    zeros = bytes(1024 * 1024)
    for _ in range(mib):
        payload += deflate.compress(zeros)
    payload += deflate.flush(zlib.Z_SYNC_FLUSH)
    assert payload.endswith(b"\x00\x00\xff\xff")
    payload = payload[:-4]
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    header = bytes([0x80 | 0x40 | 0x1])  # FIN, RSV1, text
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    elif len(payload) < 65536:
        header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
    else:
        header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
    sock.sendall(header + mask + masked)
    # The server's answer: a Close frame (unmasked, from a server).
    data = head.split(b"\r\n\r\n", 1)[1]
    while len(data) < 4:
        more = sock.recv(4096)
        if not more:
            break
        data += more
    code = struct.unpack(">H", data[2:4])[0] if len(data) >= 4 and data[0] & 0x0F == 8 else None
    print(json.dumps({"close_code": code, "frame_bytes": len(payload)}), flush=True)


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "server":
        asyncio.run(server())
    elif mode == "client":
        asyncio.run(client(args[0], int(args[1])))
    elif mode == "one":
        asyncio.run(one(args[0], args[1]))
    elif mode == "bomb":
        bomb(args[0], int(args[1]))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
