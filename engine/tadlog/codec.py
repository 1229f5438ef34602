"""The cache's data format: the model, its diagnostics and its relations as plain JSON lists.

Every class is written as a list of its fields in a fixed order and read back by a builder of
its own: nothing in the file names a class or a function, so reading it runs no code. The
builders fill frozen objects directly (slot by slot, without re-running ``__init__``), which is
what makes a cached load cheap. Facts, statements and each relation
are separate sections decoded on first use. (The question indexes stored whole: index_codec.py.)
"""
from __future__ import annotations

import json
from array import array
from collections.abc import Mapping
from dataclasses import fields
from sys import intern
from typing import Callable, Optional

from .engine.evaluate import Interpretation
from .errors import Diagnostic, EngineError, Location, TadlogError
from .limits import unbudgeted
from .language.model import (
    Atom, Comparison, Conflict, Const, Fact, KnowledgeBaseModel, Negation, Param, Predicate, Rule, Section,
    Source, Statement, TermDecl, Var,
)

_MODEL_FIELDS = tuple(f.name for f in fields(KnowledgeBaseModel))

_new = object.__new__
# The only classes a cache entry can describe (their fields in declaration order, from the
# dataclass itself, so a field added to the model is cached without a change here).
CLASSES = (Var, Const, Atom, Negation, Comparison, Source, Section, Statement, TermDecl, Conflict, Param,
           Predicate, Fact, Rule, Diagnostic)
_FIELDS = {cls.__name__: tuple(f.name for f in fields(cls)) for cls in CLASSES}
_BY_NAME = {cls.__name__: cls for cls in CLASSES}
_TUPLE, _LOCATION = "(", "@"
_SCALARS = frozenset({str, int, float, bool, type(None)})


# One encoder for every section: json.dumps with options builds a new one per call, which was a
# third of writing a 10,000-term entry (one blob per relation and per term).
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _dumps(value) -> bytes:
    return _JSON.encode(value).encode()


# ---- encoding -----------------------------------------------------------------------------
class _Encoder:
    """Values as JSON: a tuple is ["(", items...], an object ["ClassName", fields...], a location
    ["@", path index, line, column, width]; strings, numbers, booleans and None as themselves."""

    def __init__(self):
        self.paths: dict[str, int] = {}

    def __call__(self, v):
        kind = type(v)
        if kind in _SCALARS:  # by type first: a model has hundreds of thousands of values
            return v
        if kind is tuple or kind is list:
            return [_TUPLE, *map(self, v)]
        if v is None or isinstance(v, (str, int, float)):
            return v
        if isinstance(v, (tuple, list)):
            return [_TUPLE, *map(self, v)]
        if isinstance(v, Location):
            return [_LOCATION, self.paths.setdefault(v.path, len(self.paths)), v.line, v.column, v.width]
        name = type(v).__name__
        if _BY_NAME.get(name) is not type(v):
            raise TypeError(f"cannot cache a {name}")
        return [name, *[self(getattr(v, f)) for f in _FIELDS[name]]]


def encode_model(model: KnowledgeBaseModel, diagnostics) -> dict:
    """The sections every entry has: the model's light fields together, its facts and
    statements apart, the diagnostics, and the facts again by predicate (values, citations,
    definition). The large ones are generators, encoded as cache.write consumes them in order
    (so used once): the paths of the locations come last, known once everything is encoded."""
    enc = _Encoder()
    sections = {"core": _core_chunks(enc, model)}
    for name in _LAZY:
        sections[name] = _dumps_tuple(enc, getattr(model, name))
    sections["diagnostics"] = _last(lambda: _dumps(enc(tuple(diagnostics))))
    _keyed(sections, "fact_rows", _fact_rows(model.facts))
    # each statement again by id: a question reads a few statements, never needing every
    # Statement decoded (seconds at 100x); what each is about is in the statement index
    first: dict = {}
    for st in model.statements:
        first.setdefault(st.id, st)
    _keyed(sections, "statement_by_id", ((sid, enc(st)) for sid, st in first.items()))
    sections["paths"] = _last(lambda: _dumps(list(enc.paths)))  # only the model holds locations
    return sections


