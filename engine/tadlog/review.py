"""``tadlog review``: what a change to the knowledge base does, by meaning and by consequence.

A curator's pull request is read three ways: which declarations it adds, removes or changes
(compared by meaning — model dataclasses leave locations out of equality, and order inside
citation lists, conflict sides and aliases is normalised, so moving or reformatting text is
no change), which derived facts it gains or loses (both sides evaluated by the real engine),
and which answers to the standard questions (``kb/questions.txt``) change. Then the findings
of ``tadlog check`` that the change introduces or fixes.

Speed: each side is parsed once, and a file whose text is the same on both sides is parsed
once for both (declarations are immutable, and locations are relative to the knowledge-base
folder, so they are shareable); each side is evaluated once and its answers reuse that
evaluation; quotes of statements that did not change are verified once.

Git revisions are read with ``git archive`` into a temporary folder: neither the working tree
nor the index is ever written.
"""
from __future__ import annotations

import dataclasses

import io
import json
import os
import re
import subprocess
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Optional

from .errors import ERROR, INFO, WARNING, Diagnostic, Location, TadlogError, UsageError
from .model import (
    TEXT, Atom, KnowledgeBaseModel, Negation, Rule, Statement, Var, format_number,
)

SCHEMA = "tadlog.review/1"
QUESTIONS_FILE = "questions.txt"
KINDS = ("source", "section", "statement", "predicate", "term", "fact", "rule", "conflict")
PLURAL = {"source": "sources", "section": "sections", "statement": "statements", "predicate": "predicates",
          "term": "terms", "fact": "facts", "rule": "rules", "conflict": "conflicts"}
_SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
TEXT_EXPLANATION_LINES = 12  # the text report shows the start; JSON and Markdown carry all


# ==== loading a side ===========================================================================
@dataclass
class Side:
    """One side of the review: a parsed, validated and (when sound) evaluated knowledge base."""

    name: str  # "base" | "head"
    spec: str  # what the user named: a revision, a folder, or "working tree"
    root: Path
    model: KnowledgeBaseModel
    diagnostics: tuple[Diagnostic, ...]
    kb: Optional[object] = None  # KnowledgeBase when evaluable
    questions: tuple[str, ...] = ()
    _answers: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def derivations(self):
        return self.kb.derivations if self.kb is not None else None

    def explainer(self):
        from .answer import Explainer

        cached = self._answers.get("#explainer")
        if cached is None:
            cached = Explainer(self.model, self.derivations)
            self._answers["#explainer"] = cached
        return cached

    def answer(self, question: str):
        """The answer to ``question`` on this side (computed once), or the error text."""
        if question not in self._answers:
            if self.kb is None:
                self._answers[question] = "not evaluated: this side has errors"
            else:
                try:
                    self._answers[question] = self.kb.ask(question, depth=3)
                except TadlogError as error:
                    self._answers[question] = "cannot be answered: " + "; ".join(
                        f"[{d.code}] {d.message}" for d in error.diagnostics)
        return self._answers[question]


class _ParseMemo:
    """Declarations per file text: a file unchanged between the sides is parsed once.

    The other side gets the same declarations with their locations moved to its own path,
    which costs a small fraction of parsing the file again."""

    def __init__(self):
        self._memo: dict[str, tuple[str, list, list[Diagnostic]]] = {}

    def parse(self, display: str, text: str):
        from .parse import parse_text

        if text not in self._memo:
            self._memo[text] = (display, *parse_text(text, display))
        parsed_as, decls, diagnostics = self._memo[text]
        if parsed_as == display:
            return decls, diagnostics
        return [_relocated(d, display) for d in decls], [_relocated(d, display) for d in diagnostics]


