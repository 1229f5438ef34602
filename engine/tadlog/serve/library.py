"""The library calls the service makes, confined to a few dedicated threads.

pyDatalog keeps all its state per thread, and tadlog installs a fresh logic on the calling
thread for each evaluation (engine/evaluate.py), so a question must run start to finish on one
thread. A small fixed pool does that: the knowledge base is loaded and evaluated once, then
only read. A question gets the time limit as its library budget (the library stops itself,
limits.py); should a call still run a second past it, the request is answered with an error at
once and the pool stays bounded (requests beyond it wait, they do not spawn threads).

A request already answered quickly runs in the event loop instead, start to finish: handing
it to a thread and back costs two thread wake-ups, which on a loaded or idle machine cost more
than such an answer itself (benchmarks/bench_service.py). The knowledge base is read-only, so
the same request does the same work again: one that took at most ``INLINE_SECONDS`` holds the
loop no longer than that. A request seen for the first time, or slower, goes to the pool, and
so does every request while others are in it (there the pool keeps the turns fair: measured,
answering inline beside busy threads lengthened the tail at concurrency 32).
"""
from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import Diagnostic, TadlogError
from .patient import PatientInput, merge_patient, split_patient, with_findings

DEFAULT_THREADS = 4
DEFAULT_TIME_LIMIT = 10.0  # seconds per question
INLINE_SECONDS = 0.005  # a request that took at most this runs in the event loop next time
KEPT_TIMINGS = 4096  # requests whose last duration is remembered (the oldest go first)


class ServiceError(TadlogError):
    """A request the service refuses (bad body, unknown statement, time limit): a 4xx or 503."""

    def __init__(self, message: str, *, code: str, status: int = 422, pointer: Optional[str] = None,
                 suggestion: Optional[str] = None):
        super().__init__([Diagnostic(code, message, suggestion=suggestion)], code=code)
        self.status = status
        self.pointer = pointer


class Library:
    """One loaded knowledge base and the threads that ask it."""

    def __init__(self, kb, *, sources: Optional[Path] = None, threads: int = DEFAULT_THREADS,
                 time_limit: float = DEFAULT_TIME_LIMIT):
        self.kb = kb
        self.sources = sources
        self.time_limit = time_limit
        self.threads = max(1, threads)
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="tadlog-ask")
        self._warm = threading.Event()
        self._took: OrderedDict = OrderedDict()  # request key -> seconds its last run took
        self._took_lock = threading.Lock()
        self._in_pool = 0  # requests handed to the pool and not yet done (counted on the event loop)

    # ---- running -------------------------------------------------------------------------
    async def run(self, function: Callable[..., Any], *args, limit: Optional[float] = None, key=None):
        """Run ``function(*args)`` on a library thread, within the time limit; or, for a ``key``
        (the request, hashable) whose last run took at most INLINE_SECONDS, in the event loop."""
        if key is not None and not self._in_pool:  # with others waiting, the pool keeps the turns fair
            took = self._took.get(key)
            if took is not None and took <= INLINE_SECONDS:
                return self._timed(key, function, *args)
        loop = asyncio.get_running_loop()
        self._in_pool += 1
        future = loop.run_in_executor(self._pool, self._timed, key, function, *args)
        future.add_done_callback(self._left_pool)
        try:  # the library stops itself at its budget; this is the backstop for what it cannot stop
            return await asyncio.wait_for(future, timeout=(limit or self.time_limit) + 1.0)
        except asyncio.TimeoutError:
            raise ServiceError(f"the question took longer than {limit or self.time_limit:g} s; it was stopped "
                               "waiting (try a narrower question)", code="S503", status=503) from None

    def _left_pool(self, future) -> None:  # on the event loop: no lock needed
        self._in_pool -= 1

    def _timed(self, key, function: Callable[..., Any], *args):
        if key is None:
            return function(*args)
        start = time.perf_counter()
        try:
            return function(*args)
        finally:
            with self._took_lock:
                self._took[key] = time.perf_counter() - start
                self._took.move_to_end(key)
                while len(self._took) > KEPT_TIMINGS:
                    self._took.popitem(last=False)

    def warm_up(self) -> None:
        """Evaluate the knowledge base once and parse one question on every thread, before serving."""
        self.kb.interpretation  # noqa: B018  (computed once, then shared read-only)
        self.kb.derivations  # noqa: B018
        for future in [self._pool.submit(self.kb.ask, "help") for _ in range(self.threads)]:
            future.result()
        self._warm.set()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ---- the calls ---------------------------------------------------------------------------
    def ask(self, question, patient: Optional[PatientInput] = None, full: bool = False, depth: int = 8):
        """Parse the question (text, or a Query already parsed), add the structured patient inputs
        to what it states, answer it."""
        query = self.kb.parse_question(question) if isinstance(question, str) else question
        note = None
        if patient is not None:
            findings = split_patient(self.kb.model, patient.factors)[1]
            if findings:  # worded into the question, as a question names a finding
                query, note = with_findings(self.kb, query, findings)
            query = dataclasses.replace(query, patient=merge_patient(query.patient, patient, self.kb.model))
        answer = self.kb.ask(query, full=full, depth=depth, budget=self.time_limit)
        return dataclasses.replace(answer, notes=answer.notes + (note,)) if note else answer

    def passage(self, statement_id: str):
        from ..language.passage import passage

        return passage(self.kb.model, statement_id, self.sources)

    @cached_property
    def terms(self) -> list[dict]:
        """Every term with its label, category and aliases: what the ask box completes."""
        return [{"name": t.name, "label": t.label or t.name.replace("_", " "), "category": t.category,
                 "aliases": list(t.aliases)} for t in sorted(self.kb.model.terms, key=lambda t: t.name)]
