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

import re
from itertools import islice
from typing import Callable, Optional

from ..answer import Answer, Item
from ..explainer import Explainer
from ..names import FILLER, GENERIC, name_index
from ..words import normal_word
from ..query import Query
from .common import and_list, patient_factors, term_label
from .ordering import ordered
from .statements import StatementIndex, stem, stems, statement_index

INTENT_LIFT = 0.5
SHOWN = 30  # entries kept in the answer (the compact view shows as many as fit a screen)
EXCERPT = 600  # a longer quote shows its bearing sentences only (whole sentences, "…" for the rest)
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(\[\d\u201c\"'])")
FIGURE = re.compile(r"\d(?:[\d.,]*\d)?\s*(?:%|mm\b|Ncm\b|N ?cm\b|N per centimet|g\b|weeks?\b|months?\b|years?\b"
                    r"|rpm\b|ml\b|hours?\b|days?\b|degrees?\b|\u00b0|mini-implants\b|patients\b|papers\b)",
                    re.IGNORECASE)
# A time or an amount in words is a figure too ("after two months", "a few months to several years").
WORDED_FIGURE = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few|several|half)"
                           r"\s+(?:an?\s+)?(?:weeks?|months?|years?|days?|hours?|units?|turns?)\b", re.IGNORECASE)
FRAME_WORDS = frozenset({"how", "why", "what", "which", "where", "when", "can", "should", "does", "do", "is",
                         "are", "not", "need", "happen", "happens", "if", "safe", "ok", "tell", "about",
                         "compare", "versus", "vs", "or", "than", "affect", "matter"})
INTENT_HEADINGS = {
    "quantity": "figures first", "howto": "recommendations first", "risks": "risks and complications first",
    "choice": "statements comparing them first", "reasons": "reasons first", "where": "sites first",
    "definition": "definitions first", "suitability": "what bears on the patient first",
}


# The predicates whose facts answer an intent: a statement they cite gives what is asked ("why do
# mini-implants fail?" wants the causes: cause_of). Each lifts a statement by ANSWER_LIFT on top of
# the figure / recommendation / stance bonus. tests/test_questions.py checks every name is a
# predicate of the bundled knowledge base.
ANSWERING = {
    "reasons": frozenset({"cause_of", "unlikely_cause_of", "most_important_determinant", "more_influential_than",
                          "increases", "decreases", "slightly_increases", "raises_risk", "risk_factor", "depends_on",
                          "contributes_when", "little_influence", "may_indirectly_influence", "positively_associated",
                          "advantage_over", "technique_benefit", "design_benefit", "mechanics_benefit",
                          "anchorage_benefit", "leads_to", "innervation"}),
    "howto": frozenset({"technique_guideline", "site_guideline", "recommended_when", "rotation_direction", "management",
                        "site_preparation", "technique_for", "mechanics_for", "recommended_at_site",
                        "recommended_at_site_for", "prerequisite", "required_for", "not_required_for",
                        "usually_not_required_for", "rarely_needed", "anaesthesia_for", "after_failure_option",
                        "drilling_speed_approx_rpm", "ideal_torque_ncm"}),
    "risks": frozenset({"may_result_in", "risk", "risk_percent", "complication_percent", "side_effect", "caution",
                        "raises_risk", "heals_within_weeks", "heals_by", "no_reports_of", "reversible_in_most_cases",
                        "asymptomatic", "likelihood", "unlikely_cause_of", "no_risk", "risk_factor",
                        "risk_factor_at_site", "technique_drawback", "design_drawback"}),
    "definition": frozenset({"definition", "example_of", "derived_from", "preferred_term", "erroneous_term",
                             "design_feature", "anchorage_mechanism"}),
    "where": frozenset({"site_guideline", "insertion_site", "typical_site_for", "site_max_distance_from_crest_mm",
                        "structure_to_avoid", "preferred_site_for", "best_site_for", "candidate_site",
                        "recommended_at_site", "typical_position", "greater_at", "site_selection_criterion",
                        "replacement_site"}),
    "evidence": frozenset({"study_found", "study_compared", "review_identified_papers", "evidence_quality",
                           "no_evidence", "no_evidence_of_influence", "no_difference", "historical_milestone",
                           "study_year", "literature_size", "literature_mainly", "needs_investigation",
                           "research_needed"}),
}
ANSWER_LIFT = 0.5
# Question words (stems) that ask for the facts of a predicate whatever they are about: the history of
# skeletal anchorage is its milestones, though no milestone names skeletal anchorage; "what factors
# determine success?" asks for the sources' categories of factors (patient, design, technique).
PREDICATE_CUES = {"history": ("historical_milestone",), "historic": ("historical_milestone",),
                  "histor": ("historical_milestone",), "factor": ("success_factor_category",)}
