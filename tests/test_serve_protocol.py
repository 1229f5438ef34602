"""`tadlog serve`'s HTTP protocol: uvicorn's httptools protocol on a transport that sends a
response's head with its body (serve/protocol.py). The same bytes, in the same order, never
held past the turn of the event loop in which they were written."""
from __future__ import annotations

import asyncio
import json
import socket

import pytest

from serve_support import server  # noqa: F401  (fixture)
from tadlog.serve import protocol


class Recorder:
    """A transport that records what it is asked to do."""

    def __init__(self):
        self.calls = []

    def write(self, data):
        self.calls.append(("write", bytes(data)))

    def write_eof(self):
        self.calls.append(("write_eof",))

    def close(self):
        self.calls.append(("close",))

    def abort(self):
        self.calls.append(("abort",))

    def get_write_buffer_size(self):
        return 0

    def is_closing(self):
        return False


def run(steps):
    """Run ``steps(transport)`` in one turn of a fresh event loop, then let the loop turn once more."""
    async def main():
        inner = Recorder()
        steps(protocol._OneSend(inner, asyncio.get_running_loop()))
        during = list(inner.calls)
        await asyncio.sleep(0)  # the turn ends
        await asyncio.sleep(0)
        return during, inner.calls

    return asyncio.run(main())


def test_a_head_and_its_body_go_out_in_one_write():
    during, after = run(lambda t: (t.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"), t.write(b"{}")))
    assert during == after == [("write", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")]


def test_a_lone_write_is_sent_when_the_turn_ends():
    during, after = run(lambda t: t.write(b"HTTP/1.1 100 Continue\r\n\r\n"))
    assert during == [] and after == [("write", b"HTTP/1.1 100 Continue\r\n\r\n")]


def test_every_byte_in_order_and_nothing_empty():
    def steps(t):
        for chunk in (b"a", b"", b"b", memoryview(b"c"), b"d", b"e"):
            t.write(chunk)
        t.writelines([b"f", b"g"])

    during, after = run(steps)
    assert b"".join(c[1] for c in after) == b"abcdefg"
    assert all(c[1] for c in after)


def test_close_and_eof_send_what_is_held_first_abort_drops_it():
    _, closed = run(lambda t: (t.write(b"head"), t.close()))
    assert closed == [("write", b"head"), ("close",)]
    _, eof = run(lambda t: (t.write(b"head"), t.write_eof()))
    assert eof == [("write", b"head"), ("write_eof",)]
    _, aborted = run(lambda t: (t.write(b"head"), t.abort()))
    assert aborted == [("abort",)]


def test_what_is_held_counts_in_the_write_buffer():
    async def main():
        t = protocol._OneSend(Recorder(), asyncio.get_running_loop())
        t.write(b"12345")
        return t.get_write_buffer_size(), t.is_closing()

    assert asyncio.run(main()) == (5, False)


def test_serve_uses_it_when_httptools_is_installed():
    pytest.importorskip("httptools")
    assert protocol.http_protocol() is protocol.OneSendHttpToolsProtocol


def test_a_response_arrives_whole_on_a_raw_connection(server):
    """Keep-alive, two requests on one socket: each response's head declares the body that follows it."""
    host, port = server.rsplit("/", 1)[-1].split(":")
    body = json.dumps({"question": "why midpalate?"}).encode()
    request = (f"POST /v1/ask HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        reader = sock.makefile("rb")
        for _ in range(2):
            sock.sendall(request)
            status = reader.readline()
            headers = {}
            while (line := reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            answer = json.loads(reader.read(int(headers["content-length"])))
            assert status.startswith(b"HTTP/1.1 200") and answer["schema"].startswith("tadlog.answer/")