def _core_chunks(enc: _Encoder, model: KnowledgeBaseModel):
    """``_dumps({field: enc(value)})`` of the model's light fields, as chunks made field by field
    and item by item (``_dumps_tuple``), the same bytes: encoding the whole object first (3,500
    rules and their atoms at 100x) was 40 MiB over the model at the peak of a first cache write."""
    light = [f for f in _MODEL_FIELDS if f not in _LAZY]
    for number, name in enumerate(light):
        yield (b"{" if number == 0 else b",") + _dumps(name) + b":"
        value = getattr(model, name)
        if type(value) is tuple:
            yield from _dumps_tuple(enc, value)
        else:
            yield _dumps(enc(value))
    yield b"}" if light else b"{}"


def _fact_rows(facts):
    """(predicate, its facts' [values, cites, definition]) made predicate by predicate: the rows
    of every fact built first were a copy of the facts held until written."""
    by_predicate: dict = {}
    for fact in facts:
        by_predicate.setdefault(fact.atom.predicate, []).append(fact)
    for predicate, found in by_predicate.items():
        yield predicate, [[[a.value for a in f.atom.args], list(f.cites), f.rationale] for f in found]


def _mention_rows(mentions: Callable[[], dict]):
    """The term index's entries as stored, term by term; the index itself is asked for only when
    its section is written (built then, not held while the sections before it are)."""
    for term, found in mentions().items():
        yield term, [[order, at, atom[0], list(atom[1])] for order, at, atom in found]


def _last(make: Callable[[], bytes]):
    """A section made only when it is written (after the sections before it)."""
    yield make()


def encode(model: KnowledgeBaseModel, diagnostics, interpretation: Optional[Interpretation] = None,
           mentions: Optional[Callable[[], dict]] = None, worlds: Optional[dict] = None,
           *, model_sections: Optional[dict] = None) -> dict:
    """The sections of a cache entry (bytes, or chunks made as they are written: see
    cache.write): the model's (``model_sections`` when already written: the spans of the
    entry that holds them, copied); with an evaluation, each relation on its own and the index of atoms by term, and
    the precomputed what-if worlds. (The question indexes are entries of their own, written
    when first built: kb.save_question_indexes.)"""
    sections = dict(model_sections or encode_model(model, diagnostics))
    if interpretation is not None:
        _keyed(sections, "relations", ((name, [list(row) for row in rows])
                                       for name, rows in interpretation.relations.items()))
    if mentions is not None:
        _keyed(sections, "mentions", _mention_rows(mentions))
    if worlds:
        _keyed(sections, "worlds", worlds.items())
    return sections


def _dumps_tuple(enc: _Encoder, items: tuple):
    """``_dumps(enc(items))`` for a tuple, as chunks whose join is the same bytes, made item by
    item as the file is written: encoding a whole tuple of facts first held every fact's
    encoding at once (at 100x, 108 MiB more at the peak of a first cache write), and even the
    chunks held together were the section's size again."""
    yield b'["("'
    for item in items:
        yield b"," + _dumps(enc(item))
    yield b"]"


def _keyed(sections: dict, name: str, pairs, columns: tuple[str, ...] = ()) -> None:
    """``pairs`` (key, value) as one blob per key and an index of where each ends: decoded key by
    key. The index is two flat lists (the keys, the end offsets), not an object of [start, length]
    pairs: at 100x the relations, statements and facts by predicate have tens of thousands of keys
    each, and reading the pairs' lists was most of a cached load. With ``columns``, each pair is
    (key, value, integers) and the index holds each column's integers too, read by position with
    no value decoded (LazyRelations.column).

    Both are made as the entry is written (cache.write consumes the sections in order): each
    value is encoded as it comes (callers pass generators) and written, so neither the mapping
    nor its blobs are held whole; the index, known once every blob is, follows them."""
    keys, ends, done = [], [], []
    numbers: list[list[int]] = [[] for _ in columns]

    def blobs():
        offset = 0
        for key, value, *rest in pairs:
            blob = _dumps(value)
            offset += len(blob)
            keys.append(key)
            ends.append(offset)
            for column, number in zip(numbers, *rest):
                column.append(number)
            yield blob
        done.append(True)

    def index():
        if not done:  # written before its blobs, it would be an empty index
            raise RuntimeError(f"the index of {name} was asked for before its blobs were written")
        yield _dumps([keys, ends, dict(zip(columns, numbers))] if columns else [keys, ends])

    sections[name] = blobs()
    sections[name + "_index"] = index()


