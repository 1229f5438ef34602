"""A statement's source passage: the lines of its section around the quote, with the quoted
words marked, so a reader can check the quote in context.

The quote is found the way the validator finds it (quotes.py: the same folding of PDF
hyphenation, dashes and quotes), but here each folded character keeps the position it came
from, so the match can be shown as character ranges on the original lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .model import KnowledgeBaseModel, Statement
from .quotes import _lines, fragments, normalise

CONTEXT = 12  # lines shown either side of the quote when the section is longer than the window
WINDOW = 80   # at most this many lines of a section are shown


@dataclass(frozen=True)
class PassageLine:
    number: int
    text: str
    marks: tuple[tuple[int, int], ...] = ()  # [start, end) character ranges of quoted words


@dataclass(frozen=True)
class Passage:
    statement: str
    source: str
    file: str
    section: str
    section_title: Optional[str]
    quote_lines: tuple[int, int]
    lines: tuple[PassageLine, ...]
    found: bool  # the quote was located (always, for a knowledge base that passed check)

    def to_json(self) -> dict:
        return {"statement": self.statement, "source": self.source, "file": self.file, "section": self.section,
                "section_title": self.section_title, "quote_lines": list(self.quote_lines), "found": self.found,
                "lines": [{"number": l.number, "text": l.text, "marks": [list(m) for m in l.marks]}
                          for l in self.lines]}


def passage(model: KnowledgeBaseModel, statement_id: str, sources: Optional[Path]) -> Optional[Passage]:
    """The passage of one statement, or None when its source text is not available."""
    st = model.statement_by_id.get(statement_id)
    source = model.source_by_id.get(st.source) if st else None
    if st is None or source is None or not source.file or sources is None:
        return None
    path = Path(sources) / source.file
    if not path.is_file():
        return None
    all_lines = _lines(str(path))
    first, last = _window(model, st, len(all_lines))
    marks = _marks(all_lines, st)
    section = next((s for s in model.sections if s.source == st.source and s.number == st.section), None)
    return Passage(st.id, st.source, source.file, st.section, section.title if section else None, st.lines,
                   tuple(PassageLine(n, all_lines[n - 1], tuple(marks.get(n, ()))) for n in range(first, last + 1)),
                   bool(marks))


def _window(model: KnowledgeBaseModel, st: Statement, length: int) -> tuple[int, int]:
    """The statement's section, cut to WINDOW lines centred on the quote when it is longer."""
    section = next((s for s in model.sections if s.source == st.source and s.number == st.section), None)
    first, last = section.lines if section and section.lines else (st.lines[0] - CONTEXT, st.lines[1] + CONTEXT)
    first, last = min(first, st.lines[0]), max(last, st.lines[1])
    if last - first + 1 > WINDOW:
        first = max(first, st.lines[0] - CONTEXT)
        last = min(last, max(st.lines[1] + CONTEXT, first + WINDOW - 1))
    return max(1, first), min(length, last)


def _folded(lines: tuple[str, ...], first: int, last: int) -> tuple[str, list[tuple[int, int]]]:
    """The cited lines folded to letters, digits and punctuation (no spaces, no hyphens), with the
    (line, column) each folded character came from."""
    chars: list[str] = []
    origin: list[tuple[int, int]] = []
    for number in range(first, last + 1):
        for column, ch in enumerate(lines[number - 1]):
            for folded in _fold(ch):
                chars.append(folded)
                origin.append((number, column))
    return "".join(chars), origin


def _fold(ch: str) -> str:
    text = normalise(ch) if not ch.isspace() else ""
    return re.sub(r"[\s-]", "", text)


def _marks(lines: tuple[str, ...], st: Statement) -> dict[int, list[tuple[int, int]]]:
    first, last = max(1, st.lines[0]), min(len(lines), st.lines[1])
    if first > last:
        return {}
    text, origin = _folded(lines, first, last)
    out: dict[int, list[tuple[int, int]]] = {}
    position = 0
    for fragment in fragments(st.quote):
        key = re.sub(r"[\s-]", "", fragment)
        at = text.find(key, position) if key else -1
        if at < 0:
            return {}
        _add_span(out, origin[at:at + len(key)], lines)
        position = at + len(key)
    return out


def _add_span(out: dict, positions: list[tuple[int, int]], lines) -> None:
    """Character positions → one [start, end) range per line (spaces between words included)."""
    by_line: dict[int, list[int]] = {}
    for number, column in positions:
        by_line.setdefault(number, []).append(column)
    for number, columns in by_line.items():
        out.setdefault(number, []).append((min(columns), max(columns) + 1))
