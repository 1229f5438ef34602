"""The explainer: ground atoms into prose, proofs, arguments and why-not analyses.

It reads the model and the derivations and builds the pieces of an :class:`Answer`; the
answer forms (``questions/forms``) decide which pieces a question needs.
"""
from __future__ import annotations

from functools import partial
from typing import Iterable, Optional

from ..engine.explain import (
    COMPARISON_FAILED, MISSING_DERIVED, MISSING_FACT, NEGATION_HOLDS, Derivations, GroundAtom, why_not,
)
from ..language.model import EVIDENCE_GRADES, KnowledgeBaseModel, Value, format_number
from ..wording import UNLESS_PREFIX
from .answer import (
    INPUT_SUFFIX, INPUTS, MISSING_INPUT, Argument, Citation, Condition, ConflictNote, PendingProof, ProofNode,
    RuleAnalysis,
)


HIERARCHY = ("part_of", "within")  # the relations that carry inheritance, never inherited themselves


class Explainer:
    """Turns ground atoms into prose, proofs, arguments and why-not analyses."""

    def __init__(self, model: KnowledgeBaseModel, derivations: Derivations):
        self.model = model
        self.derivations = derivations
        self.interpretation = derivations.interpretation
        self._proofs: dict[tuple, tuple[ProofNode, int]] = {}  # atom → (its proof, the depth that proof needs)
        self._cited: dict[tuple, tuple[tuple, int]] = {}  # atom → (its proof's statements, the same depth)
        self.memo: dict[tuple, object] = {}  # what a form works out from this evaluation, kept for the next asking

    # ---- prose ----------------------------------------------------------------------------
    def sentence(self, predicate: str, values: Iterable[Optional[Value]]) -> str:
        return self.model.sentence(predicate, values)

    def citation(self, sid: str) -> Citation:
        st = self.model.statement_by_id[sid]
        source = self.model.source_by_id.get(st.source)
        document = (source.title if source and source.title else st.source)
        return Citation(sid, st.source, document, st.section, st.lines, st.kind, st.grade, st.quote,
                        st.n, st.population, st.ci, short_name(source) if source else st.source)

    # ---- proofs ---------------------------------------------------------------------------
    def proof(self, atom: GroundAtom, depth: int = 8, _path: frozenset = frozenset()) -> ProofNode:
        """The shortest proof of ``atom``, ``depth`` rule levels deep (deeper premises truncated)."""
        return self._kept(self._proofs, self._build_proof, atom, depth, _path)[0]

    def proof_statements(self, atom: GroundAtom, depth: int = 8) -> tuple[str, ...]:
        """``proof(atom, depth).statements()``, found without building the proof (no sentences,
        no nodes): what an argument is ranked, grouped and counted by."""
        return self._kept(self._cited, self._build_cited, atom, depth, frozenset())[0]

    @staticmethod
    def _kept(memo: dict, build, atom: GroundAtom, depth: int, path: frozenset):
        """``build(atom, depth, path)`` once per atom: (its result, the least depth that builds it
        whole, None when cut short at this depth).

        Proofs are shared: at 100x an answer's reasons contain one another (each copy's
        comparison rests on the previous copy's), and a proof node is immutable. A whole proof
        is the same at any depth that has room for it, so it is kept with the depth it needs.
        ``path`` never cuts a shortest proof (each premise is strictly lower than its
        conclusion, so no atom recurs below itself); it stays as the walk's guard."""
        key = (atom, tuple(map(type, atom[1])))  # 78 and 78.0 are equal keys, not the same fact shown
        kept = memo.get(key)
        if kept is not None and kept[1] <= depth and atom not in path:
            return kept
        built = build(atom, depth, path)
        if built[1] is not None:
            memo[key] = built
        return built

    def _how(self, atom: GroundAtom):
        """How ``atom`` is known, as its proof says: (by, citations, curator definition, the rule
        application of its shortest proof or None)."""
        d = self.derivations
        cites, definition = d.stated(atom)
        if cites:
            return "statement", cites, definition, None
        if definition:
            return "definition", (), definition, None
        if atom in d.inputs:
            return "input", (), None, None
        app = d.best_application(atom)
        return ("unproved" if app is None else "rule"), (), None, app

    def _build_proof(self, atom: GroundAtom, depth: int, path: frozenset) -> tuple[ProofNode, Optional[int]]:
        claim = self.sentence(*atom)
        by, cites, definition, app = self._how(atom)
        if app is None:
            return ProofNode(claim, atom, by, cites, rationale=definition), 0
        conditions = tuple("not: " + self.sentence(*a) for a in app.absent) + tuple(
            f"{self._value(l)} {op} {self._value(r)}" for l, op, r in app.comparisons)
        if depth <= 0 or atom in path:
            return ProofNode(claim, atom, "rule", rule=app.rule.label, rule_citations=app.rule.cites,
                             rationale=app.rule.rationale, conditions=conditions, truncated=True), None
        built = [self._kept(self._proofs, self._build_proof, p, depth - 1, path | {atom}) for p in app.premises]
        node = ProofNode(claim, atom, "rule", rule=app.rule.label, rule_citations=app.rule.cites,
                         rationale=app.rule.rationale, conditions=conditions,
                         premises=tuple(premise for premise, _ in built))
        return node, _needed(built)

    def _build_cited(self, atom: GroundAtom, depth: int, path: frozenset) -> tuple[tuple[str, ...], Optional[int]]:
        """What _build_proof's node would cite, in its first-cited order (ProofNode.statements)."""
        _, cites, _, app = self._how(atom)
        if app is None:
            return tuple(dict.fromkeys(cites)), 0
        out = dict.fromkeys(app.rule.cites)
        if depth <= 0 or atom in path:
            return tuple(out), None
        built = [self._kept(self._cited, self._build_cited, p, depth - 1, path | {atom}) for p in app.premises]
        for statements, _ in built:
            out.update(dict.fromkeys(statements))
        return tuple(out), _needed(built)

    def _value(self, value) -> str:
        return self.model.label(value) if isinstance(value, str) else _show(value)

    def strength(self, proof: ProofNode) -> tuple[int, str]:
        return self.grade_of(proof.statements())

    def grade_of(self, statements) -> tuple[int, str]:
        """The strength and grade of the best evidence among ``statements``."""
        grades = [self.model.statement_by_id[s].grade for s in statements if s in self.model.statement_by_id]
        if not grades:
            return 0, "none"
        best = min(grades, key=EVIDENCE_GRADES.index)
        return len(EVIDENCE_GRADES) - EVIDENCE_GRADES.index(best), best

    def argument(self, atom: GroundAtom, stance: Optional[str] = None, *, inherited: Optional[str] = None,
                 via: Optional[ProofNode] = None) -> Argument:
        """The argument that ``atom`` gives, its proof pending (answer.PendingProof): ranked by
        the statements the proof will cite, built when something reads it."""
        statements = self.proof_statements(atom)
        strength, grade = self.grade_of(statements)
        pred = self.model.predicate_by_name.get(atom[0])
        stance = stance or (pred.stance if pred and pred.stance else "neutral")
        return Argument(stance, self.sentence(*atom), PendingProof(atom, statements, partial(self.proof, atom)),
                        grade, strength, inherited, via)

    def facts_about(self, term: str, position: Optional[int] = 0) -> list[GroundAtom]:
        """Every true atom whose argument at ``position`` (any position when None) is ``term``."""
        declared = self.model.predicate_by_name
        return [atom for atom in self.derivations.mentioning(term, position) if atom[0] in declared]

    def arguments_about(self, term: str) -> tuple[list[Argument], list[Argument]]:
        """The for/against facts about ``term``, and those said of a larger site that includes it."""
        pro, con = [], []
        for atom in self.facts_about(term):
            pred = self.model.predicate_by_name[atom[0]]
            if pred.stance == "for":
                pro.append(self.argument(atom))
            elif pred.stance == "against":
                con.append(self.argument(atom))
        for atom, whole in self.inherited_facts(term):
            stance = self.model.predicate_by_name[atom[0]].stance
            if stance in ("for", "against"):
                (pro if stance == "for" else con).append(self.inherited_argument(atom, term, whole))
        return rank(pro), rank(con)

    # ---- the part-of hierarchy of sites ---------------------------------------------------------
    def wholes(self, term: str) -> list[str]:
        """The larger sites that include ``term`` (within/2), nearest first."""
        rows = [row[1] for row in self.interpretation.tuples("within") if row[0] == term]
        depth = {w: sum(1 for r in self.interpretation.tuples("within") if r[0] == w) for w in rows}
        return sorted(rows, key=lambda w: (-depth[w], w))

    def inherited_facts(self, term: str, position: int = 0) -> list[tuple[GroundAtom, str]]:
        """Facts said of a larger site at an argument declared a site, which reach ``term`` as a
        part of it; a fact the part has itself is not repeated."""
        out = []
        for whole in self.wholes(term):
            for atom in self.facts_about(whole, position):
                pred = self.model.predicate_by_name[atom[0]]
                if atom[0] in HIERARCHY or pred.params[position].category != "site":
                    continue
                own = atom[1][:position] + (term,) + atom[1][position + 1:]
                if not self.interpretation.holds(atom[0], own):
                    out.append((atom, whole))
        return out

    def inherited_argument(self, atom: GroundAtom, term: str, whole: str,
                           stance: Optional[str] = None) -> Argument:
        how = f"said of the {self.model.label(whole)}, which includes the {self.model.label(term)}"
        return self.argument(atom, stance, inherited=how, via=self.proof(("within", (term, whole))))

    # ---- why not --------------------------------------------------------------------------
    def why_not(self, target: GroundAtom, expand: int = 0) -> tuple[list[RuleAnalysis], list[str]]:
        """Every rule that could conclude ``target`` and what blocked it. ``expand`` levels of
        missing derived facts are explained the same way (one level is what --full shows)."""
        analyses, all_changes = [], []
        for check in why_not(self.derivations, target, self.sentence):
            conditions, changes = [], []
            for blocker in check.blockers:
                proof = None
                if blocker.kind in (MISSING_FACT, MISSING_DERIVED) and blocker.atom and blocker.atom[0] in INPUTS:
                    conditions.append(Condition(MISSING_INPUT, blocker.literal, None))
                    changes.append(f"if {_lower(blocker.literal)} {INPUT_SUFFIX}")
                    continue
                if blocker.kind == NEGATION_HOLDS and blocker.atom is not None:
                    proof = self.proof(blocker.atom)
                    changes.append(f"{UNLESS_PREFIX} {_lower(blocker.literal)} (it rests on "
                                   f"{', '.join(proof.statements()) or 'no statement'})")
                elif blocker.kind in (MISSING_FACT, MISSING_DERIVED):
                    changes.append(f"if {_lower(blocker.literal)} (now not established)")
                    if blocker.kind == MISSING_DERIVED and expand > 0 and blocker.atom is not None:
                        deeper, deeper_changes = self.why_not(blocker.atom, expand - 1)
                        changes += deeper_changes  # establishing what it needs would do too
                        conditions.append(Condition(blocker.kind, blocker.literal, None, tuple(deeper)))
                        continue
                elif blocker.kind == COMPARISON_FAILED:
                    changes.append(f"if {blocker.literal} were true")
                conditions.append(Condition(blocker.kind, blocker.literal, proof))
            held = tuple(dict.fromkeys(self.sentence(*a) for a in check.held)) + check.passed_checks
            analyses.append(RuleAnalysis(check.rule.label if check.rule.explicit_label else check.rule.head.predicate,
                                         self.sentence(*target), held, tuple(conditions), check.rule.cites,
                                         check.rule.rationale, tuple(dict.fromkeys(changes))))
            all_changes += changes
        return analyses, list(dict.fromkeys(all_changes))

    # ---- conflicts and citations ------------------------------------------------------------
    def conflicts_for(self, statements: Iterable[str]) -> list[ConflictNote]:
        seen = {}
        for sid in statements:
            for conflict in self.model.conflicts_by_statement.get(sid, ()):
                seen.setdefault(conflict.id, ConflictNote(conflict.id, conflict.topic or conflict.id,
                                                          conflict.sides, conflict.note))
        return [seen[k] for k in sorted(seen)]

    def citations_for(self, statements: Iterable[str]) -> dict[str, Citation]:
        return {sid: self.citation(sid) for sid in dict.fromkeys(statements)
                if sid in self.model.statement_by_id}


def _needed(built: list) -> Optional[int]:
    """The depth a rule node needs to be whole, from its premises' (None: one was cut short)."""
    needs = [needed for _, needed in built]
    return None if None in needs else 1 + max(needs, default=0)


def short_name(source) -> str:
    """A document as a reader names it: first author's surname and year, else title, else id."""
    year = f" {source.year}" if source.year else ""
    if source.authors:
        import re

        names = [n for n in re.split(r",|\band\b|&", " ; ".join(source.authors)) if n.strip(" ;")]
        first = names[0].replace(";", " ").split()
        return first[-1] + (" et al." if len(names) > 1 or len(source.authors) > 1 else "") + year
    if source.title:
        title = source.title if len(source.title) <= 40 else source.title[:37].rsplit(" ", 1)[0] + "…"
        return title[:1].upper() + title[1:].lower() + year
    return source.id + year


def rank(arguments: list[Argument]) -> list[Argument]:
    """Strongest evidence first; then the claim, so the order is stable."""
    return sorted(arguments, key=lambda a: (-a.strength, a.inherited is not None, a.claim))


def _show(value) -> str:
    return value if isinstance(value, str) else format_number(value)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]
