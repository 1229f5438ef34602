"""Explanations: rule applications behind every derived fact, shortest proofs, why-not.

pyDatalog records no derivations, so they are reconstructed after evaluation: each rule's
body is solved against the evaluated relations (which are final, so this is a single
grounding pass, not a second fixpoint). From the applications come shortest proofs (the
least derivation height, settled in order of height, so cycles cannot loop) and the provenance graph.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable, Iterator, Optional

from ..limits import check_budget
from .evaluate import Interpretation, canonical_value
from .facts import UNKNOWN as _UNKNOWN, BaseFacts
from .heights import least_height
from ..language.model import Atom, Const, KnowledgeBaseModel, Negation, Rule, Value, Var

GroundAtom = tuple[str, tuple[Value, ...]]

MISSING_FACT = "missing_fact"
MISSING_DERIVED = "missing_derived_fact"
NEGATION_HOLDS = "negated_fact_holds"
COMPARISON_FAILED = "comparison_failed"
UNCHECKED = "not_checked"


@dataclass(frozen=True)
class Application:
    """One way a rule concluded a fact: the rule, its premises, and the checks that passed."""

    rule: Rule
    conclusion: GroundAtom
    premises: tuple[GroundAtom, ...]
    absent: tuple[GroundAtom, ...]  # negated literals, verified not to hold
    comparisons: tuple[tuple[Value, str, Value], ...]


def compare(left: Value, op: str, right: Value) -> bool:
    """The comparison semantics of the compiled program (numbers with numbers only)."""
    if isinstance(left, str) != isinstance(right, str):
        return op == "!="
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if isinstance(left, str):
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def substitute(term, binding: dict) -> Optional[Value]:
    if isinstance(term, Const):
        return term.value
    if term.anonymous:
        return None
    return binding.get(term.name)


def instantiate(atom: Atom, binding: dict) -> tuple:
    return tuple(substitute(a, binding) for a in atom.args)


def _unify(atom: Atom, row: tuple, binding: dict) -> Optional[dict]:
    new = dict(binding)
    for arg, value in zip(atom.args, row):
        if isinstance(arg, Const):
            if not compare(arg.value, "=", value):
                return None
        elif not arg.anonymous:
            if arg.name in new:
                if not compare(new[arg.name], "=", value):
                    return None
            else:
                new[arg.name] = value
    return new


def bound_order(rule: Rule, bound: frozenset) -> tuple:
    """The rule's body ordered for a top-down solve with ``bound`` variables known: next, the
    positive literal with most arguments bound (constants, or variables bound so far), ties in
    the written order; the checks (negations, comparisons) after the positives, all bound by
    then. The compiled order puts recursive literals first, as pyDatalog needs; with the head
    bound that scanned the whole recursive relation once per atom (quadratic: 18 s for the
    proof heights of a 2,000-edge chain). The solutions are the same; only their order can
    differ, and every choice among them is made by a stable sort."""
    known, left, ordered = set(bound), list(rule.positives), []
    while left:
        best = max(left, key=lambda a: sum(isinstance(x, Const) or (not x.anonymous and x.name in known)
                                           for x in a.args))  # max keeps the first of equals
        left.remove(best)
        ordered.append(best)
        known |= {x.name for x in best.args if isinstance(x, Var) and not x.anonymous}
    return tuple(ordered) + tuple(l for l in rule.body if not isinstance(l, Atom))


class Derivations:
    """All rule applications over an interpretation, and proofs built from them."""

    def __init__(self, model: KnowledgeBaseModel, interpretation: Interpretation,
                 rules: Iterable[Rule], inputs: Iterable[GroundAtom] = (),
                 parent: Optional["Derivations"] = None, affected: Optional[set[str]] = None, *,
                 base: Optional["BaseFacts"] = None, mentions: Optional[Callable[[str], list]] = None):
        """``parent`` and ``affected``: the derivations of the same program without this
        question's inputs, and the predicates the inputs can change. Everything else is reused,
        so a patient-specific question re-derives a few advice rules, not the whole model.
        ``base`` and ``mentions``: where the cited facts and the term index come from when not
        from the model (a cache entry, which has them by predicate and by term)."""
        self.model = model
        self.interpretation = interpretation
        self.rules = list(rules)
        self.inputs = set(inputs)
        self._parent = parent if affected is not None else None
        self._affected = affected or set()
        self.facts = parent.facts if self._parent is not None else base or BaseFacts.of_model(model)
        self._mentions_source = mentions
        self._index: dict = {}
        self._apps: dict = {}
        self._heights: dict = {}
        self._best: dict = {}  # atom → its best application (None: not derivable), chosen once
        self._input_keys = {_canon(a) for a in self.inputs}

    # ---- solving --------------------------------------------------------------------------
    def rows(self, predicate: str, pattern: tuple) -> list[tuple]:
        bound = tuple(i for i, v in enumerate(pattern) if v is not None)
        if not bound:
            return list(self._sorted(predicate))
        key = (predicate, bound)
        index = self._index.get(key)
        if index is None:
            index = {}
            for row in self._sorted(predicate):
                index.setdefault(tuple(_key(row[i]) for i in bound), []).append(row)
            self._index[key] = index
        return index.get(tuple(_key(pattern[i]) for i in bound), [])

    @cached_property
    def _mentions(self) -> dict:
        """term → [(predicate order, position, atom)] for the predicates this object indexes.

        With a parent, only the predicates the inputs can change are indexed here; the rest
        comes from the parent's index, so a what-if question does not re-index the model."""
        order = self._predicate_order
        if self._parent is not None:
            names = [p for p in order if p in self._affected]
        else:
            names = list(order)
        index: dict = {}
        for predicate in names:
            rows = sorted(self.interpretation.tuples(predicate),
                          key=lambda row: tuple((0, v) if isinstance(v, str) else (1, str(v)) for v in row))
            for row in rows:
                for position, value in enumerate(row):
                    if isinstance(value, str):
                        index.setdefault(value, []).append((order[predicate], position, (predicate, row)))
        return index

    @cached_property
    def _predicate_order(self) -> dict[str, int]:
        declared = [p.name for p in self.model.predicates]
        extra = sorted(set(self.interpretation.relations) - set(declared))
        return {name: i for i, name in enumerate(declared + extra)}

    def index_by_term(self) -> dict:
        """The whole term index (term → entries), as the cache stores it."""
        return self._mentions

    def use_mentions(self, mentions: Callable[[str], list]) -> None:
        """Read the term index from ``mentions`` (the cache entry it was just written to), as
        derivations from a cache entry do, and let the one built here go. Only the base
        derivations read theirs from a source: others index just what their inputs change."""
        if self._parent is None:
            self._mentions_source = mentions
            self.__dict__.pop("_mentions", None)

    def mentions_of(self, term: str) -> list:
        """The term's entries of the index: from the source given (a cache entry), else built."""
        if self._mentions_source is not None and self._parent is None:
            return self._mentions_source(term)
        return self._mentions.get(term, [])

    def mentioning(self, term: str, position: Optional[int] = 0) -> list[GroundAtom]:
        """True atoms whose argument at ``position`` (any position when None) is ``term``."""
        found = list(self.mentions_of(term))
        if self._parent is not None:
            found += [m for m in self._parent.mentions_of(term) if m[2][0] not in self._affected]
            found.sort(key=lambda m: m[0])  # stable: rows keep their order within a predicate
        atoms = [atom for _, at, atom in found if position is None or at == position]
        return list(dict.fromkeys(atoms))

    def _sorted(self, predicate: str) -> list[tuple]:
        """A relation's rows in a fixed order, so proofs (and answers) never depend on hash seeds."""
        key = ("#sorted", predicate)
        rows = self._index.get(key)
        if rows is None:
            rows = sorted(self.interpretation.tuples(predicate), key=lambda row: tuple(_key(v) for v in row))
            self._index[key] = rows
        return rows

    def solve(self, body, binding: dict) -> Iterator[dict]:
        """Every extension of ``binding`` satisfying ``body`` (positives bind, others check).

        Depth-first with an explicit stack, in the order a recursive search would yield, so a
        body of any length needs no Python recursion; the question's time budget is checked
        as it goes."""
        stack = [(0, binding)]
        size = len(body)
        steps = 0
        while stack:
            steps += 1
            if steps & 255 == 0:
                check_budget()
            position, current = stack.pop()
            if position == size:
                yield current
                continue
            literal = body[position]
            if isinstance(literal, Atom):
                extensions = []
                for row in self.rows(literal.predicate, instantiate(literal, current)):
                    extended = _unify(literal, row, current)
                    if extended is not None:
                        extended[("#row", id(literal))] = tuple(row)  # the premise, anonymous args included
                        extensions.append((position + 1, extended))
                stack.extend(reversed(extensions))
            elif isinstance(literal, Negation):
                if not self.matches(literal.atom.predicate, instantiate(literal.atom, current)):
                    stack.append((position + 1, current))
            elif compare(substitute(literal.left, current), literal.op, substitute(literal.right, current)):
                stack.append((position + 1, current))

    def matches(self, predicate: str, pattern: tuple) -> bool:
        """Does a true atom match ``pattern``? None (a '_' under 'not') matches any value."""
        if None in pattern:
            return bool(self.rows(predicate, pattern))
        return self.interpretation.holds(predicate, pattern)

    def _application(self, rule: Rule, binding: dict) -> Application:
        return Application(
            rule, (rule.head.predicate, instantiate(rule.head, binding)),
            tuple((a.predicate, binding[("#row", id(a))]) for a in rule.positives),
            tuple((n.atom.predicate, instantiate(n.atom, binding)) for n in rule.negatives),
            tuple((substitute(c.left, binding), c.op, substitute(c.right, binding)) for c in rule.comparisons))

    @cached_property
    def applications(self) -> dict[GroundAtom, list[Application]]:
        found: dict[GroundAtom, list[Application]] = {}
        rules = self.rules
        if self._parent is not None:
            found = {k: v for k, v in self._parent.applications.items() if k[0] not in self._affected}
            rules = [r for r in rules if r.head.predicate in self._affected]
        for rule in rules:
            seen = set()
            for binding in self.solve(rule.body, {}):
                app = self._application(rule, binding)
                marker = (app.conclusion, app.premises)
                if marker not in seen:
                    seen.add(marker)
                    found.setdefault(_canon(app.conclusion), []).append(app)
        return found

    def applications_of(self, atom: GroundAtom) -> list[Application]:
        """The rule applications concluding ``atom``, solved top-down for this atom alone (the
        head bound to it), once: a question asks about a few atoms, never about all of them."""
        key = _canon(atom)
        found = self._apps.get(key)
        if found is not None:
            return found
        if self._parent is not None and atom[0] not in self._affected:
            found = self._parent.applications_of(atom)
        else:
            found = []
            for rule in self._rules_for(atom[0]):
                binding = _unify(rule.head, tuple(atom[1]), {})
                if binding is None:
                    continue
                seen = set()
                for solution in self.solve(bound_order(rule, frozenset(binding)), binding):
                    app = self._application(rule, solution)
                    marker = (app.conclusion, app.premises)
                    if marker not in seen and _canon(app.conclusion) == key:
                        seen.add(marker)
                        found.append(app)
        self._apps[key] = found
        return found

    def _rules_for(self, predicate: str) -> list[Rule]:
        by_head = self.__dict__.get("_by_head")
        if by_head is None:
            by_head = self.__dict__["_by_head"] = {}
            for rule in self.rules:
                by_head.setdefault(rule.head.predicate, []).append(rule)
        return by_head.get(predicate, [])

    # ---- shortest proofs ------------------------------------------------------------------
    def height_of(self, atom: GroundAtom) -> Optional[int]:
        """Least derivation height of ``atom`` (base facts and inputs 0; None when not derivable),
        over the atom's cone only (see heights.least_height)."""
        return least_height(self, atom)

    def _leaf_height(self, atom: GroundAtom, key):
        """0 for a base fact or an input, the parent's height where the inputs cannot reach."""
        if self.facts.citations(atom[0], key) is not None or key in self._input_keys:
            return 0
        if self._parent is not None and atom[0] not in self._affected:
            return self._parent.height_of(atom)
        if not self._rules_for(atom[0]):
            return None
        return _UNKNOWN

    @property
    def height(self) -> dict:
        """Least heights of every derived fact and base fact (the whole model; for the graph)."""
        out = {}
        for key in self.applications:
            out[key] = self.height_of((key[0], tuple(v for _, v in key[1])))
        return out

    def best_application(self, atom: GroundAtom) -> Optional[Application]:
        """The rule application of a shortest proof of ``atom``, chosen once per atom: the proofs
        of an answer share premises (at 100x each reason's proof contains another reason), and
        the choice reads the heights of every application's premises."""
        key = _canon(atom)
        if key in self._best:
            return self._best[key]
        best = self._best[key] = self._choose_application(atom, key)
        return best

    def _choose_application(self, atom: GroundAtom, key) -> Optional[Application]:
        if self._leaf_height(atom, key) is _UNKNOWN:
            apps = self.applications_of(atom)
            if len(apps) == 1:  # its premises hold, so they have heights: it is the shortest proof
                return apps[0]
        target = self.height_of(atom)
        best = []
        for app in self.applications_of(atom):
            heights = [self.height_of(p) for p in app.premises]
            if all(h is not None for h in heights) and 1 + max(heights, default=0) == target:
                best.append(app)
        # Several shortest proofs: pick one by a stable order, never by set iteration order.
        return min(best, key=lambda a: (a.rule.label, [_canon(p) for p in a.premises])) if best else None

    def citations_of(self, atom: GroundAtom) -> tuple[str, ...]:
        return self.facts.citations(atom[0], _canon(atom)) or ()

    def definition_of(self, atom: GroundAtom) -> Optional[str]:
        """The curator's rationale when ``atom`` is a curator definition (not stated by a source)."""
        return self.facts.definition(atom[0], _canon(atom))

    def stated(self, atom: GroundAtom) -> tuple[tuple[str, ...], Optional[str]]:
        """(citations_of, definition_of) of ``atom``, its key made once: a proof asks both of
        every atom, and at 100x a why-not's proofs have thousands."""
        cites, definition = self.facts.stated(atom[0], _canon(atom))
        return cites or (), definition

    def is_derived_predicate(self, predicate: str) -> bool:
        return any(r.head.predicate == predicate for r in self.rules)


