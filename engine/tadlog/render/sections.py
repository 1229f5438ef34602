"""The sections of a text answer after its reasons: list items, ranked evidence quotes,
disagreements, what else the sources say, and the statements shown; with the quote lines they
share (each statement quoted once per answer, a long quote cut at sentence boundaries only).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .claims import claim_of, definitions_of
from .excerpt import excerpt, support
from .lines import _WIDTH, _citation_lines, _fill, _reference, _Style, short_citation

if TYPE_CHECKING:  # renderers read an Answer; they never import questions at run time
    from ..questions.answer import Answer, Argument

TIGHT = 200  # below this, a reason quotes only its best-supporting statement


def _heading(style: _Style, title: str) -> list[str]:
    """A blank line, then a section title (filled like the rest: a narrow screen wraps it)."""
    return [""] + [style.bold(line) for line in _fill(title, "", "  ")]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + " …"


def _definition_lines(arg: Argument, style: "_Style", indent: str) -> list[str]:
    """An inherited reason names the inclusion it rests on: a curator definition, never a citation."""
    lines: list[str] = []
    for rationale in definitions_of(arg.via):
        lines += [style.dim(l) for l in _fill(f"\u2014 curator definition: {rationale}", indent, indent + "  ")]
    return lines


def _short_sources(statements: list[str], answer: Answer, limit: int = 1) -> Optional[str]:
    cites = [answer.citations[s] for s in statements if s in answer.citations]
    if not cites:
        return None
    text = "; ".join(short_citation(c) for c in cites[:limit])
    if len(cites) > limit:
        text += f"; +{len(cites) - limit} more"
    return text


def _quote_lines(statements, answer: Answer, style: _Style, quoted: Optional[set], indent: str,
                 clip: int = 340, claim: str = "") -> list[str]:
    """Citations with their quotes, each statement quoted once per answer (then referred to). A
    long quote is shortened to the sentences that support ``claim`` (render/excerpt.py)."""
    quoted = set() if quoted is None else quoted
    cites = [answer.citations[s] for s in statements if s in answer.citations]
    fresh = [c for c in cites if c.statement not in quoted]
    if clip < TIGHT and len(fresh) > 1:  # little room: the quote that supports the claim best
        fresh.sort(key=lambda c: -support(c.quote, claim))
    lines: list[str] = []
    for number, c in enumerate(fresh):
        quoted.add(c.statement)
        text = (f"\u2014 {short_citation(c)}: \u201c{excerpt(c.quote, claim, clip)}\u201d"
                if clip and (number == 0 or clip >= TIGHT) else f"\u2014 {short_citation(c)}")
        lines += [style.dim(line) for line in _fill(text, indent, indent + "  ")]
    if cites and not fresh:
        text = "\u2014 " + "; ".join(_reference(c) for c in cites) + " (quoted above)"
        lines += [style.dim(line) for line in _fill(text, indent, indent + "  ")]
    return lines


ITEM_LIMIT, ITEM_REASONS = 8, 2
ALSO_SHOWN = 1  # compact: the one statement beyond the reasoning that bears most on the question


def _truncated_items(answer: Answer, limit=ITEM_LIMIT, reasons=ITEM_REASONS) -> bool:
    return len(answer.items) > limit or any(len(i.arguments) > reasons for i in answer.items)


def _item_lines(answer: Answer, style: _Style, full: bool, limit=ITEM_LIMIT, reasons=ITEM_REASONS,
                quoted: Optional[set] = None, clip: int = 200) -> list[str]:
    if not answer.items:
        return []
    out = [""]
    items = answer.items if full else answer.items[:limit]
    for number, item in enumerate(items, 1):
        out += _fill(f"{number}. {item.summary}", "", "   ")
        arguments = item.arguments if full else item.arguments[:max(reasons, 1)]
        single = len(item.arguments) == 1 and item.arguments[0].stance == "neutral" and not full
        for arg in arguments:
            mark = {"for": "+ ", "against": "- "}.get(arg.stance, "* ")
            where = _short_sources(arg.proof.statements(), answer)
            if single and quoted is not None:
                out += _quote_lines(arg.proof.statements()[:2], answer, style, quoted, "   ", clip, item.label)
                continue
            if single:
                if where:
                    out += [style.dim(l) for l in _fill("\u2014 " + where, "   ", "     ")]
                continue
            out += _fill(mark + claim_of(arg), "   ", "     ") + _definition_lines(arg, style, "     ")
            if full:
                for sid in arg.proof.statements():
                    if sid in answer.citations:
                        out += _citation_lines(answer.citations[sid], "     ")
            elif quoted is not None:  # the supporting sentences, each statement quoted once
                out += _quote_lines(arg.proof.statements()[:2], answer, style, quoted, "     ", clip, arg.claim)
            elif where:
                out += [style.dim(l) for l in _fill("\u2014 " + where, "     ", "       ")]
    if len(items) < len(answer.items):
        out.append(f"... {len(answer.items) - len(items)} more (--full)")
    return out


def _evidence_lines(answer: Answer, style: _Style, full: bool, limit, quoted: set, clip: int) -> list[str]:
    """The evidence answer: each statement's fact, then its verbatim quote (ranked for the intent)."""
    if not answer.items:
        return []
    out: list[str] = []
    items = answer.items if full or limit is None else answer.items[:limit]
    for number, item in enumerate(items, 1):
        head = f"{number:>2}. "
        out += [""] if number == 1 else []
        cite = answer.citations.get(item.term)
        if not full and item.excerpt and cite is not None:  # compact: the source's own words
            quoted.add(item.term)
            out += _fill(f"{short_citation(cite)}: \u201c{item.excerpt}\u201d", head, " " * len(head))
            continue
        out += _fill(item.summary.rstrip(".") + ".", head, " " * len(head))
        if full and not item.arguments and cite is not None:  # a statement without a fact: its own words
            out += _citation_lines(cite, "     ")
        for arg in item.arguments[:1]:
            if full:
                for sid in arg.proof.statements():
                    if sid in answer.citations:
                        out += _citation_lines(answer.citations[sid], "     ")
            else:
                out += _quote_lines([item.term], answer, style, quoted, "     ", clip, item.summary)
    if len(items) < len(answer.items):
        out.append(f"    ... {len(answer.items) - len(items)} more (--full)")
    return out


