"""What a change does: derived facts gained and lost, standard answers that change, findings.
"""
from __future__ import annotations


import os
import re
from collections import Counter
from dataclasses import dataclass

from ...errors import Diagnostic
from ...language.model import KnowledgeBaseModel
from .declarations import Change, atom_key, atom_text, fact_declarations, ground_text, rule_key, sort_atom, value_text, where_text
from .sides import SEVERITY_ORDER, Side

# ==== consequences ==============================================================================
@dataclass(frozen=True)
class Consequence:
    action: str  # gained | lost
    atom: str
    sentence: str
    statements: tuple[str, ...]  # the statements its proof rests on
    causes: tuple[str, ...]  # those the change touched (or the changed rules)

    def to_json(self) -> dict:
        return {"action": self.action, "atom": self.atom, "sentence": self.sentence,
                "statements": list(self.statements), "causes": list(self.causes)}


@dataclass(frozen=True)
class Touched:
    """What a change touched: statements (re-quoted, re-classified...), stated facts, rules."""

    statements: frozenset
    atoms: frozenset  # atom_key of facts added, removed or corrected (old and new form)
    rules: frozenset  # rule labels added, removed or changed (either side's label)

    def causes(self, proofs) -> list[str]:
        """The touched parts the proofs rest on: statements of changed facts, changed statements, rules."""
        out: list[str] = []

        def walk(node):
            if node.by == "statement":
                if atom_key(*node.atom) in self.atoms:
                    out.extend(node.citations)
                out.extend(s for s in node.citations if s in self.statements)
            if node.rule:
                if node.rule in self.rules:
                    out.append(f"rule {node.rule}")
                out.extend(s for s in node.rule_citations if s in self.statements)
            for premise in node.premises:
                walk(premise)
        for proof in proofs:
            walk(proof)
        return list(dict.fromkeys(out))


def touched(changes: list[Change], base: KnowledgeBaseModel, head: KnowledgeBaseModel) -> Touched:
    old_facts = {atom_text(f.atom): f for f in fact_declarations(base)}
    new_facts = {atom_text(f.atom): f for f in fact_declarations(head)}
    old_rules = {rule_key(r): r for r in base.rules}
    new_rules = {rule_key(r): r for r in head.rules}
    statements, atoms, rules = set(), set(), set()
    for c in changes:
        if c.kind == "statement":
            statements.add(c.key)
        elif c.kind == "fact":
            for key in [c.key] + [d[1] for d in c.details if d[0] == "fact"]:
                for index in (old_facts, new_facts):
                    if key in index:
                        fact = index[key]
                        atoms.add(atom_key(fact.atom.predicate, (a.value for a in fact.atom.args)))
        elif c.kind == "rule":
            for index in (old_rules, new_rules):
                if c.key in index:
                    rules.add(index[c.key].label)
    return Touched(frozenset(statements), frozenset(atoms), frozenset(rules))


def diff_consequences(base: Side, head: Side, touch: Touched) -> list[Consequence]:
    """Derived facts (concluded by rules, not stated) that hold on one side only."""
    if base.kb is None or head.kb is None:
        return []
    out = []
    for action, here, there in (("gained", head, base), ("lost", base, head)):
        mine = _atoms(here)
        theirs = {atom_key(*a) for a in _atoms(there)}
        stated = {atom_key(f.atom.predicate, (a.value for a in f.atom.args)) for f in here.model.facts}
        explainer = here.explainer()
        for atom in sorted(mine, key=sort_atom):
            key = atom_key(*atom)
            if key in theirs or key in stated:
                continue
            proof = explainer.proof(atom)
            causes = touch.causes([proof] + _blocked_on(there, atom))
            out.append(Consequence(action, ground_text(atom), explainer.sentence(*atom),
                                   tuple(proof.statements()), tuple(causes)))
    return out


