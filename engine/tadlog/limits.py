"""Resource limits: every input that could make tadlog slow or crash meets a bound first.

Each bound turns into a clear :class:`~tadlog.errors.TadlogError` naming the limit, never a
hang or a Python exception. docs/limits.md lists them for users; they live here so the
parser, the validator, the engine and the shells all read the same numbers.

The per-question time budget has two halves. Python code (question reading, proof search,
why-not analysis) calls :func:`check_budget` in its loops and, on the main thread, a timer
signal interrupts it too. pyDatalog's compiled engine services no signal, so a rule that a
user wrote (a raw query) is evaluated in a worker process that is stopped at the deadline
(:mod:`tadlog.engine.worker`).
"""
from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator, Optional

from .errors import Diagnostic, Location, TadlogError

MAX_NUMBER_DIGITS = 15          # digits of a number: 15 round-trip exactly through a float
MAX_BODY_LITERALS = 64          # conditions in one rule or raw query (the bundled KB uses 6)
MAX_KB_FILE_BYTES = 512 << 10   # one .tad file (the bundled KB has 26 KB at most; parsing runs ~200 KB/s)
MAX_KB_FILES = 5000             # .tad files in one knowledge base
MAX_SOURCE_FILE_BYTES = 64 << 20  # one seed text read to verify quotes
MAX_PROOF_DEPTH = 64            # levels of a proof tree shown (--depth)
DEFAULT_BUDGET_SECONDS = 10.0   # wall-clock time for one question (TADLOG_BUDGET overrides)
BUDGET_ENV = "TADLOG_BUDGET"


class LimitError(TadlogError):
    """An input is over one of tadlog's resource limits (docs/limits.md)."""


class BudgetExceeded(LimitError):
    """A question ran past its wall-clock budget and was stopped."""


def limit_error(code: str, message: str, location: Optional[Location] = None,
                suggestion: Optional[str] = None) -> LimitError:
    return LimitError([Diagnostic(code, message, location, suggestion=suggestion)])


def default_budget() -> float:
    """The budget in seconds: $TADLOG_BUDGET when it is a positive number, else the default."""
    try:
        value = float(os.environ.get(BUDGET_ENV, ""))
    except ValueError:
        return DEFAULT_BUDGET_SECONDS
    return value if 0 < value < float("inf") else DEFAULT_BUDGET_SECONDS


# ---- the per-question budget ----------------------------------------------------------------
_state = threading.local()


def deadline() -> Optional[float]:
    """The monotonic time at which the current thread's question must stop (None: no budget)."""
    return getattr(_state, "deadline", None)


def remaining() -> Optional[float]:
    end = deadline()
    return None if end is None else end - time.monotonic()


def _exceeded() -> BudgetExceeded:
    seconds = getattr(_state, "seconds", None) or DEFAULT_BUDGET_SECONDS  # None once a budget has ended
    return BudgetExceeded([Diagnostic(
        "L100", f"the question ran past its time budget of {seconds:g} s and was stopped",
        suggestion=f"ask something narrower, or raise the budget with {BUDGET_ENV}=SECONDS")])


def check_budget() -> None:
    """Raise :class:`BudgetExceeded` once the current question's deadline has passed.

    Cheap enough for inner loops (one attribute read and a clock read)."""
    end = getattr(_state, "deadline", None)
    if end is not None and time.monotonic() > end:
        raise _exceeded()


@contextmanager
def budget(seconds: Optional[float] = None) -> Iterator[None]:
    """Run the body under a wall-clock budget (nested budgets keep the earlier deadline)."""
    seconds = default_budget() if seconds is None else float(seconds)
    outer_deadline, outer_seconds = deadline(), getattr(_state, "seconds", None)
    end = time.monotonic() + seconds
    if outer_deadline is not None and outer_deadline <= end:
        yield  # an enclosing budget is stricter: it stays in charge
        return
    _state.deadline, _state.seconds = end, seconds
    timer = _arm_timer(seconds)
    try:
        yield
    finally:
        _disarm_timer(timer)
        _state.deadline, _state.seconds = outer_deadline, outer_seconds


class unbudgeted:
    """Run the body outside the current question's budget, moving its deadline on by the time
    the body took. For work on the knowledge base itself that a question happens to trigger
    first (an index built, a cached section decoded): the budget counts the question's work,
    as ``KnowledgeBase.ask`` promises, and the work is bounded by the knowledge base, never by
    what the question says.

    A class, not a generator, and no system call: a first question at 100x decodes 37,000 cached
    entries each inside one, and stopping and restarting the timer around each (two ``setitimer``
    calls) was a fifth of the question. The timer runs on; the alarm (``_arm_timer``) finds the
    body running or the deadline moved on and looks again later. Only the outermost block moves
    the deadline, by its whole time."""

    __slots__ = ("_started",)

    def __enter__(self) -> None:
        self._started = None
        if getattr(_state, "deadline", None) is not None and not getattr(_state, "outside", 0):
            self._started = time.monotonic()
        _state.outside = getattr(_state, "outside", 0) + 1

    def __exit__(self, *exc) -> bool:
        _state.outside -= 1
        if self._started is not None and getattr(_state, "deadline", None) is not None:
            _state.deadline += time.monotonic() - self._started
        return False


def _arm_timer(seconds: float):
    """On the main thread, a real-time timer interrupts pure-Python loops at the deadline."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return None

    def on_alarm(signum, frame):
        end = deadline()
        now = time.monotonic()
        if getattr(_state, "outside", 0):  # knowledge-base work (unbudgeted): look again soon
            signal.setitimer(signal.ITIMER_REAL, 0.05)
        elif end is not None and now < end:  # the deadline moved on meanwhile
            signal.setitimer(signal.ITIMER_REAL, end - now + 0.05)
        else:
            raise _exceeded()

    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except ValueError:  # signals unavailable here (an embedding interpreter)
        return None
    signal.setitimer(signal.ITIMER_REAL, seconds + 0.05)  # after the cooperative checks
    return previous


def _disarm_timer(previous) -> None:
    if previous is None:
        return
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)
