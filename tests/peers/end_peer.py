#!/usr/bin/env python3
"""A peer for the end-of-session tests (tests/end.rs): one connection over TCP, TLS, ws:// or
wss://, as server or client, built on asyncio and Python `websockets` (not wsctl's code).
It sends a file, saves what it receives, and ends the session the way it is told; then it
prints one JSON line on stdout saying how the other side ended.

  end_peer.py server|client tcp|tls|ws|wss [ADDR|URL] --send FILE --recv FILE
              [--expect N] [--after-recv] [--delay S] [--end wait|close|reset|drop]

  server: listens on 127.0.0.1:0 and says `listening on HOST:PORT` on stderr (as wsctl does)
  client: connects to ADDR (tcp, tls: HOST:PORT) or URL (ws, wss)
  --send FILE    the bytes to send (binary messages of up to 64 KiB over WebSocket)
  --recv FILE    where the bytes (payloads) received are written
  --expect N     how many bytes to receive before ending our side (close, reset, drop)
  --after-recv   start sending only once N bytes have arrived (after --delay S seconds)
  --end wait     send everything, then wait for the other side to end; then end too (TCP
                 close, TLS close_notify, the WebSocket library answers the Close)
  --end close    once everything is sent and N bytes received: end our side first (TCP: a
                 half-close, reading on until EOF; TLS: close_notify; WebSocket: Close 1000)
  --end reset    once everything is sent and N bytes received: reset the connection (RST)
  --end drop     as reset, but a plain TCP close without the protocol's own closing
                 (no close_notify, no Close frame)

On stderr, `ending` is said just before our side ends (close, reset, drop). TLS: --cert and
--key (server), --ca (client, trusting that CA for the name `localhost`).

The JSON report: {"received": N, "end": "eof" | "close CODE REASON" | "reset" | "error: ..."}
("end" is how the other side ended, or "ours" when we ended first and then saw nothing).
"""
import argparse
import asyncio
import json
import socket
import ssl
import struct
import sys

CHUNK = 64 * 1024


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["server", "client"])
    p.add_argument("transport", choices=["tcp", "tls", "ws", "wss"])
    p.add_argument("target", nargs="?")
    p.add_argument("--send", required=True)
    p.add_argument("--recv", required=True)
    p.add_argument("--expect", type=int, default=0)
    p.add_argument("--after-recv", action="store_true")
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--end", choices=["wait", "close", "reset", "drop"], default="wait")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--ca")
    return p.parse_args()


def server_ssl(args):
    if args.transport not in ("tls", "wss"):
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    return context


def client_ssl(args):
    if args.transport not in ("tls", "wss"):
        return None
    return ssl.create_default_context(cafile=args.ca)


def say(text):
    print(text, file=sys.stderr, flush=True)


def set_rst(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class Session:
    def __init__(self, args):
        self.args = args
        self.data = open(args.send, "rb").read()
        self.out = open(args.recv, "wb")
        self.received = 0
        self.got_expected = asyncio.Event()
        self.end = None
        if args.expect <= 0:
            self.got_expected.set()

    def took(self, payload):
        self.out.write(payload)
        self.received += len(payload)
        if self.received >= self.args.expect:
            self.got_expected.set()

    def report(self):
        self.out.close()
        print(json.dumps({"received": self.received, "end": self.end or "ours"}), flush=True)

    async def before_sending(self):
        if self.args.after_recv:
            await self.got_expected.wait()
        if self.args.delay:
            await asyncio.sleep(self.args.delay)


async def stream_session(s, reader, writer):
    """TCP or TLS."""
    args = s.args

    async def receive():
        try:
            while chunk := await reader.read(CHUNK):
                s.took(chunk)
            s.end = "eof"
        except (ConnectionResetError, BrokenPipeError):
            s.end = "reset"
        except Exception as e:  # noqa: BLE001 - reported, the test decides
            s.end = f"error: {type(e).__name__}: {e}"
        s.got_expected.set()

    receiving = asyncio.create_task(receive())
    await s.before_sending()
    try:
        for start in range(0, len(s.data), CHUNK):
            writer.write(s.data[start:start + CHUNK])
            await writer.drain()
    except (ConnectionResetError, BrokenPipeError) as e:
        say(f"sending: {e}")
    if args.end == "wait":
        await receiving
        if args.transport == "tcp" or s.end == "eof":
            writer.close()  # TLS: close_notify back
        else:
            writer.transport.abort()
        try:
            await writer.wait_closed()
        except Exception:  # noqa: BLE001
            pass
        return
    await s.got_expected.wait()
    sock = writer.get_extra_info("socket")
    say("ending")
    if args.end == "close":
        if args.transport == "tcp":
            writer.write_eof()
            await receiving
            writer.close()
        else:
            # TLS has no half-close that OpenSSL keeps reading after: close_notify, then
            # the connection ends when the other side answers.
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 30)
            except Exception:  # noqa: BLE001
                pass
            receiving.cancel()
    else:
        if args.end == "reset":
            set_rst(sock)
        receiving.cancel()
        writer.transport.abort()


