"""GET /: the explanation page, asked from its own form (q, age, factor) and rendered server-side.

The form is a plain GET form, so the page works without script and every answer has an
address a clinician can bookmark or share.
"""
from __future__ import annotations

import dataclasses

from ..errors import TadlogError
from ..render.html import AskForm, Page, render_html
from .library import Library, ServiceError
from .patient import PatientInput, form_choices
from .responses import error_body, status_of


def _choices(model) -> dict:
    return model.memo("_form_choices", lambda: form_choices(model))


def _form(question, age, factors, model, **extra) -> AskForm:
    choices = _choices(model)
    return AskForm(question, age, factors, choices["factors"], _names(model), findings=choices["findings"],
                   age_groups=choices["age group"], **extra)


def _names(model) -> tuple:
    return model.memo("_page_names", lambda: _completions(model))


def _completions(model) -> tuple:
    """Completions for the ask box: question openings, then every term's label and aliases."""
    starts = ["why ", "why not ", "sites for ", "risks of ", "indications", "contraindications",
              "is smoking a contraindication?", "direct or indirect anchorage", "compare ", "what is ", "sources of "]
    names = [label for t in model.terms for label in ([t.label] if t.label else []) + list(t.aliases)]
    return tuple(dict.fromkeys(starts + sorted(names, key=str.lower)))


EXAMPLES = ("why not infrazygomatic?", "why midpalate for molar distalisation?",
            "sites for molar intrusion for an adolescent with a high MMPA?", "risks of mandibular buccal?",
            "is smoking a contraindication?", "direct or indirect anchorage for a 12 year old?",
            "compare midpalate and infrazygomatic crest", "help")


async def page(library: Library, params) -> tuple[str, int]:
    """The page and its status: 200, or 422 with the error shown when the question is not understood."""
    model = library.kb.model
    question = (params.get("q") or "").strip()[:1000]
    factors = tuple(f for f in params.getlist("factor") if f)[:20]
    age = None
    form = _form(question, age, factors, model, examples=EXAMPLES)
    answer, status = None, 200
    if question:
        try:
            age = _number(params.get("age"))
            form = _form(question, age, factors, model)
            patient = PatientInput(age=age, factors=factors) if age is not None or factors else None
            answer = await library.run(library.ask, question, patient, key=("ask", question, patient, False))
            form = _reflect(form, answer)
        except TadlogError as error:
            status = status_of(error)
            form = _form(question, age, factors, model,
                         error={**error_body(error, status), "question": " ".join(question.split())})
    return render_html(answer, form=form, page=Page(statement_url="/v1/statements/")), status


def _reflect(form: AskForm, answer) -> AskForm:
    """The form shows the patient the answer used, stated in the words or ticked, so a re-ask keeps it."""
    stated = dict((k, v) for k, v in answer.patient if k != "patient")
    factors = tuple(dict.fromkeys(form.factors + tuple(v for k, v in answer.patient if k == "patient")))
    age = form.age if form.age is not None else stated.get("patient_age")
    return dataclasses.replace(form, age=age, factors=factors)


def _number(text):
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ServiceError(f"the age '{text[:20]}' is not a number", code="S422", status=422, pointer="/age") from None
    if not 0 <= value <= 130:
        raise ServiceError("the age must be between 0 and 130", code="S422", status=422, pointer="/age")
    return value
