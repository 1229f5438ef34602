"""Structured patient inputs (a JSON body, a FHIR record) as the question's own patient context.

A question states its patient in words ("for a 15 year old smoker"); an integrator sends
``{"age": 15, "factors": ["smoking"]}`` or a FHIR prefetch. Both end as the same
:class:`~tadlog.questions.query.PatientContext`: factors are resolved by the names and aliases
the question language accepts (terms of category ``factor``), so an unknown one is refused
with the same kind of suggestion.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..errors import Diagnostic, QueryError, did_you_mean


@dataclass(frozen=True)
class PatientInput:
    age: Optional[float] = None
    bmi: Optional[float] = None
    factors: tuple[str, ...] = ()  # names or aliases, as a clinician or a record gives them


def factor_names(model) -> dict[str, str]:
    """Every way to name a patient factor (lower case) → the factor's term name."""
    from ..questions.query import alias_index

    return model.memo("_factor_names", lambda: {alias: name for alias, name in alias_index(model).items()
                                                if model.term_by_name[name].category == "factor"})


def resolve_factor(model, word: str, pointer: str = "/patient/factors") -> str:
    names = factor_names(model)
    key = " ".join(str(word).lower().replace("_", " ").split())
    found = names.get(key) or names.get(str(word).lower())
    if found is None:
        raise QueryError([Diagnostic("Q020", f"unknown patient factor '{word}' (at {pointer})",
                                     suggestion=did_you_mean(key, names) or "GET /v1/terms lists the factors")])
    return found


def merge_patient(stated, given: PatientInput, model):
    """The question's patient context with the structured inputs added (structured values win)."""
    from ..questions.query import PatientContext

    factors = tuple(dict.fromkeys(list(stated.factors) + [resolve_factor(model, f) for f in given.factors]))
    return PatientContext(age=given.age if given.age is not None else stated.age,
                          bmi=given.bmi if given.bmi is not None else stated.bmi, factors=factors)


def form_factors(model) -> list[tuple[str, str]]:
    """The factors a patient form offers: those a rule joins with ``patient(F)``, less those rules
    derive from the age or BMI (adolescent, adult, low BMI), as (name, label)."""
    from ..language.model import Atom, Var

    derived = {r.head.args[0].value for r in model.rules if r.head.predicate == "patient" and r.head.args
               and not isinstance(r.head.args[0], Var)}
    used: set = set()
    for rule in model.rules:
        names = {l.args[0].name for l in rule.body if isinstance(l, Atom) and l.predicate == "patient"
                 and l.args and isinstance(l.args[0], Var)}
        for lit in rule.body:
            if not isinstance(lit, Atom) or lit.predicate == "patient":
                continue
            for i, arg in enumerate(lit.args):
                if isinstance(arg, Var) and arg.name in names:
                    used |= {f.atom.args[i].value for f in model.facts if f.atom.predicate == lit.predicate}
    terms = model.term_by_name
    return sorted(((n, terms[n].label or n.replace("_", " ")) for n in used
                   if n in terms and terms[n].category == "factor" and n not in derived), key=lambda x: x[1].lower())
