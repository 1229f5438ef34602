"""The bundled knowledge base itself: verbatim quotes, cited numbers, coverage, conflicts."""
from __future__ import annotations

import json

from tadlog.curate.coverage import coverage
from tadlog.errors import ERROR
from tadlog.language.model import Const, NUMBER
from tadlog.language.quotes import check_quote, number_in_quote
from tadlog.language.validate import validate

from conftest import run_cli


def test_check_passes_with_every_quote_verified(kb, seeds):
    findings = validate(kb.model, sources=seeds, check_quotes=True)
    errors = [d.render() for d in findings if d.severity == ERROR]
    assert errors == []


def test_every_quote_is_in_its_seed_within_its_lines(kb, seeds):
    missing = []
    for st in kb.model.statements:
        source = kb.model.source_by_id[st.source]
        if not check_quote(seeds / source.file, st.lines, st.quote).found:
            missing.append(st.id)
    assert missing == []
    assert len(kb.model.statements) >= 300


def test_every_number_of_a_fact_occurs_in_a_quote_it_cites(kb):
    unsupported = []
    for fact in kb.model.facts:
        quotes = [kb.model.statement_by_id[s].quote for s in fact.cites]
        for arg in fact.atom.args:
            if isinstance(arg, Const) and arg.kind == NUMBER and not any(number_in_quote(arg.value, q) for q in quotes):
                unsupported.append((fact.atom.predicate, arg.value))
    assert unsupported == []


def test_every_document_and_clinical_section_is_covered(kb):
    report = coverage(kb.model)
    assert {s for s, _, n, _ in report.documents if n >= 40} == {s.id for s in kb.model.sources}
    assert report.uncovered == ()
    result = run_cli("coverage", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["uncovered"] == []


def test_conflicts_name_real_statements_on_at_least_two_sides(kb):
    assert len(kb.model.conflicts) >= 8
    for conflict in kb.model.conflicts:
        assert len(conflict.sides) >= 2
        assert all(s in kb.model.statement_by_id for s in conflict.statements)


def test_sources_are_identified_only_from_their_text(kb):
    by_file = {s.file: s for s in kb.model.sources}
    assert len(by_file) == 4
    practitioner = by_file["001_0489ef35e23dd47a.txt"]
    assert practitioner.year == 2008 and practitioner.authors and "Baumgaertel" in practitioner.authors[0]
    review = by_file["000_8c4a2b8604c74785.txt"]
    assert review.title is None and review.authors is None  # the text does not show them
