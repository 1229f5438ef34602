"""What every answer form shares: the explainer for a patient, finishing an answer, small wording helpers.
"""
from __future__ import annotations

import weakref
from dataclasses import replace
from typing import Iterable

from ..answer import Answer, Argument
from ..explainer import Explainer
from ..query import PatientContext, Query

SITE_CATEGORIES = ("site",)

_HYPOTHETICAL: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def explainer_for(kb, patient: PatientContext) -> Explainer:
    """An explainer over the knowledge base with this patient's inputs (cached per inputs)."""
    facts = patient.facts() if patient else ()
    cache = _HYPOTHETICAL.setdefault(kb, {})
    key = tuple(sorted(facts, key=repr))
    if key not in cache:
        if len(cache) > 256:
            cache.clear()
        cache[key] = Explainer(kb.model, kb.with_inputs(facts))
    return cache[key]


def finish(explainer: Explainer, query: Query, answer: Answer, kb) -> Answer:
    """Attach citations and conflicts of everything the answer rests on, and the graph builder."""
    statements = _statements_of(answer)
    conflicts = explainer.conflicts_for(_core_statements(answer))
    patient = tuple((name, values[0]) for name, values in (query.patient.facts() if query.patient else ()))
    cites = explainer.citations_for(statements + [s for c in conflicts for side in c.sides for s in side])

    def graph(ans, explainer_for=explainer):
        from ...engine.provenance import answer_graph

        return answer_graph(explainer_for.model, explainer_for.derivations, ans)

    return replace(answer, conflicts=tuple(conflicts), citations=cites, patient=patient,
                   derived_patient=tuple(_derived_patient(explainer, query)),
                   patient_labels=tuple((f, explainer.model.label(f)) for f in query.patient.factors),
                   _graph_builder=graph)


def _derived_patient(explainer: Explainer, query: Query) -> list[str]:
    """Patient factors the rules derived from the inputs (an age → adolescence), as labels."""
    if not query.patient:
        return []
    stated = set(query.patient.factors)
    return [explainer.model.label(row[0]) for row in sorted(explainer.interpretation.tuples("patient"), key=str)
            if row[0] not in stated]


def _core_statements(answer: Answer) -> list[str]:
    """The statements the verdict rests on: its proof, the leading reasons, the blockers, the top items."""
    proofs = [a.proof for a in answer.arguments_for[:3] + answer.arguments_against[:3] + answer.instead[:2]]
    proofs += [a.proof for item in answer.items[:3] for a in item.arguments[:2]]
    out = list(answer.proof.statements()) if answer.proof else []
    for analysis in answer.why_not:
        out += list(analysis.citations)
        proofs += [c.proof for c in analysis.blocked_by if c.proof]
    for proof in proofs:
        out += proof.statements()
    return list(dict.fromkeys(out + list(answer.statements_shown)))


def _statements_of(answer: Answer) -> list[str]:
    out: list[str] = []
    proofs = [a.proof for a in answer.arguments_for + answer.arguments_against + answer.instead]
    proofs += [a.proof for item in answer.items for a in item.arguments]
    if answer.proof:
        proofs.append(answer.proof)
    for analysis in answer.why_not:
        out += list(analysis.citations)
        proofs += [c.proof for c in analysis.blocked_by if c.proof]
    for proof in proofs:
        out += proof.statements()
    out += list(answer.statements_shown)
    return list(dict.fromkeys(out))


# ---- helpers ------------------------------------------------------------------------------
def term_label(explainer: Explainer, term: str) -> str:
    return explainer.model.label(term)


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def reason_count(pro, con) -> str:
    return (f"{len(con)} reason{'s' if len(con) != 1 else ''} against, "
            f"{len(pro)} for")


def and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else ""


def relevant_first(arguments: Iterable[Argument], terms: Iterable[str]) -> list[Argument]:
    """Arguments that mention the indication or the patient's factors first, then what is said of
    the thing itself before what it inherits from a larger site, then by evidence."""
    wanted = {t for t in terms if t}
    return sorted(arguments, key=lambda a: (-len(wanted & set(map(str, a.proof.atom[1]))),
                                            a.inherited is not None, -a.strength, a.claim))


def patient_factors(explainer: Explainer) -> list[str]:
    return sorted(row[0] for row in explainer.interpretation.tuples("patient"))


def patient_arguments(explainer: Explainer) -> tuple[list[Argument], list[Argument]]:
    """What the patient's own factors imply in general (risks, cautions, contraindications)."""
    pro, con = [], []
    for factor in patient_factors(explainer):
        p, c = explainer.arguments_about(factor)
        pro += [a for a in p if a.proof.atom[0].startswith("patient_")]
        con += [a for a in c if a.proof.atom[0].startswith("patient_")]
    return pro, con


def arguments_on(explainer: Explainer, query: Query) -> tuple[list[Argument], list[Argument]]:
    pro, con = explainer.arguments_about(query.subject.term)
    terms = [query.indication.term if query.indication else None, *patient_factors(explainer)]
    pro, con = relevant_first(pro, terms), relevant_first(con, terms)
    if query.patient:  # what the patient's own factors imply comes after the subject's evidence
        ppro, pcon = patient_arguments(explainer)
        pro, con = pro + [a for a in ppro if a not in pro], con + [a for a in pcon if a not in con]
    return pro, con


def is_true(explainer: Explainer, atom) -> bool:
    return explainer.interpretation.holds(*atom)


def target_of(query: Query) -> tuple[str, tuple]:
    if query.indication is not None and query.indication.term != query.subject.term:
        return ("recommended_for", (query.subject.term, query.indication.term))
    return ("recommended", (query.subject.term,))


def partial_support(explainer: Explainer, query: Query) -> list[tuple]:
    """For 'why X for I' when X is not stated to be recommended for I: what does hold."""
    if query.indication is None:
        return []
    subject, indication = query.subject.term, query.indication.term
    atoms = [("candidate_site", (subject, indication)), ("recommended", (subject,))]
    return [a for a in atoms if is_true(explainer, a)]