def _relocated(value, path: str):
    """``value`` with every Location in it moved to ``path`` (frozen dataclasses, tuples)."""
    if isinstance(value, Location):
        return replace(value, path=path)
    if isinstance(value, tuple):
        return tuple(_relocated(v, path) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            if isinstance(old, (Location, tuple)) or (dataclasses.is_dataclass(old) and not isinstance(old, type)):
                new = _relocated(old, path)
                if new is not old:
                    changes[f.name] = new
        return replace(value, **changes) if changes else value
    return value


class _QuoteMemo:
    """Quote findings per statement meaning: a statement unchanged between sides is checked once."""

    def __init__(self, sources: Optional[Path]):
        self.sources = sources
        self._memo: dict[tuple[Statement, Optional[str]], tuple[Diagnostic, ...]] = {}

    def verify(self, model: KnowledgeBaseModel) -> list[Diagnostic]:
        from .validate import verify_quotes

        files = {s.id: s.file for s in model.sources}
        if self.sources is None or not Path(self.sources).is_dir() or any(
                f and not (Path(self.sources) / f).is_file() for f in files.values()):
            return verify_quotes(model, self.sources)  # the plain path reports what is missing
        todo = [st for st in model.statements if (st, files.get(st.source)) not in self._memo]
        found: dict[str, list[Diagnostic]] = {}
        if todo:
            subset = KnowledgeBaseModel(sources=model.sources, statements=tuple(todo))
            for d in verify_quotes(subset, self.sources):
                found.setdefault(d.message.split(":", 1)[0], []).append(d)
            for st in todo:
                self._memo[(st, files.get(st.source))] = tuple(found.get(f"statement {st.id}", ()))
        out = []
        for st in model.statements:
            out += [replace(d, location=st.location) for d in self._memo[(st, files.get(st.source))]]
        return out


def load_side(name: str, spec: str, root: Path, display: str, parse_memo: _ParseMemo,
              quote_memo: Optional[_QuoteMemo]) -> Side:
    """Parse, validate, evaluate and lint one side; problems become findings, never exceptions."""
    from .kb import KnowledgeBase
    from .lint import evaluable, lint
    from .parse import parse_kb
    from .validate import validate

    model, diagnostics = parse_kb(root, strict=False, parse=parse_memo.parse, shown_root=display,
                                  display=lambda path: display + "/" + path.relative_to(root).as_posix())
    diagnostics = list(diagnostics)
    diagnostics += validate(model, check_quotes=False)
    if quote_memo is not None:
        diagnostics += quote_memo.verify(model)
    kb = None
    if evaluable(diagnostics) and model.predicates:
        kb = KnowledgeBase(model, diagnostics, root)
        try:
            diagnostics += lint(model, kb.derivations)
        except TadlogError as error:  # an engine failure is reported, not raised
            diagnostics += list(error.diagnostics)
            kb = None
    questions = ()
    qfile = root / QUESTIONS_FILE
    if qfile.is_file():
        questions = tuple(line.strip() for line in qfile.read_text(encoding="utf-8").splitlines()
                          if line.strip() and not line.strip().startswith("#"))
    return Side(name, spec, root, model, tuple(sorted(diagnostics, key=Diagnostic.sort_key)), kb, questions)


# ==== resolving BASE and HEAD ====================================================================
def _git(repo: Path, *args: str, binary: bool = False):
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=not binary,
                          timeout=120)