# Predicates that compare amounts: their statements answer a quantity question with or without a number.
COMPARING = frozenset({"success_lower_than", "lower_success_than", "greater_at", "less_than"})
WHOLE_BONUS = 4.0  # a statement naming every name of a question of two or more

# What clinicians say → the words the sources use (added to the question's words, never replacing them).
EXPANSIONS = {
    "take": ("removal",), "out": ("removal",), "unscrew": ("removal",), "snap": ("fracture",),
    "snapped": ("fracture",), "break": ("fracture",), "broke": ("fracture",), "broken": ("fracture",),
    "hurt": ("pain",), "painful": ("pain",), "sore": ("pain",), "painkiller": ("analgesic",),
    "gum": ("gingiva", "mucosa"), "wobble": ("mobility", "mobile"), "loose": ("mobility", "mobile"),
    "infected": ("infection",), "grown": ("overgrowth", "hyperplasia"), "move": ("movement",),
    "fail": ("failure",), "fails": ("failure",), "last": ("duration",), "stay": ("situ", "remain"),
    "numb": ("anaesthesia",), "anesthetic": ("anesthesia",), "anaesthetic": ("anesthesia",),
    "drill": ("drilling",), "hole": ("pilot",), "tip": ("tipping",), "wider": ("diameter",),
    "longer": ("length",), "thicker": ("thickness",), "space": ("interradicular",), "room": ("space",),
    "hit": ("contact",), "touch": ("contact",), "touching": ("contact",), "made": ("material", "alloy"),
}
DIMENSIONS = {"high": ("level", "crest", "apical", "height"), "deep": ("depth",), "far": ("distance",),
              "thick": ("thickness",), "wide": ("width", "diameter"), "big": ("size",)}
# Words that carry no subject in a question (beyond the names' filler): never matched in quotes.
LEXICAL_STOP = frozenset({"take", "out", "get", "make", "go", "know", "tell", "say", "give", "keep", "mean", "worry",
                          "thing", "sure", "now", "still", "usually", "ever", "good", "bad", "lot", "really"})


