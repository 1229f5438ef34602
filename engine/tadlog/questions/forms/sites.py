"""Sites for an indication: the candidate sites, ranked for the indication and the patient.
"""
from __future__ import annotations


from ..answer import Answer, Item
from ..explainer import Explainer
from ..query import Query
from .common import SITE_CATEGORIES, and_list, term_label

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
    label = term_label(explainer, site)
    arguments = sorted(arguments, key=lambda a: (-abs(SITE_SCORES[a.proof.atom[0]][0]), -a.strength, a.claim))
    summary = f"{label} ({', '.join(tags)})" if tags else label
    return Item(site, label, summary, tuple(arguments), score)




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

