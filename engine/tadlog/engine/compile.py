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
from typing import Iterable

from ..language.dependency import components, edges, recursive_with
from ..language.model import Atom, Comparison, KnowledgeBaseModel, Negation, Rule, Value, Var

PYD_OPERATOR = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@dataclass(frozen=True)
class Program:
    """What is handed to the engine: predicates with arities, ground facts, ordered rules."""

    arities: tuple[tuple[str, int], ...]
    facts: tuple[tuple[str, tuple[Value, ...]], ...]
    rules: tuple[Rule, ...]  # bodies already in evaluation order

    def with_facts(self, extra: Iterable[tuple[str, tuple[Value, ...]]]) -> "Program":
        return Program(self.arities, self.facts + tuple(extra), self.rules)

    def with_rules(self, extra: Iterable[Rule], arities: Iterable[tuple[str, int]] = ()) -> "Program":
        rules = tuple(order_bodies(list(self.rules) + list(extra)))
        return Program(tuple(dict.fromkeys(self.arities + tuple(arities))), self.facts, rules)


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
