"""The evidence ranking, scored by term and read as a stream, is the ranking made whole.

"Also in the sources" reads the ranking only as far as its few entries (at 1000x the ranking
holds 178,000 statements). Its order must be the one the evidence form shows, and its scores
(read per term and per predicate) those of each statement's own entry. Both are checked against
the ranking made whole, as it was before (the oracle below): over the development set's
questions with three intents each, on the cached model, and on made-up rankings whose
antecedents and results sit far below the first entries.
"""
from __future__ import annotations

import importlib
import json
import random
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import pytest

from questions_support import qkb  # noqa: F401  (fixture)
from tadlog.questions.forms import ordering
from tadlog.questions.forms.common import explainer_for
from tadlog.questions.forms.statements import statement_index
from tadlog.questions.reader import parse_question

evidence = importlib.import_module("tadlog.questions.forms.evidence")  # (the package exports a function of that name)
DEVSET = Path(__file__).parent / "devset" / "questions.json"
INTENTS = ("reasons", "quantity", "choice", "howto", "risks", "where", "definition", "evidence")


# ---- the oracle: the ranking made whole, step by step (forms/ordering.py before it was a stream) ----
def _whole_with_antecedents(model, index, ranked: list) -> list:
    out = list(ranked)
    for here in range(min(ordering.LEADING, len(out))):
        score, sid = out[here]
        after = index.result(model, sid)
        if after is None:
            continue
        there = next((i for i, entry in enumerate(out) if entry[1] == after), None)
        if there is not None and there <= here + 1:
            continue
        if there is not None:
            out.pop(there)
        out.insert(here + 1, (score, after))
    for score, sid in ranked[:ordering.LEADING]:
        before = index.antecedent(model, sid)
        if before is None:
            continue
        here = next(i for i, entry in enumerate(out) if entry[1] == sid)
        there = next((i for i, entry in enumerate(out) if entry[1] == before), None)
        if there is not None and there < here:
            continue
        if there is not None:
            out.pop(there)
        out.insert(here, (score, before))
    return out


def _whole_distinct(model, ranked: list) -> list:
    seen, out = set(), []
    for entry in ranked:
        st = model.statement_by_id.get(entry[1])
        key = " ".join(st.quote.split()).casefold() if st is not None else entry[1]
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


def _whole_fitting_first(scored: list, fitting: list, intent: str) -> list:
    if not fitting:
        return scored
    kept = set(fitting)
    if intent == "choice":
        return fitting + [s for s in scored if s not in kept]
    if intent != "quantity":
        return fitting
    best = fitting[0][0]
    extra = [s for s in scored if s not in kept and s[0] >= ordering.RELATIVE * best]
    return sorted(fitting + extra, key=lambda s: (-s[0], s[1]))


def _whole(model, index, scored: list, fits, intent: str) -> list:
    fitting = [s for s in scored if fits(s)]
    return _whole_with_antecedents(model, index, _whole_distinct(model, _whole_fitting_first(scored, fitting, intent)))