# ---- decoding -----------------------------------------------------------------------------
def _damaged(what: str) -> EngineError:
    """A section that would not decode (checksummed, so only a forged entry gets here). A
    TadlogError raised meanwhile (the question's budget running out) is passed on, not this."""
    return EngineError(f"the cached knowledge base is damaged ({what}); run 'tadlog cache clear'", code="E901")


def _setters(cls) -> tuple:
    """The slot setters of a class's fields in declaration order: every cached class has
    ``__slots__`` (hundreds of thousands of instances at 100x; a ``__dict__`` each was a third
    of the model's memory), so an object is filled slot by slot."""
    return tuple(getattr(cls, name).__set__ for name in _FIELDS[cls.__name__])


def _builder(cls):
    setters = _setters(cls)

    def build(values):
        if len(values) != len(setters):
            raise ValueError(f"{cls.__name__}: {len(values)} fields, not {len(setters)}")
        obj = _new(cls)
        for set_, value in zip(setters, values):
            set_(obj, value)
        return obj
    return build


_BUILDERS = {cls.__name__: _builder(cls) for cls in CLASSES}
_set_path, _set_line, _set_column, _set_width, _set_text = (getattr(Location, f).__set__ for f in (
    "path", "line", "column", "width", "text"))


class _Decoder:
    def __init__(self, paths: list[str]):
        self.paths = paths
        self._locations: dict = {}

    def __call__(self, v):
        if type(v) is not list:
            if isinstance(v, dict):
                raise ValueError("unexpected object")
            return v
        tag = v[0]
        if tag == _LOCATION:  # the commonest object by far: its slots set one by one, no loop
            obj = _new(Location)
            _set_path(obj, self.paths[v[1]])
            _set_line(obj, v[2])
            _set_column(obj, v[3])
            _set_width(obj, v[4])
            _set_text(obj, None)
            return obj
        # most items are strings and numbers: a call each was most of a cached load at 100x
        items = [x if type(x) in _SCALARS else self(x) for x in v[1:]]
        return tuple(items) if tag == _TUPLE else _BUILDERS[tag](items)


class CachedModel(KnowledgeBaseModel):
    """A model read from the cache: facts and statements are decoded on first use.

    It equals (and hashes like) the parsed model it was written from."""

    def __eq__(self, other):
        if not isinstance(other, KnowledgeBaseModel):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in _MODEL_FIELDS)

    __hash__ = KnowledgeBaseModel.__hash__

    def fact_values(self, predicate: str) -> tuple[tuple, ...]:
        rows = self.__dict__.get("#fact_rows")
        if rows is None or "_facts" in self.__dict__:  # no section, or the facts are decoded anyway
            return super().fact_values(predicate)
        return tuple(values for values, _, _ in rows(predicate))  # decoded (and guarded) by LazyRelations


def _guarded(name: str, decode: Callable):
    """``decode()`` outside the question's budget (decoding the knowledge base is not the
    question's work); what fails in it is a damaged entry (checksummed, so only a forged one),
    except a TadlogError (the budget running out meanwhile), passed on as it is."""
    try:
        with unbudgeted():
            return decode()
    except TadlogError:
        raise
    except Exception as exc:
        raise _damaged(f"{name}: {type(exc).__name__}") from exc


def _lazy(name: str):
    def get(self):
        value = self.__dict__.get("_" + name)
        if value is None:
            value = self.__dict__["_" + name] = _guarded(name, lambda: self.__dict__["#decode"](name))
        return value

    def set_(self, value):
        self.__dict__["_" + name] = tuple(value)
    return property(get, set_)


