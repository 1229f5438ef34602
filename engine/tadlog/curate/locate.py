"""``tadlog locate``: where a sentence is in the seed texts, and a statement ready to paste.

A curator copies a sentence from the PDF (line breaks, hyphenation, dashes and curly quotes
included) and gets its source, section and line range, and a ``statement`` whose quote has
been verified with the same check ``tadlog check`` runs. When the words are not found as
they are, the nearest passage is shown with the differing words marked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import SourceTextError
from ..language.passages import Passage, find_exact, nearest

KIND_CUES = (("recommendation", re.compile(r"\b(should|ought to|is recommended|are recommended|recommend|advisable|"
                                           r"must|avoid)\b", re.I)),
             ("opinion", re.compile(r"\b(I|my|we prefer|in my experience)\b")),
             ("definition", re.compile(r"\b(is defined as|refers to|is termed|are termed|is called)\b", re.I)))


@dataclass(frozen=True)
class Place:
    source: str  # source id
    section: Optional[str]
    passage: Passage
    verified: bool  # check_quote accepts the passage's text at these lines

    def to_json(self) -> dict:
        p = self.passage
        return {"source": self.source, "file": p.file, "section": self.section, "lines": [p.first, p.last],
                "exact": p.exact, "score": p.score, "quote": p.text, "verified": self.verified,
                "marked": None if p.exact else {"sought": p.marked_sought, "found": p.marked_found}}


def locate(model, sources: Optional[Path], text: str) -> list[Place]:
    """Every exact place of ``text`` in the knowledge base's seed texts; else the nearest one."""
    from ..language.quotes import check_quote

    if sources is None or not Path(sources).is_dir():
        raise SourceTextError("cannot search: no folder of seed texts (use --sources DIR or set TADLOG_SOURCES)",
                              code="E142")
    seeds = [(s.id, Path(sources) / s.file) for s in model.sources if s.file and (Path(sources) / s.file).is_file()]
    if not seeds:
        raise SourceTextError(f"no seed text of the knowledge base's sources is in {sources}", code="E141")
    found = [(sid, p) for sid, seed in seeds for p in find_exact(seed, text)]
    if not found:
        near = [(sid, nearest(seed, text)) for sid, seed in seeds]
        near = [(sid, p) for sid, p in near if p is not None]
        found = sorted(near, key=lambda item: -item[1].score)[:1]
    out = []
    for sid, passage in found:
        seed = Path(sources) / model.source_by_id[sid].file
        verified = passage.exact and check_quote(seed, (passage.first, passage.last), passage.text).found
        out.append(Place(sid, section_of(model, sid, passage.first, passage.last), passage, verified))
    return out


def section_of(model, source: str, first: int, last: int) -> Optional[str]:
    """The most specific declared section of ``source`` whose lines hold ``first``-``last``."""
    holding = [s for s in model.sections if s.source == source and s.lines and s.lines[0] <= first and last <= s.lines[1]]
    if not holding:
        holding = [s for s in model.sections if s.source == source and s.lines and s.lines[0] <= first <= s.lines[1]]
    if not holding:
        return None
    return min(holding, key=lambda s: s.lines[1] - s.lines[0]).number


def statement_text(model, place: Place) -> str:
    """A ``statement`` declaration for the place, in the canonical layout (tadlog fmt's)."""
    from .fmt import format_text

    p = place.passage
    kind = guess_kind(p.text)
    section = f' section "{place.section}"' if place.section is not None else ' section "?"'
    quote = p.text.replace("\\", "\\\\").replace('"', '\\"')
    text = (f"statement {statement_name(model, place)}\n    from {place.source}{section} lines {p.first}-{p.last}\n"
            f"    kind {kind}  # finding | recommendation | opinion | definition: check it\n"
            f"    quote \"{quote}\".\n")
    try:
        return format_text(text)
    except Exception:  # a section name the grammar refuses: show the text as built
        return text


def guess_kind(text: str) -> str:
    for kind, cue in KIND_CUES:
        if cue.search(text):
            return kind
    return "finding"


def statement_name(model, place: Place) -> str:
    """A new name: the prefix the source's statements use, then a few words of the quote."""
    from collections import Counter

    prefixes = Counter(s.id.split("_")[0] for s in model.statements if s.source == place.source)
    prefix = prefixes.most_common(1)[0][0] if prefixes else place.source
    small = {"the", "a", "an", "of", "in", "and", "or", "to", "for", "with", "at", "on", "by", "is", "are", "that"}
    words = [w for w in re.findall(r"[a-z0-9]+", place.passage.text.lower()) if w not in small][:4]
    base = "_".join([prefix] + words) or prefix
    name, n = base, 2
    while name in model.statement_by_id:
        name, n = f"{base}_{n}", n + 1
    return name
