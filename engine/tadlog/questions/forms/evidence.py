"""What the sources say about the names of a question, ranked for its intent.

The answer for every question no reasoning form fits: each statement that speaks about the
names found (through the facts citing it, or in its own words) is scored by how much of the
question it covers, with rarer words and names counting more, and by what the intent wants
first — figures for a quantity, recommendations for how-to, risks and complications for risks,
the statements naming both options for a choice. Each entry is the statement's verbatim quote
with the fact it supports. When nothing fits the intent, the answer says so and shows the
nearest things the sources do say.
"""
from __future__ import annotations

import math
from typing import Optional

from ...language.model import KnowledgeBaseModel
from ..answer import Answer, Item
from ..explainer import Explainer
from ..names import FILLER, words_of
from ..query import Query
from .common import and_list, patient_factors, term_label

SHOWN = 12  # entries kept in the answer (the compact view shows what fits a screen)
GENERIC = frozenset({"mini_implant", "microscrew", "mini_implant_insertion", "patient_factors", "one_mini_implant"})
UNITS = ("%", "mm", "ncm", "n cm", " g ", "g)", "week", "month", "year", "rpm", "ml", "hour", "day")
FRAME_WORDS = frozenset({"how", "why", "what", "which", "where", "when", "can", "should", "does", "do", "is",
                         "are", "not", "need", "happen", "happens", "if", "safe", "ok", "tell", "about",
                         "compare", "versus", "vs", "or", "than", "affect", "matter"})
INTENT_HEADINGS = {
    "quantity": "figures first", "howto": "recommendations first", "risks": "risks and complications first",
    "choice": "statements comparing them first", "reasons": "reasons first", "where": "sites first",
    "definition": "definitions first", "suitability": "what bears on the patient first",
}


class StatementIndex:
    """Per statement: the words of its quote and the terms of the facts citing it (built once per model)."""

    def __init__(self, model: KnowledgeBaseModel):
        self.words: dict[str, frozenset[str]] = {}
        self.terms: dict[str, set[str]] = {}
        self.facts: dict[str, list] = {}
        for st in model.statements:
            self.words[st.id] = frozenset(w.norm for w in words_of(st.quote) if w.norm not in FILLER)
        for fact in model.facts:
            values = tuple(a.value for a in fact.atom.args)
            for sid in fact.cites:
                self.facts.setdefault(sid, []).append((fact.atom.predicate, values))
                self.terms.setdefault(sid, set()).update(v for v in values if isinstance(v, str))
        count = max(1, len(self.words))
        frequency: dict[str, int] = {}
        for words in self.words.values():
            for word in words:
                frequency[word] = frequency.get(word, 0) + 1
        self.idf = {w: math.log(count / f) for w, f in frequency.items()}
        term_frequency: dict[str, int] = {}
        for terms in self.terms.values():
            for term in terms:
                term_frequency[term] = term_frequency.get(term, 0) + 1
        self.term_idf = {t: math.log(count / f) for t, f in term_frequency.items()}
        self.by_term: dict[str, list[str]] = {}
        for sid, terms in self.terms.items():
            for term in terms:
                self.by_term.setdefault(term, []).append(sid)
        self.by_word: dict[str, list[str]] = {}
        for sid, words in self.words.items():
            for word in words:
                self.by_word.setdefault(word, []).append(sid)


def statement_index(model: KnowledgeBaseModel) -> StatementIndex:
    cached = model.__dict__.get("_statement_index")
    if cached is None:
        cached = StatementIndex(model)
        model.__dict__["_statement_index"] = cached
    return cached


