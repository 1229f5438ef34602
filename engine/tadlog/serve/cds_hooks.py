"""CDS Hooks 2.0: discovery and the mini-implant advice service, answered as cards.

The service runs on ``order-select``: the draft order is a ServiceRequest for a mini-implant,
its ``bodySite`` names the planned site and its ``reasonCode`` the indication. The patient's
age and factors come from the FHIR prefetch (fhir.py) and join the question exactly as the
words of a question would. The answer becomes cards: a summary of at most 140 characters, an
indicator from the verdict and the risks, a Markdown detail with the verbatim quotes and their
locators, the sources as the card's source label, and where the sources recommend another
site, a suggestion to plan it there.
"""
from __future__ import annotations

import copy
import uuid
from typing import Optional

from starlette.requests import Request

from ..errors import QueryError
from .fhir import FhirFact, patient_facts
from .library import ServiceError
from .patient import PatientInput, patient_names
from .responses import JSONResponse, read_json

SERVICE_ID = "tadlog-mini-implant-advice"
HOOK = "order-select"
SUMMARY_LIMIT = 140
SHOWN = 3  # reasons of each side quoted in a card
PATIENT_RISKS = {"patient_risk", "patient_site_risk", "patient_caution", "patient_contraindication"}
SERVICE = {
    "hook": HOOK,
    "title": "Mini-implant advice (tadlog)",
    "description": "Advice on a planned orthodontic mini-implant (the ServiceRequest's bodySite and reasonCode) "
                   "for this patient, from the cited clinical evidence: the verdict, the reasons for and against "
                   "with their verbatim quotes, and the site the sources recommend instead.",
    "id": SERVICE_ID,
    "prefetch": {"patient": "Patient/{{context.patientId}}",
                 "conditions": "Condition?patient={{context.patientId}}",
                 "observations": "Observation?patient={{context.patientId}}",
                 "medications": "MedicationStatement?patient={{context.patientId}}"},
}


async def discovery(request: Request) -> JSONResponse:
    return JSONResponse({"services": [SERVICE]})


class Service:
    def __init__(self, library, max_body: int):
        self.library = library
        self.max_body = max_body

    async def call(self, request: Request) -> JSONResponse:
        if request.path_params["id"] != SERVICE_ID:
            raise ServiceError(f"no CDS service '{request.path_params['id'][:80]}'", code="S404", status=404,
                               suggestion=f"GET /cds-services lists them: {SERVICE_ID}")
        body = await read_json(request, self.max_body, "/$defs/request", schema="cds_hooks")
        if body["hook"] != HOOK:
            raise ServiceError(f"this service answers the {HOOK} hook, not {body['hook'][:40]}", code="S422",
                               status=422, pointer="/hook")
        site, indication, order = planned_order(body["context"])
        facts = patient_facts(body.get("prefetch") or {})
        cards = await self.library.run(self.cards, site, indication, order, facts, body["hookInstance"])
        return JSONResponse({"cards": cards})

    def cards(self, site: str, indication: Optional[str], order: dict, facts: list[FhirFact],
              instance: str) -> list[dict]:
        """The cards for one planned mini-implant (runs on a library thread)."""
        model = self.library.kb.model
        age = next((f.value for f in facts if f.factor == "age"), None)
        # factors (smoking, diabetes...) and findings (an anterior open bite...) go in as a question's
        # patient words would: factors as the rules' patient inputs, findings worded into the question
        given = tuple(f.factor for f in facts if f.factor in patient_names(model))
        question = f"why {site}" + (f" for {indication}" if indication else "") + "?"
        try:
            query = self.library.kb.parse_question(question)
            if query.form != "why" or _category(model, query.subject) != "site":
                return [_unread(instance, question, f"'{site}' is not an insertion site tadlog knows")]
            answer = self.library.ask(query, PatientInput(age=age, factors=given))
        except QueryError as error:
            return [_unread(instance, question, error.diagnostics[0].message)]
        read = set(answer.reading.patient) if answer.reading else set()
        used = [f for f in facts if f.factor == "age" or (f.factor in given and (
            model.term_by_name[f.factor].category == "factor" or model.label(f.factor) in read))]
        unused = [f for f in facts if f not in used]
        return [advice_card(answer, instance, used, unused, order, model)]


def _category(model, mention) -> Optional[str]:
    term = model.term_by_name.get(mention.term) if mention is not None else None
    return term.category if term is not None else None


def _unread(instance: str, question: str, why: str) -> dict:
    """The card for a planned mini-implant tadlog cannot read: said, never guessed."""
    return _card(instance, 0, f"tadlog could not read the planned mini-implant: {why}", "info",
                 f"Asked: *{_md(question)}*\n\n{_md(why)}. GET /v1/terms lists the sites.\n", "tadlog")


def planned_order(context: dict) -> tuple[str, Optional[str], dict]:
    """The planned site and indication: from the draft ServiceRequest (bodySite, reasonCode)."""
    entries = ((context.get("draftOrders") or {}).get("entry") or [])
    orders = [e.get("resource") for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)
              and e["resource"].get("resourceType") == "ServiceRequest"]
    selected = set(context.get("selections") or ())
    chosen = [o for o in orders if f"ServiceRequest/{o.get('id')}" in selected] or orders
    for order in chosen:
        site = _text(order.get("bodySite"))
        if site:
            return site, _text(order.get("reasonCode")), order
    raise ServiceError("no draft ServiceRequest names a site (bodySite) for the mini-implant", code="S422",
                       status=422, pointer="/context/draftOrders")


