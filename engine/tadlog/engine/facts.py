"""The knowledge base's own facts, by predicate: what each cites, and curator definitions.

A question looks up the citations of a few atoms; building the index of every fact up front
cost more than the answer at literature scale, so it is built per predicate on first use.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

from .evaluate import canonical_value as _key
from ..language.model import KnowledgeBaseModel

UNKNOWN = object()  # "not settled here": a height still to compute


class BaseFacts:
    """The knowledge base's own facts by predicate: their citations and curator definitions.

    Built per predicate on first use (a question looks up a few predicates), from ``rows_of``:
    predicate → [(values, cites, rationale)] in declaration order."""

    def __init__(self, rows_of: Callable[[str], Iterable]):
        self._rows_of = rows_of
        self._by_predicate: dict = {}

    @classmethod
    def of_model(cls, model: KnowledgeBaseModel) -> "BaseFacts":
        """The rows of one predicate made when it is first indexed, and let go once it is (at
        100x, the rows of every fact made up front were 12 MiB)."""
        def rows_of(predicate):
            return [(tuple(a.value for a in fact.atom.args), fact.cites, fact.rationale)
                    for fact in model.facts_by_predicate.get(predicate, ())]
        return cls(rows_of)

    def _index(self, predicate: str):
        index = self._by_predicate.get(predicate)
        if index is None:
            cites: dict = {}
            definitions: dict = {}
            for values, cited, rationale in self._rows_of(predicate):
                key = (predicate, tuple(_key(v) for v in values))
                cites[key] = tuple(dict.fromkeys(cites.get(key, ()) + tuple(cited)))
                if rationale:
                    definitions.setdefault(key, rationale)
            index = self._by_predicate[predicate] = (cites, definitions)
        return index

    def citations(self, predicate: str, key) -> Optional[tuple[str, ...]]:
        return self._index(predicate)[0].get(key)

    def definition(self, predicate: str, key) -> Optional[str]:
        return self._index(predicate)[1].get(key)

    def stated(self, predicate: str, key) -> tuple[Optional[tuple[str, ...]], Optional[str]]:
        """``citations`` and ``definition`` in one lookup (a proof asks both of every atom)."""
        cites, definitions = self._index(predicate)
        return cites.get(key), definitions.get(key)


