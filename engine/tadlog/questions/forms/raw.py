"""Raw Datalog: an expert's query, run as the body of a temporary rule.
"""
from __future__ import annotations


from ..answer import Answer
from ..query import Query

# ---- raw Datalog ---------------------------------------------------------------------------------
def raw(kb, query: Query) -> Answer:
    """An expert's query: run as the body of a temporary rule over the knowledge base."""
    from ...language.model import Atom, Rule, Var

    variables = tuple(dict.fromkeys(v.name for literal in query.raw_body if isinstance(literal, Atom)
                                    for v in literal.variables if not v.anonymous))
    head = Atom("tadlog_query_result", tuple(Var(v) for v in variables))
    rule = Rule("query", head, tuple(query.raw_body), rationale="raw query")
    derivations = kb.with_inputs((), rules=[rule])
    rows = sorted(derivations.interpretation.tuples("tadlog_query_result"),
                  key=lambda r: tuple((0, v) if isinstance(v, str) else (1, f"{float(v):020.6f}") for v in r))
    if not variables:
        holds = bool(derivations.interpretation.tuples("tadlog_query_result"))
        verdict = "Yes: the query holds." if holds else "No: the query does not hold."
        return Answer(query.text, "raw", verdict, holds=holds)
    verdict = f"{len(rows)} answer{'s' if len(rows) != 1 else ''}."
    return Answer(query.text, "raw", verdict, holds=bool(rows),
                  rows=tuple(tuple(zip(variables, row)) for row in rows))

