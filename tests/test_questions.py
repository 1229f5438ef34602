"""The question language: forms, names, patient context, errors, raw queries, unknown inputs."""
from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import run_cli
from questions_support import qkb  # noqa: F401  (fixture)
from tadlog.errors import QueryError, TadlogError


@pytest.mark.parametrize("question,form,subject,indication", [
    ("why not infrazygomatic?", "why_not", "infrazygomatic_crest", None),
    ("WHY NOT IZC", "why_not", "infrazygomatic_crest", None),
    ("why midpalate for molar distalisation?", "why", "midpalate", "molar_distalisation"),
    ("why the mid-palate", "why", "midpalate", None),
    ("sites for molar intrusion for an adolescent with a high MMPA?", "sites", "molar_intrusion", "molar_intrusion"),
    ("where for molar intrusion", "sites", "molar_intrusion", "molar_intrusion"),
    ("risks of mandibular buccal?", "risks", "mandibular_buccal_alveolus", None),
    ("indications in the transverse plane?", "indications", "transverse", None),
    ("indications", "indications", None, None),
    ("contraindications?", "contraindications", None, None),
    ("is smoking a contraindication?", "is_contraindication", "smoking", None),
    ("direct or indirect anchorage for a 12 year old?", "anchorage", None, None),
    ("compare midpalate and infrazygomatic crest", "compare", "midpalate", None),
    ("what is indirect anchorage?", "what_is", "indirect_anchorage", None),
    ("sources of midpalate", "sources", "midpalate", None),
    ("help", "help", None, None),
])
def test_forms_parse_and_resolve(qkb, question, form, subject, indication):
    query = qkb.parse_question(question)
    assert query.form == form
    assert (query.subject.term if query.subject else None) == subject
    assert (query.indication.term if query.indication else None) == indication


@pytest.mark.parametrize("question,age,bmi,factors", [
    ("sites for molar intrusion for an adolescent with a high MMPA?", None, None, ("adolescent", "high_mmpa")),
    ("direct or indirect anchorage for a 12 year old?", 12, None, ()),
    ("direct or indirect anchorage for a 12-year-old", 12, None, ()),
    ("direct or indirect anchorage for a patient aged 40", 40, None, ()),
    ("why not izc for a 15-year-old smoker and high angle", 15, None, ("smoking", "high_mmpa")),
    ("why not midpalate for a diabetic smoker with BMI 17", None, 17, ("diabetes", "smoking")),
    ("why not midpalate for someone with bmi of 31.5, osteoporosis, on bisphosphonates", None, 31.5,
     ("osteoporosis", "bisphosphonates")),
    ("contraindications for an immunosuppressed adult with poor oral hygiene", None, None,
     ("immunosuppression", "adult", "poor_oral_hygiene")),
])
def test_patient_context(qkb, question, age, bmi, factors):
    if "someone" in question:
        question = question.replace("someone", "a patient")
    patient = qkb.parse_question(question).patient
    assert patient.age == age and patient.bmi == bmi
    assert patient.factors == factors


def test_age_connects_to_adolescence_through_a_kb_rule(qkb):
    answer = qkb.ask("direct or indirect anchorage for a 12 year old?")
    assert answer.derived_patient == ("adolescence",)
    assert answer.verdict.startswith("Indirect anchorage")
    rules = [n.rule for n in answer.proof.premises]
    assert "age_adolescent" in rules
    adult = qkb.ask("direct or indirect anchorage for a 40 year old")
    assert adult.derived_patient == ("adulthood",)
    assert not adult.verdict.startswith("Indirect")


def test_unknown_inputs_are_found_by_hypothetical_evaluation(qkb):
    answer = qkb.ask("direct or indirect anchorage?")
    assert any(u.startswith("if the patient is an adolescent") and "indirect anchorage" in u for u in answer.unknowns)
    stated = qkb.ask("direct or indirect anchorage for an adolescent")
    assert not any("adolescent" in u for u in stated.unknowns)
    aged = qkb.ask("direct or indirect anchorage for a 40 year old")
    assert not any("adolescent" in u or "adult" in u for u in aged.unknowns)


def test_patient_inputs_never_change_the_knowledge_base(qkb):
    before = {p: qkb.interpretation.tuples(p) for p in ("patient", "recommended", "preferred_anchorage")}
    qkb.ask("why not infrazygomatic for a 12 year old smoker with diabetes and BMI 16")
    qkb.ask("sites for molar intrusion for an adolescent with a high MMPA")
    after = {p: qkb.interpretation.tuples(p) for p in before}
    assert before == after
    assert not qkb.interpretation.tuples("patient")


