"""Line primitives of the text renderer: styles, wrapping, and citations as lines.

Shared by the text renderer's sections so each stays small; nothing here knows about answer forms.
"""
from __future__ import annotations

import textwrap
from contextvars import ContextVar
from functools import lru_cache
from typing import TYPE_CHECKING, Optional

from ..language.model import format_number

if TYPE_CHECKING:  # renderers read an Answer; they never import questions at run time
    from ..questions.answer import Citation

WIDTH = 80
_WIDTH: ContextVar[int] = ContextVar("tadlog_text_width", default=WIDTH)  # render_text(width=) sets it


class _Style:
    def __init__(self, colour: bool):
        self.colour = colour

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def bold(self, text):
        return self._wrap("1", text)

    def dim(self, text):
        return self._wrap("2", text)

    def red(self, text):
        return self._wrap("31", text)

    def green(self, text):
        return self._wrap("32", text)


def _fill(text: str, indent: str, subsequent: Optional[str] = None, width: Optional[int] = None) -> list[str]:
    """``text`` filled to the width, every line within it. A word longer than a line (a URL,
    an identifier) is never cut: it goes on a line of its own, the one line allowed to run over.

    A new list each call (callers extend it) of lines remembered by text, indents and width: the
    compact view renders an answer at shrinking limits until it fits a screen, wrapping the same
    paragraphs again each time (six renderings, 168 wraps, for ``why not infrazygomatic?``)."""
    return list(_wrapped(text, indent, subsequent if subsequent is not None else indent, width or _WIDTH.get()))


@lru_cache(maxsize=4096)
def _wrapped(text: str, indent: str, subsequent: str, width: int) -> tuple[str, ...]:
    return tuple(textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=subsequent,
                               break_on_hyphens=False, break_long_words=False) or [indent.rstrip()])


def evidence_facts(c: Citation) -> list[str]:
    """What kind of evidence a citation is, as the source gives it: kind, grade, n, population, CI."""
    facts = [c.kind, c.evidence.replace("_", " ")]
    if c.n is not None:
        facts.append(f"n={format_number(c.n)}")
    if c.population:
        facts.append(c.population)
    if c.ci:
        facts.append(c.ci)
    return facts


def _citation_lines(c: Citation, indent: str) -> list[str]:
    """A citation in full: where, what kind of evidence, and the verbatim quote."""
    facts = evidence_facts(c)
    lines = _fill(f"{c.document}, section {c.section}, lines {c.lines[0]}-{c.lines[1]} "
                  f"[{c.statement}; {', '.join(facts)}]", indent)
    lines += _fill(f"\u201c{c.quote}\u201d", indent + "  ")
    return lines


def short_citation(c: Citation) -> str:
    """One short line: document short name, section, lines, evidence kind and study size."""
    evidence = c.evidence.replace("_", " ") + (f", n={format_number(c.n)}" if c.n is not None else "")
    return f"{c.short or c.source} \u00a7{c.section}, lines {c.lines[0]}-{c.lines[1]} ({evidence})"


def _reference(c: Citation) -> str:
    return f"{c.short or c.source} \u00a7{c.section}, lines {c.lines[0]}-{c.lines[1]}"