def evidence(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    model = explainer.model
    index = statement_index(model)
    intent = query.intent or "evidence"
    terms = [t for t in query.terms if t in model.term_by_name]
    ranked, fitting, weights, words, options = _ranking(explainer, query, terms, intent)
    focus = set(words) | {w for t in weights for w in stems(model.label(t))}
    items = [_item(explainer, index, sid, score, terms, focus) for score, sid in ranked[:SHOWN]]
    items = [i for i in items if i is not None]
    labels = [term_label(explainer, t) for t in terms if t not in GENERIC] or [term_label(explainer, t) for t in terms]
    about = and_list(list(dict.fromkeys(labels))[:4]) or "this question"
    fits = {sid for _, sid in fitting}
    verdict = _verdict(intent, about, len(ranked), sum(1 for _, sid in ranked if sid in fits), items, options,
                       explainer)
    shown = tuple(sid for _, sid in ranked[:SHOWN])
    return Answer(query.text, "evidence", verdict, query.subject.term if query.subject else None,
                  about, bool(fitting), items=tuple(items), statements_shown=shown)


def also_said(explainer: Explainer, query: Query, terms, intent: str, cited, about, n: int = 3) -> tuple[str, ...]:
    """The statements that bear most on the question in the evidence form's ranking, less those
    the answer already cites: what a reasoning form leaves out ("which side do I put the TAD?"
    has a site answer, and the review's 'on the side that the centreline is to be moved towards').
    Each must speak of what the answer is about (``about``: its subject or indication) and share a
    telling word of the question that no name of it accounts for ("side", "force applied"): a
    question the form covers whole ("what is the midpalate?") gets nothing more."""
    model = explainer.model
    known = [t for t in terms if t in model.term_by_name]
    about = {t for t in about if t and t not in GENERIC}
    if not known or not about:
        return ()
    index = statement_index(model)
    named = {w for t in known for name in (model.label(t), *model.term_by_name[t].aliases) for w in stems(name)}
    free = {stem(w) for w in name_index(model).corrected_words(query.text)
            if w not in FILLER and w not in FRAME_WORDS and w not in LEXICAL_STOP} - named
    free = {w for w in free if index.idf.get(w, 0.0) > 1.0}
    if not free:
        return ()
    scored, _, _, _, fits = _scored(explainer, query, known, intent)
    ranked = ordered(model, index, scored, lambda s: fits(s[1]), intent)
    cited = set(cited)
    bearing = (sid for _, sid in ranked if sid not in cited and not about.isdisjoint(index.terms_of(sid))
               and any(index.has(sid, w) for w in free))
    return tuple(islice(bearing, n))  # the ranking is read only as far as these: at 1000x it holds 178,000


def _ranking(explainer: Explainer, query: Query, terms: list[str], intent: str):
    """The statements about the question's names and words, best first for the intent, with
    those that give what the intent asks, the term weights, the question's words and options."""
    model, index = explainer.model, statement_index(explainer.model)
    scored, weights, words, options, fits = _scored(explainer, query, terms, intent)
    fitting = [s for s in scored if fits(s[1])]
    ranked = list(ordered(model, index, scored, set(fitting).__contains__, intent))
    return ranked, fitting, weights, words, options


def _scored(explainer: Explainer, query: Query, terms: list[str], intent: str):
    """Every statement about the question's names and words with its score, best first, with the
    term weights, the question's words, the options of a choice and the test of whether a
    statement gives what the intent asks for."""
    model = explainer.model
    index = statement_index(model)
    patient = set(patient_factors(explainer))
    said = name_index(model).corrected_words(query.text)
    # "how high", "how deep": the dimension asked, in the sources' words ("higher failure" is not height)
    asked = {b for a, b in zip(said, said[1:]) if a == "how" and b in DIMENSIONS}
    plain = [w for w in said if w not in FILLER and w not in FRAME_WORDS and w not in asked]
    extra = [x for w in plain for x in EXPANSIONS.get(w, ())] + [x for w in asked for x in DIMENSIONS[w]]
    words = list(dict.fromkeys([stem(w) for w in plain if w not in LEXICAL_STOP] + [stem(x) for x in extra]))
    options = _options(query) if intent == "choice" else ()
    weights = {t: (0.2 if t in GENERIC else 1.0) for t in terms}
    for word in extra:  # "take it out" names the removal
        term = name_index(model).term_for((normal_word(word),))
        if term is not None:
            weights.setdefault(term, 0.7)
    for parent in _larger_sites(explainer, terms):  # what is said of the alveolus reaches its buccal part
        weights.setdefault(parent, 0.5)
    if intent == "howto":  # how to do it: the steps it requires, and theirs (self-tapping: pilot hole, bur)
        for step, weight in _required_steps(explainer, terms):
            weights.setdefault(step, weight)
    figures = _Figures(model)
    scored = _score(model, index, weights, words, intent, patient, options, _kind_bonus(model, index, intent, figures))
    return scored, weights, words, options, _fitness(model, index, intent, options, figures)


def _options(query: Query) -> tuple[str, ...]:
    return tuple(m.term for m in (query.subject, query.other) if m is not None)


def _required_steps(explainer: Explainer, terms) -> list[tuple[str, float]]:
    """What the question's techniques require (required_for, two steps deep), each with a weight
    below that of a name the question says: 0.7 for a direct requirement, 0.5 for one of those."""
    needs: dict[str, list[str]] = {}
    for row in explainer.interpretation.tuples("required_for"):
        if len(row) == 2 and isinstance(row[0], str):
            needs.setdefault(row[1], []).append(row[0])
    out: list[tuple[str, float]] = []
    seen = set(terms)
    level = [t for t in terms if t not in GENERIC]
    for weight in (0.7, 0.5):
        following = []
        for term in level:
            for step in sorted(needs.get(term, ())):
                if step not in seen:
                    seen.add(step)
                    out.append((step, weight))
                    following.append(step)
        level = following
    return out


def _larger_sites(explainer: Explainer, terms) -> list[str]:
    """The sites the question's sites are part of (part_of/within, transitively)."""
    edges: dict[str, set[str]] = {}
    for relation in ("part_of", "within"):
        for row in explainer.interpretation.tuples(relation):
            if len(row) == 2:
                edges.setdefault(row[0], set()).add(row[1])
    out, todo = [], [t for t in terms if t in edges]
    while todo:
        for parent in sorted(edges.get(todo.pop(), ())):
            if parent not in out and parent not in terms:
                out.append(parent)
                todo.append(parent)
    return out


def _score(model, index: StatementIndex, weights, words, intent, patient, options, kind) -> list[tuple[float, str]]:
    """Every statement that shares a name or a word with the question, best first.

    What each candidate names, and which facts cite it, is read per term and per predicate
    (the index's ``by_term`` and ``by_predicate``), not from every candidate's own entry: read
    from the cache, each entry is decoded on its own, and at 1000x a ranking has 178,000."""
    naming = {t: frozenset(index.by_term.get(t, ())) for t in dict.fromkeys([*weights, *patient, *options])}
    candidates: set[str] = set()
    for term in weights:
        candidates.update(naming[term])
    for word in words:
        if index.idf.get(word, 0) > 1.0:  # words in most quotes say nothing
            candidates.update(index.with_word(word))
    whole = [t for t, w in weights.items() if w >= 1.0 and t not in patient]
    asked = {p for w in words for p in PREDICATE_CUES.get(w, ())}  # "history of ...": the milestones
    cue = _citing(index, sorted(asked))
    candidates.update(cue)
    named = dict.fromkeys(candidates, 0)
    for term, weight in weights.items():  # (added in the order of the weights, as a sum over them would)
        value = min(index.term_idf.get(term, 1.0), 4.0) * weight
        for sid in naming[term]:
            named[sid] += value
    lifted = _citing(index, ANSWERING.get(intent, ()))
    postings = [(word, index.with_word(word)) for word in words]  # each looked up once, not once a candidate
    statements = model.statement_by_id
    out = []
    for sid in candidates:
        if sid not in statements:  # (the statement itself is read only when its kind or quote counts)
            continue
        names = named[sid] + (4.0 if sid in cue else 0)  # gives what a cue word asks for, as a rare name would
        said = _bm25(index, sid, postings)
        bonus = sum(1.0 for f in patient if sid in naming[f])
        if options and all(sid in naming[o] or _says(model, index, sid, o) for o in options):
            bonus += 6.0
        elif len(whole) >= 2 and all(sid in naming[t] or _says(model, index, sid, t) for t in whole):
            bonus += WHOLE_BONUS  # speaks of everything the question names ("pilot hole" and "posterior maxilla")
        # what the intent wants first lifts a statement in proportion to how well it fits the question
        fit = kind(sid) + (ANSWER_LIFT if sid in lifted else 0.0)
        if names > 0 or said > 2.0:
            out.append(((1.5 * names + said) * (1.0 + INTENT_LIFT * fit) + bonus, sid))
    out.sort(key=lambda x: (-x[0], x[1]))
    return out


def _citing(index: StatementIndex, predicates) -> set[str]:
    """The statements a fact of one of the predicates cites."""
    out: set[str] = set()
    for predicate in predicates:
        out.update(index.by_predicate.get(predicate, ()))
    return out


def _bm25(index: StatementIndex, sid: str, postings: list) -> float:
    """Okapi BM25 of the question's words in one quote: rare words count more, long quotes less.
    ``postings``: each word with its statements' counts (``index.with_word``)."""
    found = [(w, n) for w, counts in postings if (n := counts.get(sid, 0))]
    if not found:
        return 0
    norm = 1.2 * (0.25 + 0.75 * index.length(sid) / index.mean_length)
    return sum(index.idf.get(w, 0.0) * n * 2.2 / (n + norm) for w, n in found)


def _says(model, index: StatementIndex, sid: str, term: str) -> bool:
    """Whether a statement's own words name a term: its label or one of its aliases ("headgear"
    for extraoral traction), without small words."""
    decl = model.term_by_name.get(term)
    for name in (model.label(term), *(decl.aliases if decl else ())):
        words = stems(name)
        if words and all(index.has(sid, w) for w in words):
            return True
    return False


class _Figures(dict):
    """Whether each statement's quote states a figure, found once per ranking: a quantity
    ranking asks it of every candidate twice (its bonus, and whether it fits), and read from the
    cache each asking is a statement decoded and two searches (at 400x, 46,000 of each)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def __missing__(self, sid: str) -> bool:
        found = self[sid] = _has_figure(self.model.statement_by_id[sid].quote)
        return found


def _kind_bonus(model, index: StatementIndex, intent: str, figures: _Figures) -> Callable[[str], float]:
    """How well a statement's kind gives what the intent asks for: 1 for a figure, a
    recommendation, a risk, a definition; 0.5 for a stance when reasons are asked. (Each scored
    statement gets ANSWER_LIFT more when a fact it supports is of a predicate that answers the
    intent: a cause for 'why', a guideline for how-to.) A test of the statement for the
    intents that read its quote or kind; for the others, of the facts citing it, by predicate."""
    statements = model.statement_by_id
    if intent == "quantity":
        return lambda sid: 1.0 if figures[sid] else 0.0
    if intent == "howto":
        return lambda sid: 1.0 if statements[sid].kind == "recommendation" else 0.0
    if intent == "risks":
        against = _citing(index, [p for p in index.by_predicate if _is_against(model, p)])
        return lambda sid: 1.0 if sid in against else 0.0
    if intent == "definition":
        defining = _citing(index, ["definition"])
        return lambda sid: 1.0 if statements[sid].kind == "definition" or sid in defining else 0.0
    if intent == "reasons":
        taking = _citing(index, [p for p in index.by_predicate if _stance(model, p)])
        return lambda sid: 0.5 if sid in taking else 0.0
    return lambda sid: 0.0


def _fitness(model, index: StatementIndex, intent: str, options, figures: _Figures) -> Callable[[str], bool]:
    """The test of whether a statement gives what the intent asks for: a figure, or a comparison
    of amounts ("much lower success rates than ..."), for a quantity; both options for a choice."""
    if intent == "quantity":
        comparing = _citing(index, sorted(COMPARING))
        return lambda sid: figures[sid] or sid in comparing
    if intent == "choice" and len(options) == 2:
        return lambda sid: all(o in index.terms_of(sid) or _says(model, index, sid, o) for o in options)
    return lambda sid: True


def _has_figure(quote: str) -> bool:
    """A number with a unit or a percentage ("13.5%", "5-15 Ncm", "50 g"), or one in words ("six weeks")."""
    return FIGURE.search(quote) is not None or WORDED_FIGURE.search(quote) is not None


def _stance(model, predicate: str) -> Optional[str]:
    pred = model.predicate_by_name.get(predicate)
    return pred.stance if pred else None


def _is_against(model, predicate: str) -> bool:
    """A predicate that tells against (its stance), or names a risk, a complication or a failure."""
    return _stance(model, predicate) == "against" or any(k in predicate for k in ("risk", "complication", "fail"))


def excerpt(index: StatementIndex, sid: str, quote: str, focus: set[str], limit: int = EXCERPT) -> str:
    """The sentences of a quote that bear on the question, whole, in order; "…" marks those left
    out. A quote short enough is kept whole; one with no such sentence keeps its first."""
    if len(quote) <= limit:
        return quote
    split = index.sentences.get(sid)
    if split is None:
        split = [(s, frozenset(stems(s))) for s in SENTENCE_END.split(quote) if s.strip()]
        index.sentences[sid] = split
    sentences = [s for s, _ in split]
    if len(sentences) == 1:
        return quote
    scores = [len(focus & words) for _, words in split]
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    keep, size = set(), 0
    for i in order:
        if keep and (scores[i] == 0 or size + len(sentences[i]) > limit):
            continue
        keep.add(i)
        size += len(sentences[i])
    out, gap = [], False
    for i, sentence in enumerate(sentences):
        if i in keep:
            out.append(("… " if gap or (i > 0 and not out) else "") + sentence.strip())
            gap = False
        else:
            gap = True
    return " ".join(out) + (" …" if gap else "")


def _item(explainer: Explainer, index: StatementIndex, sid: str, score: float, terms, focus) -> Optional[Item]:
    """One statement: the fact it supports that names most of the question, with its quote."""
    facts = index.facts_of(sid)
    wanted = set(terms)
    if not facts:  # a sentence the curators record without a fact ("... lack of information in private
        citation = explainer.citation(sid)  # practices"): shown by its source and its own words
        st = explainer.model.statement_by_id[sid]
        return Item(sid, citation.short or citation.source, f"{citation.short} \u00a7{st.section} ({st.kind})", (),
                    round(score, 2), excerpt(index, sid, citation.quote, focus))
    atom = max(facts, key=lambda f: (len(wanted & set(map(str, f[1]))), -len(f[1])))
    argument = explainer.argument(atom)
    citation = explainer.citation(sid)
    return Item(sid, citation.short or citation.source, argument.claim, (argument,), round(score, 2),
                excerpt(index, sid, citation.quote, focus | set(stems(argument.claim))))


def _verdict(intent, about, count, fitting: int, items, options, explainer) -> str:
    """The headline; ``fitting``: how many of the ``count`` statements give what the intent asks."""
    if not items:
        return f"The sources say nothing about {about} that bears on this question."
    heading = INTENT_HEADINGS.get(intent)
    if intent == "choice" and len(options) == 2:
        a, b = (term_label(explainer, o) for o in options)
        if fitting:
            rest = count - fitting
            return (f"{_cap(a)} or {b}: {fitting} statement{'s speak' if fitting != 1 else ' speaks'} of both"
                    + (f", then what the sources say of each ({rest} more)." if rest else "."))
        # never "no source compares them": two neighbouring statements may (a problem, then its remedy)
        return f"{_cap(a)} or {b}: what the sources say about each, the statements nearest to both first."
    if intent == "quantity" and not fitting:
        return f"The sources give no figure on {about}; the nearest things they say follow."
    return (f"What the sources say about {about}: {count} statement{'s' if count != 1 else ''}"
            + (f", {heading}." if heading else "."))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
