"""The statement index: each quote's words (stemmed) and the terms of the facts citing it.

Built once per model (and cached beside it, kb.save_question_indexes): the evidence form
ranks statements with it (BM25 over the words, rarer terms counting more), and a pointing-back
quote ("This marked drop ...") finds its antecedent in the same section through it.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Optional

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


class StatementIndex:
    """Per statement: the words of its quote and the terms of the facts citing it (built once per model)."""

    def __init__(self, model: KnowledgeBaseModel):
        self.words: dict[str, frozenset[str]] = {}
        self.counts: dict[str, dict[str, int]] = {}
        self.lengths: dict[str, int] = {}
        self.terms: dict[str, set[str]] = {}
        self.facts: dict[str, list] = {}
        self.sentences: dict[str, list] = {}  # filled on first use: a quote's sentences and their stems
        for st in model.statements:
            quote = stems(st.quote)
            counts: dict[str, int] = {}
            for word in quote:
                counts[word] = counts.get(word, 0) + 1
            self.counts[st.id], self.lengths[st.id] = counts, max(1, len(quote))
        for fact in model.facts:
            values = tuple(a.value for a in fact.atom.args)
            for sid in fact.cites:
                self.facts.setdefault(sid, []).append((fact.atom.predicate, values))
                self.terms.setdefault(sid, set()).update(v for v in values if isinstance(v, str))
        label_stems: dict[str, list[str]] = {}  # each term's label read once, not once per statement
        for sid, terms in self.terms.items():  # what the facts say a quote is about counts as its words
            counts = self.counts.get(sid)
            if counts is not None:
                for term in terms:
                    found = label_stems.get(term)
                    if found is None:
                        found = label_stems[term] = stems(model.label(term)) if term in model.term_by_name else []
                    for word in found:
                        counts.setdefault(word, 1)
        for sid, counts in self.counts.items():
            self.words[sid] = frozenset(counts)
        count = max(1, len(self.words))
        frequency: dict[str, int] = {}
        for words in self.words.values():
            for word in words:
                frequency[word] = frequency.get(word, 0) + 1
        self.idf = {w: math.log(1 + (count - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}
        self.mean_length = sum(self.lengths.values()) / count
        term_frequency: dict[str, int] = {}
        for terms in self.terms.values():
            for term in terms:
                term_frequency[term] = term_frequency.get(term, 0) + 1
        self.term_idf = {t: math.log(count / f) for t, f in term_frequency.items()}
        self.by_term: dict[str, list[str]] = {}
        for sid, terms in self.terms.items():
            for term in terms:
                self.by_term.setdefault(term, []).append(sid)
        self.by_word: dict[str, list[str]] = {}
        for sid, words in self.words.items():
            for word in words:
                self.by_word.setdefault(word, []).append(sid)
        self.by_section: dict[str, list] = {}  # "source section" -> [(statement, first line, last line)]
        for st in model.statements:
            self.by_section.setdefault(f"{st.source} {st.section}", []).append((st.id, st.lines[0], st.lines[1]))

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


def statement_index(model: KnowledgeBaseModel) -> StatementIndex:
    return model.memo("_statement_index", lambda: StatementIndex(model))
