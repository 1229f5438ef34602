"""The review as a whole, and its text and Markdown reports.
"""
from __future__ import annotations


import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

from ...errors import Diagnostic, UsageError
from ...language.model import KnowledgeBaseModel
from .consequences import AnswerChange, Consequence, diff_answers, diff_consequences, diff_findings, digests_elsewhere, finding_json, touched
from .declarations import Change, KIND_TABLE, diff_declarations
from .sides import KINDS, PLURAL, ParseMemo, QuoteMemo, SCHEMA, Side, git_toplevel, load_side, resolve

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
    sides: dict = field(default_factory=dict, compare=False)  # base/head: spec, files, sha256

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
        """The review as JSON (schema tadlog.review/1): findings first, then what changed."""
        return {
            "schema": SCHEMA, "base": self.base, "head": self.head, "sides": self.sides,
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
        from .render import render_text

        return render_text(self)

    def to_markdown(self, full_report: Optional[str] = None) -> str:
        from .render import render_markdown

        return render_markdown(self, full_report)

    def to_github(self) -> str:
        from .render import render_github

        return render_github(self)


def _counts(model: KnowledgeBaseModel) -> dict:
    return {PLURAL[k]: len(KIND_TABLE[k].items(model)) for k in KINDS}


def review(base_spec: str, head_spec: Optional[str] = None, *, repo: Optional[Path] = None,
           kb_path: str = "kb", sources: Optional[Path] = None, check_quotes: bool = True,
           progress=None) -> Review:
    """Review HEAD (default: the working tree) against BASE; folders or git revisions of ``repo``.

    ``progress(message)``, when given, hears each stage (the CLI shows it after a second)."""
    say = progress or (lambda message: None)
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
        say(f"loading BASE ({base_r.spec})")
        base = load_side("base", base_r.spec, base_r.root, base_r.display, memo, quote_memo)
        # BASE's answers start in a forked process now, while this one loads HEAD.
        early = (list(base.questions), digests_elsewhere(base, list(base.questions)))
        say(f"loading HEAD ({head_r.spec})")
        head = load_side("head", head_r.spec, head_r.root, head_r.display, memo, quote_memo)
        result = compare(base, head, quotes_checked=quote_memo is not None, base_digests=early, progress=say)
        sides = {name: _side_info(side) for name, side in (("base", base), ("head", head))}
        return replace(result, sides=sides)


def _side_info(side: Side) -> dict:
    from ...language.identity import identify

    ident = identify(side.root)
    return {"spec": side.spec, "files": ident.files, "sha256": ident.sha256}


def compare(base: Side, head: Side, quotes_checked: bool = False, base_digests=None, progress=None) -> Review:
    say = progress or (lambda message: None)
    say("comparing declarations and derived facts")
    changes = diff_declarations(base.model, head.model)
    touch = touched(changes, base.model, head.model)
    consequences = diff_consequences(base, head, touch)
    say(f"answering the standard questions ({len(head.questions or base.questions)})")
    questions, answers = diff_answers(base, head, touch, base_digests)
    new, fixed = diff_findings(base, head)
    say("done")
    return Review(base.spec, head.spec, _counts(base.model), _counts(head.model), tuple(changes),
                  tuple(consequences), base.kb is not None and head.kb is not None, tuple(questions),
                  tuple(answers), tuple(new), tuple(fixed), len(head.errors), len(base.errors), quotes_checked)