def evidence(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    model = explainer.model
    index = statement_index(model)
    intent = query.intent or "evidence"
    terms = [t for t in query.terms if t in model.term_by_name]
    patient = set(patient_factors(explainer))
    words = [w for w in dict.fromkeys(w.norm for w in words_of(query.text))
             if w not in FILLER and w not in FRAME_WORDS]
    options = _options(query) if intent == "choice" else ()
    scored = _score(model, index, terms, words, intent, patient, options)
    fitting = [s for s in scored if _fits(model, index, s[1], intent, options)]
    ranked = fitting or scored
    items = [_item(explainer, index, sid, score, terms) for score, sid in ranked[:SHOWN]]
    items = [i for i in items if i is not None]
    labels = [term_label(explainer, t) for t in terms if t not in GENERIC] or [term_label(explainer, t) for t in terms]
    about = and_list(list(dict.fromkeys(labels))[:4]) or "this question"
    verdict = _verdict(intent, about, len(ranked), bool(fitting), items, options, explainer)
    shown = tuple(sid for _, sid in ranked[:SHOWN])
    return Answer(query.text, "evidence", verdict, query.subject.term if query.subject else None,
                  about, bool(fitting), items=tuple(items), statements_shown=shown)


def _options(query: Query) -> tuple[str, ...]:
    return tuple(m.term for m in (query.subject, query.other) if m is not None)


def _score(model, index: StatementIndex, terms, words, intent, patient, options) -> list[tuple[float, str]]:
    """Every statement that shares a name or a word with the question, best first."""
    candidates: set[str] = set()
    for term in terms:
        candidates.update(index.by_term.get(term, ()))
    for word in words:
        if index.idf.get(word, 0) > 1.0:  # words in most quotes say nothing
            candidates.update(index.by_word.get(word, ()))
    out = []
    for sid in candidates:
        st = model.statement_by_id.get(sid)
        if st is None:
            continue
        mentioned = index.terms.get(sid, set())
        named = sum(min(index.term_idf.get(t, 1.0), 4.0) * (0.2 if t in GENERIC else 1.0)
                    for t in terms if t in mentioned)
        said = sum(index.idf.get(w, 0.0) for w in words if w in index.words[sid])
        bonus = _intent_bonus(model, index, sid, intent) + sum(1.0 for f in patient if f in mentioned)
        if options and all(o in mentioned or _says(model, index, sid, o) for o in options):
            bonus += 6.0
        score = 1.5 * named + said + bonus
        if named > 0 or said > 2.0:
            out.append((score, sid))
    out.sort(key=lambda x: (-x[0], x[1]))
    return out


def _says(model, index: StatementIndex, sid: str, term: str) -> bool:
    """Whether a statement's own words name a term (its label, without small words)."""
    label = model.label(term)
    words = [w.norm for w in words_of(label) if w.norm not in FILLER]
    return bool(words) and all(w in index.words[sid] for w in words)


def _intent_bonus(model, index: StatementIndex, sid: str, intent: str) -> float:
    st = model.statement_by_id[sid]
    if intent == "quantity":
        return 3.0 if _has_figure(st.quote) else 0.0
    if intent == "howto":
        return 2.0 if st.kind == "recommendation" else 0.0
    if intent == "risks":
        return 2.0 if _against(model, index, sid) else 0.0
    if intent == "definition":
        return 3.0 if st.kind == "definition" or any(p == "definition" for p, _ in index.facts.get(sid, ())) else 0.0
    if intent == "reasons":
        return 1.0 if any(_stance(model, p) for p, _ in index.facts.get(sid, ())) else 0.0
    return 0.0


def _fits(model, index: StatementIndex, sid: str, intent: str, options) -> bool:
    """Whether a statement gives what the intent asks for (a figure, a recommendation, a risk, ...)."""
    st = model.statement_by_id[sid]
    if intent == "quantity":
        return _has_figure(st.quote)
    if intent == "choice" and len(options) == 2:
        mentioned = index.terms.get(sid, set())
        return all(o in mentioned or _says(model, index, sid, o) for o in options)
    return True


def _has_figure(quote: str) -> bool:
    lowered = f" {quote.lower()} "
    return any(ch.isdigit() for ch in quote) and any(unit in lowered for unit in UNITS)


def _stance(model, predicate: str) -> Optional[str]:
    pred = model.predicate_by_name.get(predicate)
    return pred.stance if pred else None


def _against(model, index: StatementIndex, sid: str) -> bool:
    for predicate, _ in index.facts.get(sid, ()):
        if _stance(model, predicate) == "against" or any(k in predicate for k in ("risk", "complication", "fail")):
            return True
    return False


def _item(explainer: Explainer, index: StatementIndex, sid: str, score: float, terms) -> Optional[Item]:
    """One statement: the fact it supports that names most of the question, with its quote."""
    facts = index.facts.get(sid, ())
    wanted = set(terms)
    if not facts:
        return None
    atom = max(facts, key=lambda f: (len(wanted & set(map(str, f[1]))), -len(f[1])))
    argument = explainer.argument(atom)
    citation = explainer.citation(sid)
    return Item(sid, citation.short or citation.source, argument.claim, (argument,), round(score, 2))


def _verdict(intent, about, count, fitting, items, options, explainer) -> str:
    if not items:
        return f"The sources say nothing about {about} that bears on this question."
    heading = INTENT_HEADINGS.get(intent)
    if intent == "choice" and len(options) == 2:
        a, b = (term_label(explainer, o) for o in options)
        if fitting:
            return f"{_cap(a)} or {b}: {count} statement{'s' if count != 1 else ''} speak of both."
        return (f"No statement speaks of both {a} and {b}; what the sources say about each "
                f"follows, nearest first.")
    if intent == "quantity" and not fitting:
        return f"The sources give no figure on {about}; the nearest things they say follow."
    return (f"What the sources say about {about}: {count} statement{'s' if count != 1 else ''}"
            + (f", {heading}." if heading else "."))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
