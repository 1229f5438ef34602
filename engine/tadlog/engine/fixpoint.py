"""Recursive rules, evaluated semi-naively so pyDatalog only ever runs non-recursive rules.

pyDatalog's own handling of recursion has failures no reordering avoids: right recursion on
a cycle never returns, and the widened oracle found mutually recursive rules with constants
in their heads (``p(W, n5) :- p(Z, Z), q(W, _)`` with ``p(n4, X) :- p(X, Y)``) on which it
spins forever even with no facts at all. So a recursive component is driven from here:

- every recursive literal is renamed to read either the facts found so far (``p#all``) or
  those found in the last round (``p#delta``); each rule becomes one variant per recursive
  literal, with that literal reading the delta (the standard semi-naive rewriting), so no
  rule pyDatalog sees is recursive;
- rules without a recursive literal run once, in the first round;
- each round asks pyDatalog for the variants' conclusions, keeps those not yet known, and
  replaces the delta facts with them; the loop ends when a round finds nothing new.

Work per round is proportional to the new facts, so a chain of n facts costs n small rounds
(a recursive predicate of 10,000 facts stays linear), and the question's time budget is
checked between rounds.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from ..language.model import Atom, Rule
from ..limits import check_budget

ALL, DELTA, NEW, BASE = "#all", "#delta", "#new", "#base"


def variants(rules: Iterable[Rule], heads: set[str]) -> tuple[list[Rule], list[Rule]]:
    """(first-round rules, per-round rules) of a recursive component, none of them recursive."""
    first, rounds = [], []
    for rule in rules:
        recursive = [i for i, l in enumerate(rule.body) if isinstance(l, Atom) and l.predicate in heads]
        if not recursive:
            first.append(replace(rule, head=_renamed(rule.head, BASE)))
            continue
        for chosen in recursive:
            body = [_renamed(l, DELTA if i == chosen else ALL) if i in recursive else l
                    for i, l in enumerate(rule.body)]
            ordered = [body[chosen]] + [l for i, l in enumerate(body) if i != chosen]  # the delta drives the join
            rounds.append(replace(rule, head=_renamed(rule.head, NEW), body=tuple(ordered)))
    return first, rounds


def _renamed(atom: Atom, suffix: str) -> Atom:
    return replace(atom, predicate=atom.predicate + suffix)


def evaluate_component(pyEngine, to_clause, rules: list[Rule], width: dict[str, int],
                       initial: dict[str, Iterable[tuple]], assert_rows, engine_name=lambda name: name
                       ) -> dict[str, frozenset]:
    """The relations of one recursive component's heads, in the logic already holding every
    relation the component reads from below. ``initial``: the heads' own facts; ``width``:
    columns per predicate; ``engine_name``: the name pyDatalog knows a predicate by (the
    incremental evaluation threads a world through each, see evaluate.evaluate_worlds)."""
    heads = {r.head.predicate for r in rules}
    first, rounds = variants(rules, heads)
    for name in heads:
        for suffix in (ALL, DELTA, NEW, BASE):
            pyEngine.insert(pyEngine.Pred(engine_name(name + suffix), width[name]))
    for rule in first + rounds:
        pyEngine.assert_(to_clause(rule, pyEngine))
    known = {name: set(initial.get(name, ())) for name in heads}
    delta = {name: set(rows) for name, rows in known.items()}
    for name in heads:
        assert_rows(pyEngine, engine_name(name + ALL), known[name])
        assert_rows(pyEngine, engine_name(name + DELTA), delta[name])
    first_round = True
    while True:
        check_budget()
        found = {}
        for name in sorted(heads):
            rows = set(_ask(pyEngine, engine_name(name + NEW), width[name]))
            if first_round:
                rows |= set(_ask(pyEngine, engine_name(name + BASE), width[name]))
            found[name] = {row for row in rows if row not in known[name]}
        first_round = False
        if not any(found.values()):
            break
        for name in heads:
            stale = engine_name(name + DELTA)
            for row in delta[name]:
                pyEngine.retract(pyEngine.Clause(pyEngine.Literal(stale, [pyEngine.Const(v) for v in row]), []))
            delta[name] = found[name]
            known[name] |= found[name]
            assert_rows(pyEngine, stale, found[name])
            assert_rows(pyEngine, engine_name(name + ALL), found[name])
    return {name: frozenset(rows) for name, rows in known.items()}


def renamed_predicates(heads: Iterable[str]) -> set[str]:
    """Every name the rewriting introduces for ``heads``."""
    return {name + suffix for name in heads for suffix in (ALL, DELTA, NEW, BASE)}


def _ask(pyEngine, name: str, arity: int) -> list[tuple]:
    query = pyEngine.Literal(name, [pyEngine.Var(f"V{i}") for i in range(arity)])
    return [tuple(row) for row in (query.ask() or [])]