def test_unknown_word_shows_caret_and_closest_name(qkb):
    with pytest.raises(QueryError) as info:
        qkb.ask("why not infrazygo?")  # not a slip of one letter: an unknown name, with the closest
    text = info.value.render()
    lines = text.splitlines()
    assert "unknown name 'infrazygo'" in lines[0]
    caret_line = lines[2]
    assert caret_line.index("^") == lines[1].index("infrazygo")
    assert caret_line.count("^") == len("infrazygo")
    assert "did you mean infrazygomatic crest?" in text
    assert info.value.suggestions == ("infrazygomatic crest",)  # structured, never re-split from prose


def test_a_typo_is_read_as_the_name_and_the_reading_says_so(qkb):
    answer = qkb.ask("why not infrazigomatic?")
    assert answer.form == "why_not" and answer.subject == "infrazygomatic_crest"
    assert "'infrazigomatic' as 'infrazygomatic'" in answer.reading.text


def test_unknown_patient_words_are_left_out_and_the_reading_shows_what_was_used(qkb):
    answer = qkb.ask("why not midpalate for a smoker with blue eyes")
    assert answer.form == "why_not" and answer.patient == (("patient", "smoking"),)
    assert answer.reading.text == "Read as: reasons against \u2014 midpalate; patient: smoking"


@pytest.mark.parametrize("question,expected", [
    ("sites molar", "expected 'for'"),
    ("why not", "expected a name"),
    ("compare midpalate", "expected"),
    ("tell me a joke", "expected"),
])
def test_syntax_errors_speak_words_not_token_names(qkb, question, expected):
    with pytest.raises(QueryError) as info:
        qkb.ask(question)
    text = info.value.render()
    assert expected in text
    for token in ("WORD", "COMMA", "$END", "__ANON", "FOR", "WHY", "Token("):
        assert token not in text


def test_raw_query_rows_match_the_relation(qkb):
    answer = qkb.ask("? site_success_percent(Site, P), P >= 90.")
    expected = sorted((s, p) for s, p in qkb.interpretation.tuples("site_success_percent") if p >= 90)
    assert [tuple(v for _, v in row) for row in answer.rows] == expected
    assert all([k for k, _ in row] == ["Site", "P"] for row in answer.rows)
    closed = qkb.ask("? recommended(midpalate)")
    assert closed.holds is True and closed.verdict.startswith("Yes")


@pytest.mark.parametrize("question,code", [
    ("? site_succes_percent(Site, P)", "E110"),
    ("? recommended(X), X > 3.", "E124"),
    ("? recommended(X), not caution(X, Y).", "E12"),
    ("? foo(", "Q001"),
])
def test_raw_query_is_checked_like_a_rule(qkb, question, code):
    with pytest.raises(QueryError) as info:
        qkb.ask(question)
    assert any(d.code.startswith(code) for d in info.value.diagnostics)


def test_show_and_sources(qkb):
    sid = next(iter(qkb.model.statement_by_id))
    answer = qkb.ask(f"show {sid}")
    assert sid in answer.citations and qkb.model.statement_by_id[sid].quote in answer.verdict
    sources = qkb.ask("sources of midpalate")
    assert sources.items and all(i.term in qkb.model.source_by_id for i in sources.items)


def test_why_not_analysis_types_its_blockers(qkb):
    answer = qkb.ask("why not infrazygomatic?")
    assert answer.holds is False
    kinds = {c.kind for a in answer.why_not for c in a.blocked_by}
    assert "negated_fact_holds" in kinds
    negated = [c for a in answer.why_not for c in a.blocked_by if c.kind == "negated_fact_holds"]
    assert all(c.proof is not None and c.proof.statements() for c in negated)
    assert answer.instead and answer.would_change


def test_why_gives_a_proof_down_to_cited_statements(qkb):
    answer = qkb.ask("why midpalate?")
    assert answer.holds is True and answer.proof is not None
    assert answer.proof.statements()
    assert all(s in answer.citations for s in answer.proof.statements())


ALPHABET = string.ascii_letters + string.digits + " ?,.-_()<>=!:'\"\t\n" + "éß→"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_parser_raises_only_tadlog_errors(qkb, text):
    try:
        qkb.parse_question(text)
    except TadlogError:
        pass


WORDS = ["why", "not", "for", "with", "and", "sites", "of", "risks", "is", "a", "contraindication", "compare",
         "what", "show", "12", "year", "old", "bmi", "izc", "midpalate", "adolescent", "smoker", ",", "?", "in",
         "plane", "direct", "or", "indirect", "anchorage", "molar", "intrusion", "high", "mmpa"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(WORDS), max_size=10))
