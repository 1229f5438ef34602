"""Evaluation that can be stopped: a user's rules run where the time budget can reach them.

pyDatalog's compiled engine never returns to Python while it works, so neither a signal nor
a cooperative check can stop it. A raw query is a rule a user wrote; its cost is bounded by
the product of the sizes of the relations it reads (it is not recursive). When that bound is
small the rule runs here; otherwise it runs in a forked child (which shares the evaluated
knowledge base by copy-on-write) and the child is killed at the question's deadline.
"""
from __future__ import annotations

import os
import pickle
import select
import signal
from typing import Iterable

from ..limits import check_budget, remaining, _exceeded
from .compile import Program
from .evaluate import Interpretation, Overlay, evaluate

IN_PROCESS_COST = 200_000  # bound on the rows a rule can combine, below which it runs here


def join_bound(rules: Iterable, base: Interpretation) -> int:
    """An upper bound on the bindings a non-recursive rule can enumerate: ∏ relation sizes."""
    total = 0
    for rule in rules:
        cost = 1
        for literal in rule.positives:
            cost *= max(1, len(base.tuples(literal.predicate)))
            if cost > IN_PROCESS_COST:
                return cost
        total += cost
    return total


def evaluate_stoppable(program: Program, base: Interpretation, changed: set[str], rules: tuple) -> Interpretation:
    """``evaluate(program, base, changed)``, stopped at the current question's deadline."""
    check_budget()
    if join_bound(rules, base) <= IN_PROCESS_COST or not hasattr(os, "fork") or remaining() is None:
        return evaluate(program, base=base, changed=changed)
    return _in_child(program, base, changed)


def _in_child(program: Program, base: Interpretation, changed: set[str]) -> Interpretation:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: evaluate, send the changed relations back, never return
        status = 0
        try:
            os.close(read_end)
            result = evaluate(program, base=base, changed=changed)
            payload = pickle.dumps(("ok", {p: result.tuples(p) for p in _changed(result, base)}))
        except BaseException as exc:  # reported to the parent, which raises it
            payload = pickle.dumps(("error", exc if _picklable(exc) else RuntimeError(repr(exc))))
            status = 1
        try:
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        data = _read_until_deadline(read_end, pid)
    finally:
        os.close(read_end)
    kind, value = pickle.loads(data)  # our own child's data, over our own pipe
    if kind == "error":
        raise value
    return Interpretation(Overlay(value, base.relations, base.relations))


def _changed(result: Interpretation, base: Interpretation) -> list[str]:
    relations = result.relations
    if isinstance(relations, Overlay):  # what the evaluation recomputed, without decoding the rest
        return list(relations.changed)
    return [p for p, rows in relations.items() if base.relations.get(p) is not rows]


def _read_until_deadline(fd: int, pid: int) -> bytes:
    chunks = []
    try:
        while True:
            left = remaining()
            if left is not None and left <= 0:
                raise _exceeded()
            ready, _, _ = select.select([fd], [], [], None if left is None else left)
            if not ready:
                raise _exceeded()
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    except BaseException:
        _stop(pid)
        raise
    os.waitpid(pid, 0)
    return b"".join(chunks)


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ChildProcessError, ProcessLookupError):
        pass


def _picklable(value) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True
