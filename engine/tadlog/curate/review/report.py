"""The review as a whole, and its text and Markdown reports.
"""
from __future__ import annotations


import json
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ...errors import Diagnostic, UsageError
from ...language.model import KnowledgeBaseModel
from .consequences import AnswerChange, Consequence, diff_answers, diff_consequences, diff_findings, digests_elsewhere, finding_json, finding_line, touched
from .declarations import Change, KIND_TABLE, diff_declarations
from .sides import KINDS, PLURAL, ParseMemo, QUESTIONS_FILE, QuoteMemo, SCHEMA, Side, TEXT_EXPLANATION_LINES, git_toplevel, load_side, resolve

# ==== the review ===============================================================================
@dataclass(frozen=True)
class Review:
    base: str
    head: str
    base_counts: dict
    head_counts: dict
    changes: tuple[Change, ...]
    consequences: tuple[Consequence, ...]
    evaluated: bool
    questions: tuple[str, ...]
    answers: tuple[AnswerChange, ...]
    new_findings: tuple[Diagnostic, ...]
    fixed_findings: tuple[Diagnostic, ...]
    head_errors: int
    base_errors: int
    quotes_checked: bool

    @property
    def summary(self) -> dict:
        counts = {}
        for kind in KINDS:
            c = Counter(ch.action for ch in self.changes if ch.kind == kind)
            counts[PLURAL[kind]] = {"added": c["added"], "removed": c["removed"], "changed": c["changed"]}
        return {
            "declarations": counts,
            "consequences": {"gained": sum(c.action == "gained" for c in self.consequences),
                             "lost": sum(c.action == "lost" for c in self.consequences)},
            "questions": {"asked": len(self.questions), "changed": len(self.answers)},
            "findings": {"new": len(self.new_findings), "fixed": len(self.fixed_findings)},
            "head_errors": self.head_errors,
        }

    @property
    def exit_code(self) -> int:
        return 1 if self.head_errors else 0

    # ---- renderers -----------------------------------------------------------------------
    def to_json(self) -> dict:
        return {
            "schema": SCHEMA, "base": self.base, "head": self.head,
            "valid": not self.head_errors, "evaluated": self.evaluated, "quotes_checked": self.quotes_checked,
            "summary": self.summary,
            "counts": {"base": self.base_counts, "head": self.head_counts},
            "changes": [c.to_json() for c in self.changes],
            "consequences": [c.to_json() for c in self.consequences],
            "questions": list(self.questions),
            "answers": [a.to_json() for a in self.answers],
            "findings": {"new": [finding_json(d) for d in self.new_findings],
                         "fixed": [finding_json(d) for d in self.fixed_findings]},
        }

    def to_text(self) -> str:
        return render_text(self)

    def to_markdown(self) -> str:
        return render_markdown(self)


def _counts(model: KnowledgeBaseModel) -> dict:
    return {PLURAL[k]: len(KIND_TABLE[k].items(model)) for k in KINDS}


def review(base_spec: str, head_spec: Optional[str] = None, *, repo: Optional[Path] = None,
           kb_path: str = "kb", sources: Optional[Path] = None, check_quotes: bool = True) -> Review:
    """Review HEAD (default: the working tree) against BASE; folders or git revisions of ``repo``."""
    start = Path(repo) if repo is not None else Path.cwd()
    if repo is not None and not start.is_dir():
        raise UsageError(f"tadlog review: repository folder {repo} does not exist", code="U013")
    top = git_toplevel(start) if (repo is not None or not (Path(base_spec).is_dir() and head_spec
                                                           and Path(head_spec).is_dir())) else None
    if repo is not None and top is None:
        raise UsageError(f"tadlog review: {repo} is not a git repository", code="U013")
    quote_memo = QuoteMemo(sources) if check_quotes and sources is not None else None
    with tempfile.TemporaryDirectory(prefix="tadlog-review-") as scratch:
        scratch = Path(scratch)
        base_r = resolve(base_spec, top, kb_path, scratch, "base")
        head_r = resolve(head_spec, top, kb_path, scratch, "head")
        memo = ParseMemo()
        base = load_side("base", base_r.spec, base_r.root, base_r.display, memo, quote_memo)
        # BASE's answers start in a forked process now, while this one loads HEAD.
        early = (list(base.questions), digests_elsewhere(base, list(base.questions)))
        head = load_side("head", head_r.spec, head_r.root, head_r.display, memo, quote_memo)
        return compare(base, head, quotes_checked=quote_memo is not None, base_digests=early)


def compare(base: Side, head: Side, quotes_checked: bool = False, base_digests=None) -> Review:
    changes = diff_declarations(base.model, head.model)
    touch = touched(changes, base.model, head.model)
    consequences = diff_consequences(base, head, touch)
    questions, answers = diff_answers(base, head, touch, base_digests)
    new, fixed = diff_findings(base, head)
    return Review(base.spec, head.spec, _counts(base.model), _counts(head.model), tuple(changes),
                  tuple(consequences), base.kb is not None and head.kb is not None, tuple(questions),
                  tuple(answers), tuple(new), tuple(fixed), len(head.errors), len(base.errors), quotes_checked)


