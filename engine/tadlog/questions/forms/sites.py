"""Sites for an indication: the candidate sites, ranked for the indication and the patient.
"""
from __future__ import annotations


from ..answer import Answer, Item
from ..explainer import Explainer
from ..query import Query
from .common import SITE_CATEGORIES, and_list, indication_family, term_label

# ---- sites for an indication ----------------------------------------------------------------
def _site_rank_key(explainer: Explainer, site: str, score: float, named: list[str]) -> tuple:
    return (site not in named, -score, term_label(explainer, site))


def _site_candidates(explainer: Explainer, indication: str) -> tuple[list[str], list[str]]:
    named = _sites_named_for(explainer, indication)
    preferred = {row[0] for row in explainer.interpretation.tuples("patient_preferred_site")}
    return named, sorted(set(named) | preferred)


def sites(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    indication = query.indication.term
    named, candidates = _site_candidates(explainer, indication)
    items = [_site_item(explainer, site, indication, site in named) for site in candidates]
    items.sort(key=lambda i: _site_rank_key(explainer, i.term, i.score, named))
    label = term_label(explainer, indication)
    extra = [i for i in items if i.term not in named]
    if not items:
        verdict = f"The knowledge base names no insertion site for {label}."
    elif not named:
        verdict = (f"The sources name no site for {label}; for this patient they prefer "
                   + and_list([f"the {i.label}" for i in extra]) + ".")
    else:
        first = items[0]
        verdict = (f"For {label} the sources name {len(named)} site{'s' if len(named) != 1 else ''}: "
                   + and_list([f"the {i.label}" for i in items if i.term in named])
                   + (f"; the {first.label} ranks first" if len(named) > 1 else ""))
        if extra:
            verdict += ("; for this patient they also prefer " + and_list([f"the {i.label}" for i in extra])
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


# The ranking of 'sites for': what the sources say of this site for this indication (and its
# narrower forms) and for this patient weighs most; general figures only break ties. Each kind of
# signal counts once, so a site is not ranked up for being mentioned by many facts.
# predicate → (weight, short reason, whether the second argument is the indication)
SITE_SCORES = {
    "best_site_for": (8, "a source calls it the best site for {indication}", True),
    "recommended_for": (5, "recommended for {indication}", True),
    "candidate_site": (2, "named for {indication}", True),
    "limited_scope_for": (-5, "a source cautions: limited scope for {indication}", True),
    "not_recommended_for": (-5, "not recommended for {indication}", True),
    "patient_preferred_site": (4, "preferred for this patient", False),
    "patient_site_risk": (-4, "higher risk for this patient", False),
    "not_recommended": (-4, "not recommended", False),
    "recommended": (1, "recommended", False),
    "highest_success_site": (1, "highest reported success", False),
    "outranked_site": (-0.5, "other sites report higher success", False),
    "caution": (-0.5, "calls for caution", False),
}


NAMING = ("best_site_for", "recommended_for", "candidate_site")


def _site_signals(explainer: Explainer, site: str, indication: str) -> list[tuple]:
    """(weight, reason, atom, whole) for each fact that bears on the site for this indication:
    the site's own facts and those said of a larger site that includes it (whole)."""
    wanted = indication_family(explainer, indication)
    # a larger site named for an indication does not name each of its parts (the 'palate' for
    # intrusion may mean its alveolus); its cautions and risks do reach every part
    inherited = [(a, w) for a, w in explainer.inherited_facts(site) if a[0] not in NAMING]
    found = [(atom, None) for atom in explainer.facts_about(site)] + inherited
    out = []
    for atom, whole in found:
        score = SITE_SCORES.get(atom[0])
        if score is None or (score[2] and atom[1][1] not in wanted):
            continue
        reason = score[1].format(indication=wanted[atom[1][1]] if score[2] else "")
        if whole is not None:
            reason += f" (said of the {term_label(explainer, whole)})"
        out.append((score[0], reason, atom, whole))
    return out


def _site_score(explainer: Explainer, site: str, indication: str) -> tuple[float, tuple[str, ...], tuple]:
    """A site's score for an indication (each predicate counted once), its reasons and signals.
    Worked out once per evaluation: the answer's items and its verdict key (the site that ranks
    first, which the unknowns compare with each what-if's) both ask for every candidate."""
    found = explainer.memo.get(("site score", site, indication))
    if found is None:
        found = explainer.memo[("site score", site, indication)] = _scored_site(explainer, site, indication)
    return found


def _scored_site(explainer: Explainer, site: str, indication: str) -> tuple[float, tuple[str, ...], tuple]:
    signals = _site_signals(explainer, site, indication)
    weights: dict[str, float] = {}
    for weight, _, atom, _ in signals:
        weights.setdefault(atom[0], weight)
    tags = list(dict.fromkeys(reason for _, reason, _, _ in sorted(signals, key=lambda x: -abs(x[0]))))
    return sum(weights.values()), tuple(tags), tuple(signals)  # (kept in the memo: never changed)


def _site_item(explainer: Explainer, site: str, indication: str, named: bool) -> Item:
    score, tags, signals = _site_score(explainer, site, indication)
    signals = sorted(signals, key=lambda x: (-abs(x[0]), x[3] is not None, -x[0],
                                             _breadth(explainer, x[2])))
    arguments, seen = [], set()
    for _, _, atom, whole in signals:  # one reason per piece of evidence: the strongest reading
        arg = explainer.argument(atom) if whole is None else explainer.inherited_argument(atom, site, whole)
        key = (tuple(arg.proof.statements()), whole)
        if key not in seen:
            seen.add(key)
            arguments.append(arg)
    tags = list(tags[:3])
    if not named:
        tags.append("not named for this indication")
    label = term_label(explainer, site)
    summary = f"{label} ({'; '.join(tags)})" if tags else label
    return Item(site, label, summary, tuple(arguments), score)




def _breadth(explainer: Explainer, atom) -> int:
    """How many sites share this signal with another site (the same predicate and other arguments):
    a caution specific to one site (a high MMPA at maxillary buccal sites) is shown before one
    that applies to every alveolar site (adolescence)."""
    rest = atom[1][1:]
    return sum(1 for row in explainer.interpretation.tuples(atom[0]) if row[1:] == rest)


def key_sites(explainer: Explainer, query: Query):
    """The site that would rank first: the same ranking as sites(), without building proofs."""
    indication = query.indication.term
    named, candidates = _site_candidates(explainer, indication)
    if not candidates:
        return None
    return min(candidates, key=lambda site: _site_rank_key(
        explainer, site, _site_score(explainer, site, indication)[0], named))


def describe_sites(explainer: Explainer, query: Query, key) -> str:
    return f"the {term_label(explainer, key)} would rank first" if key else "no site would be named"

