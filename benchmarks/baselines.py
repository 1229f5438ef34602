"""Baselines doing the same work as tadlog's evaluation: raw pyDatalog and clingo.

The same work means the same compiled program (facts, rules with bodies in evaluation order)
and the same result: every derived relation materialised. Raw pyDatalog gets it all in one
logic, without tadlog's stratum-by-stratum runs; clingo grounds and solves the program as
exported by ``tadlog.engine.asp`` (skipped, and said so, when clingo or the exporter is absent).
"""
from __future__ import annotations

import time


def raw_pydatalog(program) -> dict:
    from pyDatalog import Logic, pyEngine

    from tadlog.engine.compile import to_engine_clause

    Logic()
    arity = dict(program.arities)
    for name, n in arity.items():
        pyEngine.insert(pyEngine.Pred(name, n))
    for name, values in program.facts:
        pyEngine.assert_(pyEngine.Clause(pyEngine.Literal(name, [pyEngine.Const(v) for v in values]), []))
    for rule in program.rules:
        pyEngine.assert_(to_engine_clause(rule, pyEngine))
    out = {}
    for name in dict.fromkeys(r.head.predicate for r in program.rules):
        query = pyEngine.Literal(name, [pyEngine.Var(f"V{i}") for i in range(arity[name])])
        out[name] = frozenset(tuple(row) for row in (query.ask() or []))
    return out


def clingo_evaluate(program):
    """(seconds, number of derived atoms) for clingo on the exported program, or None."""
    try:
        import clingo
        from tadlog.engine.asp import PREFIX, to_asp
    except ImportError:
        return None
    text = to_asp(program).text  # the export is not timed: clingo's grounding and solving are
    start = time.perf_counter()
    control = clingo.Control(["--warn=none"])
    control.add("base", [], text)
    control.ground([("base", [])])
    derived = {r.head.predicate for r in program.rules}
    count = 0
    with control.solve(yield_=True) as handle:
        for model in handle:
            count = sum(1 for s in model.symbols(shown=True) if s.name[len(PREFIX):] in derived)
            break
    return time.perf_counter() - start, count
