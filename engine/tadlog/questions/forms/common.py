"""What every answer form shares: the explainer for a patient, finishing an answer, small wording helpers.
"""
from __future__ import annotations

import weakref
from dataclasses import replace
from typing import Iterable

from ...render.claims import reason_groups
from ..answer import Answer, Argument
from ..explainer import Explainer
from ..query import PatientContext, Query
from .statements import statement_index

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


def prepare_explainers(kb, patients) -> None:
    """Evaluate the inputs of many patients in one pass, so that ``explainer_for`` finds them:
    the what-if patients of one answer differ by one factor each."""
    cache = _HYPOTHETICAL.setdefault(kb, {})
    todo = {}
    for patient in patients:
        facts = patient.facts() if patient else ()
        key = tuple(sorted(facts, key=repr))
        if facts and key not in cache:
            todo[key] = facts
    if not todo:
        return
    if len(cache) + len(todo) > 256:
        cache.clear()
    for key, derivations in zip(todo, kb.with_inputs_many(todo.values())):
        cache[key] = Explainer(kb.model, derivations)


def finish(explainer: Explainer, query: Query, answer: Answer, kb) -> Answer:
    """Attach citations and conflicts of everything the answer rests on, and the graph builder."""
    statements = statements_of(answer)
    conflicts = _bearing(explainer, explainer.conflicts_for(_core_statements(answer)), _question_terms(query, answer))
    patient = tuple((name, values[0]) for name, values in (query.patient.facts() if query.patient else ()))
    cites = explainer.citations_for(statements + [s for c in conflicts for side in c.sides for s in side])

    def graph(ans, explainer_for=explainer):
        from ...engine.provenance import answer_graph

        return answer_graph(explainer_for.model, explainer_for.derivations, ans)

    return replace(answer, conflicts=tuple(conflicts), citations=cites, patient=patient,
                   derived_patient=tuple(_derived_patient(explainer, query)),
                   patient_labels=tuple((f, explainer.model.label(f)) for f in query.patient.factors),
                   _graph_builder=graph)


def _question_terms(query: Query, answer: Answer) -> set[str]:
    """What the question is about: its names, the patient's factors, and what the leading reasons
    and the first-ranked item speak of (with the facts they rest on: 'lower success than the
    midpalate' speaks of the midpalate)."""
    terms = {getattr(x, "term", None) for x in (query.subject, query.other, query.indication)}
    terms |= set(query.patient.factors) if query.patient else set()
    leading = [a for side in (answer.arguments_for, answer.arguments_against)
               for group in list(reason_groups(side).values())[:3] for a in group]  # the first 3 reasons shown
    if answer.items:
        terms.add(answer.items[0].term)
        leading += list(answer.items[0].arguments[:2])
    terms |= {v for a in leading for atom in a.proof.atoms() for v in atom[1] if isinstance(v, str)}
    return {t for t in terms if t}


BEARING = 0.4  # the share of a conflict's statements that must speak of what the question asks


def _bearing(explainer: Explainer, conflicts: list, terms: set[str]) -> list:
    """Only the conflicts that bear on the question: among those its evidence touches, the ones
    whose statements mostly speak of what it asks about (or of a larger site that includes it);
    a conflict that shares one statement with the answer but is about something else is left out.
    A question without names (raw queries) keeps every conflict its evidence touches."""
    if not terms:
        return conflicts
    terms = terms | {w for t in terms for w in explainer.wholes(t)}
    index = statement_index(explainer.model)  # what each statement is about, looked up one by one

    def share(conflict) -> float:
        statements = [sid for side in conflict.sides for sid in side]
        return sum(1 for sid in statements if not terms.isdisjoint(index.terms_of(sid))) / max(len(statements), 1)

    return [c for c in conflicts if share(c) >= BEARING]


def _derived_patient(explainer: Explainer, query: Query) -> list[str]:
    """Patient factors the rules derived from the inputs (an age → adolescence), as labels."""
    if not query.patient:
        return []
    stated = set(query.patient.factors)
    return [explainer.model.label(row[0]) for row in sorted(explainer.interpretation.tuples("patient"), key=str)
            if row[0] not in stated]


def _core_statements(answer: Answer) -> list[str]:
    """The statements the verdict rests on: those stating the facts of its proof, of the leading
    reasons, the blockers and the top items. A rule's own citations (its general justification,
    e.g. the handbook's young-patient exception behind every patient rule) are left out: a
    conflict about them does not bear on this question."""
    proofs = [a.proof for a in answer.arguments_for[:3] + answer.arguments_against[:3] + answer.instead[:2]]
    proofs += [a.proof for item in answer.items[:3] for a in item.arguments[:2]]
    proofs += [answer.proof] if answer.proof else []
    proofs += [c.proof for analysis in answer.why_not for c in analysis.blocked_by if c.proof]
    out = [sid for proof in proofs for sid in _stated_by(proof)]
    return list(dict.fromkeys(out + list(answer.statements_shown)))


def _stated_by(node) -> list[str]:
    return list(node.citations) + [sid for premise in node.premises for sid in _stated_by(premise)]


def statements_of(answer: Answer) -> list[str]:
    """Every statement an answer cites: its proofs, reasons, items, blockers and shown statements."""
    out: list[str] = []
    arguments = answer.arguments_for + answer.arguments_against + answer.instead
    arguments += tuple(a for item in answer.items for a in item.arguments)
    proofs = [answer.proof] if answer.proof else []
    for analysis in answer.why_not:
        out += list(analysis.citations)
        proofs += [c.proof for c in analysis.blocked_by if c.proof]
    for argument in arguments:  # their proofs' statements, without building a pending proof
        out += argument.statements()
    for proof in proofs:
        out += proof.statements()
    out += list(answer.statements_shown) + list(answer.also)
    return list(dict.fromkeys(out))