async def ws_session(s, ws):
    args = s.args

    async def receive():
        try:
            async for message in ws:
                s.took(message if isinstance(message, bytes) else message.encode())
        except Exception as e:  # noqa: BLE001
            s.end = f"error: {type(e).__name__}: {e}"
        rcvd = ws.protocol.close_rcvd
        if s.end is None:
            s.end = f"close {rcvd.code} {rcvd.reason}".rstrip() if rcvd else "eof"
        s.got_expected.set()

    receiving = asyncio.create_task(receive())
    await s.before_sending()
    try:
        for start in range(0, len(s.data), CHUNK):
            await ws.send(s.data[start:start + CHUNK])
    except Exception as e:  # noqa: BLE001
        say(f"sending: {type(e).__name__}: {e}")
    if args.end == "wait":
        await receiving
        return
    await s.got_expected.wait()
    say("ending")
    if args.end == "close":
        await ws.close(1000)
        try:
            await asyncio.wait_for(receiving, 30)
        except asyncio.TimeoutError:
            pass
        if s.end is not None and s.end.startswith("error"):
            pass
        rcvd = ws.protocol.close_rcvd
        s.end = f"close {rcvd.code} {rcvd.reason}".rstrip() if rcvd else (s.end or "eof")
    else:
        if args.end == "reset":
            set_rst(ws.transport.get_extra_info("socket"))
        receiving.cancel()
        ws.transport.abort()


async def main():
    args = parse()
    s = Session(args)
    done = asyncio.get_running_loop().create_future()
    ws_options = dict(max_size=None, compression=None, ping_interval=None, close_timeout=30)
    if args.transport in ("tcp", "tls"):
        if args.role == "server":
            async def serve(reader, writer):
                server.close()
                try:
                    await stream_session(s, reader, writer)
                finally:
                    done.set_result(None)

            server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_ssl(args))
            host, port = server.sockets[0].getsockname()[:2]
            say(f"listening on {host}:{port}")
            await done
        else:
            host, port = args.target.rsplit(":", 1)
            tls = client_ssl(args)
            reader, writer = await asyncio.open_connection(
                host, int(port), ssl=tls, server_hostname="localhost" if tls else None)
            await stream_session(s, reader, writer)
    else:
        from websockets.asyncio.client import connect
        from websockets.asyncio.server import serve

        if args.role == "server":
            async def handler(ws):
                server.close(close_connections=False)
                try:
                    await ws_session(s, ws)
                finally:
                    if not done.done():
                        done.set_result(None)

            server = await serve(handler, "127.0.0.1", 0, ssl=server_ssl(args), **ws_options)
            host, port = list(server.sockets)[0].getsockname()[:2]
            say(f"listening on {host}:{port}")
            await done
        else:
            async with connect(args.target, ssl=client_ssl(args), **ws_options) as ws:
                await ws_session(s, ws)
    s.report()


if __name__ == "__main__":
    asyncio.run(main())
