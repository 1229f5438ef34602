"""Answering: one builder per question form, all producing the same :class:`Answer`.

Builders only gather and rank; wording of facts comes from the predicates' templates, so
new knowledge needs no code here. The question forms rely on a small vocabulary of
conclusion predicates (``kb/advice/predicates.tad``: recommended/1, recommended_for/2,
not_recommended/1, recommended_instead/2, candidate_site/2, caution/2, preferred_anchorage/1)
and on the patient rules of ``kb/advice/patient.tad`` (patient_risk/2, patient_site_risk/3,
patient_preferred_site/2, patient_contraindication/2, ...). docs/questions.md lists, per form,
the predicates it reads.

Patient inputs are facts for one question only (``kb.with_inputs``). Inputs the question did
not state are tried one at a time (hypothetical evaluation): those that would change the
verdict are named in ``Answer.unknowns``.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from ...errors import QueryError
from ..answer import Answer
from ..explainer import Explainer
from ..reading import with_derived
from ..query import Query
from .evidence import also_said, evidence
from .choice import anchorage, compare, describe_anchorage, key_anchorage
from .common import explainer_for, finish, statements_of
from .indications import (
    contraindications, describe_contraindications, indications, is_contraindication, key_contraindications,
)
from .lookup import help_, show, sources, what_is
from .raw import raw
from .risks import risks
from .sites import describe_sites, key_sites, sites
from .unknowns import unknowns
from .why import describe_recommended, key_recommended, why, why_not


def answer_query(kb, query: Query, *, depth: int = 8, full: bool = False) -> Answer:
    builder = BUILDERS.get(query.form)
    if builder is None:
        raise QueryError(f"the question form '{query.form}' is not answered yet", code="Q010")
    if query.form == "raw":
        answer = finish(Explainer(kb.model, kb.derivations), query, raw(kb, query), kb)
        return replace(answer, reading=query.reading)
    explainer = explainer_for(kb, query.patient)
    answer = builder(explainer, query, depth=depth, full=full)
    if query.form == "compare" and not answer.holds:  # no fact relates them: a statement may still compare them
        query = replace(query, form="evidence", intent="choice", terms=(query.subject.term, query.other.term))
        answer = evidence(explainer, query, depth=depth, full=full)
    if query.form in ALSO_FORMS:
        answer = replace(answer, also=_also(explainer, query, answer))
    key = VERDICT_KEYS.get(query.form)
    if key is not None:
        answer = replace(answer, unknowns=tuple(unknowns(kb, explainer, query, key)))
    stated = set(query.patient.factors)
    derived = [row[0] for row in sorted(explainer.interpretation.tuples("patient"), key=str) if row[0] not in stated]
    return replace(finish(explainer, query, answer, kb), reading=with_derived(kb.model, query.reading, derived))


BUILDERS: dict[str, Callable[..., Answer]] = {
    "why": why, "why_not": why_not, "sites": sites, "risks": risks, "indications": indications,
    "contraindications": contraindications, "is_contraindication": is_contraindication,
    "anchorage": anchorage, "compare": compare, "what_is": what_is, "sources": sources, "show": show,
    "help": help_, "raw": lambda *a, **k: None, "evidence": evidence,
}




# Reasoning forms whose answer is followed by what else the sources say that bears on the question.
ALSO_FORMS = frozenset({"why", "why_not", "sites", "risks", "anchorage", "compare", "indications",
                        "contraindications", "is_contraindication", "what_is"})
READING_INTENT = {"reasons_against": "reasons"}


def _also(explainer: Explainer, query: Query, answer: Answer) -> tuple[str, ...]:
    terms = list(query.terms) or [m.term for m in (query.subject, query.other, query.indication) if m is not None]
    terms += [f for f in query.patient.factors if f not in terms] if query.patient else []
    reading = query.reading.intent if query.reading else "evidence"
    about = [m.term for m in (query.subject, query.indication) if m is not None] + [answer.subject]
    return also_said(explainer, query, terms, READING_INTENT.get(reading, reading), statements_of(answer), about)


VERDICT_KEYS = {
    "why": (key_recommended, describe_recommended), "why_not": (key_recommended, describe_recommended),
    "sites": (key_sites, describe_sites), "anchorage": (key_anchorage, describe_anchorage),
    "contraindications": (key_contraindications, describe_contraindications),
}

