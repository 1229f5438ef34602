"""Answering: one builder per question form, all producing the same :class:`Answer`.

Builders only gather and rank; wording of facts comes from the predicates' templates, so
new knowledge needs no code here. The question forms rely on a small vocabulary of
conclusion predicates (``kb/advice/predicates.tad``: recommended/1, recommended_for/2,
not_recommended/1, recommended_instead/2, candidate_site/2, caution/2, preferred_anchorage/1)
and on the patient rules of ``kb/advice/patient.tad`` (patient_risk/2, patient_site_risk/3,
patient_preferred_site/2, patient_contraindication/2, ...). docs/questions.md lists, per form,
the predicates it reads.

Patient inputs are facts for one question only (``kb.with_inputs``). Inputs the question did
not state are tried one at a time (hypothetical evaluation): those that would change the
verdict are named in ``Answer.unknowns``.
"""
from __future__ import annotations

import weakref
from dataclasses import replace
from typing import Callable, Iterable

from .answer import Answer, Argument, Explainer, Item, rank
from .errors import QueryError
from .query import PatientContext, Query

HELP = """tadlog answers these questions (case does not matter, '?' is optional):
  why X?   why not X?   (both optionally: for INDICATION, for PATIENT)
  sites for INDICATION [for PATIENT]?   e.g. sites for molar intrusion, adult
  risks of SITE?                        indications [in the PLANE plane]?
  contraindications [for PATIENT]?      is FACTOR a contraindication?
  direct or indirect anchorage [for PATIENT]?
  compare A and B?      what is X?      sources of X?      show STATEMENT-ID
  ? predicate(Var, value), Var >= 90.   (raw Datalog, checked like a rule)
PATIENT: an age ("12 year old", "aged 40"), adolescent/adult, high MMPA, smoker,
BMI 17, osteoporosis, bisphosphonates, diabetes, immunosuppression, poor oral
hygiene ... joined by 'with', 'and' or ','. --full shows every reason and quote."""

# How an unstated patient factor reads in "if the patient ..." (others: "presents with LABEL").
FACTOR_PHRASES = {"adolescent": "is an adolescent (under 18)", "adult": "is an adult (18 or older)",
                  "smoking": "smokes", "diabetes": "has diabetes", "low_bmi": "has a low BMI (under 18.5)"}
SITE_CATEGORIES = ("site",)

_HYPOTHETICAL: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def answer_query(kb, query: Query, *, depth: int = 8, full: bool = False) -> Answer:
    builder = BUILDERS.get(query.form)
    if builder is None:
        raise QueryError(f"the question form '{query.form}' is not answered yet", code="Q010")
    if query.form == "raw":
        return _finish(Explainer(kb.model, kb.derivations), query, raw(kb, query), kb)
    explainer = _explainer(kb, query.patient)
    answer = builder(explainer, query, depth=depth, full=full)
    key = VERDICT_KEYS.get(query.form)
    if key is not None:
        answer = replace(answer, unknowns=tuple(_unknowns(kb, explainer, query, key)))
    return _finish(explainer, query, answer, kb)


def _explainer(kb, patient: PatientContext) -> Explainer:
    """An explainer over the knowledge base with this patient's inputs (cached per inputs)."""
    facts = patient.facts() if patient else ()
    cache = _HYPOTHETICAL.setdefault(kb, {})
    key = tuple(sorted(facts, key=repr))
    if key not in cache:
        if len(cache) > 256:
            cache.clear()
        cache[key] = Explainer(kb.model, kb.with_inputs(facts))
    return cache[key]


def _finish(explainer: Explainer, query: Query, answer: Answer, kb) -> Answer:
    """Attach citations and conflicts of everything the answer rests on, and the graph builder."""
    statements = _statements_of(answer)
    conflicts = explainer.conflicts_for(_core_statements(answer))
    patient = tuple((name, values[0]) for name, values in (query.patient.facts() if query.patient else ()))
    cites = explainer.citations_for(statements + [s for c in conflicts for side in c.sides for s in side])

    def graph(ans, _explainer=explainer):
        from .provenance import answer_graph

        return answer_graph(_explainer.model, _explainer.derivations, ans)

    return replace(answer, conflicts=tuple(conflicts), citations=cites, patient=patient,
                   derived_patient=tuple(_derived_patient(explainer, query)),
                   patient_labels=tuple((f, explainer.model.label(f)) for f in query.patient.factors),
                   _graph_builder=graph)