_key = canonical_value


def _canon(atom: GroundAtom):
    return (atom[0], tuple(_key(v) for v in atom[1]))


# ---- why not ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Blocker:
    """One condition of a rule that failed for the asked conclusion."""

    kind: str
    literal: str  # readable condition
    atom: Optional[GroundAtom] = None  # instantiated atom (None positions unknown)
    values: Optional[tuple[Value, str, Value]] = None  # for failed comparisons


@dataclass(frozen=True)
class RuleCheck:
    """One rule tried for a conclusion: the body atoms that held and what blocked the rest (why-not)."""

    rule: Rule
    held: tuple[GroundAtom, ...]
    blockers: tuple[Blocker, ...]
    passed_checks: tuple[str, ...] = ()


def why_not(derivations: Derivations, target: GroundAtom, describe) -> list[RuleCheck]:
    """For each rule that could conclude ``target``: what held and every condition that blocked.

    Only rules about the kind of thing asked are analysed (the declared argument categories of
    the body bind the head's variables: ``insertion_site(S)`` makes the rule about sites).
    Literals are checked in order against the surviving bindings; a literal that no binding
    satisfies is recorded as a blocker and skipped, so later conditions are still examined.
    ``describe(predicate, values)`` renders a (partly unknown) atom for the blocker text.
    """
    predicate, values = target
    checks = []
    for rule in derivations.rules:
        if rule.head.predicate != predicate or not derivations.model.applies_to(rule, values):
            continue  # a rule about another kind of thing (a site rule asked about a technique)
        # an unknown value (None: "some site") matches anything and binds nothing
        known = [(arg, value) for arg, value in zip(rule.head.args, values) if value is not None]
        binding = _unify(Atom(predicate, tuple(a for a, _ in known)), tuple(v for _, v in known), {})
        if binding is None:
            continue
        bindings = [binding]
        held: list[GroundAtom] = []
        passed: list[str] = []
        blockers: list[Blocker] = []
        for literal in rule.body:
            check_budget()
            if isinstance(literal, Atom):
                extended = []
                for b in bindings:
                    for row in derivations.rows(literal.predicate, instantiate(literal, b)):
                        new = _unify(literal, row, b)
                        if new is not None:
                            extended.append(new)
                            held.append((literal.predicate, tuple(row)))
                if extended:
                    bindings = sorted(extended, key=_binding_key)  # stable: never set order
                else:
                    kind = MISSING_DERIVED if derivations.is_derived_predicate(literal.predicate) else MISSING_FACT
                    shown = instantiate(literal, bindings[0])
                    blockers.append(Blocker(kind, describe(literal.predicate, shown), (literal.predicate, shown)))
            elif isinstance(literal, Negation):
                atom = literal.atom
                survivors, holding = [], []
                for b in bindings:
                    shown = instantiate(atom, b)
                    if any(v is None for v, a in zip(shown, atom.args) if not (isinstance(a, Var) and a.anonymous)):
                        continue
                    if derivations.matches(atom.predicate, shown):
                        holding.append(shown)
                    else:
                        survivors.append(b)
                if holding and not survivors:
                    for shown in dict.fromkeys(holding):
                        blockers.append(Blocker(NEGATION_HOLDS, describe(atom.predicate, shown),
                                                (atom.predicate, shown)))
                elif not holding and not survivors:
                    blockers.append(Blocker(UNCHECKED, "not " + describe(atom.predicate, instantiate(atom, bindings[0])),
                                            (atom.predicate, instantiate(atom, bindings[0]))))
                else:
                    passed.append("not " + describe(atom.predicate, instantiate(atom, survivors[0])))
                    bindings = survivors
            else:
                survivors, failures = [], []
                for b in bindings:
                    left, right = substitute(literal.left, b), substitute(literal.right, b)
                    if left is None or right is None:
                        continue
                    (survivors if compare(left, literal.op, right) else failures).append((b, (left, literal.op, right)))
                if survivors:
                    bindings = [b for b, _ in survivors]
                    passed.append(_comparison_text(survivors[0][1]))
                elif failures:
                    for _, vals in dict.fromkeys(failures, None) if False else failures[:3]:
                        blockers.append(Blocker(COMPARISON_FAILED, _comparison_text(vals), None, vals))
                else:
                    blockers.append(Blocker(UNCHECKED, "a comparison whose values are unknown"))
        held = sorted(dict.fromkeys(held), key=_canon)
        checks.append(RuleCheck(rule, tuple(held), tuple(blockers), tuple(passed)))
    return checks


def _binding_key(binding: dict) -> tuple:
    return tuple(sorted((k, _key(v)) for k, v in binding.items() if isinstance(k, str) and v is not None))


def _comparison_text(values: tuple[Value, str, Value]) -> str:
    from ..language.model import format_number

    left, op, right = values
    show = lambda v: format_number(v) if not isinstance(v, str) else v
    return f"{show(left)} {op} {show(right)}"
