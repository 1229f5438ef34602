"""Risks of a site: the risks, complications and cautions recorded for it.
"""
from __future__ import annotations


from ...render.claims import reason_groups
from ..answer import Answer
from ..explainer import Explainer, rank
from ..query import Query
from .common import figure_notes, patient_arguments, patient_factors, relevant_first, term_label

AT_SITE = ("risk_factor_at_site", "patient_site_risk")  # the site is their third argument


# ---- risks of a site ------------------------------------------------------------------------
def risks(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    site = query.subject.term
    label = term_label(explainer, site)
    pro, con = explainer.arguments_about(site)
    at_site = [explainer.argument(a, "against") for a in explainer.facts_about(site, position=2)
               if a[0] in AT_SITE]
    at_site += [explainer.inherited_argument(a, site, whole, "against")
                for a, whole in explainer.inherited_facts(site, position=2) if a[0] in AT_SITE]
    con = rank(con + [a for a in at_site if a not in con])
    pro = [a for a in pro if a.proof.atom[0] in ("no_risk", "heals_by", "heals_within_weeks", "no_reports_of")]
    if query.patient:
        ppro, pcon = patient_arguments(explainer)
        con = con + [a for a in pcon if a not in con]
    con = relevant_first(con, patient_factors(explainer))
    named = [term_label(explainer, a.proof.atom[1][1]) for a in con if a.proof.atom[0] in ("risk", "risk_percent")]
    named = list(dict.fromkeys(named))
    if con:
        listed = ", ".join(named[:4]) + (", ..." if len(named) > 4 else "")
        count = len(reason_groups(con))  # as the answer numbers them
        verdict = (f"{count} reason{'s' if count != 1 else ''} for caution at the {label}"
                   + (f"; reported risks: {listed}." if named else "."))
    else:
        verdict = f"The knowledge base records no risk specific to the {label}."
    return Answer(query.text, query.form, verdict, site, label, bool(con),
                  arguments_against=tuple(con), arguments_for=tuple(pro), notes=figure_notes(explainer, site, pro, con))


