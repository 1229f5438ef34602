"""Unstated patient factors that would change a verdict (hypothetical evaluation, one factor at a time).
"""
from __future__ import annotations

from ..explainer import Explainer
from ..query import PatientContext, Query
from ..patient import in_patient_topic, patient_inputs
from .common import explainer_for, patient_factors, prepare_explainers

# How an unstated patient factor reads in "if the patient ..." (others: "presents with LABEL").
FACTOR_PHRASES = {"adolescent": "is an adolescent (under 18)", "adult": "is an adult (18 or older)",
                  "smoking": "smokes", "diabetes": "has diabetes", "low_bmi": "has a low BMI (under 18.5)"}


def patient_factor_candidates(kb) -> list[str]:
    """Patient factors the rules can use (questions/patient.py), of the patient topic: a what-if
    patient never 'presents with close proximity to a tooth root'."""
    terms = kb.model.term_by_name
    return sorted(f for f in patient_inputs(kb.model) if in_patient_topic(terms[f]))


def unknowns(kb, explainer: Explainer, query: Query, key_functions) -> list[str]:
    """Unstated patient factors that, added alone, would change this answer's verdict."""
    key_of, describe = key_functions
    stated = set(query.patient.factors)
    derived = set(patient_factors(explainer))
    age_known = query.patient.age is not None
    out = []
    baseline = key_of(explainer, query)
    tried = []
    for factor in patient_factor_candidates(kb):
        if factor in stated or factor in derived:
            continue
        if age_known and factor in ("adolescent", "adult"):
            continue
        if query.patient.bmi is not None and factor == "low_bmi":
            continue
        tried.append((factor, PatientContext(query.patient.age, query.patient.bmi, query.patient.factors + (factor,))))
    prepare_explainers(kb, [hypothetical for _, hypothetical in tried])  # one evaluation for all of them
    for factor, hypothetical in tried:
        other = explainer_for(kb, hypothetical)
        key = key_of(other, query)
        if key != baseline:
            phrase = FACTOR_PHRASES.get(factor) or f"presents with {kb.model.label(factor)}"
            out.append(f"if the patient {phrase}, {describe(other, query, key)}")
    return out
