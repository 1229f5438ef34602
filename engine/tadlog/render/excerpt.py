"""Quote excerpts for the compact view: whole sentences (or clauses) of a verbatim quote, the ones
that support the claim, so a quote is never cut in the middle of what it is cited for.

A quote longer than the space the compact view gives it is shortened at sentence boundaries
only: the sentences that share the claim's numbers and words are kept, in their order, and every
gap is marked with "…". A qualifier ("usually", "in my experience", "in adults") stays because it
stands in the sentence it qualifies. ``--full`` never shortens a quote.
"""
from __future__ import annotations

import re

GAP = "\u2026"
# A full stop after these is no sentence end ("e.g. 50 g", "Fig. 5", "et al. [12]").
_ABBREVIATIONS = ("e.g", "i.e", "et al", "al", "fig", "figs", "approx", "vs", "cf", "no", "ref", "refs", "dr",
                  "mr", "ed", "eds", "vol", "pp", "ca", "resp")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'\u201c(\[]?[A-Z0-9])")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
_QUALIFYING = re.compile(r"(However|But|Although|Though|Nevertheless|Nonetheless|Whilst|While|Yet|"
                         r"Only|Except|Unless|Note|This is (?:not|only|usually))\b")
_POINTS_BACK = re.compile(r"(Here|This|These|That|Those|Such|Therefore|Thus|Hence|It|They|Its|Their|"
                          r"In this|In these|As a result|Consequently|Accordingly|In addition|Also)\b")
_STUDY = re.compile(r"\b(?:stud(?:y|ies)|trial|meta-analys[ie]s|review|investigated|analysed|analyzed)\b", re.I)
_RESULT = re.compile(r"(?:(?:Their|The|These|Its|Our) (?:results?|findings?|data)|Results?|They (?:found|showed|"
                     r"reported|concluded|demonstrated)|This (?:study )?(?:showed|found|demonstrated))\b")
_STOP = frozenset("""with that this from have been were which their there these those than into also such more
most only other some when where while would could should about after before under over between
within without being does each very much many them they then what your""".split())


def sentences(text: str) -> list[str]:
    """The sentences of a quote (semicolons end clauses too), abbreviations kept whole."""
    parts: list[str] = []
    for piece in _SENTENCE_END.split(text.strip()):
        if parts and _ends_with_abbreviation(parts[-1]):
            parts[-1] += " " + piece
        else:
            parts.append(piece)
    return [p for p in parts if p]


def _ends_with_abbreviation(text: str) -> bool:
    last = text.rsplit(None, 1)[-1].rstrip(".").lstrip("([\"'\u201c").lower() if text.split() else ""
    return text.endswith(".") and (last in _ABBREVIATIONS or len(last) == 1)


def _stems(text: str) -> set[str]:
    return {w.lower()[:6] for w in _WORD.findall(text) if w.lower() not in _STOP}


def support(sentence: str, claim: str) -> int:
    """How much a sentence says of the claim: its numbers count most, then shared words."""
    numbers = set(_NUMBER.findall(claim))
    score = 3 * len(numbers & set(_NUMBER.findall(sentence)))
    return score + len(_stems(claim) & _stems(sentence))


def excerpt(quote: str, claim: str, limit: int) -> str:
    """``quote`` whole when it fits in ``limit`` characters; otherwise the sentences that support
    ``claim`` (at least the best one, whatever its length), in order, gaps marked "…"."""
    if len(quote) <= limit:
        return quote
    fragments = [f.strip() for f in re.split(r"\s*(?:\u2026|\.\.\.)\s*", quote) if f.strip()]
    units: list[tuple[int, str]] = []  # (fragment number, sentence)
    for number, fragment in enumerate(fragments):
        units += [(number, s) for s in sentences(fragment)]
    scores = [support(s, claim) for _, s in units]
    order = sorted(range(len(units)), key=lambda i: (-scores[i], i))
    kept = {order[0]}
    size = len(units[order[0]][1])
    for i in order[1:]:
        if scores[i] <= 0 or size + len(units[i][1]) + 2 > limit:
            continue
        kept.add(i)
        size += len(units[i][1]) + 2
    for i in sorted(kept):  # a sentence that qualifies a kept one ("However, ...") stays with it
        following = i + 1
        while following < len(units) and _QUALIFYING.match(units[following][1]):
            kept.add(following)
            following += 1
    for i in sorted(kept):  # a study kept without its result ("... published a meta-analysis of ...")
        following = i + 1   # keeps the sentence that gives it ("Their results show ...")
        if (following < len(units) and following not in kept and units[following][0] == units[i][0]
                and _STUDY.search(units[i][1]) and _RESULT.match(units[following][1])):
            kept.add(following)
    for i in sorted(kept, reverse=True):  # "Here, ..." / "This ..." needs the sentence it points back to
        while i > 0 and units[i - 1][0] == units[i][0] and _POINTS_BACK.match(units[i][1]):
            kept.add(i - 1)
            i -= 1
    return _join(units, sorted(kept))


def _join(units: list[tuple[int, str]], kept: list[int]) -> str:
    out = GAP + " " if kept[0] > 0 else ""
    for position, i in enumerate(kept):
        if position:
            adjacent = i == kept[position - 1] + 1 and units[i][0] == units[i - 1][0]
            out += " " if adjacent else f" {GAP} "
        out += units[i][1]
    return out + (" " + GAP if kept[-1] < len(units) - 1 else "")