def test_answering_keyword_soup_raises_only_tadlog_errors(qkb, words):
    try:
        qkb.ask(" ".join(words))
    except TadlogError:
        pass


def test_cli_answers_and_errors_without_traceback():
    import os

    kb_args = ["--kb", os.environ["TADLOG_QUESTIONS_KB"]] if os.environ.get("TADLOG_QUESTIONS_KB") else []
    ok = run_cli("ask", *kb_args, "sites for molar intrusion for an adolescent with a high MMPA?")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[0].startswith("Read as: where to place mini-implants")
    assert "\nFor molar intrusion the sources name" in ok.stdout
    bad = run_cli("ask", *kb_args, "why not infrazygo?")
    assert bad.returncode == 1
    assert "did you mean infrazygomatic crest?" in bad.stderr and "Traceback" not in bad.stderr
    batch = run_cli("ask", *kb_args, "--file", "-", stdin="why not izc\n# comment\nsites molar\nhelp\n")
    assert batch.returncode == 1 and batch.stdout.count("Q: ") == 3 and "Traceback" not in batch.stderr
    repl = run_cli("repl", *kb_args, stdin="why midpalate\nwhy not infrazygo\nquit\n")
    assert repl.returncode == 0 and "Yes:" in repl.stdout and "did you mean" in repl.stdout


def test_evidence_answering_predicates_exist_in_the_bundled_kb(qkb):
    """The evidence form lifts statements whose facts answer the intent (forms/evidence.ANSWERING);
    a predicate renamed in the knowledge base must not leave a name there that matches nothing."""
    import importlib

    evidence = importlib.import_module("tadlog.questions.forms.evidence")
    declared = set(qkb.model.predicate_by_name)
    unknown = {intent: sorted(names - declared) for intent, names in evidence.ANSWERING.items() if names - declared}
    assert not unknown
    assert not evidence.COMPARING - declared  # the comparisons a quantity question accepts


def test_why_do_they_fail_puts_the_causes_first(qkb):
    """'why do mini-implants fail?' wants the causes and risk factors the sources give: most of the
    first six statements each support a fact that answers 'why' (a cause, a risk factor, what raises it):
    a statement that only mentions failure (a delayed treatment) ranks after them."""
    import importlib

    evidence = importlib.import_module("tadlog.questions.forms.evidence")
    index = evidence.statement_index(qkb.model)
    answer = qkb.ask("why do mini-implants fail?")
    first = [item.term for item in answer.items[:6]]
    answering = [sid for sid in first
                 if any(p in evidence.ANSWERING["reasons"] for p, _ in index.facts_of(sid))]
    assert answering == first


def test_a_quote_that_points_back_comes_after_what_it_points_to(qkb):
    """'This marked drop in success rates ...' is shown after the sentence with the figures it
    speaks of (85% and 58%, 79% and 77%), which ends where it begins in the same section."""
    answer = qkb.ask("a maxillary buccal mini-implant failed - should I go to the midpalate?")
    order = [item.term for item in answer.items]
    assert "hb_midpalate_after_buccal_failure" in order[:6]
    position = order.index("hb_midpalate_after_buccal_failure")
    assert order[position - 1] == "hb_471_primary_replacement"
    assert "79% and 77%" in answer.to_text()


def test_a_reasoning_answer_adds_what_else_bears_on_the_question(qkb):
    """'which side do I put the TAD?' has a site answer; the review's 'on the side that the centreline
    is to be moved towards' is what the clinician asked, so it follows as 'Also in the sources'. A
    question the form covers whole ('what is the midpalate?') gets nothing more."""
    answer = qkb.ask("centreline shift - which side do I put the TAD?")
    assert answer.form == "sites" and "rev_centreline" in answer.also
    assert "Also in the sources" in answer.to_text()
    assert "on the side that the centreline is to be moved towards" in answer.to_text()
    assert "rev_centreline" in answer.to_json()["statements_shown"]
    assert qkb.ask("what is the midpalate?").also == ()


def test_only_what_describes_the_patient_is_read_as_the_patient(qkb):
    """A factor of the placement or of the clinician (root contact, the force level) is what the
    question asks about, never the patient's; adolescence and an open bite are the patient's."""
    reading = qkb.ask("how much force for an adolescent with an anterior open bite?").reading
    assert "force" not in " ".join(reading.patient) and "adolescence" in reading.patient
    assert "anterior open bite" in reading.patient
    assert qkb.ask("what happens if I hit a root with a TAD?").reading.patient == ()
