"""Curator lint that needs the knowledge base evaluated, and the whole ``tadlog check`` run.

validate.py stays evaluation-free (it gates loading). The findings here need pyDatalog's
model of the knowledge base, so they run only when the knowledge base is sound enough to
evaluate (see :data:`BLOCKING`): a contradiction between conclusions (W207) is a warning a
curator resolves by declaring the conflict between the sources, or by correcting a fact.

Codes are stable and documented in docs/check-codes.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from ..errors import ERROR, WARNING, Diagnostic, Location

CONTRADICTION = "W207"
# Conclusion pairs that must not both hold unless the sources' disagreement is recorded.
OPPOSITES = (("recommended", "not_recommended"), ("recommended_for", "not_recommended_for"))
# Errors after which the program must not reach the engine (syntax, unknown or mistyped
# predicates, non-ground facts, unsafe or unstratified rules). Other errors (a quote that
# does not match, a missing citation) leave the logic intact and evaluation meaningful.
BLOCKING = frozenset({"E101", "E110", "E111", "E112", "E116", "E120", "E121", "E122", "E123",
                      "E124", "E125", "E126"})


def evaluable(diagnostics: Iterable[Diagnostic]) -> bool:
    """Whether a knowledge base with these findings can be evaluated meaningfully."""
    return not any(d.severity == ERROR and (d.code in BLOCKING or d.code.startswith("E0"))
                   for d in diagnostics)


def lint(model, derivations) -> list[Diagnostic]:
    """Every evaluation-based finding of ``model`` (its evaluation is ``derivations``)."""
    return contradictions(model, derivations)


def contradictions(model, derivations) -> list[Diagnostic]:
    """W207: a conclusion both recommended and advised against with no conflict recorded.

    The two proofs' statements are compared with the conflict declarations: a conflict that
    names a statement of each side's proof records the disagreement, and silences the finding.
    """
    from ..questions.explainer import Explainer

    explainer = Explainer(model, derivations)
    interpretation = derivations.interpretation
    out = []
    for positive, negative in OPPOSITES:
        for values in sorted(interpretation.tuples(positive), key=_row_key):
            if not interpretation.holds(negative, values):
                continue
            pro = sorted(explainer.proof((positive, values)).statements())
            con = sorted(explainer.proof((negative, values)).statements())
            if _recorded(model, pro, con):
                continue
            shown = ", ".join(model.label(v) for v in values)
            out.append(Diagnostic(
                CONTRADICTION,
                f"{positive}({_args(values)}) and {negative}({_args(values)}) both hold and no conflict "
                f"records the disagreement (for: {', '.join(pro) or 'no statement'}; "
                f"against: {', '.join(con) or 'no statement'})",
                _where(model, derivations, (negative, values)), WARNING,
                f"declare a conflict with a side from each (about {shown}), or correct the fact in error"))
    return out


def _recorded(model, pro: list[str], con: list[str]) -> bool:
    pro, con = set(pro), set(con)
    for conflict in model.conflicts:
        names = set(conflict.statements)
        if names & pro and names & con:
            return True
    return False


def _where(model, derivations, atom) -> Optional[Location]:
    """Where a curator fixes it: the stated fact, else the rule that concluded it."""
    key = (atom[0], tuple(_num_key(v) for v in atom[1]))
    for fact in model.facts:
        if fact.atom.predicate == atom[0] and tuple(_num_key(a.value) for a in fact.atom.args) == key[1]:
            return fact.location
    app = derivations.best_application(atom)
    return app.rule.location if app is not None else None


def _num_key(value):
    return ("s", value) if isinstance(value, str) else ("n", float(value))


def _row_key(row: tuple) -> tuple:
    return tuple((0, v, 0.0) if isinstance(v, str) else (1, "", float(v)) for v in row)


def _args(values: tuple) -> str:
    from ..language.model import format_number

    return ", ".join(v if isinstance(v, str) else format_number(v) for v in values)


# ---- the check command ----------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    """What ``tadlog check`` found: the model and every finding, sorted."""

    model: object
    diagnostics: tuple[Diagnostic, ...]
    evaluated: bool

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]


def check_kb(root, sources: Optional[Path] = None, check_quotes: bool = True) -> CheckResult:
    """Parse, validate (quotes too when asked), and lint ``root`` with its evaluation."""
    from ..language.parse import parse_kb
    from ..language.validate import validate

    model, diagnostics = parse_kb(root, strict=False)
    diagnostics = list(diagnostics) + validate(model, sources=sources, check_quotes=check_quotes)
    return finish_check(model, diagnostics)


def finish_check(model, diagnostics: list[Diagnostic], derivations=None) -> CheckResult:
    """Add the evaluation lint to parse/validate findings (evaluating unless given)."""
    evaluated = False
    if evaluable(diagnostics) and model.predicates:
        if derivations is None:
            derivations = evaluate_model(model)
        diagnostics = list(diagnostics) + lint(model, derivations)
        evaluated = True
    return CheckResult(model, tuple(sorted(diagnostics, key=Diagnostic.sort_key)), evaluated)


def evaluate_model(model):
    """The model's base evaluation, with rule applications (one pyDatalog run)."""
    from ..kb import KnowledgeBase

    return KnowledgeBase(model).derivations
