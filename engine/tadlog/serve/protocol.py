"""uvicorn's HTTP protocol (httptools), with a response's head and body sent together.

uvicorn writes a response's status line and headers when the app sends ``http.response.start``
and the body when it sends ``http.response.body``: two sends, two segments, and a client that
wakes on the head (measured: 4 responses in 10 on loopback) reads again, or sleeps again, for
the body. Here the transport holds a write until the next one in the same turn of the event
loop, or until that turn ends, and sends them as one: the same bytes, never later than the
turn in which they were written (benchmarks/bench_service.py).
"""
from __future__ import annotations

import asyncio
from typing import Optional

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # no httptools: uvicorn's own choice (h11) serves
    HttpToolsProtocol = None


class _OneSend:
    """A transport that joins a write with the next one made in the same turn of the event loop."""

    __slots__ = ("_transport", "_loop", "_held")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport = transport
        self._loop = loop
        self._held: Optional[bytes] = None

    def write(self, data) -> None:
        held = self._held
        if held is None:
            if not data:
                return
            self._held = bytes(data)
            self._loop.call_soon(self.flush)
        else:
            self._held = None
            self._transport.write(held + data)

    def writelines(self, chunks) -> None:
        self.write(b"".join(chunks))

    def flush(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._held or b"")

    def __getattr__(self, name):
        return getattr(self._transport, name)


if HttpToolsProtocol is not None:
    class OneSendHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol on a transport that sends a response's head with its body."""

        def connection_made(self, transport) -> None:
            super().connection_made(_OneSend(transport, self.loop))
else:  # pragma: no cover - the serve extra installs httptools
    OneSendHttpToolsProtocol = None


def http_protocol():
    """What ``tadlog serve`` gives uvicorn as its HTTP protocol: the class above, or, without
    httptools, uvicorn's own choice (h11)."""
    return "auto" if OneSendHttpToolsProtocol is None else OneSendHttpToolsProtocol
