"""Close matches for suggestions and unknown names: difflib's choice, found sooner.

``difflib.get_close_matches`` over every name of the knowledge base took 120 ms of a first
question with an unknown word (1,100 Ratcliff-Obershelp ratios). rapidfuzz's Indel similarity
(2·LCS / total length, in C) is never below difflib's ratio (2·M / total length, M the
characters of matching blocks, a common subsequence, so M ≤ LCS). Keeping only the names whose
Indel similarity reaches the cutoff therefore keeps every name difflib would choose, and difflib
then chooses among those few exactly as it would among all: same names, same order.
"""
from __future__ import annotations

import difflib
from typing import Iterable


def close_matches(word: str, pool: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """``difflib.get_close_matches(word, pool, n, cutoff)``, with the same result."""
    from rapidfuzz.distance import Indel
    from rapidfuzz.process import extract

    pool = list(pool)
    # (a margin below the cutoff: rapidfuzz rounds its bound, and a ratio of exactly 0.6 was lost)
    found = extract(word, pool, scorer=Indel.normalized_similarity, score_cutoff=max(0.0, cutoff - 0.05), limit=None)
    return difflib.get_close_matches(word, [choice for choice, _, _ in found], n=n, cutoff=cutoff)