def git_toplevel(start: Path) -> Optional[Path]:
    try:
        result = _git(start, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(result.stdout.strip()) if result.returncode == 0 else None


def materialise(repo: Path, revision: str, kb_path: str, into: Path) -> Path:
    """Write ``revision``'s ``kb_path`` folder into ``into`` with git archive; return its root."""
    check = _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if check.returncode != 0:
        raise UsageError(f"tadlog review: '{revision}' is neither a folder nor a git revision of {repo}",
                         code="U010")
    commit = check.stdout.strip()
    archive = _git(repo, "archive", "--format=tar", commit, "--", kb_path, binary=True)
    if archive.returncode != 0:
        raise UsageError(f"tadlog review: revision {revision} has no {kb_path}/ folder", code="U011")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        try:
            tar.extractall(into, filter="data")
        except TypeError:  # Python without extraction filters
            tar.extractall(into)
    root = into / kb_path
    if not root.is_dir():
        raise UsageError(f"tadlog review: revision {revision} has no {kb_path}/ folder", code="U011")
    return root


@dataclass(frozen=True)
class Resolved:
    spec: str
    root: Path
    display: str


def resolve(spec: Optional[str], repo: Optional[Path], kb_path: str, scratch: Path, name: str) -> Resolved:
    """A folder is used as it is; anything else is a git revision of ``repo``."""
    if spec is None:
        if repo is not None and (repo / kb_path).is_dir():
            return Resolved("working tree", repo / kb_path, Path(kb_path).name)
        from .resources import bundled_kb_dir

        return Resolved("working tree", bundled_kb_dir(), "kb")
    path = Path(spec)
    if path.is_dir():
        return Resolved(spec, path, path.resolve().name)
    if repo is None:
        raise UsageError(f"tadlog review: '{spec}' is not a folder, and there is no git repository here to "
                         "read a revision from (use --repo DIR)", code="U012")
    root = materialise(repo, spec, kb_path, scratch / name)
    return Resolved(spec, root, Path(kb_path).name)


# ==== comparing by meaning ======================================================================
@dataclass(frozen=True)
class Change:
    kind: str  # source | section | statement | ...
    action: str  # added | removed | changed
    key: str
    label: str
    location: Optional[str]
    details: tuple[tuple[str, str, str], ...] = ()  # (field, before, after) of a changed declaration

    def to_json(self) -> dict:
        return {"kind": self.kind, "action": self.action, "key": self.key, "label": self.label,
                "location": self.location,
                "changes": [{"field": f, "before": b, "after": a} for f, b, a in self.details]}


def _where(location) -> Optional[str]:
    return f"{location.path}:{location.line}" if location is not None else None


def value_text(value) -> str:
    return value if isinstance(value, str) else format_number(value)


def term_text(term) -> str:
    if isinstance(term, Var):
        return term.name
    if term.kind == TEXT:
        return json.dumps(term.value, ensure_ascii=False)
    return value_text(term.value)


def atom_text(atom: Atom) -> str:
    return f"{atom.predicate}({', '.join(term_text(a) for a in atom.args)})"


def ground_text(atom) -> str:
    predicate, values = atom
    return f"{predicate}({', '.join(value_text(v) for v in values)})"


def literal_text(literal) -> str:
    if isinstance(literal, Atom):
        return atom_text(literal)
    if isinstance(literal, Negation):
        return "not " + atom_text(literal.atom)
    return f"{term_text(literal.left)} {literal.op} {term_text(literal.right)}"


def rule_text(rule: Rule) -> str:
    return f"{atom_text(rule.head)} :- {', '.join(literal_text(l) for l in rule.body)}"


def _canon_value(value):
    return ("s", value) if isinstance(value, str) else ("n", float(value))


def atom_key(predicate: str, values: Iterable) -> tuple:
    return (predicate, tuple(_canon_value(v) for v in values))


def _sort_atom(atom) -> tuple:
    return (atom[0], tuple((0, v, 0.0) if isinstance(v, str) else (1, "", float(v)) for v in atom[1]))


def _text(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, tuple):
        return ", ".join(_text(v) for v in value) if value else "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value_text(value) if isinstance(value, (int, float, str)) else str(value)


@dataclass(frozen=True)
class _Kind:
    """How declarations of one kind are keyed, labelled and compared field by field."""

    name: str
    items: Callable[[KnowledgeBaseModel], list]
    key: Callable
    label: Callable
    fields: Callable  # item -> dict of field -> comparable (normalised) value


def _sentence(model: KnowledgeBaseModel, predicate: str, values) -> str:
    pred = model.predicate_by_name.get(predicate)
    if pred is None or len(pred.params) != len(values):
        return ground_text((predicate, tuple(values)))
    text = pred.template
    for param, value in zip(pred.params, values):
        text = text.replace("{" + param.name + "}", model.label(value))
    return text[:1].upper() + text[1:]


def _facts(model: KnowledgeBaseModel) -> list:
    """Facts grouped by their atom (the same atom stated twice is one claim with more citations)."""
    grouped: dict = {}
    for fact in model.facts:
        key = atom_key(fact.atom.predicate, (a.value for a in fact.atom.args))
        if key in grouped:
            first = grouped[key]
            grouped[key] = replace(first, cites=tuple(dict.fromkeys(first.cites + fact.cites)))
        else:
            grouped[key] = fact
    return list(grouped.values())


def _rule_key(rule: Rule) -> str:
    return rule.label if rule.explicit_label else rule_text(rule)


KIND_TABLE = {
    "source": _Kind("source", lambda m: list(m.sources), lambda s: s.id,
                    lambda m, s: s.title or s.id,
                    lambda s: {"title": s.title, "authors": s.authors, "year": s.year, "venue": s.venue,
                               "kind": s.kind, "file": s.file}),
    "section": _Kind("section", lambda m: list(m.sections), lambda s: f"{s.source} {s.number}",
                     lambda m, s: s.title or s.number,
                     lambda s: {"title": s.title, "lines": s.lines and f"{s.lines[0]}-{s.lines[1]}",
                                "clinical": s.clinical}),
    "statement": _Kind("statement", lambda m: list(m.statements), lambda s: s.id,
                       lambda m, s: f"{s.kind} from {s.source}, section {s.section}, lines {s.lines[0]}-{s.lines[1]}",
                       lambda s: {"from": s.source, "section": s.section, "lines": f"{s.lines[0]}-{s.lines[1]}",
                                  "kind": s.kind, "evidence": s.evidence, "n": s.n, "population": s.population,
                                  "ci": s.ci, "quote": s.quote}),
    "predicate": _Kind("predicate", lambda m: list(m.predicates), lambda p: p.name,
                       lambda m, p: p.template,
                       lambda p: {"arguments": ", ".join(f"{x.name}: {x.type}" for x in p.params),
                                  "template": p.template, "stance": p.stance}),
    "term": _Kind("term", lambda m: list(m.terms), lambda t: t.name, lambda m, t: t.label or t.name,
                  lambda t: {"category": t.category, "label": t.label, "aliases": tuple(sorted(t.aliases))}),
    "fact": _Kind("fact", _facts, lambda f: atom_text(f.atom),
                  lambda m, f: _sentence(m, f.atom.predicate, tuple(a.value for a in f.atom.args)),
                  lambda f: {"cites": tuple(sorted(f.cites))}),
    "rule": _Kind("rule", lambda m: list(m.rules), _rule_key,
                  lambda m, r: rule_text(r),
                  lambda r: {"rule": rule_text(r), "cites": tuple(sorted(r.cites)), "because": r.rationale}),
    "conflict": _Kind("conflict", lambda m: list(m.conflicts), lambda c: c.id, lambda m, c: c.topic or c.id,
                      lambda c: {"topic": c.topic, "sides": " | ".join(sorted(", ".join(sorted(s)) for s in c.sides)),
                                 "note": c.note}),
}


def diff_declarations(base: KnowledgeBaseModel, head: KnowledgeBaseModel) -> list[Change]:
    """Added, removed and changed declarations of every kind, by meaning, in a stable order."""
    out: list[Change] = []
    for kind in KINDS:
        spec = KIND_TABLE[kind]
        old = {}
        for item in spec.items(base):
            old.setdefault(spec.key(item), item)
        new = {}
        for item in spec.items(head):
            new.setdefault(spec.key(item), item)
        changes = []
        for key in new.keys() - old.keys():
            changes.append(Change(kind, "added", key, spec.label(head, new[key]), _where(new[key].location)))
        for key in old.keys() - new.keys():
            changes.append(Change(kind, "removed", key, spec.label(base, old[key]), _where(old[key].location)))
        for key in old.keys() & new.keys():
            before, after = spec.fields(old[key]), spec.fields(new[key])
            details = tuple((f, _text(before[f]), _text(after[f])) for f in before if before[f] != after[f])
            if details:
                changes.append(Change(kind, "changed", key, spec.label(head, new[key]),
                                      _where(new[key].location), details))
        if kind == "fact":
            changes = _pair_facts(changes, old, new, base, head)
        out += sorted(changes, key=lambda c: (("added", "removed", "changed").index(c.action), c.key))
    return out


def _pair_facts(changes: list[Change], old: dict, new: dict, base, head) -> list[Change]:
    """A removed and an added fact of one predicate citing the same statements is one corrected fact."""
    def group(action, index):
        groups: dict = {}
        for c in changes:
            if c.action == action:
                fact = index[c.key]
                groups.setdefault((fact.atom.predicate, tuple(sorted(fact.cites))), []).append(c)
        return groups

    removed, added = group("removed", old), group("added", new)
    out = [c for c in changes if c.action == "changed"]
    for key in sorted(set(removed) | set(added)):
        gone, came = removed.get(key, []), added.get(key, [])
        if len(gone) == 1 and len(came) == 1:
            a, b = gone[0], came[0]
            out.append(Change("fact", "changed", b.key, b.label, b.location,
                              (("fact", a.key, b.key),)))
        else:
            out += gone + came
    return out


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
    old_facts = {atom_text(f.atom): f for f in _facts(base)}
    new_facts = {atom_text(f.atom): f for f in _facts(head)}
    old_rules = {_rule_key(r): r for r in base.rules}
    new_rules = {_rule_key(r): r for r in head.rules}
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
        for atom in sorted(mine, key=_sort_atom):
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
    from .explain import NEGATION_HOLDS, why_not

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
    """What a reader takes from an answer: its verdict, its reasons, the statements it cites."""
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
    reasons += [f"conflict: {c.id}" for c in answer.conflicts]
    reasons += ["row: " + ", ".join(f"{k}={value_text(v)}" for k, v in row) for row in answer.rows]
    return answer.verdict, tuple(sorted(set(reasons))), tuple(sorted(answer.citations))


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
        before_all = _digests_elsewhere(base, questions)
    out = []
    for question, (sb, proofs_before) in zip(questions, before_all):
        after = head.answer(question)
        sa = _signature(after)
        if sb == sa:
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


def _digests_elsewhere(side: Side, questions: list[str]):
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
    return (d.code, d.severity, d.location.path if d.location else "", _LOCATION_IN_MESSAGE.sub("…", d.message))


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
    return (_SEVERITY_ORDER.get(d.severity, 3), d.code, loc.path if loc else "", loc.line if loc else 0,
            d.message)


def finding_json(d: Diagnostic) -> dict:
    loc = d.location
    return {"code": d.code, "severity": d.severity, "message": d.message,
            "location": _where(loc), "suggestion": d.suggestion}


def finding_line(d: Diagnostic) -> str:
    where = f"{_where(d.location)}: " if d.location else ""
    return f"{where}{d.severity}[{d.code}]: {d.message}"


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
    quote_memo = _QuoteMemo(sources) if check_quotes and sources is not None else None
    with tempfile.TemporaryDirectory(prefix="tadlog-review-") as scratch:
        scratch = Path(scratch)
        base_r = resolve(base_spec, top, kb_path, scratch, "base")
        head_r = resolve(head_spec, top, kb_path, scratch, "head")
        memo = _ParseMemo()
        base = load_side("base", base_r.spec, base_r.root, base_r.display, memo, quote_memo)
        # BASE's answers start in a forked process now, while this one loads HEAD.
        early = (list(base.questions), _digests_elsewhere(base, list(base.questions)))
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
