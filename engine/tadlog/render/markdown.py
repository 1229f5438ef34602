"""An Answer as Markdown, for pull-request comments, notebooks and documents.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..language.model import format_number
from .text import KIND_WORDS

if TYPE_CHECKING:  # renderers read an Answer; they never import questions at run time
    from ..questions.answer import Answer


def render_markdown(answer: Answer) -> str:
    out = [f"**{answer.question}**", "", f"> {answer.verdict}", ""]
    for title, args in (("Reasons against", answer.arguments_against), ("Reasons for", answer.arguments_for),
                        ("Recommended instead", answer.instead)):
        if args:
            out.append(f"### {title}")
            for arg in args:
                refs = ", ".join(f"`{s}`" for s in arg.proof.statements())
                out.append(f"- {arg.claim}{f' ({arg.inherited})' if arg.inherited else ''} ({arg.evidence.replace('_', ' ')}; {refs})")
            out.append("")
    if answer.items:
        for number, item in enumerate(answer.items, 1):
            out.append(f"{number}. {item.summary}")
        out.append("")
    if answer.rows:
        for row in answer.rows:
            out.append("- " + ", ".join(f"{k} = {v if isinstance(v, str) else format_number(v)}" for k, v in row))
        out.append("")
    if answer.unknowns:
        out.append("### Not stated, but would change the answer")
        out += [f"- {u}" for u in answer.unknowns]
        out.append("")
    if answer.why_not:
        out.append("### What blocks it")
        for a in answer.why_not:
            out.append(f"- rule `{a.rule}`: " + "; ".join(f"{c.text} ({KIND_WORDS.get(c.kind, c.kind)})"
                                                         for c in a.blocked_by))
        out.append("")
    if answer.conflicts:
        out.append("### Sources disagree")
        for c in answer.conflicts:
            out.append(f"- {c.topic}" + (f": {c.note}" if c.note else ""))
        out.append("")
    if answer.citations:
        out.append("### Sources")
        for sid, c in sorted(answer.citations.items()):
            out.append(f"- `{sid}` {c.document}, section {c.section}, lines {c.lines[0]}-{c.lines[1]}: "
                       f"\u201c{c.quote}\u201d")
    return "\n".join(out).rstrip() + "\n"
