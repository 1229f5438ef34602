"""The development question set (issue 8, item 5): well-formed, complete, and grounded in the KB.

The set itself is ``tests/devset/questions.json``; the shared logic is ``tests/devset/devset.py``
(also used by ``benchmarks/score_questions.py``). These tests check the set, not the engine: every
key point is a verbatim (normalised) part of a statement quote, every documented example is in
the set, and every section of the knowledge base with statements is the source of some key point.
``test_devset_scores`` is the engine's target on the set (issue 8: 95% understood, 90% with all key
points), skipped while it is not met; ``test_devset_does_not_regress`` holds the figures reached so
far, so a change that loses understanding or key points fails at once.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "devset"))

import devset  # noqa: E402

MIN_QUESTIONS = 200


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return devset.load_set()


@pytest.fixture(scope="module")
def statements(kb):
    return {s.id: s for s in kb.model.statements}


def test_normalise_folds_case_space_dashes_and_quotes():
    assert devset.normalise("  10–25\u00a0Ncm ") == "10-25 ncm"
    assert devset.contains("usually after 1\u20132 months", "USUALLY after 1-2  months")
    assert devset.contains("\u2018miracle\u2019 solutions", "'miracle' solutions")
    assert devset.contains("the mid-\n     palate area", "mid-palate area")  # wrapped at a hyphen
    assert not devset.contains("5-15 Ncm", "10-25 Ncm")


def test_set_is_well_formed(items, kb):
    assert len(items) >= MIN_QUESTIONS
    ids = [item["id"] for item in items]
    assert not [i for i, n in Counter(ids).items() if n > 1], "duplicate ids"
    questions = [devset.example_key(item["question"]) for item in items]
    assert not [q for q, n in Counter(questions).items() if n > 1], "duplicate questions"
    terms = set(kb.model.term_by_name)
    for item in items:
        where = item.get("id")
        assert set(item) <= {"id", "question", "intent", "names", "key_points", "sources", "origin",
                             "silent"}, where
        assert isinstance(item["question"], str) and item["question"].strip(), where
        assert item["intent"] in devset.INTENTS, where
        assert item.get("origin") in devset.ORIGINS, where
        assert all(n in terms for n in item.get("names", ())), f"{where}: names must be KB terms"
        points = item.get("key_points", [])
        assert isinstance(points, list) and len(points) <= 4, where
        if item["intent"] == "error" or item.get("silent"):
            assert points == [], f"{where}: error and silent questions carry no key points"
        elif item["intent"] != "help":
            assert 1 <= len(points), f"{where}: 1-4 key points"
    intents = Counter(item["intent"] for item in items)
    assert intents["error"] >= 5 and sum(1 for i in items if i.get("silent")) >= 5


def test_every_key_point_is_in_a_statement_quote(items, statements):
    quotes = {sid: devset.normalise(s.quote) for sid, s in statements.items()}
    for item in items:
        for point in item.get("key_points", ()):
            assert any(devset.contains(q, point) for q in quotes.values()), \
                f"{item['id']}: key point {point!r} is in no statement quote"
        for sid in devset.source_ids(item):
            assert sid in statements, f"{item['id']}: source names unknown statement {sid}"
            assert any(devset.contains(statements[sid].quote, p) for p in item["key_points"]), \
                f"{item['id']}: source {sid} contains none of the key points"
        if item.get("key_points"):
            assert devset.source_ids(item), f"{item['id']}: key points without sources"


def test_every_documented_example_is_in_the_set(items):
    keys = {devset.example_key(item["question"]) for item in items}
    examples = devset.documented_examples()
    assert examples["readme"] and examples["docs"] and examples["kb-questions"] and examples["bench"]
    missing = [(origin, q) for origin, qs in examples.items() for q in qs
               if devset.example_key(q) not in keys]
    assert not missing, f"examples not in tests/devset/questions.json: {missing}"


def test_every_kb_section_is_covered(items, statements):
    """Each (document, section) that has statements is the source of some question's key point."""
    covered = set()
    for item in items:
        for sid in devset.source_ids(item):
            s = statements[sid]
            if any(devset.contains(s.quote, p) for p in item["key_points"]):
                covered.add((s.source, s.section))
    sections = {(s.source, s.section) for s in statements.values()}
    assert not sorted(sections - covered), f"sections without a question: {sorted(sections - covered)}"


# The figures reached (benchmarks/score_questions.py): raise them as the engine improves, never lower.
UNDERSTOOD_FLOOR, KEYS_FLOOR = 413, 391


def test_devset_does_not_regress(kb, items):
    results = devset.score(kb, items)
    figures = devset.summary(results)
    misses = [(r.id, r.error or r.missing) for r in results if not (r.understood and r.keys_ok)]
    assert figures["understood"] >= UNDERSTOOD_FLOOR, misses
    assert figures["keys"] >= KEYS_FLOOR, misses


def test_devset_scores(kb, items):
    results = devset.score(kb, items)
    figures = devset.summary(results)
    misses = [(r.id, r.missing or r.first_line) for r in results if not (r.understood and r.keys_ok)]
    assert figures["understood_rate"] >= 0.95, misses
    assert figures["keys_rate"] >= 0.90, misses
