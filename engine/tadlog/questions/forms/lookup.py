"""Looking things up: what is X, sources of X, show a statement, help.
"""
from __future__ import annotations


from ..answer import Answer, Item
from ..explainer import Explainer, rank
from ..query import Query
from .common import term_label

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



# ---- what is, sources of, show ------------------------------------------------------------------
def what_is(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    term = explainer.model.term_by_name[query.subject.term]
    label = explainer.model.label(term.name)
    definitions = [explainer.argument(a, "neutral") for a in explainer.facts_about(term.name)
                   if a[0] == "definition"]
    facts = [a for a in explainer.facts_about(term.name, position=None)]
    said = [explainer.model.statement_by_id[sid] for arg in definitions for sid in arg.proof.statements()
            if sid in explainer.model.statement_by_id]
    said.sort(key=lambda st: _cut_short(st.quote))  # the curator's order, a quote cut mid-phrase last
    quotes = [f"\u201c{st.quote}\u201d ({st.id})" for st in dict.fromkeys(said)]
    category = (term.category or "term").replace("_", " ")
    if quotes:
        verdict = f"{label[:1].upper()}{label[1:]} ({category}): {quotes[0]}"  # the others: --full
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


CUT_WORDS = frozenset({"and", "or", "of", "the", "a", "an", "to", "with", "as", "by", "for", "in", "on"})


def _cut_short(quote: str) -> bool:
    """A quote that stops mid-phrase ("... also known as mini-screw implants and")."""
    words = quote.rstrip(" ,;:").split()
    return bool(words) and (words[-1].lower() in CUT_WORDS or quote.rstrip().endswith(","))


def sources(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    term = query.subject.term
    label = term_label(explainer, term)
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




def help_(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    return Answer(query.text, "help", "Questions tadlog answers:", notes=tuple(HELP.splitlines()[1:]))


