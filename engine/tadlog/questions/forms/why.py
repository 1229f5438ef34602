"""Why X / why not X: the proof of a recommendation, or every rule that could conclude it and what blocked it.
"""
from __future__ import annotations


from ..answer import Answer, Argument
from ..explainer import Explainer
from ..query import Query
from .common import (arguments_on, figure_notes, indication_family, is_true, lower_first, partial_support,
                     reason_count, target_of, term_label)

# ---- why / why not ------------------------------------------------------------------------
def _subject(explainer: Explainer, query: Query):
    """What 'why X' and 'why not X' both start from: the conclusion about X, X, its label, the
    reasons for and against it, and the conclusion as a sentence."""
    target = target_of(query)
    subject = query.subject.term
    pro, con = arguments_on(explainer, query)
    return target, subject, term_label(explainer, subject), pro, con, explainer.sentence(*target)


def why(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    target, subject, label, pro, con, sentence = _subject(explainer, query)
    if is_true(explainer, target):
        verdict = f"Yes: {lower_first(sentence)} ({reason_count(pro, con)})."
        return Answer(query.text, query.form, verdict, subject, label, True, arguments_for=tuple(pro),
                      arguments_against=tuple(con), proof=explainer.proof(target, depth=depth),
                      notes=figure_notes(explainer, subject, pro, con), instead=_better_arguments(explainer, subject, query))
    support = partial_support(explainer, query)
    if any(a[0] != "recommended" for a in support):
        limiting = _limiting_atoms(explainer, subject, query)
        said = _said(explainer, support) + _others_said(explainer, limiting)
        proof = explainer.proof(support[0], depth=depth)
        rest = [explainer.argument(a, "for") for a in support[1:]]
        pro = rest + [a for a in pro if a.proof.atom not in support[1:]]
        known = {a.proof.atom for a in pro}
        # what the sources say limits the other sites for the indication: a reason this one is chosen
        pro += [explainer.argument(atom, "for") for atom in limiting[:2] if atom not in known]
        verdict = (f"Partly: {said}; no source states that {lower_first(sentence)} as such "
                   f"({reason_count(pro, con)}).")
        return Answer(query.text, query.form, verdict, subject, label, True, arguments_for=tuple(pro),
                      arguments_against=tuple(con), proof=proof, notes=figure_notes(explainer, subject, pro, con))
    analyses, changes = explainer.why_not(target, expand=1 if full else 0)
    if not analyses:  # no rule is about this kind of thing: answer from its own evidence
        verdict = (f"No source states that {lower_first(sentence)} as such; the evidence on the {label} "
                   f"follows ({reason_count(pro, con)}).")
        notes = ()
    else:
        verdict = f"No: it does not follow that {lower_first(sentence)} ({reason_count(pro, con)})."
        notes = figure_notes(explainer, subject, pro, con) + (f"ask 'why not {label}?' for what blocks it",)
    return Answer(query.text, query.form, verdict, subject, label, False,
                  arguments_for=tuple(pro), arguments_against=tuple(con), why_not=tuple(analyses),
                  would_change=tuple(changes), instead=tuple(_instead(explainer, subject, query)), notes=notes)


def why_not(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    target, subject, label, pro, con, sentence = _subject(explainer, query)
    if is_true(explainer, target):
        verdict = f"It is not ruled out: {lower_first(sentence)} ({reason_count(pro, con)})."
        return Answer(query.text, query.form, verdict, subject, label, True,
                      arguments_for=tuple(pro), arguments_against=tuple(con),
                      proof=explainer.proof(target, depth=depth), notes=figure_notes(explainer, subject, pro, con),
                      instead=_better_arguments(explainer, subject, query))
    analyses, changes = explainer.why_not(target, expand=1 if full else 0)
    negative = (("not_recommended_for", target[1]) if target[0] == "recommended_for"
                else ("not_recommended", target[1]))
    if is_true(explainer, negative):
        verdict = f"{explainer.sentence(*negative)} ({reason_count(pro, con)})."
    elif partial_support(explainer, query):
        said = _said(explainer, partial_support(explainer, query))
        verdict = f"Not ruled out: {said}, though no source states that {lower_first(sentence)} ({reason_count(pro, con)})."
    else:
        verdict = f"It does not follow that {lower_first(sentence)} ({reason_count(pro, con)})."
    return Answer(query.text, query.form, verdict, subject, label, False,
                  arguments_for=tuple(pro), arguments_against=tuple(con), why_not=tuple(analyses),
                  would_change=tuple(changes), instead=tuple(_instead(explainer, subject, query)),
                  notes=figure_notes(explainer, subject, pro, con))


def _limiting_atoms(explainer: Explainer, subject: str, query: Query) -> list[tuple]:
    """For 'why X for an indication': the other sites the sources give limited scope for it."""
    if query.indication is None:
        return []
    family = indication_family(explainer, query.indication.term)
    return [("limited_scope_for", row) for row in sorted(explainer.interpretation.tuples("limited_scope_for"), key=str)
            if len(row) == 2 and row[1] in family and row[0] != subject]


def _others_said(explainer: Explainer, atoms: list[tuple]) -> str:
    """'; the maxillary alveolus provides limited scope for molar distalisation (so does the
    mandibular alveolus)': the comparison that makes the question's site the one to use."""
    if not atoms:
        return ""
    said = "; " + lower_first(explainer.sentence(*atoms[0]))
    others = [term_label(explainer, a[1][0]) for a in atoms[1:] if a[1][1] == atoms[0][1][1]]
    if others:
        said += " (so does the " + " and the ".join(others) + ")"
    return said


def _said(explainer: Explainer, support: list[tuple]) -> str:
    """The partial support in a verdict: the strongest, and whether the site is named for it."""
    shown = support[:1] + [a for a in support[1:] if a[0] == "candidate_site"]
    return " and ".join(lower_first(explainer.sentence(*a)) for a in shown)


def _instead(explainer: Explainer, subject: str, query: Query) -> list[Argument]:
    """What the sources recommend in place of ``subject``, with the guidelines for it; then, for
    the question's indication, a site a source calls best for it, and for this patient a site the
    sources prefer (the midpalate in young patients), each other than ``subject``."""
    out = list(_better_arguments(explainer, subject, query))
    for atom in explainer.facts_about(subject):
        if atom[0] == "recommended_instead":
            out.append(explainer.argument(atom, "for"))
            alternative = atom[1][1]
            for extra in explainer.facts_about(alternative):
                if extra[0] in ("site_guideline", "recommended"):
                    out.append(explainer.argument(extra, "for"))
    return out


def _better_arguments(explainer: Explainer, subject: str, query: Query) -> tuple[Argument, ...]:
    return tuple(explainer.argument(atom, "for") for atom in _better_here(explainer, subject, query))


def _better_here(explainer: Explainer, subject: str, query: Query) -> list[tuple]:
    """best_site_for the indication (or a narrower form of it) and patient_preferred_site rows
    naming another site than the subject."""
    atoms: list[tuple] = []
    if query.indication is not None:
        family = indication_family(explainer, query.indication.term)
        atoms += [("best_site_for", row) for row in sorted(explainer.interpretation.tuples("best_site_for"), key=str)
                  if row[1] in family and row[0] != subject]
    if query.patient:
        atoms += [("patient_preferred_site", row) for row in
                  sorted(explainer.interpretation.tuples("patient_preferred_site"), key=str) if row[0] != subject]
    return atoms


def key_recommended(explainer: Explainer, query: Query):
    target = target_of(query)
    return (is_true(explainer, target), bool(partial_support(explainer, query)))


def describe_recommended(explainer: Explainer, query: Query, key) -> str:
    sentence = lower_first(explainer.sentence(*target_of(query)))
    return f"it would follow that {sentence}" if key[0] else f"it would no longer follow that {sentence}"

