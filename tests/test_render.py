"""Renderers of one Answer: compact and full text, colour, JSON (tadlog.answer/1), Markdown, graphs."""
from __future__ import annotations

import json
import os

from conftest import run_cli
from questions_support import qkb  # noqa: F401  (fixture)

TOP_KEYS = ["schema", "question", "reading", "form", "subject", "patient", "verdict", "holds", "arguments", "proof",
            "why_not", "would_change", "instead", "items", "rows", "unknowns", "conflicts", "notes",
            "statements_shown", "citations"]


def test_json_schema_is_versioned_with_fixed_keys(qkb):
    data = qkb.ask("sites for molar intrusion for a 12 year old smoker").to_json()
    assert list(data) == TOP_KEYS
    assert data["schema"] == "tadlog.answer/2"
    assert data["reading"]["intent"] == "where" and data["reading"]["form"] == "sites"
    assert [n["term"] for n in data["reading"]["names"]] == ["molar_intrusion", "smoking", "adolescent"]
    assert data["reading"]["names"][-1]["said"] == "age 12"  # derived from the age by the rules
    assert data["patient"] == {"age": 12, "bmi": None, "factors": ["smoking"], "derived": ["adolescence"]}
    assert list(data["citations"]) == sorted(data["citations"])
    for item in data["items"]:
        for arg in item["arguments"]:
            assert set(arg["statements"]) <= set(data["citations"])
    json.dumps(data)


def test_json_is_stable_between_calls(qkb):
    first = json.dumps(qkb.ask("why not infrazygomatic?").to_json())
    second = json.dumps(qkb.ask("why not infrazygomatic?").to_json())
    assert first == second


def test_why_not_json_has_typed_blockers(qkb):
    data = qkb.ask("why not infrazygomatic?").to_json()
    kinds = {b["kind"] for a in data["why_not"] for b in a["blocked_by"]}
    assert kinds <= {"missing_fact", "missing_derived_fact", "negated_fact_holds", "comparison_failed",
                     "not_checked", "missing_input"}
    assert "negated_fact_holds" in kinds


def test_compact_text_quotes_each_statement_once_and_full_has_everything(qkb):
    answer = qkb.ask("why not infrazygomatic?")
    compact, full = answer.to_text(), answer.to_text(full=True)
    assert "Cousley \u00a71.8, lines 428-430 (study, n=30)" in compact and "--full" in compact
    flat = " ".join(compact.split())
    for needle in ("at 78%, as reported in a study of 30 consecutive Caucasian patients",
                   "up to 99% in the midpalate", "78% penetrated the maxillary sinus", "in 88% of these sites",
                   "The infrazygomatic crest is not recommended for this reason", "within 8 mm of the alveolar crest"):
        assert needle in flat, needle
    for c in answer.citations.values():  # never the same quote twice on one screen
        opening = f"\u00a7{c.section}, lines {c.lines[0]}-{c.lines[1]} ({c.evidence.replace('_', ' ')}"
        assert flat.count(opening) <= 1 or flat.count("\u201c" + " ".join(c.quote.split())[:40]) <= 1, c.statement
    assert len(full.splitlines()) > len(compact.splitlines())
    full_flat = " ".join(full.split())
    assert all(" ".join(c.quote.split()) in full_flat for c in answer.citations.values())  # whole quotes


def test_colour_only_when_asked(qkb):
    answer = qkb.ask("why midpalate")
    assert "\033[" not in answer.to_text()
    assert "\033[1m" in answer.to_text(colour=True)
    plain = run_cli("ask", *_kb_args(), "why midpalate")  # stdout is a pipe: never colour
    assert "\033[" not in plain.stdout


def test_depth_limits_the_proof(qkb):
    answer = qkb.ask("direct or indirect anchorage for a 12 year old")
    shallow = answer.to_text(depth=0)
    deep = answer.to_text(depth=5)
    assert "--depth" in shallow and "12 years old" in deep and "12 years old" not in shallow


def test_markdown_and_graphs(qkb):
    answer = qkb.ask("why not infrazygomatic?")
    md = answer.to_markdown()
    assert md.startswith("**why not infrazygomatic?**") and "### Sources" in md
    dot = run_cli("ask", *_kb_args(), "--dot", "why not infrazygomatic?")
    assert dot.returncode == 0 and dot.stdout.startswith("digraph")
    graphml = run_cli("ask", *_kb_args(), "--graphml", "is smoking a contraindication")
    assert graphml.returncode == 0 and "<graphml" in graphml.stdout
    data = json.loads(run_cli("ask", *_kb_args(), "--json", "risks of mandibular buccal").stdout)
    assert data["schema"] == "tadlog.answer/2" and data["form"] == "risks"


def _kb_args():
    kb = os.environ.get("TADLOG_QUESTIONS_KB")
    return ["--kb", kb] if kb else []
