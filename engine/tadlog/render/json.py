"""An Answer as JSON: the stable interface for integrators.

``schema`` names its version, keys are fixed, lists keep the answer's (ranked) order.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # renderers read an Answer; they never import questions at run time
    from ..questions.answer import Answer, Argument, Citation, ProofNode, RuleAnalysis

SCHEMA = "tadlog.answer/2"


def _atom_json(atom) -> dict:
    return {"predicate": atom[0], "args": list(atom[1])}


def proof_json(node: ProofNode) -> dict:
    return {"claim": node.claim, "fact": _atom_json(node.atom), "by": node.by, "statements": list(node.citations),
            "rule": node.rule, "rule_statements": list(node.rule_citations), "rationale": node.rationale,
            "conditions": list(node.conditions), "truncated": node.truncated,
            "premises": [proof_json(p) for p in node.premises]}


def argument_json(arg: Argument) -> dict:
    return {"stance": arg.stance, "claim": arg.claim, "evidence": arg.evidence, "strength": arg.strength,
            "statements": arg.proof.statements(), "proof": proof_json(arg.proof),
            "inherited": arg.inherited, "via": proof_json(arg.via) if arg.via is not None else None}


def citation_json(c: Citation) -> dict:
    return {"statement": c.statement, "source": c.source, "document": c.document, "section": c.section,
            "lines": list(c.lines), "kind": c.kind, "evidence": c.evidence, "quote": c.quote,
            "n": c.n, "population": c.population, "ci": c.ci, "short": c.short}


def _patient_json(answer: Answer) -> dict:
    """The patient inputs: age and BMI (numbers or null), stated factors, factors derived by rules."""
    values = dict((k, v) for k, v in answer.patient if k != "patient")
    return {"age": values.get("patient_age"), "bmi": values.get("patient_bmi"),
            "factors": [v for k, v in answer.patient if k == "patient"],
            "derived": list(answer.derived_patient)}


def _analysis_json(a: RuleAnalysis) -> dict:
    return {"rule": a.rule, "conclusion": a.conclusion, "held": list(a.held),
            "blocked_by": [_blocker_json(c) for c in a.blocked_by], "statements": list(a.citations),
            "rationale": a.rationale, "would_change": list(a.changes)}


def _blocker_json(c) -> dict:
    return {"kind": c.kind, "condition": c.text, "proof": proof_json(c.proof) if c.proof else None,
            "explained": [_analysis_json(a) for a in c.explained]}


def reading_json(reading) -> dict:
    """How the question was read: always an object of the same shape (empty lists, "" when unknown)."""
    if reading is None:
        return {"text": "", "intent": "", "frame": "", "form": "", "names": [], "patient": [], "partial": []}
    return {"text": reading.text, "intent": reading.intent, "frame": reading.frame, "form": reading.form,
            "names": [{"term": n.term, "label": n.label, "category": n.category, "said": n.said,
                       "corrected": [{"typed": t, "read_as": r} for t, r in n.corrected]} for n in reading.names],
            "patient": list(reading.patient),
            "partial": [{"said": said, "nearest": list(nearest)} for said, nearest in reading.partial]}


def answer_json(answer: Answer) -> dict:
    """The answer as JSON (schema tadlog.answer/2, docs/answer-schema.md); keys in a fixed order."""
    return {
        "schema": SCHEMA,
        "question": answer.question,
        "reading": reading_json(answer.reading),
        "form": answer.form,
        "subject": {"term": answer.subject, "label": answer.subject_label} if answer.subject else None,
        "patient": _patient_json(answer),
        "verdict": answer.verdict,
        "holds": answer.holds,
        "arguments": {"against": [argument_json(a) for a in answer.arguments_against],
                      "for": [argument_json(a) for a in answer.arguments_for]},
        "proof": proof_json(answer.proof) if answer.proof else None,
        "why_not": [_analysis_json(a) for a in answer.why_not],
        "would_change": list(answer.would_change),
        "instead": [argument_json(a) for a in answer.instead],
        "items": [{"term": i.term, "label": i.label, "summary": i.summary, "score": i.score,
                   "arguments": [argument_json(a) for a in i.arguments], "excerpt": i.excerpt}
                  for i in answer.items],
        "rows": [{k: v for k, v in row} for row in answer.rows],
        "unknowns": list(answer.unknowns),
        "conflicts": [{"id": c.id, "topic": c.topic, "note": c.note, "sides": [list(s) for s in c.sides]}
                      for c in answer.conflicts],
        "notes": list(answer.notes),
        "statements_shown": list(dict.fromkeys(answer.statements_shown + answer.also)),
        "citations": {sid: citation_json(c) for sid, c in sorted(answer.citations.items())},
    }


