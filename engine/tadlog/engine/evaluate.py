"""Evaluate stage: run a compiled program in pyDatalog and read back every relation.

Each evaluation installs fresh pyDatalog ``Logic`` objects on the calling thread, one per
stratum, so knowledge bases (and questions carrying patient facts) never share engine state.
The result is an immutable :class:`Interpretation` that any number of threads may read.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Iterable, Optional

from .compile import Program, to_engine_clause
from ..language.dependency import components, edges, layers, recursive_with
from .fixpoint import evaluate_component
from ..errors import EngineError, TadlogError
from ..limits import check_budget
from ..language.model import Value

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

    def holds(self, predicate: str, values: tuple[Value, ...]) -> bool:
        return _canonical(values) in self._canonical_relation(predicate)

    def tuples(self, predicate: str) -> frozenset[tuple[Value, ...]]:
        return self.relations.get(predicate, frozenset())

    def _canonical_relation(self, predicate: str) -> frozenset:
        cache = self.__dict__.setdefault("_canon", {})
        if predicate not in cache:
            cache[predicate] = frozenset(_canonical(t) for t in self.tuples(predicate))
        return cache[predicate]


def canonical_value(value: Value) -> tuple:
    """How pyDatalog compares values: 78 and 78.0 are one number, never equal to the name '78'."""
    return ("s", value) if isinstance(value, str) else ("n", float(value))


def _canonical(values: tuple) -> tuple:
    return tuple(canonical_value(v) for v in values)


def evaluate(program: Program, base: Optional[Interpretation] = None,
             changed: Iterable[str] = ()) -> Interpretation:
    """Evaluate ``program`` stratum by stratum and materialise every relation.

    With ``base`` (the model of the same program without the change) and ``changed`` (the
    predicates whose facts or rules differ), only the predicates downstream of the change are
    re-evaluated: a question's patient inputs touch a few advice rules, not the whole model.

    pyDatalog answers a negated literal from whatever its table holds at that moment; when the
    negated predicate is itself recursive and still incomplete, the answer is wrong (found by
    the oracle test: ``p1 :- p1, e, not p0`` with a recursive ``p0``). So each stratum runs in a
    fresh logic in which every relation of the lower strata is already complete, as facts;
    strata are refined into layers (dependency.layers) so a long chain of rules stays linear.
    """
    Logic, pyEngine = _engine()
    arity = dict(program.arities)
    level = layers(list(program.rules))
    affected = downstream(program, set(changed)) if base is not None else None
    facts: dict[str, list] = {}
    for name, values in program.facts:
        facts.setdefault(name, []).append(values)
    known: dict[str, frozenset] = {}
    by_stratum: dict[int, list] = {}
    for rule in program.rules:
        by_stratum.setdefault(level[rule.head.predicate], []).append(rule)
    derived = {r.head.predicate for r in program.rules}
    cyclic = recursive_heads(program.rules)
    try:
        for name in (arity if affected is None else affected & arity.keys()):
            if name not in derived:
                known[name] = frozenset(facts.get(name, ()))
        for stratum in sorted(by_stratum):
            check_budget()  # between strata: a question past its deadline stops here
            rules = [r for r in by_stratum[stratum] if affected is None or r.head.predicate in affected]
            if not rules:
                continue
            heads = list(dict.fromkeys(r.head.predicate for r in rules))
            used = {l.predicate if hasattr(l, "predicate") else l.atom.predicate
                    for r in rules for l in r.body if not hasattr(l, "op")}
            Logic()  # a fresh, empty logic for this thread and stratum
            for name in used | set(heads):  # every predicate the stratum reads, even if empty
                pyEngine.insert(pyEngine.Pred(name, arity[name]))
            for name in used - set(heads):
                rows = known[name] if name in known else base.tuples(name) if affected is not None else ()
                _assert_rows(pyEngine, name, rows)
            plain = [r for r in rules if r.head.predicate not in cyclic]
            for name in dict.fromkeys(r.head.predicate for r in plain):
                _assert_rows(pyEngine, name, facts.get(name, ()))
            for rule in plain:
                pyEngine.assert_(to_engine_clause(rule, pyEngine))
            for name in dict.fromkeys(r.head.predicate for r in plain):
                check_budget()
                query = pyEngine.Literal(name, [pyEngine.Var(f"V{i}") for i in range(arity[name])])
                known[name] = frozenset(tuple(row) for row in (query.ask() or []))
            for group in _by_component((r for r in rules if r.head.predicate in cyclic), cyclic):
                known.update(evaluate_component(pyEngine, to_engine_clause, group, arity,
                                                {r.head.predicate: facts.get(r.head.predicate, ()) for r in group},
                                                _assert_rows))
    except TadlogError:
        raise
    except Exception as exc:  # pyDatalog failing on a validated program is our bug: say so plainly
        raise EngineError(f"the Datalog engine failed: {type(exc).__name__}: {exc}", code="E900") from exc
    if affected is not None:  # relations untouched by the change are the base model's
        return Interpretation(Overlay(known, base.relations, arity))
    return Interpretation(known)


def recursive_heads(rules) -> dict[str, int]:
    """Predicates defined through recursion, with their component: fixpoint.py evaluates them."""
    graph = edges(rules)
    comp = components(graph)
    heads = {r.head.predicate for r in rules if recursive_with(r, comp, graph)}
    return {p: c for p, c in comp.items() if c in {comp[h] for h in heads}}


def _by_component(rules, cyclic: dict[str, int]) -> list[list]:
    groups: dict[int, list] = {}
    for rule in rules:
        groups.setdefault(cyclic.get(rule.head.predicate, -1), []).append(rule)
    return [groups[k] for k in sorted(groups)]


class Overlay(Mapping):
    """The relations a change recomputed, over the base model's for every other predicate."""

    def __init__(self, changed: dict, base: Mapping, names: Iterable[str]):
        self._changed, self._base = changed, base
        self._names = tuple(dict.fromkeys([*names, *changed]))

    def __getitem__(self, name):
        if name in self._changed:
            return self._changed[name]
        return self._base.get(name, frozenset())

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def __contains__(self, name):
        return name in self._changed or name in self._base


def downstream(program: Program, changed: set[str]) -> set[str]:
    """The predicates whose relations can differ when facts or rules of ``changed`` change."""
    readers: dict[str, set[str]] = {}
    for rule in program.rules:
        for literal in rule.body:
            atom = literal.atom if hasattr(literal, "atom") else literal
            if hasattr(atom, "predicate"):
                readers.setdefault(atom.predicate, set()).add(rule.head.predicate)
    affected, todo = set(changed), list(changed)
    while todo:
        for head in readers.get(todo.pop(), ()):
            if head not in affected:
                affected.add(head)
                todo.append(head)
    return affected


def _assert_rows(pyEngine, name: str, rows) -> None:
    for values in rows:
        pyEngine.assert_(pyEngine.Clause(pyEngine.Literal(name, [pyEngine.Const(v) for v in values]), []))


