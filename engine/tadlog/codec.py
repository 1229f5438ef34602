"""The cache's data format: the model, its diagnostics and its relations as plain JSON lists.

Every class is written as a list of its fields in a fixed order and read back by a builder of
its own: nothing in the file names a class or a function, so reading it runs no code. The
builders fill frozen objects directly (as ``dataclasses.replace`` would, without re-running
``__init__``), which is what makes a cached load cheap. Facts, statements and each relation
are separate sections decoded on first use.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Optional

from .engine.evaluate import Interpretation
from .errors import Diagnostic, EngineError, Location
from .language.model import (
    Atom, Comparison, Conflict, Const, Fact, KnowledgeBaseModel, Negation, Param, Predicate, Rule, Section,
    Source, Statement, TermDecl, Var,
)

_new = object.__new__


def _build(cls, names):
    """A builder for a frozen dataclass: values in field order → instance, without __init__."""
    def build(values):
        obj = _new(cls)
        obj.__dict__.update(zip(names, values))
        return obj
    return build


_location = _build(Location, ("path", "line", "column", "width", "text"))


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


# ---- encoding -----------------------------------------------------------------------------
class _Encoder:
    def __init__(self):
        self.paths: dict[str, int] = {}

    def loc(self, loc: Optional[Location]):
        if loc is None:
            return None
        index = self.paths.setdefault(loc.path, len(self.paths))
        return [index, loc.line, loc.column, loc.width]

    def term(self, t):
        return ["V", t.name] if isinstance(t, Var) else ["C", t.value, t.kind, self.loc(t.location)]

    def atom(self, a: Atom):
        return [a.predicate, [self.term(t) for t in a.args], self.loc(a.location)]

    def literal(self, lit):
        if isinstance(lit, Atom):
            return ["a", self.atom(lit)]
        if isinstance(lit, Negation):
            return ["n", self.atom(lit.atom)]
        return ["c", self.term(lit.left), lit.op, self.term(lit.right), self.loc(lit.location)]

    def core(self, m: KnowledgeBaseModel) -> dict:
        L = self.loc
        return {
            "root": m.root,
            "sources": [[s.id, s.title, s.authors, s.year, s.venue, s.kind, s.file, L(s.location)] for s in m.sources],
            "sections": [[s.source, s.number, s.title, s.lines, s.clinical, L(s.location)] for s in m.sections],
            "terms": [[t.name, t.category, t.label, t.aliases, L(t.location)] for t in m.terms],
            "conflicts": [[c.id, c.topic, c.sides, c.note, L(c.location)] for c in m.conflicts],
            "predicates": [[p.name, [[q.name, q.type] for q in p.params], p.template, p.stance, L(p.location)]
                           for p in m.predicates],
            "rules": [[r.label, self.atom(r.head), [self.literal(b) for b in r.body], r.cites, r.rationale,
                       r.explicit_label, L(r.location)] for r in m.rules],
        }

    def facts(self, m: KnowledgeBaseModel) -> list:
        return [[self.atom(f.atom), f.cites, self.loc(f.location) if f.location is not f.atom.location else 0]
                for f in m.facts]

    def statements(self, m: KnowledgeBaseModel) -> list:
        return [[s.id, s.source, s.section, s.lines, s.kind, s.quote, s.evidence, s.n, s.population, s.ci,
                 self.loc(s.location)] for s in m.statements]

    def diagnostics(self, diagnostics) -> list:
        return [[d.code, d.message, self.loc(d.location), d.severity, d.suggestion] for d in diagnostics]


def encode(model: KnowledgeBaseModel, diagnostics, interpretation: Optional[Interpretation]) -> dict[str, bytes]:
    """The sections of a cache entry (bytes each)."""
    enc = _Encoder()
    sections = {"core": _dumps(enc.core(model)), "facts": _dumps(enc.facts(model)),
                "statements": _dumps(enc.statements(model)), "diagnostics": _dumps(enc.diagnostics(diagnostics))}
    if interpretation is not None:
        index, blobs, offset = {}, [], 0
        for name, rows in interpretation.relations.items():
            blob = _dumps([list(row) for row in rows])
            index[name] = [offset, len(blob)]
            blobs.append(blob)
            offset += len(blob)
        sections["relation_index"] = _dumps(index)
        sections["relations"] = b"".join(blobs)
    sections["paths"] = _dumps(list(enc.paths))
    return sections


# ---- decoding -----------------------------------------------------------------------------
_const = _build(Const, ("value", "kind", "location"))
_var = _build(Var, ("name",))
_atom = _build(Atom, ("predicate", "args", "location"))
_negation = _build(Negation, ("atom",))
_comparison = _build(Comparison, ("left", "op", "right", "location"))
_fact = _build(Fact, ("atom", "cites", "location"))
_statement = _build(Statement, ("id", "source", "section", "lines", "kind", "quote", "evidence", "n",
                                "population", "ci", "location"))


class _Decoder:
    def __init__(self, paths: list[str]):
        self.paths = paths

    def loc(self, v):
        return None if v is None else _location((self.paths[v[0]], v[1], v[2], v[3], None))

    def term(self, v):
        return _var((v[1],)) if v[0] == "V" else _const((v[1], v[2], self.loc(v[3])))

    def atom(self, v):
        return _atom((v[0], tuple(self.term(t) for t in v[1]), self.loc(v[2])))

    def literal(self, v):
        kind = v[0]
        if kind == "a":
            return self.atom(v[1])
        if kind == "n":
            return _negation((self.atom(v[1]),))
        return _comparison((self.term(v[1]), v[2], self.term(v[3]), self.loc(v[4])))

    def fact(self, v):
        atom = self.atom(v[0])
        return _fact((atom, tuple(v[1]), atom.location if v[2] == 0 else self.loc(v[2])))

    def statement(self, v):
        return _statement((v[0], v[1], v[2], tuple(v[3]), v[4], v[5], v[6], v[7], v[8], v[9], self.loc(v[10])))


def _tuple(v):
    return None if v is None else tuple(v)


class CachedModel(KnowledgeBaseModel):
    """A model read from the cache: facts and statements are decoded on first use.

    It equals (and hashes like) the parsed model it was written from."""

    def __eq__(self, other):
        if not isinstance(other, KnowledgeBaseModel):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in _MODEL_FIELDS)

    __hash__ = KnowledgeBaseModel.__hash__


def _lazy(name: str):
    def get(self):
        value = self.__dict__.get("_" + name)
        if value is None:
            try:
                value = self.__dict__["#decode"](name)
            except Exception as exc:  # checksummed, so only a forged entry gets here
                raise EngineError(f"the cached knowledge base is damaged ({name}: {type(exc).__name__}); "
                                  "run 'tadlog cache clear'", code="E901") from exc
            self.__dict__["_" + name] = value
        return value

    def set_(self, value):
        self.__dict__["_" + name] = tuple(value)
    return property(get, set_)


CachedModel.facts = _lazy("facts")
CachedModel.statements = _lazy("statements")
_MODEL_FIELDS = tuple(KnowledgeBaseModel.__dataclass_fields__)


class LazyRelations(Mapping):
    """Relations by predicate, each decoded from its own section on first use."""

    def __init__(self, index: dict, blob):
        self._index, self._blob, self._done = index, blob, {}

    def __getitem__(self, name):
        value = self._done.get(name)
        if value is None:
            start, length = self._index[name]
            try:
                value = frozenset(map(tuple, json.loads(bytes(self._blob[start:start + length]))))
            except Exception as exc:
                raise EngineError(f"the cached knowledge base is damaged (relation {name}); "
                                  "run 'tadlog cache clear'", code="E901") from exc
            self._done[name] = value
        return value

    def __iter__(self):
        return iter(self._index)

    def __len__(self):
        return len(self._index)

    def __contains__(self, name):
        return name in self._index


class Entry:
    """A cache entry's sections (bytes), decoded on demand."""

    def __init__(self, sections: dict):
        self.sections = sections
        self._decoder = _Decoder(self._load("paths"))

    def _load(self, name: str):
        return json.loads(bytes(self.sections[name]))

    def model(self) -> KnowledgeBaseModel:
        d = self._decoder
        core = self._load("core")
        L = d.loc
        model = _new(CachedModel)
        model.__dict__.update(
            root=core["root"],
            sources=tuple(Source(i, t, _tuple(a), y, v, k, f, L(loc)) for i, t, a, y, v, k, f, loc in core["sources"]),
            sections=tuple(Section(s, n, t, _tuple(li), c, L(loc)) for s, n, t, li, c, loc in core["sections"]),
            terms=tuple(TermDecl(n, c, lab, tuple(al), L(loc)) for n, c, lab, al, loc in core["terms"]),
            conflicts=tuple(Conflict(i, t, tuple(map(tuple, s)), n, L(loc)) for i, t, s, n, loc in core["conflicts"]),
            predicates=tuple(Predicate(n, tuple(Param(*q) for q in ps), t, s, L(loc))
                             for n, ps, t, s, loc in core["predicates"]),
            rules=tuple(Rule(label, d.atom(h), tuple(d.literal(b) for b in body), tuple(c), why, ex, L(loc))
                        for label, h, body, c, why, ex, loc in core["rules"]))
        model.__dict__["#decode"] = self._decode_lazy
        return model

    def _decode_lazy(self, name: str) -> tuple:
        d = self._decoder
        if name == "facts":
            return tuple(d.fact(v) for v in self._load("facts"))
        return tuple(d.statement(v) for v in self._load("statements"))

    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(c, m, self._decoder.loc(loc), s, g) for c, m, loc, s, g in self._load("diagnostics")]

    def interpretation(self) -> Optional[Interpretation]:
        if "relation_index" not in self.sections:
            return None
        return Interpretation(LazyRelations(self._load("relation_index"), self.sections["relations"]))
