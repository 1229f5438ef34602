"""A compiled program as Answer Set Programming text, for clingo: an independent second engine.

The tests check pyDatalog's answers against clingo's (tests/test_clingo.py) and the benchmarks
time the two; both use this one exporter. A stratified Datalog program has exactly one
answer set, which is its model, so the two engines must agree fact for fact.

The translation keeps every distinction tadlog makes:
- names become quoted strings, so any name is a valid ASP term and no name can be mistaken
  for a number or a variable;
- clingo has integers only, so every number is replaced by its rank among the program's
  numbers (78 and 78.0 are one number, as in tadlog); ranks keep order and equality, so
  comparisons mean the same, and :meth:`AspProgram.value` maps a rank back;
- predicates get a ``p_`` prefix and variables a ``V`` prefix with a number, so no name of
  the knowledge base collides with ASP syntax (``not``, ``_x``); each ``_`` stays ``_``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from ..language.model import Atom, Comparison, Const, Negation, Rule, Value, Var
from .compile import Program
from .evaluate import Interpretation, canonical_value

PREFIX = "p_"


@dataclass(frozen=True)
class AspProgram:
    """ASP text of a program, and the number ranks needed to read its answer back."""

    text: str
    numbers: tuple[Value, ...]  # rank → the number it stands for

    def value(self, term) -> Value:
        """A clingo symbol's value in tadlog terms (a name, or the number a rank stands for)."""
        import clingo

        if term.type == clingo.SymbolType.String:
            return term.string
        if term.type == clingo.SymbolType.Number:
            return self.numbers[term.number]
        raise ValueError(f"unexpected ASP term {term}")


def to_asp(program: Program, extra_facts: Iterable[tuple[str, tuple[Value, ...]]] = ()) -> AspProgram:
    """The ASP text of ``program`` (and ``extra_facts``, a question's inputs)."""
    facts = list(program.facts) + list(extra_facts)
    ranks = _number_ranks(facts, program.rules)
    lines = [f"{PREFIX}{name}({', '.join(_const(v, ranks) for v in values)})." if values
             else f"{PREFIX}{name}." for name, values in facts]
    lines += [_rule(rule, ranks) for rule in program.rules]
    lines += [f"#show {PREFIX}{name}/{arity}." for name, arity in program.arities]
    numbers = [None] * len(ranks)
    for key, (rank, value) in ranks.items():
        numbers[rank] = value
    return AspProgram("\n".join(lines) + "\n", tuple(numbers))


def solve(asp: AspProgram) -> Interpretation:
    """clingo's model of ``asp`` (clingo imported here only: tests and benchmarks need it)."""
    import clingo

    control = clingo.Control(["--warn=none"])
    control.add("base", [], asp.text)
    control.ground([("base", [])])
    relations: dict[str, set] = {}
    models = 0
    with control.solve(yield_=True) as handle:
        for model in handle:
            models += 1
            for symbol in model.symbols(shown=True):
                name = symbol.name[len(PREFIX):]
                relations.setdefault(name, set()).add(tuple(asp.value(a) for a in symbol.arguments))
    if models != 1:
        raise ValueError(f"a stratified program has one answer set; clingo found {models}")
    return Interpretation({name: frozenset(rows) for name, rows in relations.items()})


def _number_ranks(facts, rules) -> dict[tuple, tuple[int, Value]]:
    found: dict[tuple, Value] = {}
    for _, values in facts:
        for v in values:
            if not isinstance(v, str):
                found.setdefault(canonical_value(v), v)
    for rule in rules:
        for literal in (rule.head, *rule.body):
            for term in _terms(literal):
                if isinstance(term, Const) and not isinstance(term.value, str):
                    found.setdefault(canonical_value(term.value), term.value)
    return {key: (rank, found[key]) for rank, key in enumerate(sorted(found))}


def _terms(literal):
    if isinstance(literal, Atom):
        return literal.args
    if isinstance(literal, Negation):
        return literal.atom.args
    return (literal.left, literal.right)


def _const(value: Value, ranks) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return str(ranks[canonical_value(value)][0])


def _rule(rule: Rule, ranks) -> str:
    names: dict[str, str] = {}

    def term(t) -> str:
        if isinstance(t, Var):
            return "_" if t.anonymous else names.setdefault(t.name, f"V{len(names)}")
        return _const(t.value, ranks)

    def atom(a: Atom) -> str:
        return f"{PREFIX}{a.predicate}({', '.join(term(t) for t in a.args)})" if a.args else f"{PREFIX}{a.predicate}"

    def literal(l) -> str:
        if isinstance(l, Atom):
            return atom(l)
        if isinstance(l, Negation):
            return "not " + atom(l.atom)
        assert isinstance(l, Comparison)
        return f"{term(l.left)} {l.op} {term(l.right)}"

    head = atom(rule.head)
    body = ", ".join(literal(l) for l in rule.body)
    return f"{head} :- {body}." if body else f"{head}."


def model_of(program: Program, extra_facts=()) -> Optional[Interpretation]:
    """clingo's model of a compiled program (None when clingo is not installed)."""
    try:
        import clingo  # noqa: F401
    except ImportError:
        return None
    return solve(to_asp(program, extra_facts))
