"""Structured patient inputs (a JSON body, a FHIR record) as the question's own patient context.

A question states its patient in words ("for a 15 year old smoker with an anterior open
bite"); an integrator sends ``{"age": 15, "factors": ["smoking", "anterior open bite"]}`` or a
FHIR prefetch. Both end as what the question reader makes of the words:

- a patient factor (a term of category ``factor``: smoking, diabetes, a high MMPA) is a
  patient input of the rules, a fact of the question's
  :class:`~tadlog.questions.query.PatientContext`;
- a finding (a malocclusion such as an anterior open bite, a deep bite, hypodontia) is no
  input of any rule: a question names it in its words, and the reader shows it as the
  patient's in its reading. So a structured finding is worded into the question the same
  way ("... with an anterior open bite?"), unless that would change what the question asks
  (the answer then says it was not joined).

Names and aliases are those the question language accepts, so an unknown one is refused with
the same kind of suggestion.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..errors import Diagnostic, QueryError, did_you_mean
from ..questions.names import PATIENT_CATEGORIES  # what the question reader reads as the patient's
from ..questions.patient import FINDINGS, derived_inputs, in_patient_topic, patient_inputs


@dataclass(frozen=True)
class PatientInput:
    age: Optional[float] = None
    bmi: Optional[float] = None
    factors: tuple[str, ...] = ()  # names or aliases of factors and findings, as a clinician or a record gives them


def factor_names(model) -> dict[str, str]:
    """Every way to name a patient factor (lower case) → the factor's term name."""
    return {alias: name for alias, name in patient_names(model).items()
            if model.term_by_name[name].category == "factor"}


def patient_names(model) -> dict[str, str]:
    """Every way to name a patient factor or finding (lower case) → its term name."""
    from ..questions.query import alias_index

    def build():
        names = {alias: name for alias, name in alias_index(model).items()
                 if model.term_by_name[name].category in PATIENT_CATEGORIES}
        names.update({t.name: t.name for t in model.terms if t.category in PATIENT_CATEGORIES})
        return names

    return model.memo("_patient_names", build)


def resolve_factor(model, word: str, pointer: str = "/patient/factors") -> str:
    """The term a patient factor or finding is named by (its name, label or an alias)."""
    names = patient_names(model)
    key = " ".join(str(word).lower().replace("_", " ").split())
    found = names.get(str(word)) or names.get(key) or names.get(str(word).lower())
    if found is None:
        raise QueryError([Diagnostic("Q020", f"unknown patient factor or finding '{word}' (at {pointer})",
                                     suggestion=did_you_mean(key, names) or "GET /v1/terms lists the factors")])
    return found


def split_patient(model, words) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(factors, findings): the term names of what was given, each once, in the order given."""
    names = list(dict.fromkeys(resolve_factor(model, w) for w in words))
    factors = tuple(n for n in names if model.term_by_name[n].category == "factor")
    return factors, tuple(n for n in names if n not in factors)


def merge_patient(stated, given: PatientInput, model):
    """The question's patient context with the structured factors added (structured values win)."""
    from ..questions.query import PatientContext

    factors = tuple(dict.fromkeys(list(stated.factors) + list(split_patient(model, given.factors)[0])))
    return PatientContext(age=given.age if given.age is not None else stated.age,
                          bmi=given.bmi if given.bmi is not None else stated.bmi, factors=factors)


def with_findings(kb, query, findings: tuple[str, ...]):
    """The question with the findings worded in, as a clinician would say them ("why the
    midpalate for molar intrusion with an anterior open bite?"), read again: (query, note).
    Worded in, a finding must leave what is asked alone (form, subject, other, indication);
    where it would not (a "sites for ..." question becomes a free one), the question is kept as
    it was and the note says the findings were not joined."""
    model = kb.model
    labels = [model.label(f) for f in findings]
    words = " and ".join(labels)
    text = query.text.rstrip().rstrip("?.!").rstrip()
    worded = kb.parse_question(f"{text} with {words}?")

    def asks(q):
        return q.form, *(getattr(m, "term", None) for m in (q.subject, q.other, q.indication))

    if asks(worded) == asks(query) and worded.reading is not None and set(labels) <= set(worded.reading.patient):
        return worded, None
    return query, (f"not joined to this question: {words} (no rule of the sources takes it as a patient "
                   "input, and worded in it would change what is asked)")


def form_choices(model) -> dict[str, tuple[tuple[str, str], ...]]:
    """What the page's patient form offers, as (term, readable label), by group:

    - ``age group``: the factors rules derive from the age (adolescent, adult), for a clinician
      who knows the group but not the age;
    - ``factors``: the patient factors of the knowledge base's patient topic (``kb/patient/``,
      where the curators keep what describes a patient) that a rule takes as a patient input
      (``patient(F)`` joined to a fact, or named in a rule). So smoking, diabetes, a high MMPA
      are offered, and neither a factor of the placement (root proximity, a projecting head:
      kept with the failures) nor a dimension no rule reads (patient sex, periodontal status);
    - ``findings``: the malocclusions (anterior open bite, deep bite, hypodontia, Class II...),
      which a question names as the patient's (worded in: see :func:`with_findings`)."""
    derived = derived_inputs(model)
    read = patient_inputs(model)
    terms = model.term_by_name

    def choices(names):
        return tuple(sorted(((n, readable_label(terms[n])) for n in names), key=lambda c: c[1].lower()))

    ages = [n for n in ("adolescent", "adult") if n in derived and n in terms]
    factors = [n for n in read if n not in ages and in_patient_topic(terms[n])]
    findings = [t.name for t in model.terms if t.category in FINDINGS]
    groups = tuple((n, (terms[n].aliases[0] if terms[n].aliases else readable_label(terms[n])).capitalize())
                   for n in ages)  # "Adolescent", "Adult": the group a patient is in
    return {"age group": groups, "factors": choices(factors),
            "findings": choices(findings)}


def readable_label(term) -> str:
    """A term's label as a form shows it: no leading article, a capital, and its other names
    where they help ("High maxillomandibular planes angle (high MMPA, long face)", "Tooth
    agenesis (hypodontia)"): the first alias with an abbreviation the label lacks, then the
    first alias that shares no word with the label."""
    import re

    label = term.label or term.name.replace("_", " ")
    base = re.sub(r"^(?:a|an|the) ", "", label)
    base = base[:1].upper() + base[1:]

    def stems(text):
        return {w[:4].lower() for w in re.findall(r"[A-Za-z]{3,}", text)}

    extras: list[str] = []
    for alias in term.aliases:
        if any(a not in label for a in re.findall(r"\b[A-Z]{2,}\b", alias)):
            extras.append(alias)
            break
    for alias in term.aliases:
        if alias not in extras and stems(alias) and not stems(alias) & stems(label):
            extras.append(alias)
            break
    return f"{base} ({', '.join(extras)})" if extras else base
