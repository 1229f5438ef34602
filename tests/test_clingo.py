"""pyDatalog against clingo, a second engine written by other people: zero mismatches.

Through the one exporter (tadlog.engine.asp): the bundled knowledge base, every patient-input
variant of the standard questions, random raw queries asked as a user would, and the oracle's
random stratified programs.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import oracle
from tadlog.engine import asp
from tadlog.engine.compile import compile_model
from tadlog.engine.evaluate import evaluate
from tadlog.language.model import NUMBER, Atom, Rule, Var
from tadlog.language.parse import build_model, parse_text
from tadlog.language.validate import validate

from conftest import KB
from test_engine import RULE_TEMPLATES, _program_text
from test_oracle_programs import random_program_text

clingo = pytest.importorskip("clingo")


def _norm(interpretation, predicates=None) -> dict:
    return {p: {oracle._norm(r) for r in rows} for p, rows in interpretation.relations.items()
            if rows and (predicates is None or p in predicates)}


def _clingo(program, extra=()):
    return asp.solve(asp.to_asp(program, extra))


def test_bundled_kb_agrees_with_clingo_fact_for_fact(kb):
    got, want = _norm(kb.interpretation), _norm(_clingo(kb.program))
    assert got == want
    assert sum(map(len, want.values())) > len(kb.model.facts)  # rules derived something


def _patient_variants(kb) -> list[tuple]:
    """The inputs of every standard question, alone and with each patient factor added."""
    from tadlog.questions.forms.unknowns import patient_factor_candidates

    questions = [line.strip() for line in (KB / "questions.txt").read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#")]
    factors = patient_factor_candidates(kb)
    variants = {()}
    for question in questions:
        stated = tuple(kb.parse_question(question).patient.facts())
        variants.add(stated)
        for factor in factors:
            variants.add(tuple(sorted(set(stated) | {("patient", (factor,))})))
    variants |= {(("patient_age", (age,)),) for age in (9, 12, 17.5, 18, 45)}
    variants.add((("patient_bmi", (17,)), ("patient", ("smoking",))))
    return sorted(variants, key=repr)


def test_every_patient_variant_of_the_standard_questions_agrees_with_clingo(kb):
    variants = _patient_variants(kb)
    assert len(variants) > 20
    mismatches = [facts for facts in variants
                  if _norm(kb.with_inputs(facts).interpretation) != _norm(_clingo(kb.program, facts))]
    assert mismatches == []


# ---- random raw queries, asked as text -------------------------------------------------------
def _random_query(kb, rng: random.Random) -> str:
    """A well-typed raw query: 1-3 atoms over the KB's predicates joined on shared variables,
    constants taken from the relations, '_', and sometimes a negation and a comparison."""
    model, interpretation = kb.model, kb.interpretation
    predicates = [p for p in model.predicates if interpretation.tuples(p.name)]
    pool: dict[str, list[str]] = {"symbol": [], "number": []}  # variables by type
    literals, numbers = [], []
    for _ in range(rng.randint(1, 3)):
        pred = rng.choice(predicates)
        row = rng.choice(sorted(interpretation.tuples(pred.name), key=repr))
        args = []
        for param, value in zip(pred.params, row):
            kind = NUMBER if param.type == NUMBER else "symbol"
            roll = rng.random()
            if roll < 0.2:
                args.append("_")
            elif roll < 0.4:
                args.append(value if isinstance(value, str) else f"{value:g}")
            elif pool[kind] and roll < 0.7:
                args.append(rng.choice(pool[kind]))  # a join, or a repeated variable
            else:
                name = f"{'N' if kind == NUMBER else 'X'}{sum(map(len, pool.values()))}"
                pool[kind].append(name)
                args.append(name)
                if kind == NUMBER:
                    numbers.append((name, value))
        literals.append(f"{pred.name}({', '.join(args)})")
    bound = set(pool["symbol"]) | set(pool["number"])
    if rng.random() < 0.4:  # negation over what is bound
        pred = rng.choice(predicates)
        args = []
        for param in pred.params:
            kind = NUMBER if param.type == NUMBER else "symbol"
            choices = [v for v in pool[kind] if v in bound]
            args.append(rng.choice(choices) if choices and rng.random() < 0.8 else
                        "_" if rng.random() < 0.5 else _constant(interpretation, pred, param, rng))
        literals.append(f"not {pred.name}({', '.join(args)})")
    if numbers and rng.random() < 0.6:
        name, value = rng.choice(numbers)
        literals.append(f"{name} {rng.choice(['<', '<=', '>', '>=', '=', '!='])} {value + rng.choice([-1, 0, 1]):g}")
    return "? " + ", ".join(literals) + "."


def _constant(interpretation, pred, param, rng) -> str:
    index = [p.name for p in pred.params].index(param.name)
    values = sorted({row[index] for row in interpretation.tuples(pred.name)}, key=repr)
    value = rng.choice(values)
    return value if isinstance(value, str) else f"{value:g}"


def test_random_raw_queries_agree_with_clingo(kb):
    rng = random.Random(9)
    checked = 0
    for _ in range(150):
        text = _random_query(kb, rng)
        query = kb.parse_question(text)
        answer = kb.ask(query)
        variables = tuple(dict.fromkeys(v.name for l in query.raw_body if isinstance(l, Atom)
                                        for v in l.variables if not v.anonymous))
        rule = Rule("query", Atom("tadlog_query_result", tuple(Var(v) for v in variables)), query.raw_body)
        program = kb.program.with_rules([rule], [("tadlog_query_result", len(variables))])
        want = _norm(_clingo(program), {"tadlog_query_result"}).get("tadlog_query_result", set())
        got = {oracle._norm(tuple(v for _, v in row)) for row in answer.rows} if variables else \
            ({()} if answer.holds else set())
        assert got == want, text
        checked += bool(want)
    assert checked > 30  # most queries have answers: the comparison is not vacuous


# ---- the exporter on random stratified programs ----------------------------------------------
node = st.sampled_from([f"n{i}" for i in range(6)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edges=st.lists(st.tuples(node, node), min_size=1, max_size=14, unique=True),
       seed=st.integers(0, 10 ** 6))
def test_random_stratified_programs_agree_with_clingo(edges, seed):
    text = random_program_text(edges, random.Random(seed))
    decls, diagnostics = parse_text(text, "random.tad")
    assert not diagnostics, [d.render() for d in diagnostics]
    model = build_model(decls)
    assert not [d for d in validate(model) if d.severity == "error" and d.code != "E102"]
    program = compile_model(model)
    assert _norm(evaluate(program)) == _norm(_clingo(program))