def _text(concepts) -> Optional[str]:
    for concept in concepts or ():
        if isinstance(concept, dict):
            words = concept.get("text") or next((c.get("display") for c in concept.get("coding") or ()
                                                 if isinstance(c, dict) and c.get("display")), None)
            if isinstance(words, str) and words.strip():
                return " ".join(words.split())[:200]
    return None


# ---- cards -----------------------------------------------------------------------------------
def indicator(answer) -> str:
    """critical: an absolute contraindication applies to this patient; warning: the planned site is
    not supported, or a risk or caution applies to this patient; info otherwise."""
    against = [a.proof.atom for a in answer.arguments_against]
    if any(p == "patient_contraindication" and "absolute" in map(str, args) for p, args in against):
        return "critical"
    if answer.holds is False or any(p in PATIENT_RISKS for p, _ in against):
        return "warning"
    return "info"


def summary(text: str, limit: int = SUMMARY_LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def advice_card(answer, instance: str, used: list[FhirFact], unused: list[FhirFact], order: dict, model) -> dict:
    lines = [f"**{_md(answer.verdict)}**", ""]
    if used:
        lines += ["Patient facts used (from the record): " + "; ".join(
            (f"age {int(f.value)}" if f.factor == "age" else _label(model, f.factor)) + f" — {_md(f.evidence)}"
            for f in used) + ".", ""]
    if unused:
        lines += ["Recorded but not used for this advice: " + "; ".join(
            f"{_label(model, f.factor)} — {_md(f.evidence)}" for f in unused) + ".", ""]
    for title, args in (("Reasons against", answer.arguments_against), ("Reasons for", answer.arguments_for),
                        ("Recommended instead", answer.instead)):
        if args:
            groups = _clusters(args)
            lines += [f"**{title}** (strongest evidence first)", ""]
            for group in groups[:SHOWN]:
                lines += _argument_md(group, answer)
            if len(groups) > SHOWN:
                lines += [f"- … and {len(groups) - SHOWN} more (the full answer: POST /v1/ask).", ""]
    if answer.unknowns:
        lines += ["**Not in the record, but would change the advice:** " + "; ".join(map(_md, answer.unknowns)), ""]
    if answer.conflicts:
        lines += ["**Sources disagree:** " + "; ".join(_md(c.topic) for c in answer.conflicts), ""]
    documents = sorted({c.short or c.document for c in answer.citations.values()})
    card = _card(instance, 0, summary(answer.verdict), indicator(answer), "\n".join(lines).rstrip() + "\n",
                 "tadlog: " + "; ".join(documents) if documents else "tadlog")
    alternatives = _alternatives(answer, model)
    if alternatives:
        card["suggestions"] = [_suggestion(instance, i, site, label, order)
                               for i, (site, label) in enumerate(alternatives[:3], 1)]
        card["selectionBehavior"] = "at-most-one"
    return card


def _card(instance: str, number: int, text: str, level: str, detail: str, source: str) -> dict:
    return {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"tadlog:{instance}:{number}")),
            "summary": summary(text), "indicator": level, "detail": detail, "source": {"label": source}}


def _clusters(args) -> list[list]:
    """Reasons resting on the same statements, together: counted and shown as the answer counts them."""
    groups: dict[tuple, list] = {}
    for arg in args:
        groups.setdefault(tuple(arg.proof.statements()), []).append(arg)
    return list(groups.values())


def _argument_md(group, answer) -> list[str]:
    claims = "; ".join(dict.fromkeys(a.claim for a in group))
    out = [f"- {_md(claims)} ({group[0].evidence.replace('_', ' ')})"]
    quotes = []
    for sid in group[0].proof.statements()[:2]:
        c = answer.citations.get(sid)
        if c is not None:
            where = f"{c.short or c.source} §{c.section}, lines {c.lines[0]}–{c.lines[1]}"
            quotes.append(f"  > “{_md(c.quote)}”  \n  > — {_md(c.document)}, {where} (`{sid}`)")
    return out + ["\n  >\n".join(quotes), ""] if quotes else out + [""]


def _alternatives(answer, model) -> list[tuple[str, str]]:
    """Sites the sources recommend instead, in the answer's order: (term, label)."""
    subject = answer.subject
    out: list[tuple[str, str]] = []
    for arg in answer.instead:
        for value in arg.proof.atom[1]:
            term = model.term_by_name.get(value) if isinstance(value, str) else None
            if term is not None and term.category == "site" and value != subject and value not in dict(out):
                out.append((value, term.label or value.replace("_", " ")))
    return out


def _suggestion(instance: str, number: int, site: str, label: str, order: dict) -> dict:
    revised = copy.deepcopy(order)
    revised["bodySite"] = [{"text": label}]
    return {"label": f"Plan the mini-implant at the {label} instead (recommended by the sources)",
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"tadlog:{instance}:suggestion:{number}")),
            "isRecommended": number == 1,
            "actions": [{"type": "update", "description": f"Change the planned site to the {label}",
                         "resource": revised}]}


def _label(model, factor: str) -> str:
    term = model.term_by_name.get(factor)
    return (term.label if term and term.label else factor.replace("_", " "))


def _md(text: str) -> str:
    """Plain text safe in Markdown: characters that would start markup are escaped."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in str(text))