def _blocked_on(side: Side, atom) -> list:
    """Proofs of what stops ``atom`` on ``side``: negated facts that hold there.

    A conclusion lost because a new fact now holds under a ``not`` has no trace of that fact
    in its old proof; the other side's why-not analysis names it.
    """
    from ...engine.explain import NEGATION_HOLDS, why_not

    explainer = side.explainer()
    return [explainer.proof(blocker.atom)
            for check in why_not(side.derivations, atom, explainer.sentence)
            for blocker in check.blockers if blocker.kind == NEGATION_HOLDS and blocker.atom is not None]


def _atoms(side: Side) -> list:
    interpretation = side.kb.interpretation
    return [(name, row) for name in sorted(interpretation.relations) for row in interpretation.tuples(name)]


# ==== answers to the standard questions ==========================================================
@dataclass(frozen=True)
class AnswerChange:
    question: str
    verdict_before: str
    verdict_after: str
    reasons_gained: tuple[str, ...]
    reasons_lost: tuple[str, ...]
    statements_gained: tuple[str, ...]
    statements_lost: tuple[str, ...]
    causes: tuple[str, ...]
    explanation: str

    def to_json(self) -> dict:
        return {"question": self.question, "verdict_before": self.verdict_before,
                "verdict_after": self.verdict_after, "reasons_gained": list(self.reasons_gained),
                "reasons_lost": list(self.reasons_lost), "statements_gained": list(self.statements_gained),
                "statements_lost": list(self.statements_lost), "causes": list(self.causes),
                "explanation": self.explanation}


def _signature(answer) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """What a reader takes from an answer: its verdict, its reasons (items and figures
    included, as sorted text), and the statements it cites.

    Only the first two decide whether an answer changed: citations that move, and the
    conflicts an answer lists, change no conclusion (they are still shown for an answer
    that changes)."""
    if isinstance(answer, str):
        return answer, (), ()
    reasons = [f"for: {a.claim}" for a in answer.arguments_for]
    reasons += [f"against: {a.claim}" for a in answer.arguments_against]
    reasons += [f"instead: {a.claim}" for a in answer.instead]
    for item in answer.items:
        reasons.append(f"item: {item.label}: {item.summary}")
        reasons += [f"{item.label}, {a.stance}: {a.claim}" for a in item.arguments]
    for analysis in answer.why_not:
        reasons += [f"blocked ({analysis.rule}): {c.text}" for c in analysis.blocked_by]
    reasons += ["row: " + ", ".join(f"{k}={value_text(v)}" for k, v in row) for row in answer.rows]
    reasons += [f"figure: {claim}" for claim in _figures(_proofs(answer))]
    return answer.verdict, tuple(sorted(set(reasons))), tuple(sorted(answer.citations))


def _figures(proofs) -> list[str]:
    """Every fact with a number that the answer's proofs rest on (a success rate, a distance)."""
    out, todo = [], list(proofs)
    while todo:
        node = todo.pop()
        if any(not isinstance(v, str) for v in node.atom[1]):
            out.append(node.claim)
        todo.extend(node.premises)
    return out


def _proofs(answer) -> list:
    """Every proof an answer shows (arguments, items, conditions that hold)."""
    if isinstance(answer, str):
        return []
    out = [a.proof for a in answer.arguments_for + answer.arguments_against + answer.instead]
    out += [a.proof for item in answer.items for a in item.arguments]
    out += [c.proof for analysis in answer.why_not for c in analysis.blocked_by if c.proof is not None]
    return out + ([answer.proof] if answer.proof is not None else [])