# ==== text and Markdown =========================================================================
def _summary_lines(r: Review) -> list[str]:
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
    lines.append(f"standard questions: {s['questions']['changed']} of {s['questions']['asked']} answers change")
    lines.append(f"check findings: {s['findings']['new']} new, {s['findings']['fixed']} fixed")
    status = "valid" if not r.head_errors else f"{r.head_errors} error{'s' if r.head_errors != 1 else ''}"
    lines.append(f"HEAD: {status}" + ("" if r.quotes_checked else " (quotes not verified)"))
    return lines


def _change_head(c: Change) -> str:
    sign = {"added": "+", "removed": "-", "changed": "~"}[c.action]
    where = f"  ({c.location})" if c.location else ""
    return f"{sign} {c.kind} {c.key}: {c.label}{where}"


def render_text(r: Review) -> str:
    out = [f"tadlog review: {r.base} -> {r.head}", ""]
    out += ["Summary"] + ["  " + line for line in _summary_lines(r)] + [""]
    out.append("Declarations")
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
        if a.statements_gained:
            out.append(f"     now cites: {', '.join(a.statements_gained)}")
        if a.statements_lost:
            out.append(f"     no longer cites: {', '.join(a.statements_lost)}")
        if a.causes:
            out.append(f"     caused by: {', '.join(a.causes)}")
        out.append("     new explanation:")
        lines = a.explanation.splitlines()
        shown = lines[:TEXT_EXPLANATION_LINES]
        out += ["       " + line if line else "" for line in shown]
        if len(lines) > len(shown):
            out.append(f"       ... ({len(lines) - len(shown)} more lines: tadlog ask {json.dumps(a.question)})")
    out += ["", "Findings new in HEAD"]
    out += ["  " + finding_line(d) for d in r.new_findings] or ["  (none)"]
    out += ["", "Findings fixed by HEAD"]
    out += ["  " + finding_line(d) for d in r.fixed_findings] or ["  (none)"]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(r: Review) -> str:
    status = "✅ HEAD is valid" if not r.head_errors else f"❌ HEAD has {r.head_errors} error(s)"
    out = [f"## tadlog review: `{r.base}` → `{r.head}`", "", status + "", ""]
    out += ["### Summary", ""]
    out += ["| | added | removed | changed |", "|---|---:|---:|---:|"]
    for kind in KINDS:
        c = r.summary["declarations"][PLURAL[kind]]
        out.append(f"| {PLURAL[kind]} | {c['added']} | {c['removed']} | {c['changed']} |")
    out.append("")
    out += ["- " + line for line in _summary_lines(r)[1:]] + [""]
    out += ["### Declarations", ""]
    if not r.changes:
        out.append("No change in meaning.")
    for kind in KINDS:
        mine = [c for c in r.changes if c.kind == kind]
        if not mine:
            continue
        out += [f"#### {PLURAL[kind].capitalize()}", ""]
        for c in mine:
            where = f" — `{c.location}`" if c.location else ""
            out.append(f"- **{c.action}** `{c.key}`: {_md(c.label)}{where}")
            for fld, before, after in c.details:
                out.append(f"  - {fld}: ~~{_md(before)}~~ → {_md(after)}")
        out.append("")
    out += ["### Consequences (derived facts)", ""]
    if not r.evaluated:
        out.append("Not compared: a side has errors that prevent evaluation.")
    elif not r.consequences:
        out.append("No derived fact is gained or lost.")
    for c in r.consequences:
        why = f" — caused by {', '.join(f'`{x}`' for x in c.causes)}" if c.causes else ""
        out.append(f"- {'➕ gained' if c.action == 'gained' else '➖ lost'}: {_md(c.sentence)} (`{c.atom}`){why}")
    out += ["", "### Standard questions", ""]
    if not r.questions:
        out.append(f"No `{QUESTIONS_FILE}` in the knowledge base.")
    elif not r.answers:
        out.append(f"No answer changes ({len(r.questions)} questions asked).")
    for a in r.answers:
        out += [f"#### {_md(a.question)}", "", f"- before: {_md(a.verdict_before)}",
                f"- after: **{_md(a.verdict_after)}**"]
        out += [f"- ➕ {_md(x)}" for x in a.reasons_gained] + [f"- ➖ {_md(x)}" for x in a.reasons_lost]
        if a.statements_gained:
            out.append(f"- now cites: {', '.join(f'`{s}`' for s in a.statements_gained)}")
        if a.statements_lost:
            out.append(f"- no longer cites: {', '.join(f'`{s}`' for s in a.statements_lost)}")
        if a.causes:
            out.append(f"- caused by: {', '.join(f'`{s}`' for s in a.causes)}")
        out += ["", "<details><summary>New explanation</summary>", "", "```text", a.explanation, "```", "",
                "</details>", ""]
    out += ["", "### Findings", ""]
    out += ["New in HEAD:", ""] + ([f"- `{finding_line(d)}`" for d in r.new_findings] or ["- none"]) + [""]
    out += ["Fixed by HEAD:", ""] + ([f"- `{finding_line(d)}`" for d in r.fixed_findings] or ["- none"])
    return "\n".join(out) + "\n"