def _conflict_lines(answer: Answer, style: _Style, full: bool, limit: Optional[int] = None) -> list[str]:
    """Disagreements between the sources the answer rests on: compact = topic and sides in one line each."""
    if not answer.conflicts:
        return []
    out = _heading(style, "Sources disagree")
    for conflict in answer.conflicts:
        if full:
            out += _fill(f"- {conflict.topic}" + (f": {conflict.note}" if conflict.note else ""), "  ", "    ")
            for side_number, side in enumerate(conflict.sides, 1):
                for sid in side:
                    c = answer.citations.get(sid)
                    if c is not None:
                        out += _fill(f"side {side_number}: {c.document} {c.section}, lines "
                                     f"{c.lines[0]}-{c.lines[1]}: \u201c{c.quote}\u201d", "    ", "      ")
            continue
    if not full:  # compact: the topics, one after another; --full gives both sides' quotes
        topics = "; ".join(c.topic.rstrip(".") for c in answer.conflicts)
        room = 3 if limit is None or limit > 1 else 2  # the tightest screens give the topics two lines
        return out + _fill(_clip(topics, room * (_WIDTH.get() - 4) - 28) + " (--full shows both sides)", "  ", "  ")
    return out


def _also_lines(answer: Answer, style: _Style, full: bool, limit, quoted: set, clip: int) -> list[str]:
    """What else the sources say that bears on the question, each statement quoted once: the
    sentences that share the question's words (compact), the whole quote (--full)."""
    fresh = [sid for sid in answer.also if sid in answer.citations and sid not in quoted]
    shown = fresh if full or limit is None else fresh[:limit]
    if not shown or (not full and not clip):
        return []
    out = ["", style.bold("Also in the sources")]
    for sid in shown:
        cite = answer.citations[sid]
        if full:
            out += _citation_lines(cite, "  ")
        else:
            quoted.add(sid)
            text = f"\u2014 {short_citation(cite)}: \u201c{excerpt(cite.quote, answer.question, clip)}\u201d"
            out += [style.dim(line) for line in _fill(text, "  ", "    ")]
    return out


def _shown_lines(answer: Answer, full: bool) -> list[str]:
    out = []
    for sid in answer.statements_shown if full else answer.statements_shown[:12]:
        c = answer.citations.get(sid)
        if c is not None:
            out += ([""] if not out else []) + (_citation_lines(c, "  ") if full or answer.form == "show"
                                                else _fill(f"{sid}: {short_citation(c)}", "  ", "    "))
    return out
