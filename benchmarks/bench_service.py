"""Service benchmark: `tadlog serve` against the warm library call, over a mixed question set.

    python benchmarks/bench_service.py [--requests 10000] [--per-level 650] [--rounds 20]

Measures, in one run on this machine:
- the baseline, the warm library call an embedding program makes to get what the service
  returns: ``Library.ask(question, patient)`` (the service's own call: the same questions,
  patient inputs, ``full=False``, time budget and all) and ``answer.to_json()``, the answer
  JSON as data. Before timing, the service's JSON is checked equal to it for every question.
  ``ask`` alone and ``ask`` + ``json.dumps`` are shown beside it;
- the service's latency: from sending the request on a keep-alive connection to having the
  whole response (status, headers, body) in hand; what the service adds is the HTTP exchange,
  reading and checking the body, encoding the answer and, for a slow question, the hop to a
  library thread. The client's parse of the response is the client's own work (its JSON
  library's: the standard one here); it is timed apart and shown added, not hidden. So is the
  client's and loopback's share: the same client against a server that does nothing. The
  client is a lean HTTP/1.1 one (``Client``: each request's bytes built before the clock, the
  response read into a kept buffer), as a load generator is; the standard library's
  http.client, which builds every request and every response's reader and headers anew, is
  measured beside it against the same server that does nothing;
- the service (a real ``tadlog serve`` on loopback, one process, its default threads) at
  concurrency 1, 8 and 32: requests per second, p50 and p95 latency, each question after a
  different one; their p50 beside the library's for such a question (its first call of each
  question, timed alternating with the service's first request of it);
- a soak of N requests (default 10,000) at concurrency 8: errors, and the server's resident
  memory before and after.
At concurrency 1 the library and the service take turns, call by call, so both see the same
moments of the machine (other work on it slows both alike) and each timed call starts on a core
that has just waited (see ``interleaved``); the median of the paired ratios is printed beside
the ratio of the medians. The goals (p50 at concurrency 1
within 1.3x the library call, 0 errors, resident memory growing by at most 10%) are reported,
never asserted by a timed test.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "engine"))

MIX = [  # every question form, with and without a patient, and one bad question (a 422 is a valid answer)
    {"question": "why not infrazygomatic?"},
    {"question": "why midpalate for molar distalisation?"},
    {"question": "why not the infrazygomatic crest for an adult with high MMPA?"},
    {"question": "sites for molar intrusion for an adolescent with a high MMPA?"},
    {"question": "risks of mandibular buccal?"},
    {"question": "contraindications for a diabetic smoker"},
    {"question": "is smoking a contraindication?"},
    {"question": "direct or indirect anchorage for a 12 year old?"},
    {"question": "compare midpalate and infrazygomatic crest"},
    {"question": "what is indirect anchorage?"},
    {"question": "indications in the vertical plane?"},
    {"question": "why not infrazygomatic?", "patient": {"age": 15, "factors": ["smoker"]}},
    {"question": "why not qqxxv?"},
]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


class LibraryCall:
    """The warm library call, as the service makes it (the same Library, patient inputs and all)."""

    def __init__(self):
        import tadlog
        from tadlog.serve.library import Library

        self.tadlog = tadlog
        self.library = Library(tadlog.load())
        self.library.warm_up()

    def answer(self, item: dict):
        """What the baseline computes for ``item``, as JSON data (or the error's code)."""
        try:
            return json.loads(json.dumps(self.library.ask(item["question"], self._patient(item)).to_json()))
        except self.tadlog.TadlogError as error:
            return error.diagnostics[0].code

    @staticmethod
    def _patient(item: dict):
        from tadlog.serve.patient import PatientInput

        p = item.get("patient")
        return PatientInput(p.get("age"), p.get("bmi"), tuple(p.get("factors", ()))) if p else None

    def __call__(self, item: dict, stage: str = "json") -> float:
        """Seconds for one call: ``ask`` only, ``json`` (ask + to_json: the baseline) or ``bytes``
        (ask + to_json + json.dumps)."""
        patient = self._patient(item)
        start = time.perf_counter()
        try:
            answer = self.library.ask(item["question"], patient)
            if stage != "ask":
                data = answer.to_json()
                if stage == "bytes":
                    json.dumps(data, ensure_ascii=False)
        except self.tadlog.TadlogError as error:
            if stage != "ask":  # the service sends the error as JSON: build it too
                data = [d.to_json() for d in error.diagnostics]
        return time.perf_counter() - start


def start_server() -> tuple[subprocess.Popen, str]:
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "engine"))
    process = subprocess.Popen([sys.executable, "-m", "tadlog", "serve", "--port", str(port)], env=env,
                               stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"tadlog serve did not start: {process.stderr.read()}")


