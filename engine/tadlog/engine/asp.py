"""A compiled program as Answer Set Programming text, for clingo: the oracle and the benchmark.

The same program (facts, rules with bodies in evaluation order) that pyDatalog evaluates,
written so clingo's unique stable model of a stratified program is tadlog's model:

- predicates become ``t_<name>`` and named variables ``V<name>``, so no name of ours can be a
  clingo keyword or an anonymous variable; ``_`` stays clingo's anonymous variable;
- every name and text is a quoted string, so symbols and texts compare as tadlog's do;
- clingo has no floating point: numbers are scaled by 10^d (d the most decimals any number
  of the program has) into integers, which keeps order and equality (78 and 78.0 are one
  number in both); :func:`from_symbol` reads values back.

Nothing here runs text: the output is data for clingo, built from model objects.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from ..language.model import Atom, Comparison, Negation, Var
from .compile import Program

PREFIX = "t_"


def number_scale(program: Program, extra: Iterable = ()) -> int:
    """10^d for the most decimals among the program's numbers (1 when all are integers)."""
    decimals = 0
    for value in _numbers(program, extra):
        if isinstance(value, float) and not value.is_integer():
            exponent = Decimal(repr(value)).as_tuple().exponent
            decimals = max(decimals, -exponent if isinstance(exponent, int) else 0)
    return 10 ** decimals


def _numbers(program: Program, extra):
    for _, values in program.facts:
        yield from (v for v in values if not isinstance(v, str))
    for rule in program.rules:
        for literal in (rule.head, *rule.body):
            atom = literal.atom if isinstance(literal, Negation) else literal
            terms = (atom.left, atom.right) if isinstance(atom, Comparison) else atom.args
            yield from (t.value for t in terms if not isinstance(t, Var) and not isinstance(t.value, str))
    yield from extra


def to_asp(program: Program, scale: int | None = None) -> str:
    """The program as clingo text (one fact or rule a line)."""
    scale = scale or number_scale(program)
    lines = [f"{_atom(name, [_value(v, scale) for v in values])}." for name, values in program.facts]
    for rule in program.rules:
        body = ", ".join(_literal(l, scale) for l in rule.body)
        lines.append(f"{_literal(rule.head, scale)} :- {body}.")
    return "\n".join(lines) + "\n"


def _atom(name: str, args: list[str]) -> str:
    return f"{PREFIX}{name}({', '.join(args)})"


def _value(value, scale: int) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    scaled = value * scale
    if isinstance(scaled, float):
        if not scaled.is_integer():
            raise ValueError(f"{value} has more decimals than the scale {scale}")
        scaled = int(scaled)
    return str(scaled)


def _term(term, scale: int) -> str:
    if isinstance(term, Var):
        return "_" if term.anonymous else "V" + term.name
    return _value(term.value, scale)


def _literal(literal, scale: int) -> str:
    if isinstance(literal, Atom):
        return _atom(literal.predicate, [_term(a, scale) for a in literal.args])
    if isinstance(literal, Negation):
        return "not " + _literal(literal.atom, scale)
    return f"{_term(literal.left, scale)} {literal.op} {_term(literal.right, scale)}"


def from_symbol(symbol, scale: int):
    """A clingo symbol's value as tadlog writes it (a string, or a number divided back)."""
    import clingo

    if symbol.type == clingo.SymbolType.String:
        return symbol.string
    if symbol.type == clingo.SymbolType.Number:
        return symbol.number if scale == 1 else symbol.number / scale
    raise ValueError(f"unexpected clingo symbol {symbol}")


def solve(program: Program) -> dict[str, set[tuple]]:
    """clingo's model of ``program``: predicate → rows (a stratified program has exactly one)."""
    import clingo

    scale = number_scale(program)
    control = clingo.Control(["--warn=none"])
    control.add("base", [], to_asp(program, scale))
    control.ground([("base", [])])
    out: dict[str, set[tuple]] = {}
    with control.solve(yield_=True) as handle:
        for model in handle:
            for symbol in model.symbols(atoms=True):
                if symbol.name.startswith(PREFIX):
                    out.setdefault(symbol.name[len(PREFIX):], set()).add(
                        tuple(from_symbol(a, scale) for a in symbol.arguments))
            break
    return out