def diff_answers(base: Side, head: Side, touch: Touched, base_digests=None) -> tuple[list[str], list[AnswerChange]]:
    """The standard questions (HEAD's list, else BASE's) whose verdict, reasons or citations change.

    ``base_digests``: (questions, digests) of BASE already under way; used when HEAD asks the
    same questions, else BASE's answers are computed here."""
    questions = list(head.questions or base.questions)
    if base_digests is not None and base_digests[0] == questions:
        before_all = base_digests[1]
    else:
        if base_digests is not None:
            list(base_digests[1])  # let the early worker finish and shut down
        before_all = digests_elsewhere(base, questions)
    out = []
    for question, (sb, proofs_before) in zip(questions, before_all):
        after = head.answer(question)
        sa = _signature(after)
        if sb[:2] == sa[:2]:
            continue
        causes = touch.causes(proofs_before + _proofs(after))
        causes += [x for x in sorted((set(sb[2]) | set(sa[2])) & touch.statements) if x not in causes]
        explanation = after if isinstance(after, str) else after.to_text(colour=False, depth=3).rstrip()
        out.append(AnswerChange(question, sb[0], sa[0], tuple(r for r in sa[1] if r not in sb[1]),
                                tuple(r for r in sb[1] if r not in sa[1]),
                                tuple(s for s in sa[2] if s not in sb[2]),
                                tuple(s for s in sb[2] if s not in sa[2]), tuple(causes), explanation))
    return questions, out


def _digest(side: Side, question: str) -> tuple:
    """What the comparison needs of one answer (picklable): its signature and its proofs."""
    answer = side.answer(question)
    return _signature(answer), _proofs(answer)


_FORKED: dict = {}


def _digest_forked(questions: list[str]) -> list[tuple]:
    side = _FORKED["side"]
    return [_digest(side, q) for q in questions]


def digests_elsewhere(side: Side, questions: list[str]):
    """BASE's answers, computed in a forked process while this one answers HEAD.

    Answering dominates a review (question forms evaluate what-if inputs); the two sides
    are independent, so on a machine with two cores they take the time of one. Without
    fork (or on one core) they are computed here, lazily, in the same order.
    """
    import multiprocessing

    if len(questions) < 2 or (os.cpu_count() or 1) < 2 or side.kb is None or \
            "fork" not in multiprocessing.get_all_start_methods() or os.environ.get("TADLOG_REVIEW_SERIAL"):
        return (_digest(side, q) for q in questions)
    from concurrent.futures import ProcessPoolExecutor

    _FORKED["side"] = side
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(_digest_forked, questions)

    def results():
        try:
            found = future.result()
        except Exception:  # a broken worker is no reason to fail the review: answer here
            found = [_digest(side, q) for q in questions]
        finally:
            pool.shutdown(wait=True)
            _FORKED.clear()
        yield from found
    return results()


# ==== findings =================================================================================
_LOCATION_IN_MESSAGE = re.compile(r"\S+:\d+:\d+")


def _finding_key(d: Diagnostic) -> tuple:
    """A finding independent of line numbers (which any edit above it shifts)."""
    # paths are "<side's folder>/<file in the kb>": two folders named differently are the same files
    path = d.location.path.split("/", 1)[-1] if d.location else ""
    return (d.code, d.severity, path, _LOCATION_IN_MESSAGE.sub("…", d.message))


def diff_findings(base: Side, head: Side) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Findings new in HEAD, and BASE findings HEAD no longer has."""
    def minus(a, b):
        left = Counter(_finding_key(d) for d in b)
        out = []
        for d in a:
            k = _finding_key(d)
            if left[k]:
                left[k] -= 1
            else:
                out.append(d)
        return sorted(out, key=_finding_sort)
    return minus(head.diagnostics, base.diagnostics), minus(base.diagnostics, head.diagnostics)


def _finding_sort(d: Diagnostic) -> tuple:
    loc = d.location
    return (SEVERITY_ORDER.get(d.severity, 3), d.code, loc.path if loc else "", loc.line if loc else 0,
            d.message)


def finding_json(d: Diagnostic) -> dict:
    loc = d.location
    return {"code": d.code, "severity": d.severity, "message": d.message,
            "location": where_text(loc), "suggestion": d.suggestion}


def finding_line(d: Diagnostic) -> str:
    where = f"{where_text(d.location)}: " if d.location else ""
    return f"{where}{d.severity}[{d.code}]: {d.message}"


