"""Renderers: an :class:`Answer` as text (80 columns), Markdown or JSON.

Renderers only read the answer. The JSON form is the stable interface for integrators:
``schema`` names its version, keys are fixed, lists keep the answer's (ranked) order.
"""
from __future__ import annotations

import textwrap
from typing import Optional

from .answer import SCHEMA, Answer, Argument, Citation, ProofNode, RuleAnalysis
from .model import format_number

WIDTH = 80
KIND_WORDS = {
    "missing_fact": "missing fact", "missing_derived_fact": "missing derived fact",
    "negated_fact_holds": "holds, but the rule needs it not to",
    "comparison_failed": "comparison fails", "not_checked": "could not be checked",
}


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


def _fill(text: str, indent: str, subsequent: Optional[str] = None, width: int = WIDTH) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent,
                         subsequent_indent=subsequent if subsequent is not None else indent,
                         break_on_hyphens=False) or [indent.rstrip()]


def _citation_lines(c: Citation, indent: str) -> list[str]:
    facts = [c.kind, c.evidence.replace("_", " ")]
    if c.n is not None:
        facts.append(f"n={format_number(c.n)}")
    if c.population:
        facts.append(c.population)
    if c.ci:
        facts.append(c.ci)
    lines = _fill(f"{c.document}, section {c.section}, lines {c.lines[0]}-{c.lines[1]} "
                  f"[{c.statement}; {', '.join(facts)}]", indent)
    lines += _fill(f"\u201c{c.quote}\u201d", indent + "  ")
    return lines


def _leaf_statements(proof: ProofNode) -> list[str]:
    return proof.statements()


def _argument_lines(number: int, arg: Argument, answer: Answer, style: _Style, full: bool,
                    depth: int) -> list[str]:
    head = f"{number:>2}. "
    lines = _fill(arg.claim + ".", head, " " * len(head))
    if arg.proof.by == "rule" and not full:
        because = "; ".join(p.claim for p in arg.proof.premises)
        if arg.proof.conditions:
            because += ("; " if because else "") + "; ".join(arg.proof.conditions)
        if because:
            lines += _fill("because: " + because, "     ")
    if full and arg.proof.by == "rule":
        lines += _proof_lines(arg.proof, "     ", answer, depth, show_citations=True)[1:]
    else:
        for sid in _leaf_statements(arg.proof)[:3 if not full else None]:
            if sid in answer.citations:
                lines += _citation_lines(answer.citations[sid], "     ")
    return lines


def _proof_lines(node: ProofNode, indent: str, answer: Answer, depth: int,
                 show_citations: bool = True) -> list[str]:
    how = {"statement": "stated by the source", "input": "given for this patient",
           "rule": f"by rule {node.rule}", "unproved": "not proved"}[node.by]
    lines = _fill(f"{node.claim}  ({how})", indent, indent + "   ")
    for condition in node.conditions:
        lines += _fill(f"and {condition}", indent + "   ")
    if node.rationale:
        lines += _fill(f"rule rationale: {node.rationale}", indent + "   ")
    if show_citations:
        for sid in node.citations + (node.rule_citations if node.by == "rule" else ()):
            if sid in answer.citations:
                lines += _citation_lines(answer.citations[sid], indent + "   ")
    if depth > 0:
        for premise in node.premises:
            lines += _proof_lines(premise, indent + "   ", answer, depth - 1, show_citations)
    elif node.premises:
        lines += _fill("... (more: --depth)", indent + "   ")
    return lines


def _analysis_lines(analysis: RuleAnalysis, answer: Answer, style: _Style, full: bool) -> list[str]:
    lines = _fill(f"rule {analysis.rule} would conclude: {analysis.conclusion}", "  ", "    ")
    for held in analysis.held[: None if full else 4]:
        lines += _fill(style.green("held: ") + held, "    ", "      ")
    if not full and len(analysis.held) > 4:
        lines.append(f"    ... and {len(analysis.held) - 4} more conditions held (--full)")
    for cond in analysis.blocked_by:
        lines += _fill(style.red("blocked: ") + f"{cond.text} ({KIND_WORDS.get(cond.kind, cond.kind)})",
                       "    ", "      ")
        if cond.proof is not None:
            for sid in cond.proof.statements()[: None if full else 1]:
                if sid in answer.citations:
                    lines += _citation_lines(answer.citations[sid], "      ")
    return lines