# ---- helpers ------------------------------------------------------------------------------
def term_label(explainer: Explainer, term: str) -> str:
    return explainer.model.label(term)


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def reason_count(pro, con) -> str:
    """'3 reasons against, 1 for', counted as the answer numbers them (facts resting on the same
    statements are one reason), so the headline matches what is shown."""
    against, for_ = len(reason_groups(con)), len(reason_groups(pro))
    return f"{against} reason{'s' if against != 1 else ''} against, {for_} for"


def and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else ""


def relevant_first(arguments: Iterable[Argument], terms: Iterable[str]) -> list[Argument]:
    """Arguments that mention the indication or the patient's factors first, then what is said of
    the thing itself before what it inherits from a larger site, then by evidence."""
    wanted = {t for t in terms if t}
    return sorted(arguments, key=lambda a: (-len(wanted & set(map(str, a.fact[1]))),
                                            a.inherited is not None, -a.strength, a.claim))


def patient_factors(explainer: Explainer) -> list[str]:
    return sorted(row[0] for row in explainer.interpretation.tuples("patient"))


def patient_arguments(explainer: Explainer) -> tuple[list[Argument], list[Argument]]:
    """What the patient's own factors imply in general (risks, cautions, contraindications)."""
    pro, con = [], []
    for factor in patient_factors(explainer):
        p, c = explainer.arguments_about(factor)
        pro += [a for a in p if a.fact[0].startswith("patient_")]
        con += [a for a in c if a.fact[0].startswith("patient_")]
    return pro, con


def arguments_on(explainer: Explainer, query: Query) -> tuple[list[Argument], list[Argument]]:
    pro, con = explainer.arguments_about(query.subject.term)
    indications = list(indication_family(explainer, query.indication.term)) if query.indication else []
    terms = [*indications, *patient_factors(explainer)]
    pro, con = relevant_first(pro, terms), relevant_first(con, terms)
    if query.patient:  # what the patient's own factors imply, ranked with the subject's evidence
        ppro, pcon = patient_arguments(explainer)  # (a caution for the patient's factor comes first)
        pro = relevant_first(pro + [a for a in ppro if a not in pro], terms)
        con = relevant_first(con + [a for a in pcon if a not in con], terms)
    return pro, con


def is_true(explainer: Explainer, atom) -> bool:
    return explainer.interpretation.holds(*atom)


def target_of(query: Query) -> tuple[str, tuple]:
    if query.indication is not None and query.indication.term != query.subject.term:
        return ("recommended_for", (query.subject.term, query.indication.term))
    return ("recommended", (query.subject.term,))


def indication_family(explainer: Explainer, indication: str) -> dict[str, str]:
    """The indication and its narrower forms (narrower_indication/2: more than half a unit of
    molar distalisation is molar distalisation), each with its label, the indication first."""
    out = {indication: term_label(explainer, indication)}
    for narrower, broader in sorted(explainer.interpretation.tuples("narrower_indication"), key=str):
        if broader == indication:
            out[narrower] = term_label(explainer, narrower)
    return out


def partial_support(explainer: Explainer, query: Query) -> list[tuple]:
    """For 'why X for I' when X is not stated to be recommended for I: what does hold, the
    strongest first (X best for, or recommended for, a narrower form of I; X named for I)."""
    if query.indication is None:
        return []
    subject, indication = query.subject.term, query.indication.term
    narrower = [n for n in indication_family(explainer, indication) if n != indication]
    atoms = [(p, (subject, n)) for p in ("best_site_for", "recommended_for") for n in narrower]
    atoms += [("candidate_site", (subject, indication)), ("recommended", (subject,))]
    return [a for a in atoms if is_true(explainer, a)]


FIGURE_LIMIT = 3  # figures named under the verdict: the key numbers on the first screen


def figure_notes(explainer: Explainer, term: str, *reasons) -> tuple[str, ...]:
    """The figures the sources give for a site (its own, then those said of a larger site that
    includes it) that no reason carries (figures without a stance: success rates, torque, sizes),
    success rates first, each with where it is stated, so no key figure waits for --full
    ('reported success rate of 78% (Cousley §1.8, n=30)')."""
    model = explainer.model
    if model.category_of(term) != "site":
        return ()
    found = [(a, None) for a in explainer.facts_about(term)] + explainer.inherited_facts(term)
    numeric = [(a, w) for a, w in found  # neutral figures: a figure with a stance is a reason already
               if any(p.type == "number" for p in model.predicate_by_name[a[0]].params)
               and not model.predicate_by_name[a[0]].stance
               and a[0] not in ("best_success_figure", "site_success_figure", "exceeded_success_figure")]
    leading = {sid for side in reasons for group in list(reason_groups(side).values())[:2]
               for a in group for sid in a.statements()}  # quoted by the first reasons already
    numeric = [(a, w) for a, w in numeric if not set(explainer.derivations.citations_of(a)) <= leading]
    numeric.sort(key=lambda x: ("success" not in x[0][0], x[1] is not None, x[0][0]))
    out = []
    for atom, whole in numeric[:FIGURE_LIMIT]:
        cites = explainer.derivations.citations_of(atom)
        where = ""
        if cites:
            c = explainer.citation(cites[0])
            where = f" ({c.short} \u00a7{c.section}" + (f", n={model.label(c.n)}" if c.n is not None else "") + ")"
        sentence = explainer.sentence(*atom)
        said = f" (said of the {model.label(whole)})" if whole and model.label(whole) not in sentence else ""
        out.append("figure: " + sentence + said + where)
    return tuple(out)

