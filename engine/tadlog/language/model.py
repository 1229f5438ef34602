"""The knowledge-base model: frozen dataclasses produced by the parser.

Locations are excluded from equality so two declarations that mean the same are equal
wherever they stand: the review diff compares by meaning, not by line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional, Union

from ..errors import Location
from ..wording import fix_articles

Number = Union[int, float]
Value = Union[str, int, float]

STATEMENT_KINDS = ("finding", "recommendation", "opinion", "definition")
# Strongest first: the order answers use to rank arguments.
EVIDENCE_GRADES = ("meta_analysis", "systematic_review", "trial", "study", "animal_study",
                   "lab_study", "case_report", "review", "experience", "textbook")
DEFAULT_EVIDENCE = {"finding": "review", "recommendation": "textbook",
                    "opinion": "experience", "definition": "textbook"}
SYMBOL, NUMBER, TEXT = "symbol", "number", "text"

# Which attributes each declaration takes, and which it needs (checked by the parser, where
# their locations are known).
ATTRIBUTES = {
    "source": ({"title", "authors", "year", "venue", "kind", "file"},
               {"title", "authors", "year", "venue", "kind", "file"}),
    "section": ({"title", "lines", "clinical"}, {"title"}),
    "statement": ({"from", "section", "lines", "kind", "evidence", "n", "population", "ci", "quote"},
                  {"from", "section", "lines", "kind", "quote"}),
    "term": ({"category", "label", "aliases", "patients"}, {"category", "label"}),
    "conflict": ({"topic", "side", "note"}, {"topic", "side"}),
}
REPEATABLE = {("conflict", "side")}


@dataclass(frozen=True, slots=True)
class Var:
    """A rule variable; ``_`` is anonymous: each occurrence is a fresh variable, never joined."""

    name: str

    @property
    def anonymous(self) -> bool:
        return self.name == "_"


@dataclass(frozen=True, slots=True)
class Const:
    """A constant argument: a term name (symbol), a quoted text or a number."""

    value: Value
    kind: str = SYMBOL  # symbol | text | number
    location: Optional[Location] = field(default=None, compare=False, repr=False)


Term_ = Union[Var, Const]


@dataclass(frozen=True, slots=True)
class Atom:
    """A predicate applied to arguments: a fact's content, a rule's head or a body literal."""

    predicate: str
    args: tuple[Term_, ...]
    location: Optional[Location] = field(default=None, compare=False, repr=False)

    @property
    def variables(self) -> list[Var]:
        return [a for a in self.args if isinstance(a, Var)]

    def is_ground(self) -> bool:
        return not self.variables


@dataclass(frozen=True, slots=True)
class Negation:
    """A negated body literal (``not p(X)``): true when no fact or derivation gives the atom."""

    atom: Atom

    @property
    def location(self) -> Optional[Location]:
        return self.atom.location


@dataclass(frozen=True, slots=True)
class Comparison:
    """A body comparison (``N >= 18``) between a variable and a value or another variable."""

    left: Term_
    op: str
    right: Term_
    location: Optional[Location] = field(default=None, compare=False, repr=False)


Literal_ = Union[Atom, Negation, Comparison]


@dataclass(frozen=True, slots=True)
class Source:
    """A cited document: the paper, chapter or guideline that statements quote."""

    id: str
    title: Optional[str]
    authors: Optional[tuple[str, ...]]
    year: Optional[int]
    venue: Optional[str]
    kind: Optional[str]
    file: Optional[str]
    location: Optional[Location] = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Section:
    """A numbered part of a source and its lines; coverage expects statements only from a ``clinical`` one."""

    source: str
    number: str
    title: Optional[str]
    lines: Optional[tuple[int, int]]
    clinical: bool = True
    location: Optional[Location] = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Statement:
    """One verbatim sentence of a source, with where it stands and how strong its evidence is:
    what every fact and rule cites, so an answer can show the words it rests on."""

    id: str
    source: str
    section: str
    lines: tuple[int, int]
    kind: str
    quote: str
    evidence: Optional[str] = None
    n: Optional[Number] = None
    population: Optional[str] = None
    ci: Optional[str] = None
    location: Optional[Location] = field(default=None, compare=False, repr=False)

    @property
    def grade(self) -> str:
        """The evidence grade, defaulted from the statement kind when not given."""
        return self.evidence or DEFAULT_EVIDENCE.get(self.kind, "textbook")

    @property
    def strength(self) -> int:
        """Higher is stronger; used to order arguments."""
        return len(EVIDENCE_GRADES) - EVIDENCE_GRADES.index(self.grade)


@dataclass(frozen=True, slots=True)
class TermDecl:
    """A named thing of the domain (a site, a factor, a technique) with its label and the aliases
    questions may use for it."""

    name: str
    category: Optional[str]
    label: Optional[str]
    aliases: tuple[str, ...] = ()
    location: Optional[Location] = field(default=None, compare=False, repr=False)
    patients: Optional[str] = None  # a patient factor's people: "adolescents" for adolescence


@dataclass(frozen=True, slots=True)
class Conflict:
    """Statements of sources that disagree, side by side: answers show both sides, never one merged claim."""

    id: str
    topic: Optional[str]
    sides: tuple[tuple[str, ...], ...]
    note: Optional[str] = None
    location: Optional[Location] = field(default=None, compare=False, repr=False)

    @property
    def statements(self) -> tuple[str, ...]:
        return tuple(s for side in self.sides for s in side)


@dataclass(frozen=True, slots=True)
class Param:
    """A predicate argument: its name, its type (symbol or number) and, when declared
    (``site: site``), the term category its values must belong to."""

    name: str
    type: str = SYMBOL
    category: Optional[str] = None


@dataclass(frozen=True, slots=True)
class Predicate:
    """A relation, its typed arguments and the English template an answer reads it in."""

    name: str
    params: tuple[Param, ...]
    template: str
    stance: Optional[str] = None  # "for" | "against" | None
    location: Optional[Location] = field(default=None, compare=False, repr=False)

    @property
    def arity(self) -> int:
        return len(self.params)


@dataclass(frozen=True, slots=True)
class Fact:
    """A ground atom, cited by statements or, where no sentence states it (a structural fact
    such as one site being part of another), a curator definition with its ``because``."""

    atom: Atom
    cites: tuple[str, ...]
    location: Optional[Location] = field(default=None, compare=False, repr=False)
    rationale: Optional[str] = None


@dataclass(frozen=True, slots=True)
class Rule:
    """A Datalog rule with its citations, or a curator's ``because`` where no sentence states it."""

    label: str
    head: Atom
    body: tuple[Literal_, ...]
    cites: tuple[str, ...] = ()
    rationale: Optional[str] = None
    explicit_label: bool = True
    location: Optional[Location] = field(default=None, compare=False, repr=False)

    @property
    def positives(self) -> list[Atom]:
        return [l for l in self.body if isinstance(l, Atom)]

    @property
    def negatives(self) -> list[Negation]:
        return [l for l in self.body if isinstance(l, Negation)]

    @property
    def comparisons(self) -> list[Comparison]:
        return [l for l in self.body if isinstance(l, Comparison)]


