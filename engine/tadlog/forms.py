"""Answering: one builder per question form, all producing the same :class:`Answer`.

Builders only gather and rank; wording of facts comes from the predicates' templates, so
new knowledge needs no code here. The question forms rely on a small vocabulary of
conclusion predicates declared in ``kb/advice/predicates.tad`` (recommended/1,
recommended_for/2, not_recommended/1, recommended_instead/2, ...), documented in
docs/questions.md.
"""
from __future__ import annotations

from typing import Callable

from .answer import Answer, Argument, ConflictNote, Explainer, Item, rank
from .errors import QueryError
from .query import Query

HELP = """tadlog answers these questions (case does not matter, '?' is optional):
  why X?                         why not X?            (optionally: for INDICATION, for PATIENT)
  sites for INDICATION [for PATIENT]?                  e.g. sites for molar intrusion for an adolescent
  risks of SITE?                 indications [in the PLANE plane]?
  contraindications?             is FACTOR a contraindication?
  direct or indirect anchorage [for PATIENT]?          compare A and B?
  what is X?                     sources of X?         show STATEMENT-ID
  ? predicate(Var, value), Var >= 90.                  (a raw Datalog query, checked like a rule)
PATIENT: an age ("12 year old"), adolescent/adult, high MMPA, smoker, BMI 32, osteoporosis,
bisphosphonates, diabetes, immunosuppression, poor oral hygiene ... joined by 'with', 'and' or ','."""


def answer_query(kb, query: Query, *, depth: int = 8, full: bool = False) -> Answer:
    builder = BUILDERS.get(query.form)
    if builder is None:
        raise QueryError(f"the question form '{query.form}' is not answered yet", code="Q010")
    inputs = query.patient.facts() if query.patient else ()
    derivations = kb.with_inputs(inputs)
    explainer = Explainer(kb.model, derivations)
    answer = builder(explainer, query, depth=depth, full=full)
    return _finish(explainer, query, answer, kb)


def _finish(explainer: Explainer, query: Query, answer: Answer, kb) -> Answer:
    """Attach citations and conflicts of everything the answer rests on, and the graph builder."""
    from dataclasses import replace

    statements = _statements_of(answer)
    conflicts = explainer.conflicts_for(statements)
    patient = tuple((name, values[0]) for name, values in (query.patient.facts() if query.patient else ()))
    cites = explainer.citations_for(statements + [s for c in conflicts for side in c.sides for s in side])

    def graph(ans, _explainer=explainer):
        from .provenance import answer_graph

        return answer_graph(_explainer.model, _explainer.derivations, ans)

    return replace(answer, conflicts=tuple(conflicts), citations=cites, patient=patient,
                   _graph_builder=graph)


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
    return list(dict.fromkeys(out))


def _target(query: Query) -> tuple[str, tuple]:
    if query.indication is not None and query.indication.term != query.subject.term:
        return ("recommended_for", (query.subject.term, query.indication.term))
    return ("recommended", (query.subject.term,))


def _label(explainer: Explainer, term: str) -> str:
    return explainer.model.label(term)


def _about(explainer: Explainer, query: Query) -> tuple[list[Argument], list[Argument]]:
    pro, con = explainer.arguments_about(query.subject.term)
    return pro, con


def why(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    target = _target(query)
    subject = query.subject.term
    label = _label(explainer, subject)
    pro, con = _about(explainer, query)
    holds = explainer.interpretation.holds(*target)
    sentence = explainer.sentence(*target)
    if holds:
        proof = explainer.proof(target, depth=depth)
        verdict = f"Yes: {sentence[:1].lower() + sentence[1:]} ({_count(pro, con)})."
        return Answer(query.text, query.form, verdict, subject, label, True,
                      arguments_for=tuple(pro), arguments_against=tuple(con), proof=proof)
    analyses, changes = explainer.why_not(target)
    verdict = f"No: it does not follow that {sentence[:1].lower() + sentence[1:]} ({_count(pro, con)})."
    return Answer(query.text, query.form, verdict, subject, label, False,
                  arguments_for=tuple(pro), arguments_against=tuple(con), why_not=tuple(analyses),
                  would_change=tuple(changes), instead=tuple(_instead(explainer, subject)),
                  notes=(f"ask 'why not {label}?' for what blocks it",))


def why_not(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    target = _target(query)
    subject = query.subject.term
    label = _label(explainer, subject)
    pro, con = _about(explainer, query)
    sentence = explainer.sentence(*target)
    if explainer.interpretation.holds(*target):
        verdict = f"It is not ruled out: {sentence[:1].lower() + sentence[1:]} ({_count(pro, con)})."
        return Answer(query.text, query.form, verdict, subject, label, True,
                      arguments_for=tuple(pro), arguments_against=tuple(con),
                      proof=explainer.proof(target, depth=depth))
    analyses, changes = explainer.why_not(target)
    negative = ("not_recommended_for", target[1]) if target[0] == "recommended_for" else ("not_recommended", target[1])
    if explainer.interpretation.holds(*negative):
        verdict = f"{explainer.sentence(*negative)} ({_count(pro, con)})."
    else:
        verdict = f"It does not follow that {sentence[:1].lower() + sentence[1:]} ({_count(pro, con)})."
    return Answer(query.text, query.form, verdict, subject, label, False,
                  arguments_for=tuple(pro), arguments_against=tuple(con), why_not=tuple(analyses),
                  would_change=tuple(changes), instead=tuple(_instead(explainer, subject)))


def _instead(explainer: Explainer, subject: str) -> list[Argument]:
    """What the sources recommend in place of ``subject``, with the guidelines for it."""
    out = []
    for atom in explainer.facts_about(subject):
        if atom[0] == "recommended_instead":
            out.append(explainer.argument(atom, "for"))
            alternative = atom[1][1]
            for extra in explainer.facts_about(alternative):
                if extra[0] in ("site_guideline", "recommended"):
                    out.append(explainer.argument(extra, "for"))
    return out


def _count(pro, con) -> str:
    return f"{len(con)} reason{'s' if len(con) != 1 else ''} against, {len(pro)} for"


def help_(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    return Answer(query.text, "help", "Questions tadlog answers:", notes=tuple(HELP.splitlines()[1:]))


BUILDERS: dict[str, Callable[..., Answer]] = {"why": why, "why_not": why_not, "help": help_}
