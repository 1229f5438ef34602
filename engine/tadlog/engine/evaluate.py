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
from .. import collector
from .fixpoint import evaluate_component, renamed_predicates
from ..errors import EngineError, TadlogError
from ..limits import check_budget
from ..language.model import Value

_float_precision_set = False
# Both public evaluations run with Python's cyclic collector paused (collector.py): pyDatalog makes
# a few objects per fact and per derived tuple, and almost no cyclic garbage, and with the collector
# on, its generation-2 passes walk them all again and again. At 100x (benchmarks/bench.py)
# evaluation took 2.2 s with it and 0.87 s without, the passes charged to pyDatalog's weak-reference
# registries. The knowledge base and its questions already evaluated in a pause; now every caller does.


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


@collector.paused()  # see the note above _engine
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
    if base is not None:
        return evaluate_worlds(program, base, [()], changed)[0]
    Logic, pyEngine = _engine()
    arity = dict(program.arities)
    plan = program.plan
    known: dict[str, frozenset] = {}
    logic = None
    try:
        for name in arity:
            if name not in plan.derived:
                known[name] = frozenset(program.facts_of(name))
        for stratum in sorted(plan.by_stratum):
            check_budget()  # between strata: a question past its deadline stops here
            rules = plan.by_stratum[stratum]
            heads = list(dict.fromkeys(r.head.predicate for r in rules))
            used = _used(rules)
            logic = _fresh_logic(Logic, logic)  # a fresh, empty logic for this thread and stratum
            for name in used | set(heads):  # every predicate the stratum reads, even if empty
                pyEngine.insert(pyEngine.Pred(name, arity[name]))
            for name in used - set(heads):
                _assert_rows(pyEngine, name, known.get(name, ()))
            plain = [r for r in rules if r.head.predicate not in plan.cyclic]
            plain_heads = list(dict.fromkeys(r.head.predicate for r in plain))
            for name in plain_heads:
                _assert_rows(pyEngine, name, program.facts_of(name))
            for rule in plain:
                pyEngine.assert_(to_engine_clause(rule, pyEngine))
            for name in plain_heads:
                check_budget()
                query = pyEngine.Literal(name, [pyEngine.Var(f"V{i}") for i in range(arity[name])])
                known[name] = frozenset(tuple(row) for row in (query.ask() or []))
            for group in _by_component(rules, plan.cyclic):  # recursion: semi-naive, from fixpoint.py
                initial = {r.head.predicate: program.facts_of(r.head.predicate) for r in group}
                known.update(evaluate_component(pyEngine, to_engine_clause, group, arity, initial, _assert_rows))
    except TadlogError:
        raise
    except Exception as exc:  # pyDatalog failing on a validated program is our bug: say so plainly
        raise EngineError(f"the Datalog engine failed: {type(exc).__name__}: {exc}", code="E900") from exc
    finally:
        _release(logic)
    return Interpretation(known)


def _fresh_logic(Logic, previous):
    """A fresh, empty pyDatalog logic for this thread, the one it replaces (``previous``, made
    by this evaluation) taken apart first."""
    _release(previous)
    return Logic()


def _release(logic) -> None:
    """Take apart a logic this evaluation made and no longer needs. pyDatalog's predicates and
    clauses refer to each other (a predicate's table holds its clauses, each clause's literals
    their predicate): left whole, every evaluation leaves thousands of objects in reference
    cycles, which only the cyclic collector frees, in generation-2 passes that walk the whole
    heap (issue 10: most of a first answer in a process that loads many knowledge bases).
    Emptied, they are freed by reference counting as soon as the logic is dropped."""
    if logic is None:
        return
    state = logic.__dict__
    for pred in list(state.get("Db", {}).values()):
        for table in (getattr(pred, "db", None), getattr(pred, "clauses", None)):
            if hasattr(table, "clear"):
                table.clear()
        index = getattr(pred, "index", None)
        if isinstance(index, list):
            for by_value in index:
                if hasattr(by_value, "clear"):
                    by_value.clear()
    for name in ("Db", "Subgoals"):
        if hasattr(state.get(name), "clear"):
            state[name].clear()
    for name in ("Tasks", "Recursive_Tasks", "Goal"):
        if name in state:
            state[name] = None


def _by_component(rules, cyclic: dict[str, int]) -> list[list]:
    """The recursive rules among ``rules``, one list per component."""
    groups: dict[int, list] = {}
    for rule in rules:
        if rule.head.predicate in cyclic:
            groups.setdefault(cyclic[rule.head.predicate], []).append(rule)
    return [groups[k] for k in sorted(groups)]


def _used(rules) -> set[str]:
    return {l.predicate if hasattr(l, "predicate") else l.atom.predicate
            for r in rules for l in r.body if not hasattr(l, "op")}


