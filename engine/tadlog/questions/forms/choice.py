"""Choices: direct or indirect anchorage, and comparing two things.
"""
from __future__ import annotations


from ..answer import Answer, Item
from ..explainer import Explainer, rank
from ...errors import QueryError
from ..query import Query
from .common import lower_first, patient_factors, reason_count, relevant_first, term_label

# ---- direct or indirect anchorage; compare ------------------------------------------------------
ANCHORAGE_OPTIONS = ("direct_anchorage", "indirect_anchorage")


def anchorage(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    options = [t for t in ANCHORAGE_OPTIONS if t in explainer.model.term_by_name]
    patient_terms = set(patient_factors(explainer))
    specific = [("preferred_anchorage_for", row) for row in
                sorted(explainer.interpretation.tuples("preferred_anchorage_for"), key=str)
                if row[0] in options and row[1] in patient_terms]
    general = [("preferred_anchorage", row) for row in sorted(explainer.interpretation.tuples("preferred_anchorage"),
                                                               key=str) if row[0] in options]
    items = [_option_item(explainer, option, patient_terms) for option in options]
    if specific:
        chosen = specific[0]
        verdict = (f"{term_label(explainer, chosen[1][0])[:1].upper()}{term_label(explainer, chosen[1][0])[1:]} "
                   f"for this patient: {lower_first(explainer.sentence(*chosen))}.")
        proof = explainer.proof(("preferred_anchorage", (chosen[1][0],)), depth=depth)
    elif general:
        chosen = general[0]
        verdict = (f"{explainer.sentence(*chosen)} in general; "
                   + "; ".join(f"{i.label}: {reason_count([a for a in i.arguments if a.stance == 'for'], [a for a in i.arguments if a.stance == 'against'])}" for i in items) + ".")
        proof = explainer.proof(chosen, depth=depth)
    else:
        verdict = "The sources prefer neither form of anchorage in general."
        proof = None
    items.sort(key=lambda i: -i.score)
    return Answer(query.text, query.form, verdict, None, None, bool(specific or general), proof=proof,
                  items=tuple(items))


def _option_item(explainer: Explainer, option: str, patient_terms: set) -> Item:
    pro, con = explainer.arguments_about(option)
    pro = relevant_first(pro, patient_terms)
    con = relevant_first(con, patient_terms)
    label = term_label(explainer, option)
    score = len(pro) - len(con) + 10 * sum(1 for a in pro if set(a.proof.atom[1]) & patient_terms)
    arguments = tuple(_interleave(pro, con))
    return Item(option, label, f"{label}: {reason_count(pro, con)}", arguments, float(score))


def _interleave(pro: list, con: list) -> list:
    out = []
    for i in range(max(len(pro), len(con))):
        out += pro[i:i + 1] + con[i:i + 1]
    return out


def compare(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    a, b = query.subject.term, query.other.term
    if a == b:
        raise QueryError(f"compare needs two different things; both name {term_label(explainer, a)}", code="Q004")
    relations = []
    for atom in explainer.facts_about(a, position=None):
        if b in atom[1]:
            relations.append(explainer.argument(atom))
    relations = rank(relations)
    patient_terms = set(patient_factors(explainer))
    items = [_option_item(explainer, t, patient_terms) for t in (a, b)]
    la, lb = term_label(explainer, a), term_label(explainer, b)
    if relations:
        verdict = f"{relations[0].claim} ({len(relations)} direct comparison{'s' if len(relations) != 1 else ''})."
    else:
        verdict = f"No source compares the {la} and the {lb} directly; the reasons for and against each follow."
    return Answer(query.text, query.form, verdict, a, la, bool(relations), arguments_for=tuple(relations),
                  items=tuple(items))




def key_anchorage(explainer: Explainer, query: Query):
    patient_terms = set(patient_factors(explainer))
    return tuple(sorted(row[0] for row in explainer.interpretation.tuples("preferred_anchorage_for")
                        if row[0] in ANCHORAGE_OPTIONS and row[1] in patient_terms))


def describe_anchorage(explainer: Explainer, query: Query, key) -> str:
    if not key:
        return "no form of anchorage would be preferred for the patient"
    return " and ".join(term_label(explainer, k) for k in key) + " would be preferred for the patient"

