"""The clingo export (engine/asp.py): clingo's model of the exported program is tadlog's model.

Checked on the bundled knowledge base and on the oracle's random stratified programs (several
'_' per rule, negation over joins, comparisons, left and right recursion). The benchmark uses
the same export to put clingo beside tadlog's evaluation.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import oracle
from tadlog.engine.asp import number_scale, solve, to_asp
from tadlog.engine.compile import compile_model
from tadlog.engine.evaluate import evaluate
from tadlog.language.parse import build_model, parse_text
from test_engine import RULE_TEMPLATES, _program_text

pytest.importorskip("clingo")


def _relations(rows_by_predicate, predicates):
    return {p: {oracle._norm(r) for r in rows_by_predicate.get(p, ())} for p in predicates}


def test_bundled_knowledge_base_has_the_same_model_in_clingo(kb):
    program = kb.program
    derived = {r.head.predicate for r in program.rules}
    ours = {p: kb.interpretation.tuples(p) for p in derived}
    assert _relations(solve(program), derived) == _relations(ours, derived)
    assert sum(len(v) for v in ours.values()) > 100


def test_numbers_are_scaled_to_integers_and_read_back(kb):
    scale = number_scale(kb.program)
    assert scale >= 10  # the bundled knowledge base has decimals (a BMI of 18.5)
    text = to_asp(kb.program, scale)
    assert "18.5" not in text and str(int(18.5 * scale)) in text


node = st.sampled_from([f"n{i}" for i in range(6)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edges=st.lists(st.tuples(node, node), min_size=1, max_size=14, unique=True),
       chosen=st.lists(st.sampled_from(range(len(RULE_TEMPLATES))), min_size=1, max_size=8, unique=True))
def test_random_stratified_programs_have_the_same_model_in_clingo(edges, chosen):
    rules = [RULE_TEMPLATES[i][1] for i in sorted(chosen)]
    decls, diagnostics = parse_text(_program_text(edges, rules), "random.tad")
    assert not diagnostics
    program = compile_model(build_model(decls))
    derived = {r.head.predicate for r in program.rules}
    ours = evaluate(program)
    assert _relations(solve(program), derived) == _relations({p: ours.tuples(p) for p in derived}, derived)