def _whole_score(model, index, weights, words, intent, patient, options) -> list:
    """Each candidate scored from its own entry (its terms and the facts citing it)."""
    candidates = set()
    for term in weights:
        candidates.update(index.by_term.get(term, ()))
    for word in words:
        if index.idf.get(word, 0) > 1.0:
            candidates.update(index.with_word(word))
    whole = [t for t, w in weights.items() if w >= 1.0 and t not in patient]
    asked = {p for w in words for p in evidence.PREDICATE_CUES.get(w, ())}
    for predicate in sorted(asked):
        candidates.update(index.by_predicate.get(predicate, ()))
    out = []
    for sid in candidates:
        st = model.statement_by_id.get(sid)
        if st is None:
            continue
        mentioned = index.terms_of(sid)
        predicates = [p for p, _ in index.facts_of(sid)]
        named = sum(min(index.term_idf.get(t, 1.0), 4.0) * w for t, w in weights.items() if t in mentioned)
        if asked and any(p in asked for p in predicates):
            named += 4.0
        norm = 1.2 * (0.25 + 0.75 * index.length(sid) / index.mean_length)
        said = sum(index.idf.get(w, 0.0) * n * 2.2 / (n + norm) for w in words if (n := index.with_word(w).get(sid, 0)))
        bonus = sum(1.0 for f in patient if f in mentioned)
        says = lambda t: t in mentioned or evidence._says(model, index, sid, t)  # noqa: E731
        if options and all(says(o) for o in options):
            bonus += 6.0
        elif len(whole) >= 2 and all(says(t) for t in whole):
            bonus += evidence.WHOLE_BONUS
        stance = [evidence._stance(model, p) for p in predicates]
        kind = {"quantity": float(evidence._has_figure(st.quote)), "howto": float(st.kind == "recommendation"),
                "risks": float(any(evidence._is_against(model, p) for p in predicates)),
                "definition": float(st.kind == "definition" or "definition" in predicates),
                "reasons": 0.5 if any(stance) else 0.0}.get(intent, 0.0)
        lift = evidence.ANSWER_LIFT if any(p in evidence.ANSWERING.get(intent, ()) for p in predicates) else 0.0
        score = (1.5 * named + said) * (1.0 + evidence.INTENT_LIFT * (kind + lift)) + bonus
        if named > 0 or said > 2.0:
            out.append((score, sid))
    out.sort(key=lambda x: (-x[0], x[1]))
    return out


def _whole_fits(model, index, intent: str, options):
    """Whether an entry gives what the intent asks for, read from its statement and its facts."""
    def fits(entry):
        sid = entry[1]
        if intent == "quantity":
            return evidence._has_figure(model.statement_by_id[sid].quote) or any(
                p in evidence.COMPARING for p, _ in index.facts_of(sid))
        if intent == "choice" and len(options) == 2:
            return all(o in index.terms_of(sid) or evidence._says(model, index, sid, o) for o in options)
        return True
    return fits


# ---- the bundled knowledge base: every development question, each intent ----
def _cases():
    return [case["question"] for case in json.loads(DEVSET.read_text(encoding="utf-8"))]


def _rankings(kb, step: int = 1) -> list:
    """(question, intent, scored, fits, model, index) for development questions (every
    ``step``-th), each with three of the intents in turn; the scores are checked on the way."""
    out = []
    for number, text in enumerate(_cases()[::step]):
        try:
            query = parse_question(text, kb.model)
        except Exception:  # a question tadlog does not read: nothing ranked
            continue
        explainer = explainer_for(kb, query.patient)
        terms = [t for t in query.terms if t in kb.model.term_by_name] or [
            m.term for m in (query.subject, query.other, query.indication) if m is not None]
        model, index = explainer.model, statement_index(explainer.model)
        patient = set(evidence.patient_factors(explainer))
        for intent in (INTENTS[number % 8], INTENTS[(number + 3) % 8], INTENTS[(number + 5) % 8]):
            scored, weights, words, options, fitness = evidence._scored(explainer, query, terms, intent)
            assert scored == _whole_score(model, index, weights, words, intent, patient, options), (text, intent)
            fits = _whole_fits(model, index, intent, options)
            assert [s for s in scored if fitness(s[1])] == [s for s in scored if fits(s)], (text, intent)
            out.append((text, intent, scored, fits, model, index))
    return out


@pytest.fixture(scope="module")
def rankings(qkb):  # noqa: F811
    return _rankings(qkb)


def test_scores_read_from_the_cache_are_those_of_the_parsed_model(tmp_path_factory, monkeypatch):
    """The stored statement index (decoded key by key) ranks as the built one: every 5th question."""
    import tadlog
    from conftest import KB

    monkeypatch.setenv("TADLOG_CACHE_DIR", str(tmp_path_factory.mktemp("ranking-cache")))
    written = tadlog.load(KB)
    written.ask("why not infrazygomatic?")  # the first question stores the indexes with the entry
    cached = tadlog.load(KB)
    assert cached._entry is not None, "not read from the cache"
    stored = _rankings(cached, step=5)
    assert type(statement_index(cached.model).by_term).__name__ == "LazyRelations"
    built = _rankings(tadlog.load(KB, use_cache=False), step=5)
    assert [(t, i, s) for t, i, s, *_ in stored] == [(t, i, s) for t, i, s, *_ in built]
    assert len(stored) > 60