def render_text(answer: Answer, *, colour: bool = False, full: bool = False, depth: int = 3) -> str:
    style = _Style(colour)
    out: list[str] = _fill(style.bold(answer.verdict), "")
    if answer.patient:
        out += _fill("patient: " + ", ".join(f"{k}={v}" for k, v in answer.patient), "  ")
    for note in answer.notes:
        out.append(note if answer.form == "help" else f"  ({note})")
    if answer.proof is not None:
        out += ["", style.bold("Why (proof)")]
        out += _proof_lines(answer.proof, "  ", answer, depth if not full else 99)
    limit = None if full else 6
    for title, args in (("Reasons against (strongest evidence first)", answer.arguments_against),
                        ("Reasons for (strongest evidence first)", answer.arguments_for)):
        if args:
            out += ["", style.bold(title)]
            for i, arg in enumerate(args[:limit], 1):
                out += _argument_lines(i, arg, answer, style, full, depth)
            if limit and len(args) > limit:
                out.append(f"    ... {len(args) - limit} more (--full)")
    for item_index, item in enumerate(answer.items, 1):
        if item_index == 1:
            out.append("")
        out += _fill(f"{item_index}. {item.summary}", "", "   ")
        for arg in item.arguments[: None if full else 3]:
            out += _fill(("+ " if arg.stance == "for" else "- " if arg.stance == "against" else "* ") + arg.claim,
                         "   ", "     ")
    if answer.rows:
        out.append("")
        for row in answer.rows:
            out.append("  " + ", ".join(f"{k} = {v if isinstance(v, str) else format_number(v)}" for k, v in row))
    if answer.why_not:
        out += ["", style.bold("What blocks it")]
        for analysis in answer.why_not:
            out += _analysis_lines(analysis, answer, style, full)
    if answer.would_change:
        out += ["", style.bold("What would change the outcome")]
        for change in answer.would_change:
            out += _fill("- " + change, "  ", "    ")
    if answer.instead:
        out += ["", style.bold("Recommended instead")]
        for i, arg in enumerate(answer.instead, 1):
            out += _argument_lines(i, arg, answer, style, full, depth)
    if answer.unknowns:
        out += ["", style.bold("Unknown inputs that would change the verdict")]
        for unknown in answer.unknowns:
            out += _fill("- " + unknown, "  ", "    ")
    if answer.conflicts:
        out += ["", style.bold("Sources disagree")]
        for conflict in answer.conflicts:
            out += _fill(f"- {conflict.topic}" + (f": {conflict.note}" if conflict.note else ""), "  ", "    ")
            for side_number, side in enumerate(conflict.sides, 1):
                for sid in side:
                    c = answer.citations.get(sid)
                    if c:
                        out += _fill(f"side {side_number}: {c.document} {c.section}, lines "
                                     f"{c.lines[0]}-{c.lines[1]}: \u201c{c.quote}\u201d", "    ", "      ")
    return "\n".join(line.rstrip() for line in out) + "\n"


# ---- JSON ---------------------------------------------------------------------------------
def _atom_json(atom) -> dict:
    return {"predicate": atom[0], "args": list(atom[1])}


def proof_json(node: ProofNode) -> dict:
    return {"claim": node.claim, "fact": _atom_json(node.atom), "by": node.by, "statements": list(node.citations),
            "rule": node.rule, "rule_statements": list(node.rule_citations), "rationale": node.rationale,
            "conditions": list(node.conditions), "truncated": node.truncated,
            "premises": [proof_json(p) for p in node.premises]}


def argument_json(arg: Argument) -> dict:
    return {"stance": arg.stance, "claim": arg.claim, "evidence": arg.evidence, "strength": arg.strength,
            "statements": arg.proof.statements(), "proof": proof_json(arg.proof)}


def citation_json(c: Citation) -> dict:
    return {"statement": c.statement, "source": c.source, "document": c.document, "section": c.section,
            "lines": list(c.lines), "kind": c.kind, "evidence": c.evidence, "quote": c.quote,
            "n": c.n, "population": c.population, "ci": c.ci}


def answer_json(answer: Answer) -> dict:
    return {
        "schema": SCHEMA,
        "question": answer.question,
        "form": answer.form,
        "subject": {"term": answer.subject, "label": answer.subject_label} if answer.subject else None,
        "patient": {k: v for k, v in answer.patient} if answer.patient else {},
        "verdict": answer.verdict,
        "holds": answer.holds,
        "arguments": {"against": [argument_json(a) for a in answer.arguments_against],
                      "for": [argument_json(a) for a in answer.arguments_for]},
        "proof": proof_json(answer.proof) if answer.proof else None,
        "why_not": [{"rule": a.rule, "conclusion": a.conclusion, "held": list(a.held),
                     "blocked_by": [{"kind": c.kind, "condition": c.text,
                                     "proof": proof_json(c.proof) if c.proof else None} for c in a.blocked_by],
                     "statements": list(a.citations), "rationale": a.rationale} for a in answer.why_not],
        "would_change": list(answer.would_change),
        "instead": [argument_json(a) for a in answer.instead],
        "items": [{"term": i.term, "label": i.label, "summary": i.summary, "score": i.score,
                   "arguments": [argument_json(a) for a in i.arguments]} for i in answer.items],
        "rows": [{k: v for k, v in row} for row in answer.rows],
        "unknowns": list(answer.unknowns),
        "conflicts": [{"id": c.id, "topic": c.topic, "note": c.note, "sides": [list(s) for s in c.sides]}
                      for c in answer.conflicts],
        "notes": list(answer.notes),
        "citations": {sid: citation_json(c) for sid, c in sorted(answer.citations.items())},
    }


# ---- Markdown -----------------------------------------------------------------------------
def render_markdown(answer: Answer) -> str:
    out = [f"**{answer.question}**", "", f"> {answer.verdict}", ""]
    for title, args in (("Reasons against", answer.arguments_against), ("Reasons for", answer.arguments_for),
                        ("Recommended instead", answer.instead)):
        if args:
            out.append(f"### {title}")
            for arg in args:
                refs = ", ".join(f"`{s}`" for s in arg.proof.statements())
                out.append(f"- {arg.claim} ({arg.evidence.replace('_', ' ')}; {refs})")
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