_LAZY = ("facts", "statements")
for _name in _LAZY:
    setattr(CachedModel, _name, _lazy(_name))


def _interned(row: list) -> tuple:
    """A decoded row with its strings interned: decoded key by key, every row brought its names
    back as strings of their own (the same term in thousands of rows and index entries)."""
    return tuple([intern(v) if type(v) is str else v for v in row])


def _relation(rows: list) -> frozenset:
    """A relation's rows as the interpretation holds them (LazyRelations' default value)."""
    return frozenset(map(_interned, rows))


KEEP_STATEMENTS = 4096  # decoded statements (and statement-index entries) a cached model keeps


class LazyRelations(Mapping):
    """Values by key (relations by predicate, index entries by term), each decoded from its own
    byte range on first use and kept; with ``keep``, at most about that many are kept (the memo is
    emptied when it grows past it): a map whose entries a question reads once each, by the
    thousand (each statement's terms and facts, as the evidence ranking scores 18,000 of them at
    100x), then costs the memory of ``keep`` entries, not of every one read."""

    def __init__(self, index: list, blob, convert=None, keep: Optional[int] = None):
        keys, self._ends, *columns = index  # as _keyed writes it: the keys, where each one's blob ends, columns
        columns = columns[0] if columns else {}
        if not (isinstance(keys, list) and isinstance(self._ends, list) and len(keys) == len(self._ends)
                and isinstance(columns, dict) and all(isinstance(c, list) and len(c) == len(keys)
                                                      for c in columns.values())):
            raise ValueError("a keyed section of another shape")
        keys = [intern(k) if type(k) is str else k for k in keys]  # names the model holds (150,000 at 100x)
        self._ends = array("q", self._ends)  # machine integers, not an object each
        self._keys, self._at = keys, dict(zip(keys, range(len(keys))))
        self._columns = {name: array("q", numbers) for name, numbers in columns.items()}
        self._blob, self._done, self._convert, self._keep = blob, {}, convert or _relation, keep

    def column(self, name: str) -> "Column":
        """A column of integers stored with the keys (``_keyed``'s ``columns``), by key."""
        return Column(self._at, self._columns[name])

    def __getitem__(self, name):
        value = self._done.get(name)
        if value is None:
            i = self._at[name]
            start, end = (self._ends[i - 1] if i else 0), self._ends[i]
            value = _guarded(name, lambda: self._convert(json.loads(bytes(self._blob[start:end]))))
            if self._keep is not None and len(self._done) >= self._keep:
                self._done.clear()
            self._done[name] = value
        return value

    def __iter__(self):
        return iter(self._keys)

    def __len__(self):
        return len(self._keys)

    def __contains__(self, name):
        return name in self._at


