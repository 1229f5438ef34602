"""The engine against an independent evaluator, under threads, and without eval/exec/compile."""
from __future__ import annotations

import builtins
import threading

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import oracle
import tadlog
from tadlog.engine.compile import compile_model
from tadlog.engine.evaluate import evaluate
from tadlog.language.parse import build_model, parse_text
from tadlog.language.validate import validate

from conftest import KB


def _norm_relations(interpretation):
    return {p: {oracle._norm(r) for r in rows} for p, rows in interpretation.relations.items() if rows}


def test_bundled_kb_matches_independent_evaluator(kb):
    """Every derived fact of the real knowledge base, compared with the oracle: zero mismatches."""
    facts = [(f.atom.predicate, tuple(a.value for a in f.atom.args)) for f in kb.model.facts]
    expected = {p: rows for p, rows in oracle.evaluate(facts, list(kb.model.rules)).items() if rows}
    got = _norm_relations(kb.interpretation)
    assert got == expected
    derived = {r.head.predicate for r in kb.model.rules}
    assert sum(len(got.get(p, ())) for p in derived) > 0, "the knowledge base derives nothing"


def _program_text(edges, rules):
    lines = ['predicate e(a, b) "{a} links to {b}".', 'predicate w(a, n: number) "{a} weighs {n}".',
             'statement s from src section "1" lines 1-1 kind finding quote "q 0 1 2 3 4 5 6 7 8 9".']
    nodes = sorted({n for e in edges for n in e} | {"n0"})
    lines += [f'term {n} category node label "{n}".' for n in nodes]
    lines += [f"e({a}, {b}) cites s." for a, b in edges]
    lines += [f"w({n}, {i % 10}) cites s." for i, n in enumerate(nodes)]
    for name in ("p0", "p1", "p2", "p3"):
        lines.append(f'predicate {name}(a, b) "{{a}} {name} {{b}}".')
    lines += rules
    return "\n".join(lines)


RULE_TEMPLATES = [
    # (stratum of head, text) — negation only on strictly lower strata; right and left recursion
    (0, "p0(X, Y) :- e(X, Y) cites s."),
    (0, "p0(X, Y) :- e(X, Z), p0(Z, Y) cites s."),
    (0, "p0(X, Y) :- p0(X, Z), e(Z, Y) cites s."),
    (0, "p0(X, Y) :- p0(X, Z), p0(Z, Y) cites s."),
    (1, "p1(X, Y) :- e(X, Y), not p0(Y, X) cites s."),
    (1, "p1(X, Y) :- p1(X, Z), e(Z, Y), not p0(Y, Y) cites s."),
    (1, "p1(X, Y) :- e(Y, X), w(X, N), N < 5 cites s."),
    (2, "p2(X, Y) :- p1(X, Y), not p0(X, Y) cites s."),
    (2, "p2(X, Y) :- e(X, Y), p2(Y, X) cites s."),
    (2, "p2(X, X) :- w(X, N), w(Y, M), N >= M, not p1(X, Y) cites s."),
    (3, "p3(X, Y) :- p2(X, Z), p0(Z, Y), not p1(X, Y) cites s."),
    (3, "p3(X, Y) :- p3(Y, X), e(X, _) cites s."),
    (3, "p3(X, Y) :- e(X, Y), X != Y, not p2(Y, Y) cites s."),
    # several '_' in one rule: each is its own variable (they once all became one)
    (1, "p1(X, X) :- e(X, _), e(_, _), w(_, N), N > 2 cites s."),
    (2, "p2(X, Y) :- e(X, _), e(_, Y), not p0(Y, X) cites s."),
    (3, "p3(X, Y) :- p0(X, _), p1(_, Y), w(Y, _), not p2(X, Y) cites s."),
]

