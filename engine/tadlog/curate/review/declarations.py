"""Comparing two knowledge bases declaration by declaration, by meaning.
"""
from __future__ import annotations


import json
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Optional

from ...language.model import TEXT, Atom, KnowledgeBaseModel, Negation, Rule, Var, format_number
from .sides import KINDS

# ==== comparing by meaning ======================================================================
@dataclass(frozen=True)
class Change:
    kind: str  # source | section | statement | ...
    action: str  # added | removed | changed
    key: str
    label: str
    location: Optional[str]
    details: tuple[tuple[str, str, str], ...] = ()  # (field, before, after) of a changed declaration

    def to_json(self) -> dict:
        return {"kind": self.kind, "action": self.action, "key": self.key, "label": self.label,
                "location": self.location,
                "changes": [{"field": f, "before": b, "after": a} for f, b, a in self.details]}


def where_text(location) -> Optional[str]:
    return f"{location.path}:{location.line}" if location is not None else None


def value_text(value) -> str:
    return value if isinstance(value, str) else format_number(value)


def term_text(term) -> str:
    if isinstance(term, Var):
        return term.name
    if term.kind == TEXT:
        return json.dumps(term.value, ensure_ascii=False)
    return value_text(term.value)


def atom_text(atom: Atom) -> str:
    return f"{atom.predicate}({', '.join(term_text(a) for a in atom.args)})"


def ground_text(atom) -> str:
    predicate, values = atom
    return f"{predicate}({', '.join(value_text(v) for v in values)})"


def literal_text(literal) -> str:
    if isinstance(literal, Atom):
        return atom_text(literal)
    if isinstance(literal, Negation):
        return "not " + atom_text(literal.atom)
    return f"{term_text(literal.left)} {literal.op} {term_text(literal.right)}"


def rule_text(rule: Rule) -> str:
    return f"{atom_text(rule.head)} :- {', '.join(literal_text(l) for l in rule.body)}"


def _canon_value(value):
    return ("s", value) if isinstance(value, str) else ("n", float(value))


def atom_key(predicate: str, values: Iterable) -> tuple:
    return (predicate, tuple(_canon_value(v) for v in values))


def sort_atom(atom) -> tuple:
    return (atom[0], tuple((0, v, 0.0) if isinstance(v, str) else (1, "", float(v)) for v in atom[1]))


def _text(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, tuple):
        return ", ".join(_text(v) for v in value) if value else "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value_text(value) if isinstance(value, (int, float, str)) else str(value)


@dataclass(frozen=True)
class _Kind:
    """How declarations of one kind are keyed, labelled and compared field by field."""

    name: str
    items: Callable[[KnowledgeBaseModel], list]
    key: Callable
    label: Callable
    fields: Callable  # item -> dict of field -> comparable (normalised) value


def _sentence(model: KnowledgeBaseModel, predicate: str, values) -> str:
    pred = model.predicate_by_name.get(predicate)
    if pred is None or len(pred.params) != len(values):
        return ground_text((predicate, tuple(values)))
    text = pred.template
    for param, value in zip(pred.params, values):
        text = text.replace("{" + param.name + "}", model.label(value))
    return text[:1].upper() + text[1:]


def fact_declarations(model: KnowledgeBaseModel) -> list:
    """Facts grouped by their atom (the same atom stated twice is one claim with more citations)."""
    grouped: dict = {}
    for fact in model.facts:
        key = atom_key(fact.atom.predicate, (a.value for a in fact.atom.args))
        if key in grouped:
            first = grouped[key]
            grouped[key] = replace(first, cites=tuple(dict.fromkeys(first.cites + fact.cites)))
        else:
            grouped[key] = fact
    return list(grouped.values())


def rule_key(rule: Rule) -> str:
    return rule.label if rule.explicit_label else rule_text(rule)