@dataclass(frozen=True)
class KnowledgeBaseModel:
    """Everything declared in a knowledge base, in file order."""

    sources: tuple[Source, ...] = ()
    sections: tuple[Section, ...] = ()
    statements: tuple[Statement, ...] = ()
    terms: tuple[TermDecl, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    predicates: tuple[Predicate, ...] = ()
    facts: tuple[Fact, ...] = ()
    rules: tuple[Rule, ...] = ()
    root: Optional[str] = field(default=None, compare=False)

    # Lookups by name (the first declaration wins; validation reports duplicates).
    @cached_property
    def source_by_id(self) -> dict[str, Source]:
        return _first_by(self.sources, "id")

    @cached_property
    def statement_by_id(self) -> dict[str, Statement]:
        return _first_by(self.statements, "id")

    @cached_property
    def term_by_name(self) -> dict[str, TermDecl]:
        return _first_by(self.terms, "name")

    @cached_property
    def predicate_by_name(self) -> dict[str, Predicate]:
        return _first_by(self.predicates, "name")

    @cached_property
    def rule_by_label(self) -> dict[str, Rule]:
        return _first_by(self.rules, "label")

    def fact_values(self, predicate: str) -> tuple[tuple, ...]:
        """The argument values of the knowledge base's own facts of ``predicate``, in order. A
        cached model reads them from its facts-by-predicate section without decoding any Fact:
        at 100x, decoding every fact to read one predicate's was most of a first question."""
        found = self.memo("_fact_values", dict)  # per predicate asked: at 100x all of them were 7 MiB
        values = found.get(predicate)
        if values is None:
            values = found[predicate] = tuple(tuple(a.value for a in fact.atom.args)
                                              for fact in self.facts_by_predicate.get(predicate, ()))
        return values

    @cached_property
    def facts_by_predicate(self) -> dict[str, list[Fact]]:
        """The facts of each predicate, in order: what is read of them (values, citations) is
        read per predicate, when asked for."""
        out: dict[str, list[Fact]] = {}
        for fact in self.facts:
            out.setdefault(fact.atom.predicate, []).append(fact)
        return out

    @cached_property
    def conflicts_by_statement(self) -> dict[str, tuple[Conflict, ...]]:
        index: dict[str, list[Conflict]] = {}
        for conflict in self.conflicts:
            for sid in conflict.statements:
                index.setdefault(sid, []).append(conflict)
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def categories(self) -> frozenset[str]:
        return frozenset(t.category for t in self.terms if t.category)

    def category_of(self, value: Value) -> Optional[str]:
        term = self.term_by_name.get(value) if isinstance(value, str) else None
        return term.category if term else None

    def variable_categories(self, rule: "Rule") -> dict[str, str]:
        """The categories a rule's variables are bound to by the declared argument categories of
        its positive body literals (``insertion_site(S)`` makes S a site): the kinds of thing
        the rule is about."""
        out: dict[str, str] = {}
        for atom in rule.positives:
            pred = self.predicate_by_name.get(atom.predicate)
            if pred is None or pred.arity != len(atom.args):
                continue
            for param, arg in zip(pred.params, atom.args):
                if param.category and isinstance(arg, Var) and not arg.anonymous:
                    out.setdefault(arg.name, param.category)
        return out

    def applies_to(self, rule: "Rule", head_values) -> bool:
        """False when a head value is a term of another kind than the rule is about (a site rule
        asked about a technique); unknown values (None) and untyped variables always fit."""
        kinds = self.variable_categories(rule)
        for arg, value in zip(rule.head.args, head_values):
            wanted = kinds.get(arg.name) if isinstance(arg, Var) else None
            found = self.category_of(value) if value is not None else None
            if wanted and found and found != wanted:
                return False
        return True

    def sentence(self, predicate: str, values) -> str:
        """An atom as an English sentence, from its predicate's template, filled in one pass (a
        label containing braces is never filled again)."""
        values = tuple(values)
        pred = self.predicate_by_name.get(predicate)
        if pred is None:
            return f"{predicate}({', '.join(map(str, values))})"
        filled, people = {}, {}
        for param, value in zip(pred.params, values):
            filled[param.name] = (f"some {param.name.replace('_', ' ')}" if value is None
                                  else self.label(value))
            term = self.term_by_name.get(value) if isinstance(value, str) else None
            if term is not None and term.patients:
                people[param.name] = term.patients  # "patients with adolescence" → "adolescents"

        def fill(match) -> str:
            name = match.group(2)
            if match.group(1) and name in people:
                return people[name]
            return (match.group(1) or "") + filled.get(name, "{" + name + "}")

        text = fix_articles(_PLACEHOLDER.sub(fill, pred.template))
        return text[:1].upper() + text[1:]

    def memo(self, key: str, build):
        """A value derived from the (frozen, immutable) model, built once and kept on it: the
        question indexes, the service's completions... (hashing a model to key a cache is costly)."""
        if key not in self.__dict__:
            from ..limits import unbudgeted

            with unbudgeted():  # knowledge-base work, not the question's (limits.unbudgeted)
                self.__dict__[key] = build()
        return self.__dict__[key]

    def label(self, value: Value) -> str:
        """How a constant reads in prose: the term's label, or the value itself."""
        if isinstance(value, str):
            term = self.term_by_name.get(value)
            if term and term.label:
                return term.label
            return value.replace("_", " ")
        return format_number(value)


_PLACEHOLDER = re.compile(r"(patients with )?\{([a-z][a-z0-9_]*)\}")


def _first_by(items, attr: str) -> dict:
    index: dict = {}
    for item in items:
        index.setdefault(getattr(item, attr), item)
    return index


def format_number(value: Number) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
