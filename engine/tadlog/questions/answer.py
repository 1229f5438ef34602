"""The Answer model and the explanations it is built from.

One frozen :class:`Answer` serves every question form; renderers (text, Markdown, JSON,
DOT, GraphML) only read it. Everything an answer says is traceable: each argument carries
the shortest proof of its fact down to cited statements, and each citation carries the
document, section, lines and verbatim quote.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from ..engine.explain import GroundAtom
from ..language.model import Value

INPUT_SUFFIX = "(not stated in the question)"
MISSING_INPUT = "missing_input"  # a patient input the question did not state
INPUTS = ("patient", "patient_age", "patient_bmi")


@dataclass(frozen=True)
class Citation:
    """Where a quoted statement stands: document, section, lines, and the words themselves."""

    statement: str
    source: str
    document: str
    section: str
    lines: tuple[int, int]
    kind: str
    evidence: str
    quote: str
    n: Optional[float] = None
    population: Optional[str] = None
    ci: Optional[str] = None
    short: str = ""  # how a reader names the document: "Cousley", "Baumgaertel et al. 2008"

    @property
    def where(self) -> str:
        return f"{self.document}, section {self.section}, lines {self.lines[0]}-{self.lines[1]}"


@dataclass(frozen=True)
class ProofNode:
    """A fact and how it is known: from statements, from a patient input, or by a rule."""

    claim: str
    atom: GroundAtom
    by: str  # "statement" | "definition" (a curator's, with its rationale) | "input" | "rule" | "unproved"
    citations: tuple[str, ...] = ()
    rule: Optional[str] = None
    rule_citations: tuple[str, ...] = ()
    rationale: Optional[str] = None
    conditions: tuple[str, ...] = ()
    premises: tuple["ProofNode", ...] = ()
    truncated: bool = False

    def statements(self) -> list[str]:
        """Every statement the proof cites, in first-cited order (depth first). Walked with a
        stack, not by recursion that copies each subtree's list: a proof through a hundred
        chained copies of a rule is deep, and that was seconds per answer at 100x. Walked once
        per node and kept (the node is immutable): ranking, grouping and every renderer ask
        for it, at 100x thousands of times per answer. A new list each call: callers own it."""
        kept = self.__dict__.get("_statements")
        if kept is None:
            kept = self._walk_statements()
            object.__setattr__(self, "_statements", kept)
        return list(kept)

    def _walk_statements(self) -> tuple[str, ...]:
        out: dict[str, None] = {}
        stack = [self]
        while stack:
            node = stack.pop()
            out.update(dict.fromkeys(node.citations))
            out.update(dict.fromkeys(node.rule_citations))
            stack.extend(reversed(node.premises))
        return tuple(out)

    def atoms(self) -> list[GroundAtom]:
        """Every atom of the proof, depth first (walked with a stack, as statements())."""
        out, stack = [], [self]
        while stack:
            node = stack.pop()
            out.append(node.atom)
            stack.extend(reversed(node.premises))
        return out


@dataclass(frozen=True)
class PendingProof:
    """An argument's proof before it is built: its fact, the statements it will cite, and how to
    build it. Ranking, grouping and counting reasons read only the statements; at 100x a why-not
    has 1,500 reasons and its compact text shows a few, so proofs are built when first read."""

    atom: GroundAtom
    statements: tuple[str, ...]
    build: Callable[[], ProofNode] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Argument:
    """A reason for or against, and the proof of its fact. ``proof`` may be given as a
    :class:`PendingProof`: it is built on first read, so the argument reads and compares as if
    it had been built at once (equality, ``replace``, JSON and every renderer see the proof)."""

    stance: str  # "for" | "against" | "neutral"
    claim: str
    proof: ProofNode
    evidence: str
    strength: int
    # Said of a larger site that includes the one asked about: how ("said of the mandibular
    # alveolus, which includes the mandibular buccal alveolus") and the proof of the inclusion
    # (a curator definition where no sentence states it).
    inherited: Optional[str] = None
    via: Optional["ProofNode"] = None

    @property
    def fact(self) -> GroundAtom:
        """The fact argued (the proof's root), read without building a pending proof."""
        return self.__dict__["_proof"].atom

    def statements(self) -> list[str]:
        """``proof.statements()``, read without building a pending proof."""
        held = self.__dict__["_proof"]
        return list(held.statements) if type(held) is PendingProof else held.statements()

    def stand_in(self) -> "Argument":
        """An argument that ranks and groups as this one does and says nothing: what a renderer
        counts but never shows ("... 798 more"), with no proof built for it."""
        return Argument(self.stance, "", ProofNode("", self.fact, "statement", tuple(self.statements())),
                        self.evidence, self.strength, self.inherited)

    def __getstate__(self) -> dict:
        """Pickled or copied as data: a pending proof is built first (never a closure)."""
        self.proof  # noqa: B018 (builds it)
        return dict(self.__dict__)


def _read_proof(argument: Argument) -> ProofNode:
    held = argument.__dict__["_proof"]
    if type(held) is PendingProof:
        held = argument.__dict__["_proof"] = held.build()
    return held


def _keep_proof(argument: Argument, value) -> None:
    argument.__dict__["_proof"] = value  # the dataclass's __init__ sets it once; frozen after that


Argument.proof = property(_read_proof, _keep_proof, doc="The proof of the argument's fact (built on first read).")


@dataclass(frozen=True)
class Condition:
    """A condition of a rule that blocked a conclusion, typed, with its own proof if it holds."""

    kind: str
    text: str
    proof: Optional[ProofNode] = None
    # For a missing derived fact, on request (full detail): why each rule for it did not fire.
    explained: tuple["RuleAnalysis", ...] = ()


@dataclass(frozen=True)
class RuleAnalysis:
    """A rule as a why-not answer reads it: what held, which conditions blocked it, its citations."""

    rule: str
    conclusion: str
    held: tuple[str, ...]
    blocked_by: tuple[Condition, ...]
    citations: tuple[str, ...] = ()
    rationale: Optional[str] = None
    changes: tuple[str, ...] = ()  # what would let this rule conclude


@dataclass(frozen=True)
class ConflictNote:
    """Sources that disagree on a point of the answer, shown side by side."""

    id: str
    topic: str
    sides: tuple[tuple[str, ...], ...]
    note: Optional[str] = None


@dataclass(frozen=True)
class Item:
    """One entry of a list answer (a ranked site, an indication, a risk...)."""

    term: str
    label: str
    summary: str
    arguments: tuple[Argument, ...] = ()
    score: float = 0.0
    # The evidence form: the quote's sentences that bear on the question (whole sentences; the
    # ones left out are marked "…"); None elsewhere. The citation keeps the whole quote.
    excerpt: Optional[str] = None


@dataclass(frozen=True)
class NameRead:
    """A name the question was read to contain: the term, and the words that named it."""

    term: str
    label: str
    category: str
    said: str
    corrected: tuple[tuple[str, str], ...] = ()  # (typed word, word it was read as)


@dataclass(frozen=True)
class Reading:
    """How a question was understood: its intent, the names in it and the patient, in one line."""

    intent: str  # reasons | choice | where | risks | quantity | howto | suitability | definition | evidence | ...
    text: str  # "Read as: where to place mini-implants — molar intrusion; patient: adolescent"
    names: tuple[NameRead, ...] = ()
    patient: tuple[str, ...] = ()  # labels of the patient's factors and findings, an age, a BMI
    partial: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a word that is part of names, and those names
    frame: str = ""  # the opening the grammar recognised (f_why_not, f_quantity, ...; "" for a noun phrase)
    form: str = ""  # the answer form chosen for it

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Answer:
    """Everything one question's answer says, in the form every renderer (text, JSON, page) reads."""

    question: str
    form: str
    verdict: str
    subject: Optional[str] = None
    subject_label: Optional[str] = None
    holds: Optional[bool] = None
    patient: tuple[tuple[str, Value], ...] = ()
    derived_patient: tuple[str, ...] = ()  # factors the rules derived from the inputs (labels)
    patient_labels: tuple[tuple[str, str], ...] = ()  # stated factor → its label
    arguments_for: tuple[Argument, ...] = ()
    arguments_against: tuple[Argument, ...] = ()
    proof: Optional[ProofNode] = None
    why_not: tuple[RuleAnalysis, ...] = ()
    would_change: tuple[str, ...] = ()
    instead: tuple[Argument, ...] = ()
    items: tuple[Item, ...] = ()
    conflicts: tuple[ConflictNote, ...] = ()
    unknowns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    rows: tuple[tuple[tuple[str, Value], ...], ...] = ()
    statements_shown: tuple[str, ...] = ()  # statements the answer names outside any proof
    # What a reasoning form leaves out that bears most on the question (the evidence ranking):
    # shown as "Also in the sources"; in JSON they follow statements_shown.
    also: tuple[str, ...] = ()
    reading: Optional[Reading] = None  # how the question was understood (shown first)
    citations: dict = field(default_factory=dict, compare=False)
    _graph_builder: Optional[object] = field(default=None, compare=False, repr=False)

    # ---- rendering shortcuts (the renderers live in tadlog.render) ------------------------
    def to_text(self, **options) -> str:
        from ..render.text import render_text

        return render_text(self, **options)

    def to_markdown(self) -> str:
        from ..render.markdown import render_markdown

        return render_markdown(self)

    def to_json(self) -> dict:
        from ..render.json import answer_json

        return answer_json(self)

    def _repr_html_(self) -> str:
        """The notebook view: the explanation page's renderer, the answer alone."""
        from ..render.html import render_html

        return render_html(self, fragment=True)

    @property
    def provenance(self):
        """The answer's own provenance subgraph (networkx DiGraph), built on first use."""
        cached = self.__dict__.get("_provenance")
        if cached is None and self._graph_builder is not None:
            cached = self._graph_builder(self)
            object.__setattr__(self, "_provenance", cached)
        return cached

    def statements(self) -> list[str]:
        return list(self.citations)

    def __str__(self) -> str:
        return self.to_text()

