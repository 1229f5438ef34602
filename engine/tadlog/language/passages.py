"""Where a text is in a seed file, by words with their line numbers; and the nearest passage.

Why words: a curator needs line numbers (for ``lines a-b``) and, when a quote is not found,
the passage it most resembles with the differing words marked. Both need the seed text as a
sequence of words that remember their lines. The folding is quotes.py's (:func:`fold`,
:data:`HYPHENATED`, :func:`dehyphenate`), applied word by word, so what is found here is what
``check_quote`` accepts.
"""
from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from .quotes import HYPHENATED, dehyphenate, fold

_EDGE = "\"'()[]{}.,;:!?\u2026"


@dataclass(frozen=True)
class Word:
    text: str  # as printed (folded: plain dashes and quotes), case kept
    key: str  # for comparing: lower case, hyphens and edge punctuation dropped
    first: int  # line numbers (1-based); a word hyphenated across a line break spans two
    last: int


@dataclass(frozen=True)
class Passage:
    """A run of a seed file's words: where it is, its text, and how alike it is to what was sought."""

    file: str
    first: int
    last: int
    text: str
    score: float  # 1.0 when every word matches
    marked_sought: str = ""  # the sought text, words not in the passage as [-word-]
    marked_found: str = ""  # the passage, words not in the sought text as {+word+}

    @property
    def exact(self) -> bool:
        return self.score >= 1.0


def key_of(word: str) -> str:
    return dehyphenate(word.strip(_EDGE).lower())


def words_of_text(text: str) -> list[str]:
    """A pasted text's words, folded and with its end-of-line hyphenation joined (as quotes.py)."""
    return [w for w in HYPHENATED.sub(r"\1\2", fold(text)).split() if key_of(w)]


@lru_cache(maxsize=16)
def seed_words(path: str) -> tuple[Word, ...]:
    """Every word of a seed file with its lines; end-of-line hyphenation joined as quotes.py does."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    out: list[Word] = []
    pending: Optional[Word] = None  # "pene-" at the end of a line, waiting for "trated"
    for number, line in enumerate(lines, 1):
        words = fold(line).split()
        for index, text in enumerate(words):
            if pending is not None:
                joined = HYPHENATED.sub(r"\1\2", pending.text + "\n" + text)
                if "\n" not in joined:
                    out.append(Word(joined, key_of(joined), pending.first, number))
                    pending = None
                    continue
                out.append(pending)
                pending = None
            if index == len(words) - 1 and len(text) > 1 and text.endswith("-") and text[-2].isalnum():
                pending = Word(text, key_of(text), number, number)
            elif key_of(text):
                out.append(Word(text, key_of(text), number, number))
        if not words and pending is not None:  # a blank line ends the hyphenation
            out.append(pending)
            pending = None
    if pending is not None:
        out.append(pending)
    return tuple(w for w in out if w.key)


def find_exact(path: Path, text: str, lines: Optional[tuple[int, int]] = None) -> list[Passage]:
    """Every place the words of ``text`` occur in a row (within ``lines`` when given)."""
    words = _within(seed_words(str(path)), lines)
    keys = [key_of(w) for w in words_of_text(text)]
    if not keys:
        return []
    all_keys = [w.key for w in words]
    out = []
    for start in range(len(words) - len(keys) + 1):
        if all_keys[start] == keys[0] and all_keys[start:start + len(keys)] == keys:
            run = words[start:start + len(keys)]
            out.append(Passage(Path(path).name, run[0].first, run[-1].last, " ".join(w.text for w in run), 1.0))
    return out


def nearest(path: Path, text: str, lines: Optional[tuple[int, int]] = None, keep: int = 40) -> Optional[Passage]:
    """The passage most like ``text`` (difflib over words), with the differing words marked.

    Windows of the sought length are ranked first by shared words (cheap, sliding), then the
    best few by difflib's ratio, which also gives the words that differ."""
    words = _within(seed_words(str(path)), lines)
    sought = words_of_text(text)
    keys = [key_of(w) for w in sought]
    n = len(keys)
    if not n or not words:
        return None
    want = Counter(keys)
    have: Counter = Counter()
    ranked: list[tuple[int, int]] = []
    for end, word in enumerate(words):
        have[word.key] += 1
        if end >= n:
            have[words[end - n].key] -= 1
        if end >= min(n, len(words)) - 1:
            ranked.append((sum(min(c, have[k]) for k, c in want.items()), max(0, end - n + 1)))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    best: Optional[tuple[float, int, int]] = None
    for _, start in ranked[:keep]:
        for size in {n, n - 1, n + 1, n + 2}:  # a word dropped or added moves the window's end
            run = words[start:start + size]
            if not run:
                continue
            ratio = difflib.SequenceMatcher(None, keys, [w.key for w in run], autojunk=False).ratio()
            if best is None or ratio > best[0] + 1e-9:
                best = (ratio, start, start + len(run))
    ratio, start, stop = best
    return _marked(Path(path).name, sought, words[start:stop], ratio)


def _marked(name: str, sought: list[str], run: tuple, ratio: float) -> Passage:
    keys = [key_of(w) for w in sought]
    matcher = difflib.SequenceMatcher(None, keys, [w.key for w in run], autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left += sought[i1:i2]
            right += [w.text for w in run[j1:j2]]
            continue
        if i2 > i1:
            left.append("[-" + " ".join(sought[i1:i2]) + "-]")
        if j2 > j1:
            right.append("{+" + " ".join(w.text for w in run[j1:j2]) + "+}")
    return Passage(name, run[0].first, run[-1].last, " ".join(w.text for w in run), round(ratio, 3),
                   " ".join(left), " ".join(right))


def _within(words: tuple[Word, ...], lines: Optional[tuple[int, int]]) -> tuple[Word, ...]:
    if lines is None:
        return words
    first, last = lines
    return tuple(w for w in words if w.first >= first and w.last <= last)


def quote_miss_hint(seed: Path, lines: tuple[int, int], quote: str, missing: Optional[str]) -> Optional[str]:
    """For a quote not found in its lines: where its words are, or the nearest passage, marked.

    The fix it suggests is the smallest that would make the quote verify: the right line
    range when the words are elsewhere, else the source's words."""
    from .quotes import _GAP, normalise

    parts = [p for p in _GAP.split(quote) if p.strip()]
    fragment = next((p for p in parts if normalise(p) == missing), quote) if missing else quote
    exact = find_exact(seed, fragment)
    if exact:
        where = ", ".join(f"{p.first}-{p.last}" for p in exact[:3])
        if len(exact) > 1:
            return f"the words are at lines {where} of {seed.name}: cite the range that holds them"
        first, last = exact[0].first, exact[0].last
        if len(parts) > 1:  # the other fragments may be in the cited lines: keep them covered
            first, last = min(first, lines[0]), max(last, lines[1])
        return f"the words are at lines {where} of {seed.name}: cite lines {first}-{last}"
    found = nearest(seed, fragment)
    if found is None:
        return None
    return (f"nearest passage: {seed.name} lines {found.first}-{found.last} ({found.score:.0%} alike)\n"
            f"        quote:  {found.marked_sought}\n"
            f"        source: {found.marked_found}\n"
            f"    fix: quote the source's words (lines {found.first}-{found.last})")
