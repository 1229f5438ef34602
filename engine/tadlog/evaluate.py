"""Evaluate stage: run a compiled program in pyDatalog and read back every relation.

Each evaluation installs a fresh pyDatalog ``Logic`` on the calling thread, so knowledge
bases (and questions carrying patient facts) never share engine state; the base knowledge
base's logic is kept for embedders. The result is an immutable :class:`Interpretation`
that any number of threads may read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Iterator, Optional

from .compile import Program, to_engine_clause
from .errors import EngineError
from .model import Value

_float_precision_set = False


def _engine():
    """Import pyDatalog's engine lazily and make floats exact (it rounds to ~8 digits)."""
    global _float_precision_set
    from pyDatalog import Logic, pyEngine

    if not _float_precision_set:
        if hasattr(pyEngine, "Float_Precision"):
            pyEngine.Float_Precision = None
        _float_precision_set = True
    return Logic, pyEngine


@dataclass(frozen=True)
class Interpretation:
    """Every fact true in the program's model: predicate → frozenset of value tuples."""

    relations: dict[str, frozenset[tuple[Value, ...]]]
    logic: Optional[object] = field(default=None, compare=False, repr=False)

    def holds(self, predicate: str, values: tuple[Value, ...]) -> bool:
        return _canonical(values) in self._canonical_relation(predicate)

    def tuples(self, predicate: str) -> frozenset[tuple[Value, ...]]:
        return self.relations.get(predicate, frozenset())

    def match(self, predicate: str, pattern: tuple) -> Iterator[tuple[Value, ...]]:
        """Tuples agreeing with ``pattern`` where it is not None."""
        for row in self.tuples(predicate):
            if all(p is None or _same(p, v) for p, v in zip(pattern, row)):
                yield row

    def _canonical_relation(self, predicate: str) -> frozenset:
        cache = self.__dict__.setdefault("_canon", {})
        if predicate not in cache:
            cache[predicate] = frozenset(_canonical(t) for t in self.tuples(predicate))
        return cache[predicate]

    @cached_property
    def size(self) -> int:
        return sum(len(v) for v in self.relations.values())


def _same(a: Value, b: Value) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return type(a) is type(b) and a == b
    return a == b


def _canonical(values: tuple) -> tuple:
    return tuple(("n", float(v)) if not isinstance(v, str) else ("s", v) for v in values)


def evaluate(program: Program, predicates: Optional[Iterable[str]] = None) -> Interpretation:
    """Load ``program`` into a fresh pyDatalog logic and materialise the requested relations."""
    Logic, pyEngine = _engine()
    Logic()  # a fresh, empty logic for this thread
    try:
        for name, arity in program.arities:
            pyEngine.insert(pyEngine.Pred(name, arity))
        for name, values in program.facts:
            pyEngine.assert_(pyEngine.Clause(
                pyEngine.Literal(name, [pyEngine.Const(v) for v in values]), []))
        for rule in program.rules:
            pyEngine.assert_(to_engine_clause(rule, pyEngine))
        wanted = list(predicates) if predicates is not None else [n for n, _ in program.arities]
        arity = dict(program.arities)
        relations = {}
        for name in wanted:
            query = pyEngine.Literal(name, [pyEngine.Var(f"V{i}") for i in range(arity[name])])
            rows = query.ask() or []
            relations[name] = frozenset(tuple(_plain(v) for v in row) for row in rows)
    except EngineError:
        raise
    except Exception as exc:  # pyDatalog failing on a validated program is our bug: say so plainly
        raise EngineError(f"the Datalog engine failed: {type(exc).__name__}: {exc}", code="E900") from exc
    return Interpretation(relations, Logic(True))


def _plain(value):
    """pyDatalog hands back the Python values we gave it; normalise booleans defensively."""
    return value