@collector.paused()  # see the note above _engine
def evaluate_worlds(program: Program, base: Interpretation, worlds: list[tuple],
                    changed: Iterable[str]) -> list[Interpretation]:
    """The model of ``program`` plus each world's extra facts, for many worlds in one evaluation.

    A question's unstated patient factors are tried one at a time (what would change the
    verdict?). Evaluating each world apart re-asserts, world after world, every relation the
    patient rules read. Here each predicate downstream of the change gets the world as a first
    argument (``W·p(W, ...)``: an uppercase name no knowledge base can declare), the relations
    the change cannot touch are asserted once, and one pass answers every world. The facts of
    ``program`` hold in every world; ``worlds[i]`` adds its own (predicate, values) facts.
    """
    Logic, pyEngine = _engine()
    arity = dict(program.arities)
    plan = program.plan
    affected = plan.downstream(set(changed) | {name for world in worlds for name, _ in world})
    known: dict[str, set] = {}  # affected predicate → rows with the world first
    for name in affected & arity.keys():
        if name not in plan.derived:
            known[name] = {(w, *values) for w, world in enumerate(worlds) for values in _world_facts(program, world, name)}
    logic = None
    try:
        for stratum in sorted(plan.by_stratum):
            check_budget()
            rules = [r for r in plan.by_stratum[stratum] if r.head.predicate in affected]
            if not rules:
                continue
            heads = list(dict.fromkeys(r.head.predicate for r in rules))
            used = _used(rules)
            logic = _fresh_logic(Logic, logic)
            pyEngine.insert(pyEngine.Pred(_WORLD, 1))
            _assert_rows(pyEngine, _WORLD, [(w,) for w in range(len(worlds))])
            for name in used | set(heads):
                if name in affected:
                    pyEngine.insert(pyEngine.Pred(_world_name(name), arity[name] + 1))
                else:
                    pyEngine.insert(pyEngine.Pred(name, arity[name]))
            for name in used - set(heads):
                if name in affected:
                    _assert_rows(pyEngine, _world_name(name), known.get(name, ()))
                else:
                    _assert_rows(pyEngine, name, base.tuples(name))
            plain = [r for r in rules if r.head.predicate not in plan.cyclic]
            plain_heads = list(dict.fromkeys(r.head.predicate for r in plain))
            for name in plain_heads:
                rows = [(w, *values) for w, world in enumerate(worlds) for values in _world_facts(program, world, name)]
                _assert_rows(pyEngine, _world_name(name), rows)
            for rule in plain:
                pyEngine.assert_(_world_clause(rule, affected, pyEngine))
            for name in plain_heads:
                check_budget()
                query = pyEngine.Literal(_world_name(name), [pyEngine.Var(f"V{i}") for i in range(arity[name] + 1)])
                known[name] = {tuple(row) for row in (query.ask() or [])}
            for group in _by_component(rules, plan.cyclic):  # recursion: semi-naive, world threaded
                heads_of = {r.head.predicate for r in group}
                threaded = affected | renamed_predicates(heads_of)
                initial = {name: [(w, *values) for w, world in enumerate(worlds)
                                  for values in _world_facts(program, world, name)] for name in heads_of}
                found = evaluate_component(
                    pyEngine, lambda rule, engine, threaded=threaded: _world_clause(rule, threaded, engine), group,
                    {name: arity[name] + 1 for name in heads_of}, initial, _assert_rows, _world_name)
                known.update({name: set(rows) for name, rows in found.items()})
    except TadlogError:
        raise
    except Exception as exc:
        raise EngineError(f"the Datalog engine failed: {type(exc).__name__}: {exc}", code="E900") from exc
    finally:
        _release(logic)
    return [Interpretation(Overlay(relations, base.relations, arity)) for relations in _split_by_world(known, len(worlds))]


def _split_by_world(known: dict[str, set], count: int) -> list[dict[str, frozenset]]:
    """Each world's relations from rows carrying the world first, in one pass over the rows
    (a pass per world made the 78 pairs of factors a first cache write evaluates quadratic)."""
    by_world: dict[int, dict[str, set]] = {w: {name: set() for name in known} for w in range(count)}
    for name, rows in known.items():
        for row in rows:
            relations = by_world.get(row[0])
            if relations is not None:
                relations[name].add(row[1:])
    return [{name: frozenset(rows) for name, rows in by_world[w].items()} for w in range(count)]


_WORLD = "W·world"


def _world_name(name: str) -> str:
    return "W·" + name


def _world_facts(program: Program, world: tuple, name: str):
    return tuple(program.facts_of(name)) + tuple(values for predicate, values in world if predicate == name)


def _world_clause(rule, affected: set[str], pyEngine):
    """``rule`` with the world variable threaded through every literal on an affected predicate."""
    from .compile import to_engine_literal
    from ..language.model import Atom, Negation

    names: dict[str, object] = {}
    world = pyEngine.Var("W·")  # no variable of a knowledge base contains '·'

    def literal(lit):
        atom = lit.atom if isinstance(lit, Negation) else lit
        engine = to_engine_literal(lit, pyEngine, names)
        if isinstance(atom, Atom) and atom.predicate in affected:
            prefix = "~" if isinstance(lit, Negation) else ""
            return pyEngine.Literal(prefix + _world_name(atom.predicate), [world, *engine.terms])
        return engine

    body = [literal(l) for l in rule.body]
    if not any(isinstance(l, Atom) and l.predicate in affected for l in rule.body):
        body.insert(0, pyEngine.Literal(_WORLD, [world]))  # the world is bound before any check
    return pyEngine.Clause(literal(rule.head), body)


class Overlay(Mapping):
    """The relations a change recomputed, over the base model's for every other predicate."""

    def __init__(self, changed: dict, base: Mapping, names: Iterable[str]):
        self._changed, self._base = changed, base
        self.changed = tuple(changed)
        self._names = tuple(dict.fromkeys([*names, *changed]))

    def own(self) -> dict:
        """The relations recomputed by the change (predicate → rows)."""
        return dict(self._changed)

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
    return program.plan.downstream(changed)


def _assert_rows(pyEngine, name: str, rows) -> None:
    for values in rows:
        pyEngine.assert_(pyEngine.Clause(pyEngine.Literal(name, [pyEngine.Const(v) for v in values]), []))


