"""The statement index: each quote's words (stemmed) and the terms of the facts citing it.

Built once per model (and stored with the evaluated cache entry, read key by key:
kb.KEYED_INDEXES): the evidence form ranks statements with it (BM25 over the words, rarer terms counting more), and a pointing-back
quote ("This marked drop ...") finds its antecedent in the same section through it.
"""
from __future__ import annotations

import math
import re
from array import array
from functools import lru_cache
from hashlib import blake2b
from sys import intern
from typing import Callable, Optional

from ...language.model import KnowledgeBaseModel
from ..names import FILLER
from ..words import norms_of

GIVES_RESULT = re.compile(r"(?:The|These) authors (?:concluded|found|reported)|(?:Their|The) (?:results|findings) "
                          r"(?:show|showed|suggest|indicated)|They (?:concluded|found)"
                          r"|(?:However|But|Yet|Fortunately|Unfortunately),? (?:this|these|such)\b")
POINTS_BACK = re.compile(r"(?:This|These|Such)\s+(?!is\b|are\b)[a-z]+")  # "This marked drop", not "This is"
SAME_STEM = {"cortical": "cortex", "cortices": "cortex", "teeth": "tooth", "roots": "root", "bony": "bone"}
_SUFFIXES = ("izations", "ization", "ations", "ation", "ments", "ment", "ingly", "ings", "ing", "edly", "ed",
             "ions", "ion", "ures", "ure", "als", "al", "ies", "es", "ly", "ity", "ive", "s", "e")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A crude stem for matching the question's words with quotes' words (removal/remove/removing)."""
    if word in SAME_STEM:
        return SAME_STEM[word]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> list[str]:
    return [stem(w) for w in norms_of(text) if w not in FILLER]


EMPTY: dict = {}


class StatementIndex:
    """Per word, the statements whose quote has it (and how often); per statement, its quote's
    length and the terms and facts citing it; per term, per predicate and per section, the statements.

    Every map is looked up by key, never walked whole, so a knowledge-base object read from the
    cache answers from a stored copy decoded key by key (``codec.LazyRelations``): a first
    question at a hundred times the bundled size touches the postings of its own words, not
    every statement. Built from a model (``build``) it is plain dictionaries of the same shape."""

    def __init__(self, postings, per_statement, by_term, by_predicate, by_section, lengths, wordings, whole: dict):
        self.postings = postings          # word -> {statement: count}
        self.per_statement = per_statement  # statement -> (terms, facts (predicate, values))
        self.by_term = by_term            # term -> statements whose facts name it
        self.by_predicate = by_predicate  # predicate -> statements citing one of its facts
        self.by_section = by_section      # "source section" -> ((statement, first line, last line), ...)
        self.lengths = lengths            # statement -> its quote's length in words
        self.wordings = wordings          # statement -> its quote's wording: the same number for the same words
        self.idf: dict[str, float] = whole["idf"]
        self.term_idf: dict[str, float] = whole["term_idf"]
        self.mean_length: float = whole["mean_length"]
        self.sentences: dict[str, list] = {}  # filled on first use: a quote's sentences and their stems

    from_cache = False  # True for a stored copy (never written back)
    MAPS = ("postings", "per_statement", "by_term", "by_predicate", "by_section")
    # stored as columns of the per-statement entries' index (codec.Column): a ranking reads them of
    # every candidate, and no entry is decoded for them (-1: a cited id that names no statement)
    COLUMNS = {"per_statement": ("length", "wording")}

    @classmethod
    def build(cls, model: KnowledgeBaseModel) -> "StatementIndex":
        parts = _Parts(model)
        whole = parts.whole()
        postings = {word: dict(zip(sids, counts)) for word, (sids, counts) in parts.postings_once()}
        per_statement = {sid: (tuple(sorted(terms)), tuple(facts)) for sid, terms, facts in parts.per_statement()}
        return cls(postings, per_statement, {t: tuple(s) for t, s in parts.by_term.items()},
                   {p: tuple(s) for p, s in parts.by_predicate.items()},
                   {k: tuple(v) for k, v in parts.by_section.items()}, parts.lengths, parts.wordings(), whole)

    @classmethod
    def stored_maps_of(cls, model: KnowledgeBaseModel) -> tuple[dict, dict, dict]:
        """What :meth:`stored_maps` gives of the index of ``model``, without building the index:
        a first cache write stores it and the questions then read the stored copy, so the
        per-statement entries are never all held (at 100x the built index was 68 MiB, and
        building it held its word counts twice)."""
        parts = _Parts(model)
        whole = parts.whole()
        per_statement = _with_numbers(parts.per_statement(), parts.lengths, parts.wording_of())
        return (_stored(parts.postings_once(), per_statement, parts.by_term, parts.by_predicate,
                        lambda: parts.by_section), whole, cls.COLUMNS)

    # ---- cached (kb.KEYED_INDEXES: codec.encode_keyed writes these maps, decode_keyed reads them) ----
    def stored_maps(self) -> tuple[dict, dict, dict]:
        """The maps as JSON data (each its (key, value) pairs, made as they are written, not a
        copy of the index held whole), the small part every lookup needs, and the maps' columns
        (codec.encode_keyed's); the sentence memo is not kept."""
        per_statement = _with_numbers(((sid, terms, facts) for sid, (terms, facts) in self.per_statement.items()),
                                      self.lengths, self.wordings.get)
        postings = ((word, [list(found), list(found.values())]) for word, found in self.postings.items())
        maps = _stored(postings, per_statement, self.by_term, self.by_predicate, lambda: self.by_section)
        whole = {"idf": self.idf, "term_idf": self.term_idf, "mean_length": self.mean_length}
        return maps, whole, self.COLUMNS

    # each stored map's entry back as the built index holds it, its statement ids, terms and
    # predicates interned: decoded key by key, each posting brought every id back as a string
    # of its own (at 100x, the postings a first question reads held 20 MiB of copies)
    CONVERTERS = {
        "postings": lambda found: dict(zip(map(intern, found[0]), found[1])),  # stored: [statements, counts]
        "per_statement": lambda v: (tuple(map(intern, v[0])),
                                    tuple((intern(p), tuple([intern(a) if type(a) is str else a for a in x]))
                                          for p, x in v[1])),
        "by_term": lambda found: tuple(map(intern, found)), "by_predicate": lambda found: tuple(map(intern, found)),
        "by_section": lambda found: tuple((intern(sid), first, last) for sid, first, last in found),
    }

    KEEP = {"per_statement": 4096}  # decoded entries kept (codec.LazyRelations): the ranking reads thousands once

    @classmethod
    def from_maps(cls, maps, whole: dict) -> "StatementIndex":
        """A stored index (maps decoded entry by entry on first lookup)."""
        entries = maps["per_statement"]
        index = cls(*(maps[name] for name in cls.MAPS), entries.column("length"), entries.column("wording"), whole)
        index.from_cache = True
        return index

    # ---- lookups --------------------------------------------------------------------------
    def has(self, sid: str, word: str) -> bool:
        return sid in self.postings.get(word, EMPTY)

    def with_word(self, word: str):
        """statement -> how often a (stemmed) word is in its quote, or names a term its facts cite."""
        return self.postings.get(word, EMPTY)

    def length(self, sid: str) -> int:
        """A quote's length in words (1 for a cited id that names no statement)."""
        found = self.lengths.get(sid)
        return 1 if found is None else found

    def wording(self, sid: str):
        """A number shared by the statements whose quotes read the same (spaces and case aside: a
        review's summary repeating its conclusions), or the id itself when it names no statement."""
        found = self.wordings.get(sid)
        return sid if found is None or found < 0 else found

    def terms_of(self, sid: str) -> tuple:
        """The terms the facts citing a statement name, sorted (a few each: a tuple, not a set,
        is a third of the memory of the entries a first ranking decodes)."""
        found = self.per_statement.get(sid)
        return found[0] if found is not None else ()

    def facts_of(self, sid: str) -> tuple:
        """The facts citing the statement, as (predicate, values)."""
        found = self.per_statement.get(sid)
        return found[1] if found is not None else ()

    def result(self, model: KnowledgeBaseModel, sid: str) -> Optional[str]:
        """The statement right after it, in the same source and section, that gives a study's result
        ("The authors concluded that ...", "Their results show ...") or qualifies what it says
        ("However, this has not been validated ..."); None when there is none."""
        st = model.statement_by_id.get(sid)
        if st is None:
            return None
        end = st.lines[1]
        for other, first, last in self.by_section.get(f"{st.source} {st.section}", ()):
            if other != sid and end <= first <= end + 1 and last > end - 1:
                quote = model.statement_by_id[other].quote
                if GIVES_RESULT.match(quote):
                    return other
        return None

    def antecedent(self, model: KnowledgeBaseModel, sid: str) -> Optional[str]:
        """The statement a quote points back to: same source and section, ending on the line (or the
        line before) where this one starts; None when the quote does not point back."""
        st = model.statement_by_id.get(sid)
        if st is None or not POINTS_BACK.match(st.quote):
            return None
        start = st.lines[0]
        for other, first, last in self.by_section.get(f"{st.source} {st.section}", ()):
            if other != sid and start - 1 <= last <= start and first < start:
                return other
        return None


def _stored(postings, per_statement, by_term, by_predicate, by_section) -> dict:
    """The maps as stored: each one's (key, JSON value) pairs, made as they are written (the
    sections by ``by_section()``, asked for when its turn comes). A word's postings are stored
    as two lists, its statements and their counts: made from the index's lists, with no dict
    of each word (at 100x their tables were 30 MiB the C heap kept after the write)."""
    return {
        "postings": postings,
        "per_statement": ((sid, [sorted(terms), [[p, list(v)] for p, v in facts]], numbers)
                          for sid, terms, facts, numbers in per_statement),
        "by_term": ((t, list(s)) for t, s in by_term.items()),
        "by_predicate": ((p, list(s)) for p, s in by_predicate.items()),
        "by_section": _sections_as_stored(by_section),
    }


def _with_numbers(per_statement, lengths, wording_of):
    """Each (statement, terms, facts) with its columns: its quote's length and wording (1 and -1
    for a cited id that names no statement)."""
    for sid, terms, facts in per_statement:
        wording = wording_of(sid)
        yield sid, terms, facts, (lengths.get(sid, 1), -1 if wording is None else wording)


def _sections_as_stored(by_section):
    for key, found in by_section().items():  # (a generator's first iterable is read at once: not here)
        yield key, [list(e) for e in found]


class _Parts:
    """What a statement index is made of, from a model: the postings (word -> its statements'
    numbers and their counts), each statement's quote length, the terms and facts citing it, and the statements by
    term, predicate and section. Each statement's word counts go into the postings as they are
    made, never all held beside them; the facts citing each statement are gathered only when
    the per-statement entries are made (written, after the postings are let go)."""

    def __init__(self, model: KnowledgeBaseModel):
        self.model = model
        self.terms: dict[str, list] = {}  # each in order, once (a few terms each: lists, not dicts)
        self.by_predicate: dict[str, dict] = {}
        for fact in model.facts:
            named_here = dict.fromkeys(a.value for a in fact.atom.args if isinstance(a.value, str))
            for sid in fact.cites:
                named = self.terms.setdefault(sid, [])
                named.extend(v for v in named_here if v not in named)
                self.by_predicate.setdefault(fact.atom.predicate, {})[sid] = None
        self.lengths: dict[str, int] = {}
        # word -> (statement numbers, counts), machine integers: no dict each, and no list of
        # references (at 100x a million postings: 16 MiB as two lists, 8 as two arrays)
        self.postings: dict[str, tuple[array, array]] = {}
        self._ids: list[str] = []  # statement number -> id
        label_stems: dict[str, list[str]] = {}  # each term's label read once, not once per statement
        latest: dict = {}  # a repeated id: its last statement, in the place of its first
        for st in model.statements:
            latest[st.id] = st
        for number, (sid, st) in enumerate(latest.items()):
            self._ids.append(sid)
            quote = stems(st.quote)
            mine: dict[str, int] = {}
            for word in quote:
                mine[word] = mine.get(word, 0) + 1
            self.lengths[sid] = max(1, len(quote))
            for term in self.terms.get(sid, ()):  # what the facts say a quote is about counts as its words
                found = label_stems.get(term)
                if found is None:
                    found = label_stems[term] = stems(model.label(term)) if term in model.term_by_name else []
                for word in found:
                    mine.setdefault(word, 1)
            for word, n in mine.items():
                found = self.postings.get(word)
                if found is None:
                    found = self.postings[word] = (array("I"), array("I"))
                found[0].append(number)
                found[1].append(n)
        self.by_term: dict[str, list[str]] = {}
        for sid, named in self.terms.items():
            for term in named:
                self.by_term.setdefault(term, []).append(sid)

    def whole(self) -> dict:
        count = max(1, len(self.lengths))
        return {
            "idf": {w: math.log(1 + (count - len(f) + 0.5) / (len(f) + 0.5)) for w, (f, _) in self.postings.items()},
            "term_idf": {t: math.log(count / len(sids)) for t, sids in self.by_term.items()},
            "mean_length": sum(self.lengths.values()) / count,
        }

    def wordings(self) -> dict[str, int]:
        """Each statement's wording (:meth:`wording_of`)."""
        wording = self.wording_of()
        return {sid: number for sid in self.lengths if (number := wording(sid)) is not None}

    def wording_of(self) -> Callable[[str], Optional[int]]:
        """A statement's wording: statements whose quotes are the same words (spaces and case
        aside) get the same number; None for an id that names no statement. Told apart by a
        digest of the words, not the words (at 100x the words of every quote held as keys were
        megabytes), and found as the entries are written, not held for every statement."""
        numbers: dict[bytes, int] = {}
        statements = self.model.statement_by_id  # (a repeated id: its first statement, as the questions read it)

        def wording(sid: str) -> Optional[int]:
            st = statements.get(sid)
            if st is None:
                return None
            digest = blake2b(" ".join(st.quote.split()).casefold().encode(), digest_size=16).digest()
            return numbers.setdefault(digest, len(numbers))
        return wording

    @property
    def by_section(self) -> dict[str, list]:
        """The statements of each section (made when asked for: written last, after the rest)."""
        out: dict[str, list] = {}
        for st in self.model.statements:
            out.setdefault(f"{st.source} {st.section}", []).append((st.id, st.lines[0], st.lines[1]))
        return out

    def postings_once(self):
        """The postings word by word as the index holds them, each let go once made (written, they
        are read from the entry)."""
        postings, self.postings = self.postings, None
        ids = self._ids
        for word in list(postings):
            numbers, counts = postings.pop(word)
            yield word, [[ids[number] for number in numbers], counts.tolist()]

    def per_statement(self):
        """(statement, terms, facts) of each statement, then of each cited id that names no
        statement (the quotes' lengths are ``lengths``)."""
        facts: dict[str, list] = {}  # the Fact objects themselves: their (predicate, values) made when yielded
        for fact in self.model.facts:
            for sid in fact.cites:
                facts.setdefault(sid, []).append(fact)
        for sid in dict.fromkeys([*self.lengths, *facts]):
            cited = [(f.atom.predicate, tuple(a.value for a in f.atom.args)) for f in facts.pop(sid, ())]
            yield sid, self.terms.get(sid, ()), cited


def statement_index(model: KnowledgeBaseModel) -> StatementIndex:
    """The model's statement index: the cache's stored copy when it has one (kb.KEYED_INDEXES), else built."""
    def stored_or_built():
        read = model.__dict__.get("#_statement_index")
        return (read() if read is not None else None) or StatementIndex.build(model)
    return model.memo("_statement_index", stored_or_built)