class Entry:
    """A cache entry's sections (bytes), decoded on demand."""

    def __init__(self, sections: dict):
        self.sections = sections
        self._decode = _Decoder(self._load("paths") if "paths" in sections else [])  # an index has no locations

    def _load(self, name: str):
        return json.loads(bytes(self.sections[name]))

    def model(self) -> KnowledgeBaseModel:
        core = self._load("core")
        if set(core) != set(_MODEL_FIELDS) - set(_LAZY):
            raise ValueError("the cached model has other fields")
        model = _new(CachedModel)
        model.__dict__.update({name: self._decode(value) for name, value in core.items()})
        model.__dict__["#decode"] = self._decode_lazy
        model.__dict__["#fact_rows"] = self.fact_rows()
        model.__dict__["statement_by_id"] = self._keyed("statement_by_id", self._statement, KEEP_STATEMENTS)
        return model

    def _statement(self, encoded) -> Statement:
        value = self._decode(encoded)
        if not isinstance(value, Statement):
            raise ValueError("a statement of another type")
        return value

    def _decode_lazy(self, name: str) -> tuple:
        value = self._decode(self._load(name))
        if not isinstance(value, tuple):
            raise ValueError(f"{name} is not a list")
        return value

    def diagnostics(self) -> list[Diagnostic]:
        out = list(self._decode(self._load("diagnostics")))
        if not all(isinstance(d, Diagnostic) for d in out):
            raise ValueError("diagnostics of another type")
        return out

    def interpretation(self) -> Optional[Interpretation]:
        if "relations_index" not in self.sections:
            return None
        return Interpretation(self._keyed("relations"))

    def _keyed(self, name: str, convert=None, keep: Optional[int] = None) -> LazyRelations:
        return LazyRelations(self._load(name + "_index"), self.sections[name], convert, keep)

    def fact_rows(self) -> Callable[[str], list]:
        """predicate → [(values, cites, definition)] of the knowledge base's own facts."""
        rows = self.__dict__.get("_fact_rows")
        if rows is None:  # one decoder for the model and the program
            rows = self.__dict__["_fact_rows"] = self._keyed(
                "fact_rows", lambda items: [(tuple(v), tuple(c), r) for v, c, r in items])
        return lambda predicate: rows.get(predicate, [])

    def world(self, key: str) -> Optional[dict]:
        """The relations a set of input facts changes (predicate → rows), when precomputed."""
        if "worlds_index" not in self.sections:
            return None
        worlds = self.__dict__.get("_worlds")
        if worlds is None:
            worlds = self.__dict__["_worlds"] = self._keyed(
                "worlds", lambda found: {p: frozenset(map(tuple, rows)) for p, rows in found.items()})
        return worlds.get(key)

    def mentions(self) -> Optional[Callable[[str], list]]:
        """term → the index entries (predicate order, position, atom) of the base model."""
        if "mentions_index" not in self.sections:
            return None
        found = self._keyed("mentions", lambda items: [(o, at, (intern(p), _interned(row))) for o, at, p, row in items])
        return lambda term: found.get(term, [])


# ---- keyed indexes (the statement index) --------------------------------------------------
def encode_keyed(maps: dict, whole: dict, columns: Optional[dict[str, tuple[str, ...]]] = None) -> dict:
    """An index as sections: each map (a mapping, or its (key, value) pairs as they are made;
    for a map with ``columns``, (key, value, integers)) one blob per key (decoded key by key on
    read, as the relations are) and ``whole``, the small part every lookup needs, as one JSON
    object. Encoded as cache.write consumes it."""
    sections = {"whole": _dumps(whole)}
    for name, mapping in maps.items():
        _keyed(sections, name, mapping.items() if isinstance(mapping, Mapping) else mapping,
               (columns or {}).get(name, ()))
    return sections


class Column(Mapping):
    """A keyed map's column of integers (LazyRelations.column): a key's number is read by its
    position, with no entry decoded. The evidence ranking reads a quote's length and wording for
    each of its candidates (at 1000x, 178,000): decoding each statement's entry for them was
    17 us a lookup; and the column needs no keys of its own (at 100x, 48,000 of them)."""

    def __init__(self, at: dict, numbers: array):
        self._at, self._numbers = at, numbers

    def __getitem__(self, key):
        return self._numbers[self._at[key]]

    def __iter__(self):
        return iter(self._at)

    def __len__(self):
        return len(self._at)

    def __contains__(self, key):
        return key in self._at


def decode_keyed(sections: dict, converters: dict[str, Callable],
                 keep: Optional[dict[str, int]] = None) -> tuple[dict[str, "LazyRelations"], dict]:
    """The maps of :func:`encode_keyed` (each value converted on first use; ``keep``: how many of
    a map's decoded values to keep, LazyRelations) and its ``whole``."""
    def decode():
        maps = {name: LazyRelations(json.loads(bytes(sections[name + "_index"])), sections[name], convert,
                                    (keep or {}).get(name))
                for name, convert in converters.items()}
        whole = json.loads(bytes(sections["whole"]))
        if not isinstance(whole, dict):
            raise ValueError("an index of another shape")
        return maps, whole
    return _guarded("an index", decode)