def _http_parser() -> str:
    try:
        import httptools  # noqa: F401
    except ImportError:
        return "h11 (pure Python; pip install httptools)"
    return "httptools (a response's head and body in one send: serve/protocol.py)"


def _json_encoder() -> str:
    try:
        import orjson  # noqa: F401
    except ImportError:
        return "json (pip install orjson)"
    return "orjson"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Client:
    """One keep-alive HTTP/1.1 connection, built as a load generator builds it (wrk, h2load), so
    that what is timed is the service and not the client: each request's bytes (request line,
    Host, Content-Type, Content-Length and body) are built once, before the clock starts, and
    sent in one send (TCP_NODELAY); the response is read into a buffer kept for the connection:
    the status line, the headers, then exactly Content-Length bytes of body. A response without
    a Content-Length (the service always sends one), a short read or a closed connection is an
    error, and the next request opens a new connection. The standard library's http.client,
    which builds every request anew (header checks) and every response's reader and headers
    (email.parser), cost 0.25-0.3 ms more per request here (``StdlibClient``, measured beside it
    against a server that does nothing)."""

    def __init__(self, base: str):
        host, port = base.rsplit("/", 1)[-1].split(":")
        self.address = (host, int(port))
        self.sock: "socket.socket | None" = None
        self.buffer = bytearray(1 << 18)
        self.prepared: dict[str, bytes] = {}

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(self.address, timeout=60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        return sock

    def request_bytes(self, item: dict) -> bytes:
        body = json.dumps(item)
        request = self.prepared.get(body)
        if request is None:
            data = body.encode()
            request = self.prepared[body] = (
                f"POST /v1/ask HTTP/1.1\r\nHost: {self.address[0]}:{self.address[1]}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data
        return request

    def _read_response(self, sock: socket.socket) -> tuple[int, bytes]:
        buffer = self.buffer
        view = memoryview(buffer)
        size, head_end = 0, -1
        while head_end < 0:
            if size == len(buffer):
                raise ValueError("response headers too long")
            got = sock.recv_into(view[size:])
            if not got:
                raise ConnectionError("connection closed")
            size += got
            head_end = buffer.find(b"\r\n\r\n", 0, size)
        lines = bytes(view[:head_end]).split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise ValueError("response without Content-Length")
        total = head_end + 4 + length
        if total > len(buffer):  # a larger answer: grow the buffer for this and later responses
            view.release()
            buffer.extend(bytes(total - len(buffer)))
            view = memoryview(buffer)
        while size < total:
            got = sock.recv_into(view[size:total])
            if not got:
                raise ConnectionError("connection closed")
            size += got
        body = bytes(view[head_end + 4:total])
        view.release()
        return status, body

    def exchange(self, item: dict) -> tuple[float, float, bool, object]:
        """One request: seconds until the whole response is in hand (status, headers and body
        read: the service's latency), seconds the client then takes to parse it (its own work,
        shown apart), whether it is the answer expected (200, or the 422 of the bad question),
        and the parsed body."""
        request = self.request_bytes(item)
        start = time.perf_counter()
        try:
            status, raw = self._round_trip(request)
        except (OSError, ValueError):  # no whole response: this connection is done with
            received = time.perf_counter()
            self._reset()
            return received - start, 0.0, False, None
        received = time.perf_counter()
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        parsed = time.perf_counter()
        ok = status == 200 or (status == 422 and isinstance(data, dict) and data.get("code") == "Q002")
        return received - start, parsed - received, ok, data

    def _round_trip(self, request: bytes) -> tuple[int, bytes]:
        sock = self.sock or self._connect()
        sock.sendall(request)
        return self._read_response(sock)

    def _reset(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def ask(self, item: dict) -> tuple[float, bool]:
        seconds, _, ok, _ = self.exchange(item)
        return seconds, ok


class StdlibClient(Client):
    """The same exchange through the standard library's http.client (one keep-alive connection)."""

    def __init__(self, base: str):
        import http.client

        super().__init__(base)
        self.conn = http.client.HTTPConnection(*self.address, timeout=60)

    def request_bytes(self, item: dict) -> bytes:  # the body only: http.client builds the rest per request
        return json.dumps(item).encode()

    def _round_trip(self, request: bytes) -> tuple[int, bytes]:
        self.conn.request("POST", "/v1/ask", body=request, headers={"Content-Type": "application/json"})
        response = self.conn.getresponse()
        return response.status, response.read()

    def _reset(self) -> None:
        self.conn.close()


NULL_SERVER = r"""
import asyncio, sys
body = b'"' + b"x" * (int(sys.argv[1]) - 2) + b'"'  # a JSON string of that size
reply = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(body)) + body
class Null(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""
    def data_received(self, data):
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, _, rest = self.buffer.partition(b"\r\n\r\n")
            length = int(next(l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")).split(b":")[1])
            if len(rest) < length:
                return
            self.buffer = rest[length:]
            self.transport.write(reply)
async def main():
    server = await asyncio.get_running_loop().create_server(Null, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()
asyncio.run(main())
"""


def client_cost(size: int, count: int) -> tuple[list[float], list[float]]:
    """The client's and loopback's own share of a request: the same Client and request against a
    server that does nothing (another process, answering every request with ``size`` bytes at once);
    and the same for http.client (StdlibClient), requests alternating between the two."""
    process = subprocess.Popen([sys.executable, "-c", NULL_SERVER, str(size)], stdout=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{int(process.stdout.readline())}"
        client, stdlib = Client(base), StdlibClient(base)
        item = MIX[0]
        for _ in range(50):
            client.exchange(item)
            stdlib.exchange(item)
        lean, heavy = [], []
        for n in range(count):  # in turn, each first half the time
            for which in ((client, lean), (stdlib, heavy))[::1 if n % 2 else -1]:
                which[1].append(which[0].exchange(item)[0])
        return lean, heavy
    finally:
        process.terminate()
        process.wait(timeout=20)


def same_work(base: str, library: "LibraryCall") -> list[str]:
    """Whether the service and the baseline do the same work: for every question of the mix, the
    service's JSON equals the library call's ``to_json()`` (or the same error code). Returns the differences."""
    client = Client(base)
    differences = []
    for item in MIX:
        _, _, _, served = client.exchange(item)
        expected = library.answer(item)
        if isinstance(expected, str):  # an error code
            if not (isinstance(served, dict) and served.get("code") == expected):
                differences.append(f"{item}: the library refused it ({expected}), the service sent {str(served)[:80]}")
        elif served != expected:
            differences.append(f"{item}: the service's answer differs from the library's to_json()")
    return differences


def load(base: str, concurrency: int, total: int) -> tuple[list[float], int, float]:
    """``total`` requests over the mix from ``concurrency`` client threads: latencies, errors, wall time."""
    import threading

    latencies: list[float] = []
    errors = [0]
    counter = iter(range(total))
    lock = threading.Lock()

    def worker():
        client = Client(base)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            seconds, ok = client.ask(MIX[n % len(MIX)])
            with lock:
                latencies.append(seconds)
                errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.perf_counter() - began


def library_in_order(library: "LibraryCall", total: int) -> list[float]:
    """The library call over the mix in the order ``load`` sends it (each question after a
    different one, as the table's service requests come), in a tight loop: a process that never
    waits keeps its core busy and its caches warm, which a client waiting on a reply (and a
    server waiting for the next request) does not; shown beside the table, not as its baseline
    (that is the library's first call of each question, timed alternating with the service)."""
    return [library(MIX[n % len(MIX)], "json") for n in range(total)]


def interleaved(base: str, library: "LibraryCall", rounds: int):
    """Concurrency 1, side by side, warm, each side's calls taking turns with the other's: for
    each question, the library's first call of it (after a different one: ``first``), then the
    service's first request of it (``cold``, set beside ``first``); then twice the baseline
    (ask + to_json) and the service, in turn; then ask alone, the same question worded anew
    (trailing spaces: a request the service has not seen, on a library thread: ``new``), ask +
    dumps, and an untimed request. Each side is timed warm (its caches filled by the call before), as it runs when
    it serves a stream of questions, and every timed call follows one of the other side's:
    so each starts on a core that has just waited, as a client's next question does.

    Measured (2026-12-07): a library call after 5 ms asleep takes 15-25% longer than the same
    call made back to back, and the server's ask took 9-29% longer than the library's calls made
    2nd to 5th in a row (this benchmark until then) but 0.81-1.11x theirs with its core kept
    awake by a nice-19 spinner. The library's back-to-back calls were timed on a core that never
    waits; the service's, never on one. Alternating, both see the same moments of the machine
    (other work on it slows both alike). The first calls, each question after a different one,
    are how a stream of different questions runs: that pair is the goal's second reading. The
    service's latency ends when its response is in hand; the client's parse of it is timed apart
    (``parse``) and shown added (``parsed``)."""
    client = Client(base)
    ask, baseline, dumped, service, parse, parsed, cold, new, errors = [], [], [], [], [], [], [], [], 0
    first = []

    def exchange(into: list, item: dict) -> tuple[float, float]:
        nonlocal errors
        seconds, reading, ok, _ = client.exchange(item)
        into.append(seconds)
        errors += not ok
        return seconds, reading

    for round_ in range(rounds):
        for item in MIX:
            first.append(library(item, "json"))
            exchange(cold, item)
            for _ in range(2):
                baseline.append(library(item, "json"))
                seconds, reading = exchange(service, item)
                parse.append(reading)
                parsed.append(seconds + reading)
            ask.append(library(item, "ask"))
            exchange(new, dict(item, question=item["question"] + " " * (round_ + 1)))
            dumped.append(library(item, "bytes"))
            exchange([], item)  # untimed: the next question's first library call follows the service too
    return ask, baseline, dumped, service, parse, parsed, cold, new, errors, first


def _line(name: str, values: list[float], extra: str = "") -> str:
    return f"  {name:<36} p50 {statistics.median(values) * 1e3:6.2f} ms  p95 {percentile(values, .95) * 1e3:6.2f} ms{extra}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="soak size (default 10000)")
    parser.add_argument("--per-level", type=int, default=650, help="requests per concurrency level")
    parser.add_argument("--rounds", type=int, default=20, help="rounds of the mix, interleaved (default 20)")
    args = parser.parse_args()

    library = LibraryCall()
    process, base = start_server()
    try:
        load(base, 4, 4 * len(MIX))  # warm the server's threads and connections
        differences = same_work(base, library)
        ask, lib, dumped, service, parse, parsed, cold, new, errors, first = interleaved(base, library, args.rounds)
        base_p50 = statistics.median(lib)
        goal = statistics.median(service) / base_p50
        pairs = list(zip(service, lib))  # two of each per question and round
        paired = statistics.median(s / b for s, b in pairs)
        print(f"{len(MIX)}-question mix, {args.rounds} rounds, concurrency 1, warm and alternating "
              f"(load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores, nice {os.nice(0)}):")
        print(f"  same work: the service's JSON equals the baseline's to_json() for "
              f"{len(MIX) - len(differences)} of {len(MIX)} questions (same questions, patients, full=false)"
              + "".join(f"\n    DIFFERS {d}" for d in differences))
        print(_line("library ask", ask))
        print(_line("library ask + to_json (the baseline)", lib))
        print(_line("library ask + to_json + json.dumps", dumped))
        print(_line("service POST /v1/ask, response in hand", service,
                    f"  = {goal:.2f}x the baseline ({statistics.median(service) / statistics.median(ask):.2f}x ask "
                    f"alone, {statistics.median(service) / statistics.median(dumped):.2f}x ask + dumps); {errors} errors"))
        print(_line("  + the client's json.loads of it", parsed,
                    f"  = {statistics.median(parsed) / base_p50:.2f}x (the parse alone: p50 "
                    f"{statistics.median(parse) * 1e3:.2f} ms)"))
        print(_line("library, a question after a different one", first))
        print(_line("service, a question after a different one", cold,
                    f"  = {statistics.median(cold) / statistics.median(first):.2f}x the library's "
                    f"(paired {statistics.median(c / f for c, f in zip(cold, first)):.2f}x)"))
        print(_line("service, a question not seen before", new,
                    f"  = {statistics.median(new) / base_p50:.2f}x (on a library thread, as every new question)"))
        overhead = [s - b for s, b in pairs]
        print(f"  the service's own cost per request (service - baseline, paired): p50 "
              f"{statistics.median(overhead) * 1e3:.2f} ms; median of the paired ratios {paired:.2f}x; "
              f"best case: baseline {min(lib) * 1e3:.2f} ms, service {min(service) * 1e3:.2f} ms")
        size = statistics.median(len(json.dumps(library.answer(item))) for item in MIX)
        null, null_stdlib = client_cost(int(size), 500)
        print(f"  of it, the client and loopback (the same client against a server that does nothing, "
              f"{size / 1024:.0f} KB replies): p50 {statistics.median(null) * 1e3:.2f} ms, "
              f"p95 {percentile(null, .95) * 1e3:.2f} ms (http.client: p50 {statistics.median(null_stdlib) * 1e3:.2f} ms)")
        print(f"  server: uvicorn with {_http_parser()} HTTP, JSON by {_json_encoder()}")
        in_order = library_in_order(library, args.per_level)
        order_p50 = statistics.median(first)  # the same kind of request as the table's, timed at the same moments
        print(f"the mix in turn, each question after a different one; p50 / library is against the library's "
              f"{order_p50 * 1e3:.2f} ms for such a question, timed alternating above (the library alone in a "
              f"tight loop over the mix, never waiting: p50 {statistics.median(in_order) * 1e3:.2f} ms, "
              f"{len(in_order) / sum(in_order):.1f} calls/s on one thread):")
        print(f"{'concurrency':>11} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p50 / library':>14} {'errors':>7}")
        for concurrency in (1, 8, 32):
            latencies, errors, wall = load(base, concurrency, args.per_level)
            p50 = statistics.median(latencies)
            print(f"{concurrency:>11} {len(latencies) / wall:>8.1f} {p50 * 1e3:>8.2f} "
                  f"{percentile(latencies, .95) * 1e3:>8.2f} {p50 / order_p50:>13.2f}x {errors:>7}")
        before = rss_kib(process.pid)
        latencies, errors, wall = load(base, 8, args.requests)
        after = rss_kib(process.pid)
        growth = (after - before) / before if before else float("nan")
        print(f"soak: {len(latencies)} requests at concurrency 8 in {wall:.1f} s ({len(latencies) / wall:.0f} req/s), "
              f"{errors} errors; server RSS {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB ({growth:+.1%})")
        after_other = statistics.median(cold) / statistics.median(first)
        worst = max(goal, after_other)
        print(f"goals: p50 at concurrency 1 = {goal:.2f}x the library call, warm, and {after_other:.2f}x for a question "
              f"after a different one (goal <= 1.3x: {'met' if worst <= 1.3 else 'NOT met'}); errors {errors} "
              f"(goal 0: {'met' if errors == 0 else 'NOT met'}); "
              f"RSS growth {growth:+.1%} (goal <= 10%: {'met' if growth <= 0.10 else 'NOT met'})")
    finally:
        process.terminate()
        process.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