def _derived_patient(explainer: Explainer, query: Query) -> list[str]:
    """Patient factors the rules derived from the inputs (an age → adolescence), as labels."""
    if not query.patient:
        return []
    stated = set(query.patient.factors)
    return [explainer.model.label(row[0]) for row in sorted(explainer.interpretation.tuples("patient"), key=str)
            if row[0] not in stated]


def _core_statements(answer: Answer) -> list[str]:
    """The statements the verdict rests on: its proof, the leading reasons, the blockers, the top items."""
    proofs = [a.proof for a in answer.arguments_for[:3] + answer.arguments_against[:3] + answer.instead[:2]]
    proofs += [a.proof for item in answer.items[:3] for a in item.arguments[:2]]
    out = list(answer.proof.statements()) if answer.proof else []
    for analysis in answer.why_not:
        out += list(analysis.citations)
        proofs += [c.proof for c in analysis.blocked_by if c.proof]
    for proof in proofs:
        out += proof.statements()
    return list(dict.fromkeys(out + list(answer.statements_shown)))


def _statements_of(answer: Answer) -> list[str]:
    out: list[str] = []
    proofs = [a.proof for a in answer.arguments_for + answer.arguments_against + answer.instead]
    proofs += [a.proof for item in answer.items for a in item.arguments]
    if answer.proof:
        proofs.append(answer.proof)
    for analysis in answer.why_not:
        out += list(analysis.citations)
        proofs += [c.proof for c in analysis.blocked_by if c.proof]
    for proof in proofs:
        out += proof.statements()
    out += list(answer.statements_shown)
    return list(dict.fromkeys(out))


# ---- helpers ------------------------------------------------------------------------------
def _label(explainer: Explainer, term: str) -> str:
    return explainer.model.label(term)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _count(pro, con) -> str:
    return (f"{len(con)} reason{'s' if len(con) != 1 else ''} against, "
            f"{len(pro)} for")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else ""


def _relevant_first(arguments: Iterable[Argument], terms: Iterable[str]) -> list[Argument]:
    """Arguments that mention the indication or the patient's factors first, then by evidence."""
    wanted = {t for t in terms if t}
    return sorted(arguments, key=lambda a: (-len(wanted & set(map(str, a.proof.atom[1]))),
                                            -a.strength, a.claim))


def _patient_terms(explainer: Explainer) -> list[str]:
    return sorted(row[0] for row in explainer.interpretation.tuples("patient"))


def _patient_arguments(explainer: Explainer) -> tuple[list[Argument], list[Argument]]:
    """What the patient's own factors imply in general (risks, cautions, contraindications)."""
    pro, con = [], []
    for factor in _patient_terms(explainer):
        p, c = explainer.arguments_about(factor)
        pro += [a for a in p if a.proof.atom[0].startswith("patient_")]
        con += [a for a in c if a.proof.atom[0].startswith("patient_")]
    return pro, con


def _about(explainer: Explainer, query: Query) -> tuple[list[Argument], list[Argument]]:
    pro, con = explainer.arguments_about(query.subject.term)
    terms = [query.indication.term if query.indication else None, *_patient_terms(explainer)]
    pro, con = _relevant_first(pro, terms), _relevant_first(con, terms)
    if query.patient:  # what the patient's own factors imply comes after the subject's evidence
        ppro, pcon = _patient_arguments(explainer)
        pro, con = pro + [a for a in ppro if a not in pro], con + [a for a in pcon if a not in con]
    return pro, con


def _holds(explainer: Explainer, atom) -> bool:
    return explainer.interpretation.holds(*atom)


def _target(query: Query) -> tuple[str, tuple]:
    if query.indication is not None and query.indication.term != query.subject.term:
        return ("recommended_for", (query.subject.term, query.indication.term))
    return ("recommended", (query.subject.term,))


def _support(explainer: Explainer, query: Query) -> list[tuple]:
    """For 'why X for I' when X is not stated to be recommended for I: what does hold."""
    if query.indication is None:
        return []
    subject, indication = query.subject.term, query.indication.term
    atoms = [("candidate_site", (subject, indication)), ("recommended", (subject,))]
    return [a for a in atoms if _holds(explainer, a)]


