"""The review as text, Markdown (for a pull-request comment) and GitHub annotations.

Errors come first: a reviewer reads what HEAD breaks before what it changes. The Markdown is
capped below :data:`MARKDOWN_LIMIT` characters (GitHub refuses comments over 65,536): past
it, explanations are folded away first, then whole sections are cut at a block boundary with
a pointer to the full report.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Optional

from ..annotations import github_annotation, github_notice
from .consequences import finding_line
from .sides import KINDS, PLURAL, QUESTIONS_FILE, TEXT_EXPLANATION_LINES

if TYPE_CHECKING:
    from .report import Review

MARKDOWN_LIMIT = 59_000  # below 60,000 with room for a CI bot's own header


def summary_lines(r: "Review") -> list[str]:
    s = r.summary
    parts = []
    for kind in KINDS:
        c = s["declarations"][PLURAL[kind]]
        if any(c.values()):
            bits = [f"+{c['added']}" if c["added"] else "", f"-{c['removed']}" if c["removed"] else "",
                    f"~{c['changed']}" if c["changed"] else ""]
            parts.append(f"{PLURAL[kind]} {' '.join(b for b in bits if b)}")
    lines = ["declarations: " + (", ".join(parts) if parts else "no change in meaning")]
    if r.evaluated:
        lines.append(f"derived facts: +{s['consequences']['gained']} gained, -{s['consequences']['lost']} lost")
    else:
        lines.append("derived facts: not compared (a side has errors that prevent evaluation)")
    lines.append(f"standard questions: {s['questions']['changed']} of {s['questions']['asked']} answers change "
                 "(verdict, items, reasons or figures)")
    lines.append(f"check findings: {s['findings']['new']} new, {s['findings']['fixed']} fixed")
    status = "valid" if not r.head_errors else f"{r.head_errors} error{'s' if r.head_errors != 1 else ''}"
    lines.append(f"HEAD: {status}" + ("" if r.quotes_checked else " (quotes not verified)"))
    return lines


def _change_head(c) -> str:
    sign = {"added": "+", "removed": "-", "changed": "~"}[c.action]
    where = f"  ({c.location})" if c.location else ""
    return f"{sign} {c.kind} {c.key}: {c.label}{where}"


def render_text(r: "Review") -> str:
    out = [f"tadlog review: {r.base} -> {r.head}", ""]
    out += ["Summary"] + ["  " + line for line in summary_lines(r)] + [""]
    out += ["Findings new in HEAD"]
    out += ["  " + finding_line(d) for d in r.new_findings] or ["  (none)"]
    out += ["", "Findings fixed by HEAD"]
    out += ["  " + finding_line(d) for d in r.fixed_findings] or ["  (none)"]
    out += ["", "Declarations"]
    if not r.changes:
        out.append("  (none)")
    for c in r.changes:
        out.append("  " + _change_head(c))
        for fld, before, after in c.details:
            out.append(f"      {fld}: {before}")
            out.append(f"      {' ' * len(fld)}  -> {after}")
    out += ["", "Consequences (derived facts)"]
    if not r.evaluated:
        out.append("  not compared: a side has errors that prevent evaluation")
    elif not r.consequences:
        out.append("  (none)")
    for c in r.consequences:
        out.append(f"  {'+' if c.action == 'gained' else '-'} {c.sentence}  [{c.atom}]")
        if c.causes:
            out.append(f"      caused by: {', '.join(c.causes)}")
        elif c.statements:
            out.append(f"      rests on: {', '.join(c.statements)}")
    out += ["", "Standard questions"]
    if not r.questions:
        out.append(f"  no {QUESTIONS_FILE} in the knowledge base")
    elif not r.answers:
        out.append(f"  no answer changes ({len(r.questions)} questions)")
    for a in r.answers:
        out.append(f"  Q: {a.question}")
        out.append(f"     before: {a.verdict_before}")
        out.append(f"     after:  {a.verdict_after}")
        out += [f"     + {x}" for x in a.reasons_gained] + [f"     - {x}" for x in a.reasons_lost]
        out += _citing_lines(a, "     ", str)
        out.append("     new explanation:")
        lines = a.explanation.splitlines()
        shown = lines[:TEXT_EXPLANATION_LINES]
        out += ["       " + line if line else "" for line in shown]
        if len(lines) > len(shown):
            out.append(f"       ... ({len(lines) - len(shown)} more lines: tadlog ask {json.dumps(a.question)})")
    return "\n".join(out) + "\n"


def _citing_lines(a, prefix: str, name) -> list[str]:
    """What a changed answer now cites, no longer cites, and what caused the change."""
    return [f"{prefix}{label}: {', '.join(name(s) for s in items)}"
            for label, items in (("now cites", a.statements_gained), ("no longer cites", a.statements_lost),
                                 ("caused by", a.causes)) if items]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown_blocks(r: "Review", explanations: bool) -> list[str]:
    """The Markdown as blocks, in reading order; a cut only ever falls between blocks."""
    status = "✅ HEAD is valid" if not r.head_errors else f"❌ HEAD has {r.head_errors} error(s)"
    blocks = ["\n".join([f"## tadlog review: `{r.base}` → `{r.head}`", "", status, ""])]
    table = ["### Summary", "", "| | added | removed | changed |", "|---|---:|---:|---:|"]
    for kind in KINDS:
        c = r.summary["declarations"][PLURAL[kind]]
        table.append(f"| {PLURAL[kind]} | {c['added']} | {c['removed']} | {c['changed']} |")
    blocks.append("\n".join(table + [""] + ["- " + line for line in summary_lines(r)[1:]] + [""]))
    blocks.append("\n".join(["### Findings", "", "New in HEAD:", ""]
                            + ([f"- `{finding_line(d)}`" for d in r.new_findings] or ["- none"]) + [""]
                            + ["Fixed by HEAD:", ""]
                            + ([f"- `{finding_line(d)}`" for d in r.fixed_findings] or ["- none"]) + [""]))
    blocks.append("### Declarations\n" + ("\nNo change in meaning.\n" if not r.changes else ""))
    for kind in KINDS:
        mine = [c for c in r.changes if c.kind == kind]
        if mine:
            blocks.append(f"#### {PLURAL[kind].capitalize()}\n")
        for c in mine:
            where = f" — `{c.location}`" if c.location else ""
            lines = [f"- **{c.action}** `{c.key}`: {_md(c.label)}{where}"]
            lines += [f"  - {fld}: ~~{_md(before)}~~ → {_md(after)}" for fld, before, after in c.details]
            blocks.append("\n".join(lines))
        if mine:
            blocks.append("")
    head = "\n### Consequences (derived facts)\n"
    if not r.evaluated:
        blocks.append(head + "\nNot compared: a side has errors that prevent evaluation.")
    elif not r.consequences:
        blocks.append(head + "\nNo derived fact is gained or lost.")
    else:
        blocks.append(head)
    for c in r.consequences:
        why = f" — caused by {', '.join(f'`{x}`' for x in c.causes)}" if c.causes else ""
        blocks.append(f"- {'➕ gained' if c.action == 'gained' else '➖ lost'}: {_md(c.sentence)} (`{c.atom}`){why}")
    head = "\n### Standard questions\n"
    if not r.questions:
        blocks.append(head + f"\nNo `{QUESTIONS_FILE}` in the knowledge base.")
    elif not r.answers:
        blocks.append(head + f"\nNo answer changes ({len(r.questions)} questions asked).")
    else:
        blocks.append(head)
    for a in r.answers:
        lines = [f"#### {_md(a.question)}", "", f"- before: {_md(a.verdict_before)}",
                 f"- after: **{_md(a.verdict_after)}**"]
        lines += [f"- ➕ {_md(x)}" for x in a.reasons_gained] + [f"- ➖ {_md(x)}" for x in a.reasons_lost]
        lines += _citing_lines(a, "- ", lambda s: f"`{s}`")
        if explanations:
            lines += ["", "<details><summary>New explanation</summary>", "", "```text", a.explanation, "```", "",
                      "</details>"]
        blocks.append("\n".join(lines) + "\n")
    return blocks


def render_markdown(r: "Review", full_report: Optional[str] = None, limit: int = MARKDOWN_LIMIT) -> str:
    """The Markdown, whole when it fits ``limit`` characters; else cut, with a pointer to the rest."""
    text = "\n".join(_markdown_blocks(r, explanations=True)) + "\n"
    if len(text) <= limit:
        return text
    command = f"tadlog review {r.base}" + (f" {r.head}" if r.head != "working tree" else "")
    where = f"[the full report]({full_report})" if full_report else f"the full report: `{command}`"
    note_folded = f"\n_Explanations left out to fit a comment; see {where}._\n"
    blocks = _markdown_blocks(r, explanations=False)
    text = "\n".join(blocks) + "\n" + note_folded
    if len(text) <= limit:
        return text
    note = f"\n_… cut here to fit a comment ({len(blocks)} parts, some left out); see {where}._\n"
    out, size = [], len(note)
    for block in blocks:
        if size + len(block) + 1 > limit:
            break
        out.append(block)
        size += len(block) + 1
    return "\n".join(out) + "\n" + note


def render_github(r: "Review") -> str:
    """Annotations for the findings HEAD introduces, and a notice with the summary."""
    lines = [github_annotation(d) for d in r.new_findings]
    lines.append(github_notice("; ".join(summary_lines(r))))
    return "\n".join(lines) + "\n"
