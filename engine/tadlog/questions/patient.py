"""Which terms describe the patient: one answer for the reader, the what-if patients and the page.

A term of category ``factor`` is a patient factor when it is declared in the knowledge base's
patient topic (a ``patient/`` folder, where curators keep what describes a patient: age group,
smoking, a high MMPA, bisphosphonates) or when a rule takes it as a patient input (``patient(F)``
joined to a fact, or named in a rule). Other factors are about the placement or the clinician
(root proximity, a projecting head, the force level, an orthodontist new to mini-implants): a
question names them as its subject, never as the patient's. Malocclusions and findings (anterior
open bite, hypodontia, Class II) are the patient's whenever a question names them.
"""
from __future__ import annotations

from pathlib import PurePath

from ..language.model import Atom, KnowledgeBaseModel, Var

FINDINGS = ("malocclusion", "finding")


def patient_inputs(model: KnowledgeBaseModel) -> frozenset[str]:
    """The factors the rules take as patient inputs (stated in a rule, or joined through facts)."""
    return model.memo("_patient_inputs", lambda: frozenset(_read_as_inputs(model)))


def derived_inputs(model: KnowledgeBaseModel) -> frozenset[str]:
    """The factors a rule concludes for the patient (adolescent and adult, from the age)."""
    return model.memo("_patient_derived", lambda: frozenset(v for r in model.rules for v in _stated([r.head])))


def describes_patient(model: KnowledgeBaseModel, term: str) -> bool:
    """Whether a question naming ``term`` speaks of its patient (see the module's note)."""
    decl = model.term_by_name.get(term)
    if decl is None:
        return False
    if decl.category in FINDINGS:
        return True
    return decl.category == "factor" and (in_patient_topic(decl) or term in patient_inputs(model))


def in_patient_topic(term) -> bool:
    """Declared in the knowledge base's patient topic (a ``patient/`` folder of it); a term read
    without its location (from the cache) counts as declared there."""
    path = getattr(getattr(term, "location", None), "path", None)
    return path is None or PurePath(str(path).replace("\\", "/")).parent.name == "patient"


def _stated(literals) -> set:
    return {l.args[0].value for l in literals if isinstance(l, Atom) and l.predicate == "patient"
            and l.args and not isinstance(l.args[0], Var)}


def _read_as_inputs(model: KnowledgeBaseModel) -> set:
    read = {v for r in model.rules for v in _stated(r.body)} | set(derived_inputs(model))
    for rule in model.rules:
        names = {l.args[0].name for l in rule.body if isinstance(l, Atom) and l.predicate == "patient"
                 and l.args and isinstance(l.args[0], Var)}
        for lit in rule.body:
            if not isinstance(lit, Atom) or lit.predicate == "patient":
                continue
            for i, arg in enumerate(lit.args):
                if isinstance(arg, Var) and arg.name in names:
                    read |= {values[i] for values in model.fact_values(lit.predicate)}
    known = model.term_by_name
    return {v for v in read if isinstance(v, str) and v in known and known[v].category == "factor"}