# ---- why / why not ------------------------------------------------------------------------
def why(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    target = _target(query)
    subject = query.subject.term
    label = _label(explainer, subject)
    pro, con = _about(explainer, query)
    sentence = explainer.sentence(*target)
    if _holds(explainer, target):
        verdict = f"Yes: {_lower(sentence)} ({_count(pro, con)})."
        return Answer(query.text, query.form, verdict, subject, label, True, arguments_for=tuple(pro),
                      arguments_against=tuple(con), proof=explainer.proof(target, depth=depth))
    support = _support(explainer, query)
    if support and support[0][0] == "candidate_site":
        said = " and ".join(_lower(explainer.sentence(*a)) for a in support)
        verdict = (f"Partly: {said}; no source states that {_lower(sentence)} as such "
                   f"({_count(pro, con)}).")
        proof = explainer.proof(support[0], depth=depth)
        if len(support) > 1:
            pro = [explainer.argument(support[1], "for")] + [a for a in pro if a.proof.atom != support[1]]
        return Answer(query.text, query.form, verdict, subject, label, True, arguments_for=tuple(pro),
                      arguments_against=tuple(con), proof=proof)
    analyses, changes = explainer.why_not(target, expand=1 if full else 0)
    verdict = f"No: it does not follow that {_lower(sentence)} ({_count(pro, con)})."
    return Answer(query.text, query.form, verdict, subject, label, False,
                  arguments_for=tuple(pro), arguments_against=tuple(con), why_not=tuple(analyses),
                  would_change=tuple(changes), instead=tuple(_instead(explainer, subject)),
                  notes=(f"ask 'why not {label}?' for what blocks it",))


def why_not(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    target = _target(query)
    subject = query.subject.term
    label = _label(explainer, subject)
    pro, con = _about(explainer, query)
    sentence = explainer.sentence(*target)
    if _holds(explainer, target):
        verdict = f"It is not ruled out: {_lower(sentence)} ({_count(pro, con)})."
        return Answer(query.text, query.form, verdict, subject, label, True,
                      arguments_for=tuple(pro), arguments_against=tuple(con),
                      proof=explainer.proof(target, depth=depth))
    analyses, changes = explainer.why_not(target, expand=1 if full else 0)
    negative = (("not_recommended_for", target[1]) if target[0] == "recommended_for"
                else ("not_recommended", target[1]))
    if _holds(explainer, negative):
        verdict = f"{explainer.sentence(*negative)} ({_count(pro, con)})."
    elif _support(explainer, query):
        said = " and ".join(_lower(explainer.sentence(*a)) for a in _support(explainer, query))
        verdict = f"Not ruled out: {said}, though no source states that {_lower(sentence)} ({_count(pro, con)})."
    else:
        verdict = f"It does not follow that {_lower(sentence)} ({_count(pro, con)})."
    return Answer(query.text, query.form, verdict, subject, label, False,
                  arguments_for=tuple(pro), arguments_against=tuple(con), why_not=tuple(analyses),
                  would_change=tuple(changes), instead=tuple(_instead(explainer, subject)))


def _instead(explainer: Explainer, subject: str) -> list[Argument]:
    """What the sources recommend in place of ``subject``, with the guidelines for it."""
    out = []
    for atom in explainer.facts_about(subject):
        if atom[0] == "recommended_instead":
            out.append(explainer.argument(atom, "for"))
            alternative = atom[1][1]
            for extra in explainer.facts_about(alternative):
                if extra[0] in ("site_guideline", "recommended"):
                    out.append(explainer.argument(extra, "for"))
    return out


# ---- sites for an indication ----------------------------------------------------------------
def _site_rank_key(explainer: Explainer, site: str, score: float, named: list[str]) -> tuple:
    return (site not in named, -score, _label(explainer, site))


def _site_candidates(explainer: Explainer, indication: str) -> tuple[list[str], list[str]]:
    named = _sites_named_for(explainer, indication)
    preferred = {row[0] for row in explainer.interpretation.tuples("patient_preferred_site")}
    return named, sorted(set(named) | preferred)


def sites(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    indication = query.indication.term
    named, candidates = _site_candidates(explainer, indication)
    items = [_site_item(explainer, site, indication, site in named) for site in candidates]
    items.sort(key=lambda i: _site_rank_key(explainer, i.term, i.score, named))
    label = _label(explainer, indication)
    extra = [i for i in items if i.term not in named]
    if not items:
        verdict = f"The knowledge base names no insertion site for {label}."
    elif not named:
        verdict = (f"The sources name no site for {label}; for this patient they prefer "
                   + _and([f"the {i.label}" for i in extra]) + ".")
    else:
        first = items[0]
        verdict = (f"For {label} the sources name {len(named)} site{'s' if len(named) != 1 else ''}: "
                   + _and([f"the {i.label}" for i in items if i.term in named])
                   + (f"; the {first.label} ranks first" if len(named) > 1 else ""))
        if extra:
            verdict += ("; for this patient they also prefer " + _and([f"the {i.label}" for i in extra])
                        + f", not named for {label}")
        verdict += "."
    notes = ()
    return Answer(query.text, query.form, verdict, indication, label, bool(items), items=tuple(items), notes=notes)


def _sites_named_for(explainer: Explainer, indication: str) -> list[str]:
    out = []
    for predicate in ("candidate_site", "recommended_for"):
        for row in sorted(explainer.interpretation.tuples(predicate), key=str):
            term = explainer.model.term_by_name.get(row[0])
            if row[1] == indication and term is not None and term.category in SITE_CATEGORIES:
                out.append(row[0])
    return list(dict.fromkeys(out))


SITE_SCORES = {  # predicate → (weight, short reason); the ranking of 'sites for'
    "recommended_for": (5, "recommended for this indication"),
    "candidate_site": (4, "named for this indication"),
    "patient_preferred_site": (3, "preferred for this patient"),
    "patient_site_risk": (-3, "higher risk for this patient"),
    "recommended": (2, "recommended"),
    "not_recommended": (-4, "not recommended"),
    "highest_success_site": (1, "highest reported success"),
    "outranked_site": (-1, "other sites report higher success"),
    "caution": (-1, "calls for caution"),
}


def _site_score(explainer: Explainer, site: str, indication: str) -> tuple[float, list[str], list]:
    """A site's score for an indication, its short reasons, and the atoms that gave them."""
    score, tags, atoms = 0.0, [], []
    for atom in explainer.facts_about(site):
        weight = SITE_SCORES.get(atom[0])
        if weight is None:
            continue
        if atom[0] in ("recommended_for", "candidate_site") and atom[1][1] != indication:
            continue
        score += weight[0]
        if weight[1] not in tags:
            tags.append(weight[1])
        atoms.append(atom)
    return score, tags, atoms


def _site_item(explainer: Explainer, site: str, indication: str, named: bool) -> Item:
    score, tags, atoms = _site_score(explainer, site, indication)
    arguments = [explainer.argument(atom) for atom in atoms]
    if not named:
        tags.append("not named for this indication")
    label = _label(explainer, site)
    arguments = sorted(arguments, key=lambda a: (-abs(SITE_SCORES[a.proof.atom[0]][0]), -a.strength, a.claim))
    summary = f"{label} ({', '.join(tags)})" if tags else label
    return Item(site, label, summary, tuple(arguments), score)


# ---- risks of a site ------------------------------------------------------------------------
def risks(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    site = query.subject.term
    label = _label(explainer, site)
    pro, con = explainer.arguments_about(site)
    at_site = [explainer.argument(a, "against") for a in explainer.facts_about(site, position=2)
               if a[0] in ("risk_factor_at_site", "patient_site_risk")]
    con = rank(con + [a for a in at_site if a not in con])
    pro = [a for a in pro if a.proof.atom[0] in ("no_risk", "heals_by", "heals_within_weeks", "no_reports_of")]
    if query.patient:
        ppro, pcon = _patient_arguments(explainer)
        con = con + [a for a in pcon if a not in con]
    con = _relevant_first(con, _patient_terms(explainer))
    named = [_label(explainer, a.proof.atom[1][1]) for a in con if a.proof.atom[0] in ("risk", "risk_percent")]
    named = list(dict.fromkeys(named))
    if con:
        listed = ", ".join(named[:4]) + (", ..." if len(named) > 4 else "")
        verdict = (f"{len(con)} reason{'s' if len(con) != 1 else ''} for caution at the {label}"
                   + (f"; reported risks: {listed}." if named else "."))
    else:
        verdict = f"The knowledge base records no risk specific to the {label}."
    return Answer(query.text, query.form, verdict, site, label, bool(con),
                  arguments_against=tuple(con), arguments_for=tuple(pro))


# ---- indications ------------------------------------------------------------------------------
def indications(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    plane = query.subject.term if query.subject else None
    rows = sorted(explainer.interpretation.tuples("indication"), key=lambda r: (str(r[1]), _label(explainer, r[0])))
    by_indication: dict[str, list] = {}
    for indication, row_plane in rows:
        if plane is None or row_plane == plane:
            by_indication.setdefault(indication, []).append(("indication", (indication, row_plane)))
    items = []
    for indication, atoms in by_indication.items():
        arguments = tuple(explainer.argument(a, "neutral") for a in atoms)
        planes = ", ".join(_label(explainer, a[1][1]) for a in atoms)
        summary = _label(explainer, indication) + ("" if plane else f" ({planes})")
        items.append(Item(indication, _label(explainer, indication), summary, arguments, 0.0))
    if plane is None:
        items.sort(key=lambda i: (i.summary.rsplit("(", 1)[-1], i.label))
        verdict = f"{len(items)} indications for mini-implant anchorage are recorded, by plane of space."
    else:
        items.sort(key=lambda i: i.label)
        verdict = (f"{len(items)} indication{'s' if len(items) != 1 else ''} for mini-implant anchorage in the "
                   f"{_label(explainer, plane)} plane.")
    subject = plane
    return Answer(query.text, query.form, verdict, subject, _label(explainer, plane) if plane else None,
                  bool(items), items=tuple(items))


# ---- contraindications ------------------------------------------------------------------------
def contraindications(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    con = rank([explainer.argument(("contraindication", row)) for row in
                sorted(explainer.interpretation.tuples("contraindication"), key=str)])
    pro = rank([explainer.argument(("not_a_contraindication", row)) for row in
                sorted(explainer.interpretation.tuples("not_a_contraindication"), key=str)])
    relative = [_label(explainer, a.proof.atom[1][0]) for a in con]
    verdict = (f"The sources name {len(con)} contraindication{'s' if len(con) != 1 else ''} "
               f"({', '.join(relative) or 'none'}) and {len(pro)} factor{'s' if len(pro) != 1 else ''} "
               f"that are not contraindications.")
    if query.patient:
        mine = [explainer.argument(("patient_contraindication", row)) for row in
                sorted(explainer.interpretation.tuples("patient_contraindication"), key=str)]
        if mine:
            verdict = ("For this patient: " + "; ".join(_lower(a.claim) for a in mine) + ". " + verdict)
        else:
            verdict = "None of this patient's factors is a recorded contraindication. " + verdict
        ppro, pcon = _patient_arguments(explainer)
        covered = {a.proof.atom[1] for a in mine}
        rest = [a for a in pcon if a not in mine] + [a for a in con if a.proof.atom[1] not in covered]
        con = mine + _relevant_first(rest, _patient_terms(explainer))
        covered = {a.proof.atom[1] for a in ppro}
        pro = _relevant_first(ppro + [a for a in pro if a.proof.atom[1] not in covered], _patient_terms(explainer))
    return Answer(query.text, query.form, verdict, None, None, bool(con), arguments_against=tuple(con),
                  arguments_for=tuple(pro))


def is_contraindication(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    factor = query.subject.term
    label = _label(explainer, factor)
    wanted = query.qualifier

    def fits(strength: str) -> bool:
        return wanted is None or str(strength).startswith(wanted)

    yes = [("contraindication", row) for row in sorted(explainer.interpretation.tuples("contraindication"), key=str)
           if row[0] == factor and fits(row[1])]
    no = [("not_a_contraindication", row) for row in
          sorted(explainer.interpretation.tuples("not_a_contraindication"), key=str)
          if row[0] == factor and fits(row[1])]
    pro, con = explainer.arguments_about(factor)
    pro = [a for a in pro if a.proof.atom[0] in ("not_a_contraindication", "not_a_risk_factor")]
    if yes:
        verdict = "Yes: " + "; ".join(_lower(explainer.sentence(*a)) for a in yes) + "."
        proof, holds = explainer.proof(yes[0], depth=depth), True
    elif no:
        verdict = "No: " + "; ".join(_lower(explainer.sentence(*a)) for a in no)
        verdict += ", but the sources raise concerns about it." if con else "."
        proof, holds = explainer.proof(no[0], depth=depth), False
    else:
        general = [("not_a_contraindication", row) for row in
                   sorted(explainer.interpretation.tuples("not_a_contraindication"), key=str)
                   if row[0] == "medical_condition"]
        verdict = f"No contraindication is recorded for {label}"
        verdict += " (the sources state there are no absolute medical contraindications)." if general else "."
        pro = pro + [explainer.argument(a, "for") for a in general]
        proof, holds = None, False
    return Answer(query.text, query.form, verdict, factor, label, holds, proof=proof,
                  arguments_against=tuple(con), arguments_for=tuple(rank(pro)))


# ---- direct or indirect anchorage; compare ------------------------------------------------------
ANCHORAGE_OPTIONS = ("direct_anchorage", "indirect_anchorage")


def anchorage(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    options = [t for t in ANCHORAGE_OPTIONS if t in explainer.model.term_by_name]
    patient_terms = set(_patient_terms(explainer))
    specific = [("preferred_anchorage_for", row) for row in
                sorted(explainer.interpretation.tuples("preferred_anchorage_for"), key=str)
                if row[0] in options and row[1] in patient_terms]
    general = [("preferred_anchorage", row) for row in sorted(explainer.interpretation.tuples("preferred_anchorage"),
                                                               key=str) if row[0] in options]
    items = [_option_item(explainer, option, patient_terms) for option in options]
    if specific:
        chosen = specific[0]
        verdict = (f"{_label(explainer, chosen[1][0])[:1].upper()}{_label(explainer, chosen[1][0])[1:]} "
                   f"for this patient: {_lower(explainer.sentence(*chosen))}.")
        proof = explainer.proof(("preferred_anchorage", (chosen[1][0],)), depth=depth)
    elif general:
        chosen = general[0]
        verdict = (f"{explainer.sentence(*chosen)} in general; "
                   + "; ".join(f"{i.label}: {_count([a for a in i.arguments if a.stance == 'for'], [a for a in i.arguments if a.stance == 'against'])}" for i in items) + ".")
        proof = explainer.proof(chosen, depth=depth)
    else:
        verdict = "The sources prefer neither form of anchorage in general."
        proof = None
    items.sort(key=lambda i: -i.score)
    return Answer(query.text, query.form, verdict, None, None, bool(specific or general), proof=proof,
                  items=tuple(items))


def _option_item(explainer: Explainer, option: str, patient_terms: set) -> Item:
    pro, con = explainer.arguments_about(option)
    pro = _relevant_first(pro, patient_terms)
    con = _relevant_first(con, patient_terms)
    label = _label(explainer, option)
    score = len(pro) - len(con) + 10 * sum(1 for a in pro if set(a.proof.atom[1]) & patient_terms)
    arguments = tuple(_interleave(pro, con))
    return Item(option, label, f"{label}: {_count(pro, con)}", arguments, float(score))


def _interleave(pro: list, con: list) -> list:
    out = []
    for i in range(max(len(pro), len(con))):
        out += pro[i:i + 1] + con[i:i + 1]
    return out


def compare(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    a, b = query.subject.term, query.other.term
    if a == b:
        raise QueryError(f"compare needs two different things; both name {_label(explainer, a)}", code="Q004")
    relations = []
    for atom in explainer.facts_about(a, position=None):
        if b in atom[1]:
            relations.append(explainer.argument(atom))
    relations = rank(relations)
    patient_terms = set(_patient_terms(explainer))
    items = [_option_item(explainer, t, patient_terms) for t in (a, b)]
    la, lb = _label(explainer, a), _label(explainer, b)
    if relations:
        verdict = f"{relations[0].claim} ({len(relations)} direct comparison{'s' if len(relations) != 1 else ''})."
    else:
        verdict = f"No source compares the {la} and the {lb} directly; the reasons for and against each follow."
    return Answer(query.text, query.form, verdict, a, la, bool(relations), arguments_for=tuple(relations),
                  items=tuple(items))


# ---- what is, sources of, show ------------------------------------------------------------------
def what_is(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    term = explainer.model.term_by_name[query.subject.term]
    label = explainer.model.label(term.name)
    definitions = [explainer.argument(a, "neutral") for a in explainer.facts_about(term.name)
                   if a[0] == "definition"]
    facts = [a for a in explainer.facts_about(term.name, position=None)]
    quotes = []
    for arg in definitions:
        for sid in arg.proof.statements():
            st = explainer.model.statement_by_id.get(sid)
            if st is not None:
                quotes.append(f"\u201c{st.quote}\u201d ({sid})")
    category = (term.category or "term").replace("_", " ")
    if quotes:
        verdict = f"{label[:1].upper()}{label[1:]} ({category}): {quotes[0]}"
    else:
        article = "an" if category[:1] in "aeiou" else "a"
        verdict = (f"{label[:1].upper()}{label[1:]} is {article} {category} term; the sources give no definition "
                   f"(it occurs in {len(facts)} fact{'s' if len(facts) != 1 else ''}).")
    notes = (f"also called: {', '.join(term.aliases)}",) if term.aliases else ()
    others = [explainer.argument(a) for a in facts if a[0] != "definition"]
    first = [a for a in others if a.proof.atom[1][:1] == (term.name,)]  # stances speak of the first argument
    pro = [a for a in first if a.stance == "for"]
    con = [a for a in first if a.stance == "against"]
    neutral = [a for a in others if a not in pro and a not in con]
    items = tuple(Item(a.proof.atom[0], a.claim, a.claim, (a,), 0.0) for a in rank(neutral)[:8])
    return Answer(query.text, query.form, verdict, term.name, label, bool(quotes), arguments_for=tuple(rank(pro)),
                  arguments_against=tuple(rank(con)), items=items, notes=notes,
                  statements_shown=tuple(s for a in definitions for s in a.proof.statements()))


def sources(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    term = query.subject.term
    label = _label(explainer, term)
    by_statement: dict[str, list] = {}
    for fact in explainer.model.facts:
        if any(getattr(arg, "value", None) == term for arg in fact.atom.args):
            for sid in fact.cites:
                by_statement.setdefault(sid, []).append(fact)
    model = explainer.model
    by_source: dict[str, list[str]] = {}
    for sid in sorted(by_statement, key=lambda s: (model.statement_by_id[s].source, _line(model, s), s)):
        by_source.setdefault(model.statement_by_id[sid].source, []).append(sid)
    items = []
    for source_id, sids in by_source.items():
        source = model.source_by_id.get(source_id)
        title = source.title if source and source.title else source_id
        sections = ", ".join(dict.fromkeys(model.statement_by_id[s].section for s in sids))
        summary = f"{title} [{source_id}]: {len(sids)} statement{'s' if len(sids) != 1 else ''} (sections {sections})"
        items.append(Item(source_id, title, summary, (), float(len(sids))))
    verdict = (f"{len(by_statement)} statement{'s' if len(by_statement) != 1 else ''} from {len(by_source)} "
               f"document{'s' if len(by_source) != 1 else ''} mention the {label}." if by_statement
               else f"No statement mentions the {label}.")
    shown = tuple(s for sids in by_source.values() for s in sids)
    return Answer(query.text, query.form, verdict, term, label, bool(by_statement), items=tuple(items),
                  statements_shown=shown)


def _line(model, sid: str) -> int:
    return model.statement_by_id[sid].lines[0]


def show(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    sid = query.statement
    model = explainer.model
    st = model.statement_by_id[sid]
    facts = [f for f in model.facts if sid in f.cites]
    rules = [r for r in model.rules if sid in r.cites]
    items = []
    for fact in facts:
        atom = (fact.atom.predicate, tuple(a.value for a in fact.atom.args))
        claim = explainer.sentence(*atom)
        items.append(Item(atom[0], claim, claim, (), 0.0))
    for rule in rules:
        summary = f"rule {rule.label}" + (f": {rule.rationale}" if rule.rationale else "")
        items.append(Item(rule.label, rule.label, summary, (), 0.0))
    verdict = f"Statement {sid} ({st.kind}, {st.grade.replace('_', ' ')}): \u201c{st.quote}\u201d"
    return Answer(query.text, query.form, verdict, sid, sid, True, items=tuple(items), statements_shown=(sid,))


# ---- raw Datalog ---------------------------------------------------------------------------------
def raw(kb, query: Query) -> Answer:
    """An expert's query: run as the body of a temporary rule over the knowledge base."""
    from .model import Atom, Rule, Var

    variables = tuple(dict.fromkeys(v.name for literal in query.raw_body if isinstance(literal, Atom)
                                    for v in literal.variables if not v.anonymous))
    head = Atom("tadlog_query_result", tuple(Var(v) for v in variables))
    rule = Rule("query", head, tuple(query.raw_body), rationale="raw query")
    derivations = kb.with_inputs((), rules=[rule])
    rows = sorted(derivations.interpretation.tuples("tadlog_query_result"),
                  key=lambda r: tuple((0, v) if isinstance(v, str) else (1, f"{float(v):020.6f}") for v in r))
    if not variables:
        holds = bool(derivations.interpretation.tuples("tadlog_query_result"))
        verdict = "Yes: the query holds." if holds else "No: the query does not hold."
        return Answer(query.text, "raw", verdict, holds=holds)
    verdict = f"{len(rows)} answer{'s' if len(rows) != 1 else ''}."
    return Answer(query.text, "raw", verdict, holds=bool(rows),
                  rows=tuple(tuple(zip(variables, row)) for row in rows))


def help_(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    return Answer(query.text, "help", "Questions tadlog answers:", notes=tuple(HELP.splitlines()[1:]))


BUILDERS: dict[str, Callable[..., Answer]] = {
    "why": why, "why_not": why_not, "sites": sites, "risks": risks, "indications": indications,
    "contraindications": contraindications, "is_contraindication": is_contraindication,
    "anchorage": anchorage, "compare": compare, "what_is": what_is, "sources": sources, "show": show,
    "help": help_, "raw": lambda *a, **k: None,
}


# ---- unknown inputs that would change the verdict (hypothetical evaluation) -----------------------
def _key_recommended(explainer: Explainer, query: Query):
    target = _target(query)
    return (_holds(explainer, target), bool(_support(explainer, query)))


def _describe_recommended(explainer: Explainer, query: Query, key) -> str:
    sentence = _lower(explainer.sentence(*_target(query)))
    return f"it would follow that {sentence}" if key[0] else f"it would no longer follow that {sentence}"


def _key_sites(explainer: Explainer, query: Query):
    """The site that would rank first: the same ranking as sites(), without building proofs."""
    indication = query.indication.term
    named, candidates = _site_candidates(explainer, indication)
    if not candidates:
        return None
    return min(candidates, key=lambda site: _site_rank_key(
        explainer, site, _site_score(explainer, site, indication)[0], named))


def _describe_sites(explainer: Explainer, query: Query, key) -> str:
    return f"the {_label(explainer, key)} would rank first" if key else "no site would be named"


def _key_anchorage(explainer: Explainer, query: Query):
    patient_terms = set(_patient_terms(explainer))
    return tuple(sorted(row[0] for row in explainer.interpretation.tuples("preferred_anchorage_for")
                        if row[0] in ANCHORAGE_OPTIONS and row[1] in patient_terms))


def _describe_anchorage(explainer: Explainer, query: Query, key) -> str:
    if not key:
        return "no form of anchorage would be preferred for the patient"
    return " and ".join(_label(explainer, k) for k in key) + " would be preferred for the patient"


def _key_contraindications(explainer: Explainer, query: Query):
    return tuple(sorted(map(str, explainer.interpretation.tuples("patient_contraindication"))))


def _describe_contraindications(explainer: Explainer, query: Query, key) -> str:
    rows = sorted(explainer.interpretation.tuples("patient_contraindication"), key=str)
    new = [r for r in rows if r[0] not in query.patient.factors]
    return "; ".join(f"{_label(explainer, r[0])} would be a {_label(explainer, r[1])} contraindication"
                     for r in new) or "no recorded contraindication would apply"


VERDICT_KEYS = {
    "why": (_key_recommended, _describe_recommended), "why_not": (_key_recommended, _describe_recommended),
    "sites": (_key_sites, _describe_sites), "anchorage": (_key_anchorage, _describe_anchorage),
    "contraindications": (_key_contraindications, _describe_contraindications),
}


def patient_factor_candidates(kb) -> list[str]:
    """Patient factors the rules can use: constants in patient(...) and values joined to patient(F)."""
    model = kb.model
    factors: list[str] = []
    interpretation = kb.interpretation
    for rule in kb.program.rules:
        for literal in [rule.head, *rule.positives]:
            if literal.predicate == "patient" and literal.args and hasattr(literal.args[0], "value"):
                factors.append(literal.args[0].value)
        for literal in rule.positives:
            if literal.predicate != "patient" or hasattr(literal.args[0], "value"):
                continue
            name = literal.args[0].name
            for other in rule.positives:
                for position, arg in enumerate(other.args):
                    if other is not literal and getattr(arg, "name", None) == name:
                        factors += [row[position] for row in interpretation.tuples(other.predicate)]
    known = model.term_by_name
    return sorted({f for f in factors if isinstance(f, str) and f in known and known[f].category == "factor"})


def _unknowns(kb, explainer: Explainer, query: Query, key_functions) -> list[str]:
    """Unstated patient factors that, added alone, would change this answer's verdict."""
    key_of, describe = key_functions
    stated = set(query.patient.factors)
    derived = set(_patient_terms(explainer))
    age_known = query.patient.age is not None
    out = []
    baseline = key_of(explainer, query)
    for factor in patient_factor_candidates(kb):
        if factor in stated or factor in derived:
            continue
        if age_known and factor in ("adolescent", "adult"):
            continue
        if query.patient.bmi is not None and factor == "low_bmi":
            continue
        hypothetical = PatientContext(query.patient.age, query.patient.bmi, query.patient.factors + (factor,))
        other = _explainer(kb, hypothetical)
        key = key_of(other, query)
        if key != baseline:
            phrase = FACTOR_PHRASES.get(factor) or f"presents with {kb.model.label(factor)}"
            out.append(f"if the patient {phrase}, {describe(other, query, key)}")
    return out