node = st.sampled_from([f"n{i}" for i in range(6)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edges=st.lists(st.tuples(node, node), min_size=1, max_size=14, unique=True),
       chosen=st.lists(st.sampled_from(range(len(RULE_TEMPLATES))), min_size=1, max_size=8, unique=True))
def test_random_stratified_programs_match_oracle(edges, chosen):
    rules = [RULE_TEMPLATES[i][1] for i in sorted(chosen)]
    decls, diagnostics = parse_text(_program_text(edges, rules), "random.tad")
    assert not diagnostics
    model = build_model(decls)
    errors = [d for d in validate(model) if d.severity == "error" and d.code != "E102"]
    assert not errors, [d.render() for d in errors]
    facts = [(f.atom.predicate, tuple(a.value for a in f.atom.args)) for f in model.facts]
    expected = {p: rows for p, rows in oracle.evaluate(facts, list(model.rules)).items() if rows}
    assert _norm_relations(evaluate(compile_model(model))) == expected


def test_concurrent_readers_get_identical_answers(kb):
    """Threads asking patient-specific and plain questions at once see the single-thread answers."""
    questions = ["why not infrazygomatic?", "why midpalate?", "why not infrazygomatic for an adolescent?"]
    expected = {q: kb.ask(q).to_json() for q in questions}
    results, failures = [], []

    def worker(offset):
        try:
            for i in range(6):
                q = questions[(i + offset) % len(questions)]
                results.append((q, kb.ask(q).to_json()))
        except Exception as exc:  # collected and asserted below
            failures.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert len(results) == 24
    assert all(answer == expected[q] for q, answer in results)


def test_no_eval_exec_or_compile_while_loading_and_answering(monkeypatch):
    """Grammars are built once from our own files; after that no text reaches eval/exec/compile."""
    import importlib
    import pkgutil

    from tadlog.language import parse
    from tadlog.questions import query, rawquery

    parse._parser(), query._question_parser(), rawquery._raw_parser()  # build the grammars first
    for info in pkgutil.walk_packages(tadlog.__path__, "tadlog."):  # import every module before the patch
        importlib.import_module(info.name)
    importlib.import_module("networkx")
    calls = []

    def forbidden(*args, **kwargs):
        calls.append(args[:1])
        raise AssertionError("eval/exec/compile called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", forbidden)
    kb = tadlog.load(KB, use_cache=False)
    answer = kb.ask("why not infrazygomatic?")
    raw = kb.ask("? site_success_percent(Site, P), P >= 90.")
    monkeypatch.undo()
    assert not calls
    assert answer.holds is False and answer.arguments_against
    assert raw.rows


def test_question_with_python_code_runs_nothing(kb, tmp_path):
    marker = tmp_path / "pwned"
    hostile = f"why not __import__('os').system('touch {marker}')?"
    try:  # read as free text at most ("system" is a name the sources use); never run
        kb.ask(hostile)
    except tadlog.QueryError:
        pass
    with pytest.raises(tadlog.TadlogError):
        kb.ask(f"? site_success_percent(__import__('os').system('touch {marker}'), P).")
    assert not marker.exists()


@pytest.mark.parametrize("inputs", [
    [("patient", ("adolescent",))],
    [("patient_age", (12,))],
    [("patient_age", (40,)), ("patient", ("high_mmpa",)), ("patient", ("smoking",))],
    [("patient_bmi", (17,)), ("patient", ("poor_oral_hygiene",))],
])
def test_incremental_evaluation_of_patient_inputs_equals_full_evaluation(kb, inputs):
    """A question's inputs re-evaluate only what depends on them; the result must not differ."""
    incremental = kb.with_inputs(inputs).interpretation
    full = evaluate(kb.program.with_facts(inputs))
    assert _norm_relations(incremental) == _norm_relations(full)
    facts = [(f.atom.predicate, tuple(a.value for a in f.atom.args)) for f in kb.model.facts] + list(inputs)
    assert _norm_relations(full) == {p: r for p, r in oracle.evaluate(facts, list(kb.model.rules)).items() if r}



@pytest.mark.parametrize("question, expected", [
    # each '_' is its own variable: the rows of design_feature/2 themselves
    ("? design_feature(_, _).", lambda I: bool(I.tuples("design_feature"))),
    # two '_' in two literals do not join the literals
    ("? site_success_figure(S, _), recommended_for(_, I).",
     lambda I: len({(s[0], r[1]) for s in I.tuples("site_success_figure") for r in I.tuples("recommended_for")})),
    # a user's variable that looks like a generated name is still the user's own variable
    ("? site_success_figure(S, _anon1), recommended_for(_, I).",
     lambda I: len({(s[0], s[1], r[1]) for s in I.tuples("site_success_figure") for r in I.tuples("recommended_for")})),
])
def test_every_underscore_is_a_fresh_variable(kb, question, expected):
    answer = kb.ask(question)
    want = expected(kb.interpretation)
    if isinstance(want, bool):
        assert answer.holds is want is True
    else:
        assert want > 0 and len(answer.rows) == want