def test_the_stream_is_the_whole_ranking(rankings):
    compared = moved = 0
    for text, intent, scored, fits, model, index in rankings:
        whole = _whole(model, index, scored, fits, intent)
        assert list(ordering.ordered(model, index, scored, fits, intent)) == whole, (text, intent)
        for n in (1, 3, 8):  # read only as far as an answer does
            assert list(islice(ordering.ordered(model, index, scored, fits, intent), n)) == whole[:n], (text, n)
        compared += 1
        moved += whole != _whole_distinct(model, _whole_fitting_first(scored, [s for s in scored if fits(s)], intent))
    assert compared > 350
    assert moved > 20  # antecedents and results were brought forward in many of them


def test_also_said_is_what_the_whole_ranking_gives(qkb, monkeypatch):  # noqa: F811
    """The reasoning forms' "also in the sources", read from the stream and from the oracle's
    whole ranking (the same filter: only the order it reads differs)."""
    from tadlog.questions.forms import ALSO_FORMS, BUILDERS, _also

    cases = []
    for text in _cases():
        try:
            query = parse_question(text, qkb.model)
        except Exception:
            continue
        if query.form in ALSO_FORMS:
            explainer = explainer_for(qkb, query.patient)
            cases.append((text, explainer, query, BUILDERS[query.form](explainer, query, depth=8, full=False)))
    streamed = [_also(explainer, query, answer) for _, explainer, query, answer in cases]
    monkeypatch.setattr(evidence, "ordered", lambda model, index, scored, fits, intent: iter(
        _whole(model, index, scored, fits, intent)))
    whole = [_also(explainer, query, answer) for _, explainer, query, answer in cases]
    assert streamed == whole
    assert sum(1 for found in streamed if found) >= 8  # questions that have something more


# ---- made-up rankings: antecedents and results anywhere, duplicates, intents ----
@dataclass(frozen=True)
class _Statement:
    """A stand-in statement: only its quote is read by the ordering."""
    quote: str


class _Index:
    """A stand-in statement index: each statement's result and antecedent, as given, and its
    quote's wording."""

    def __init__(self, results: dict, antecedents: dict, quotes: dict):
        self.results, self.antecedents = results, antecedents
        self.wordings = {sid: " ".join(q.split()).casefold() for sid, q in quotes.items()}

    def wording(self, sid):
        return self.wordings.get(sid, sid)

    def result(self, model, sid):
        return self.results.get(sid)

    def antecedent(self, model, sid):
        return self.antecedents.get(sid)


class _Model:
    def __init__(self, quotes: dict):
        self.statement_by_id = {sid: _Statement(q) for sid, q in quotes.items()}


def test_made_up_rankings():
    """400 rankings of up to 40 entries, three intents each."""
    for seed in range(400):
        _check_made_up(seed)


def _check_made_up(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(0, 40)
    sids = [f"s{i:02d}" for i in range(n + 5)]  # five statements outside the ranking
    quotes = {sid: rng.choice(["A one.", "a  ONE.", "Two.", sid, sid, sid]) for sid in sids}
    pick = lambda: rng.choice(sids) if rng.random() < 0.5 else None  # noqa: E731
    index = _Index({sid: pick() for sid in sids}, {sid: pick() for sid in sids}, quotes)
    model = _Model(quotes)
    scored = sorted(((rng.choice([1.0, 2.0, 3.0, 4.0]), sid) for sid in sids[:n]), key=lambda s: (-s[0], s[1]))
    fitting = {sid for sid in sids if rng.random() < 0.6}
    fits = lambda s: s[1] in fitting  # noqa: E731
    for intent in ("choice", "quantity", "reasons"):
        whole = _whole(model, index, scored, fits, intent)
        assert list(ordering.ordered(model, index, scored, fits, intent)) == whole, (seed, intent)
        assert list(islice(ordering.ordered(model, index, scored, fits, intent), 7)) == whole[:7], (seed, intent)
