"""Compile stage: model → pyDatalog ``pyEngine`` clauses, built programmatically.

No text is ever handed to ``pyDatalog.load``/``ask``, ``eval`` or ``exec``: every term,
literal and clause is constructed from model objects. The traps of pyDatalog are guarded
here: every predicate is registered (negating an unknown one fails at query time), literals
of a recursive rule are ordered so recursion is on the left (right recursion on a cycle never
returns), negations and comparisons come after the literals that bind their variables, and
numbers and names never share a predicate position (validation types them).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..language.dependency import components, edges, recursive_with
from ..language.model import Atom, Comparison, KnowledgeBaseModel, Negation, Rule, Value, Var

PYD_OPERATOR = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@dataclass(frozen=True)
class Program:
    """What is handed to the engine: predicates with arities, ground facts, ordered rules."""

    arities: tuple[tuple[str, int], ...]
    facts: tuple[tuple[str, tuple[Value, ...]], ...]
    rules: tuple[Rule, ...]  # bodies already in evaluation order

    def facts_of(self, name: str) -> tuple[tuple[Value, ...], ...]:
        """The facts of one predicate (an index built once): evaluation reads them by predicate."""
        index = self.__dict__.get("_by_predicate")
        if index is None:
            index = {}
            for predicate, values in self.facts:
                index.setdefault(predicate, []).append(values)
            index = self.__dict__["_by_predicate"] = {k: tuple(v) for k, v in index.items()}
        return index.get(name, ())

    @property
    def plan(self) -> "Plan":
        """The program's strata, derived predicates and readers, computed once per program."""
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan = self.__dict__["_plan"] = Plan(self.rules)
        return plan

    def with_facts(self, extra: Iterable[tuple[str, tuple[Value, ...]]]) -> "Program":
        return LazyProgram(self.arities, self.rules, self.facts_of, lambda: self.facts, tuple(extra), self.plan)

    def with_rules(self, extra: Iterable[Rule], arities: Iterable[tuple[str, int]] = ()) -> "Program":
        rules = tuple(order_bodies(list(self.rules) + list(extra)))
        return LazyProgram(tuple(dict.fromkeys(self.arities + tuple(arities))), rules, self.facts_of,
                           lambda: self.facts)


class LazyProgram(Program):
    """A program whose facts come by predicate from elsewhere (a cache entry, a parent program
    plus a question's inputs); the full tuple of facts is built only if something asks for it."""

    def __init__(self, arities, rules, facts_of: Callable, all_facts: Callable, extra=(), plan=None):
        self.__dict__.update(arities=arities, rules=rules, _source_of=facts_of, _all=all_facts, _extra=extra)
        if plan is not None:
            self.__dict__["_plan"] = plan

    @property
    def facts(self):
        value = self.__dict__.get("_facts")
        if value is None:
            value = self.__dict__["_facts"] = tuple(dict.fromkeys(tuple(self._all()) + self._extra))
        return value

    def facts_of(self, name: str):
        own = tuple(values for predicate, values in self._extra if predicate == name)
        return self._source_of(name) + own if own else self._source_of(name)


class Plan:
    """What evaluation needs to know of a program's rules, independent of its facts."""

    def __init__(self, rules: Iterable[Rule]):
        from ..language.dependency import layers, recursive_heads

        rules = list(rules)
        self.level = layers(rules)  # strata refined: a long chain of rules stays linear
        self.cyclic = recursive_heads(rules)  # predicate → component, for recursive ones (fixpoint.py)
        self.by_stratum: dict[int, list[Rule]] = {}
        for rule in rules:
            self.by_stratum.setdefault(self.level[rule.head.predicate], []).append(rule)
        self.derived = {r.head.predicate for r in rules}
        self.readers: dict[str, set[str]] = {}
        for rule in rules:
            for literal in rule.body:
                atom = literal.atom if isinstance(literal, Negation) else literal
                if isinstance(atom, Atom):
                    self.readers.setdefault(atom.predicate, set()).add(rule.head.predicate)

    def downstream(self, changed: Iterable[str]) -> set[str]:
        """The predicates whose relations can differ when facts or rules of ``changed`` change."""
        affected, todo = set(changed), list(changed)
        while todo:
            for head in self.readers.get(todo.pop(), ()):
                if head not in affected:
                    affected.add(head)
                    todo.append(head)
        return affected


def compile_model(model: KnowledgeBaseModel) -> Program:
    arities = tuple((p.name, p.arity) for p in model.predicates)
    facts = tuple(dict.fromkeys((f.atom.predicate, ground_values(f.atom)) for f in model.facts))
    return Program(arities, facts, tuple(order_bodies(list(model.rules))))


def ground_values(atom: Atom) -> tuple[Value, ...]:
    return tuple(arg.value for arg in atom.args)  # validated ground


def order_bodies(rules: list[Rule]) -> list[Rule]:
    """Recursive literals first, other positives next, then negations and comparisons."""
    graph = edges(rules)
    comp = components(graph)
    out = []
    for rule in rules:
        recursive = recursive_with(rule, comp, graph)
        first = [l for l in rule.positives if l.predicate in recursive]
        rest = [l for l in rule.positives if l.predicate not in recursive]
        checks = [l for l in rule.body if not isinstance(l, Atom)]
        body = tuple(first + rest + checks)
        out.append(rule if body == rule.body else _replace_body(rule, body))
    return out


def _replace_body(rule: Rule, body) -> Rule:
    from dataclasses import replace

    return replace(rule, body=body)


# ---- pyEngine construction ----------------------------------------------------------------
def to_engine_term(term, pyEngine, names: dict[str, object]):
    if isinstance(term, Var):
        if term.anonymous:  # fresh per occurrence; '#' is no character of a user's variable
            fresh = names["#anonymous"] = names.get("#anonymous", 0) + 1
            return pyEngine.Var(f"#anonymous{fresh}")
        return names.setdefault(term.name, pyEngine.Var(term.name))
    return pyEngine.Const(term.value)


def to_engine_literal(literal, pyEngine, names):
    if isinstance(literal, Atom):
        return pyEngine.Literal(literal.predicate, [to_engine_term(a, pyEngine, names) for a in literal.args])
    if isinstance(literal, Negation):
        atom = literal.atom
        return pyEngine.Literal("~" + atom.predicate, [to_engine_term(a, pyEngine, names) for a in atom.args])
    assert isinstance(literal, Comparison)
    return pyEngine.Literal(PYD_OPERATOR[literal.op],
                            [to_engine_term(literal.left, pyEngine, names),
                             to_engine_term(literal.right, pyEngine, names)])


def to_engine_clause(rule: Rule, pyEngine):
    names: dict[str, object] = {}
    head = to_engine_literal(rule.head, pyEngine, names)
    body = [to_engine_literal(l, pyEngine, names) for l in rule.body]
    return pyEngine.Clause(head, body)
