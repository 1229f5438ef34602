"""The one line every answer starts with: how the question was read (intent, names, patient).

A clinician sees at once whether the question was understood ("Read as: where to place
mini-implants — molar intrusion; patient: adolescence, anterior open bite"). Built from the
fixed form's mentions or from the names the reader found, with the patient factors the rules
derived from stated inputs added (an age of 15 counts as adolescence).
"""
from __future__ import annotations

from typing import Optional

from ..language.model import KnowledgeBaseModel
from .answer import NameRead, Reading
from .names import GENERIC, Name
from .patient import describes_patient
from .query import Query

INTENT_WORDS = {
    "reasons": "reasons for and against", "reasons_against": "reasons against", "choice": "a choice between",
    "where": "where to place mini-implants", "risks": "risks and complications",
    "quantity": "figures (quantities)", "howto": "how to do it (technique)",
    "suitability": "whether it suits the patient", "definition": "a definition",
    "evidence": "what the evidence says", "help": "help", "raw": "a raw Datalog query",
}
FORM_INTENTS = {
    "why": "reasons", "why_not": "reasons_against", "sites": "where", "risks": "risks",
    "indications": "suitability", "contraindications": "suitability", "is_contraindication": "suitability",
    "anchorage": "choice", "compare": "choice", "what_is": "definition", "sources": "evidence",
    "show": "evidence", "help": "help", "raw": "raw",
}


def make_reading(model: KnowledgeBaseModel, query: Query, intent: Optional[str] = None, frame: str = "",
                 found: Optional[list[Name]] = None, partial=()) -> Reading:
    """The one line that says how a question was read: intent — names; patient: ..."""
    intent = intent or FORM_INTENTS.get(query.form, "evidence")
    if query.form == "why_not":
        intent_key = "reasons_against"
    elif query.form == "why":
        intent_key = "reasons"
    else:
        intent_key = intent
    if found is None:
        mentions = [m for m in (query.subject, query.other, query.indication) if m is not None]
        names = tuple(dict.fromkeys(NameRead(m.term, model.label(m.term), _category(model, m.term), m.text)
                                    for m in mentions))
        if query.form == "anchorage":  # the form names its two options itself
            names += tuple(NameRead(t, model.label(t), _category(model, t), model.label(t))
                           for t in ANCHORAGE_NAMES if t in model.term_by_name)
        names += tuple(NameRead(f, model.label(f), "factor", f) for f in query.patient.factors)
    else:
        names = tuple(NameRead(n.term, model.label(n.term), n.category, n.said, n.corrected) for n in found)
    patient = [model.label(f) for f in query.patient.factors]
    patient += [n.label for n in names if n.category in ("malocclusion", "finding") and n.label not in patient]
    if query.patient.age is not None:
        patient.insert(0, f"age {_num(query.patient.age)}")
    if query.patient.bmi is not None:
        patient.append(f"BMI {_num(query.patient.bmi)}")
    subjects = [n for n in names if not describes_patient(model, n.term)]
    shown = subjects if intent_key == "choice" else [n for n in subjects if n.term not in GENERIC] or subjects
    words = INTENT_WORDS.get(intent_key, intent_key)
    text = "Read as: " + words
    if query.form == "show" and query.statement:
        text += f" — statement {query.statement}"
    elif shown:
        labels = list(dict.fromkeys(n.label for n in shown))
        text += (" " if intent_key == "choice" else " — ") + (" and ".join(labels) if intent_key == "choice"
                                                           else ", ".join(labels))
    if patient:
        text += "; patient: " + ", ".join(dict.fromkeys(patient))
    fixes = [f"'{typed}' as '{meant}'" for n in names for typed, meant in n.corrected]
    if fixes:
        text += " (read " + ", ".join(fixes) + ")"
    part = tuple((p.said, tuple(model.label(t) for t in p.nearest)) for p in partial)
    return Reading(intent_key, text, names, tuple(dict.fromkeys(patient)), part, frame, query.form)


def with_derived(model: KnowledgeBaseModel, reading: Optional[Reading], derived: list[str]) -> Optional[Reading]:
    """The reading with the patient factors the rules derived from the inputs (an age of 15 counts
    as adolescence): they are read too, so the line says so ("patient: age 15, counted as adolescence")."""
    known = {n.term for n in reading.names} if reading else set()
    extra = [t for t in derived if t not in known]
    if reading is None or not extra:
        return reading
    from dataclasses import replace

    labels = [model.label(t) for t in extra]
    said = next((p for p in reading.patient if p.startswith(("age ", "BMI "))), "")
    names = reading.names + tuple(NameRead(t, model.label(t), "factor", said) for t in extra)
    old = "; patient: " + ", ".join(reading.patient)
    text = reading.text.replace(old, old + ", counted as " + ", ".join(labels), 1)
    return replace(reading, names=names, patient=reading.patient + tuple(labels), text=text)


ANCHORAGE_NAMES = ("direct_anchorage", "indirect_anchorage")


def _category(model: KnowledgeBaseModel, term: str) -> str:
    decl = model.term_by_name.get(term)
    return (decl.category or "term") if decl else "term"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