KIND_TABLE = {
    "source": _Kind("source", lambda m: list(m.sources), lambda s: s.id,
                    lambda m, s: s.title or s.id,
                    lambda s: {"title": s.title, "authors": s.authors, "year": s.year, "venue": s.venue,
                               "kind": s.kind, "file": s.file}),
    "section": _Kind("section", lambda m: list(m.sections), lambda s: f"{s.source} {s.number}",
                     lambda m, s: s.title or s.number,
                     lambda s: {"title": s.title, "lines": s.lines and f"{s.lines[0]}-{s.lines[1]}",
                                "clinical": s.clinical}),
    "statement": _Kind("statement", lambda m: list(m.statements), lambda s: s.id,
                       lambda m, s: f"{s.kind} from {s.source}, section {s.section}, lines {s.lines[0]}-{s.lines[1]}",
                       lambda s: {"from": s.source, "section": s.section, "lines": f"{s.lines[0]}-{s.lines[1]}",
                                  "kind": s.kind, "evidence": s.evidence, "n": s.n, "population": s.population,
                                  "ci": s.ci, "quote": s.quote}),
    "predicate": _Kind("predicate", lambda m: list(m.predicates), lambda p: p.name,
                       lambda m, p: p.template,
                       lambda p: {"arguments": ", ".join(f"{x.name}: {x.type}" for x in p.params),
                                  "template": p.template, "stance": p.stance}),
    "term": _Kind("term", lambda m: list(m.terms), lambda t: t.name, lambda m, t: t.label or t.name,
                  lambda t: {"category": t.category, "label": t.label, "aliases": tuple(sorted(t.aliases))}),
    "fact": _Kind("fact", fact_declarations, lambda f: atom_text(f.atom),
                  lambda m, f: _sentence(m, f.atom.predicate, tuple(a.value for a in f.atom.args)),
                  lambda f: {"cites": tuple(sorted(f.cites))}),
    "rule": _Kind("rule", lambda m: list(m.rules), rule_key,
                  lambda m, r: rule_text(r),
                  lambda r: {"rule": rule_text(r), "cites": tuple(sorted(r.cites)), "because": r.rationale}),
    "conflict": _Kind("conflict", lambda m: list(m.conflicts), lambda c: c.id, lambda m, c: c.topic or c.id,
                      lambda c: {"topic": c.topic, "sides": " | ".join(sorted(", ".join(sorted(s)) for s in c.sides)),
                                 "note": c.note}),
}


def diff_declarations(base: KnowledgeBaseModel, head: KnowledgeBaseModel) -> list[Change]:
    """Added, removed and changed declarations of every kind, by meaning, in a stable order."""
    out: list[Change] = []
    for kind in KINDS:
        spec = KIND_TABLE[kind]
        old = {}
        for item in spec.items(base):
            old.setdefault(spec.key(item), item)
        new = {}
        for item in spec.items(head):
            new.setdefault(spec.key(item), item)
        changes = []
        for key in new.keys() - old.keys():
            changes.append(Change(kind, "added", key, spec.label(head, new[key]), where_text(new[key].location)))
        for key in old.keys() - new.keys():
            changes.append(Change(kind, "removed", key, spec.label(base, old[key]), where_text(old[key].location)))
        for key in old.keys() & new.keys():
            before, after = spec.fields(old[key]), spec.fields(new[key])
            details = tuple((f, _text(before[f]), _text(after[f])) for f in before if before[f] != after[f])
            if details:
                changes.append(Change(kind, "changed", key, spec.label(head, new[key]),
                                      where_text(new[key].location), details))
        if kind == "fact":
            changes = _pair_facts(changes, old, new, base, head)
        out += sorted(changes, key=lambda c: (("added", "removed", "changed").index(c.action), c.key))
    return out


def _pair_facts(changes: list[Change], old: dict, new: dict, base, head) -> list[Change]:
    """A removed and an added fact of one predicate citing the same statements is one corrected fact."""
    def group(action, index):
        groups: dict = {}
        for c in changes:
            if c.action == action:
                fact = index[c.key]
                groups.setdefault((fact.atom.predicate, tuple(sorted(fact.cites))), []).append(c)
        return groups

    removed, added = group("removed", old), group("added", new)
    out = [c for c in changes if c.action == "changed"]
    for key in sorted(set(removed) | set(added)):
        gone, came = removed.get(key, []), added.get(key, [])
        if len(gone) == 1 and len(came) == 1:
            a, b = gone[0], came[0]
            out.append(Change("fact", "changed", b.key, b.label, b.location,
                              (("fact", a.key, b.key),)))
        else:
            out += gone + came
    return out


