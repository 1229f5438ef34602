"""The library's front object: load a knowledge base, ask it questions.

    >>> import tadlog
    >>> kb = tadlog.load()                      # the bundled knowledge base
    >>> answer = kb.ask("why not infrazygomatic?")
    >>> print(answer.to_text()); answer.to_json(); answer.provenance

A knowledge base is immutable once loaded. Its evaluation is computed once (under a lock)
and shared read-only between threads; a question with patient inputs is evaluated in a fresh
pyDatalog logic of its own, so the knowledge base itself never changes.
"""
from __future__ import annotations

import os
import threading
from functools import cached_property, partial
from pathlib import Path
from typing import Iterable, Optional, Union

from . import cache, collector
from .engine.compile import LazyProgram, Program, compile_model, order_bodies
from .errors import ERROR, Diagnostic, TadlogError
from .engine.evaluate import Interpretation, Overlay, downstream, evaluate, evaluate_worlds
from .engine.explain import BaseFacts, Derivations
from . import limits
from .limits import MAX_PROOF_DEPTH, limit_error
from .language.model import KnowledgeBaseModel, Value
from .language.files import kb_files
from .resources import bundled_kb_dir, sources_dir


class KnowledgeBase:
    def __init__(self, model: KnowledgeBaseModel, diagnostics: Iterable[Diagnostic] = (),
                 root: Optional[Path] = None, *, interpretation: Optional[Interpretation] = None,
                 cache_key: Optional[str] = None, entry=None):
        """``interpretation``: the model's evaluation when already known; ``entry``: the cache
        entry it was read from (facts by predicate, atoms by term: read as questions need them);
        ``cache_key``: the entry this knowledge base is stored under, rewritten with the
        evaluation once it is computed."""
        self.model = model
        self.diagnostics = tuple(diagnostics)
        self.root = root
        self._lock = threading.RLock()
        self._base: Optional[tuple[Interpretation, Derivations]] = None
        self._given = interpretation
        self._cache_key = cache_key
        self._entry = entry
        self._indexes_saved: set[str] = set()  # question indexes the cache holds for this model
        self._worlds: dict[str, Interpretation] = {}  # what-if worlds evaluated for the cache, by world_key
        self.loaded_from = "cache" if entry is not None else "parse"

    # ---- loading ------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Union[str, os.PathLike, None] = None, *, sources=None,
             verify_quotes: bool = False, use_cache: bool = True) -> "KnowledgeBase":
        """Parse and validate ``path`` (the bundled knowledge base by default).

        Raises :class:`~tadlog.errors.TadlogError` with every problem found. Quotes are
        verified against the seed texts only when ``verify_quotes`` is set.
        """
        root = Path(path) if path is not None else bundled_kb_dir()
        if not root.is_dir():
            raise TadlogError(f"knowledge base folder {root} does not exist", code="E002")
        with collector.paused():
            return cls._load(root, sources, verify_quotes, use_cache)

    @classmethod
    def _load(cls, root: Path, sources, verify_quotes: bool, use_cache: bool) -> "KnowledgeBase":
        key = None
        if use_cache and not verify_quotes and cache.folders():
            key = cache.key_for(kb_files(root))
            kb = cls._from_cache(key, root)
            if kb is not None:
                return kb
        from .language.parse import parse_kb  # the parser and validator: imported only when parsing
        from .language.validate import ensure_valid

        model, parse_diagnostics = parse_kb(root)
        diagnostics = ensure_valid(model, sources=sources_dir(sources), check_quotes=verify_quotes)
        kb = cls(model, list(parse_diagnostics) + list(diagnostics), root, cache_key=key)
        if key is not None:
            write_cache(kb, evaluated=False)
        return kb

    @classmethod
    def _from_cache(cls, key: str, root: Path) -> Optional["KnowledgeBase"]:
        entry = cache.read(key)
        if entry is None:
            return None
        try:
            kb = cls(entry.model(), entry.diagnostics(), root, interpretation=entry.interpretation(),
                     cache_key=key, entry=entry)
        except Exception:  # a well-formed file of the wrong shape: parse again
            return None
        from .index_codec import LazyIndex

        for name, cls_of in QUESTION_INDEXES.items():  # kept on the model, as the questions keep them
            if name in KEYED_INDEXES:  # read when a question first needs it, entry by entry
                kb.model.__dict__["#" + name] = partial(_stored_index, _index_key(key, name), cls_of)
                continue
            stored = cache.read(_index_key(key, name))
            blob = stored.sections.get("index") if stored is not None else None
            if blob is not None:
                kb.model.__dict__[name] = LazyIndex(blob, cls_of, kb.model)
                kb._indexes_saved.add(name)
        return kb

    # ---- evaluation ---------------------------------------------------------------------
    @cached_property
    def program(self) -> Program:
        model = self.model  # not self: the program is kept on self, and a cycle outlives the last reference
        if self._entry is None:
            facts_of = _parsed_facts_of(model)
        else:
            rows = self._entry.fact_rows()  # facts by predicate, without decoding every Fact

            def facts_of(name):
                return tuple(dict.fromkeys(values for values, _, _ in rows(name)))
        arities = tuple((p.name, p.arity) for p in model.predicates)
        return LazyProgram(arities, tuple(order_bodies(list(model.rules))), facts_of,
                           lambda: compile_model(model).facts)

    def _evaluated(self) -> tuple[Interpretation, Derivations]:
        if self._base is not None:
            return self._base
        with collector.paused():
            return self._evaluate_base()

    def _evaluate_base(self) -> tuple[Interpretation, Derivations]:
        with self._lock:
            if self._base is None:
                if self._entry is not None and self._given is not None:
                    derivations = Derivations(self.model, self._given, self.program.rules,
                                              base=BaseFacts(self._entry.fact_rows()),
                                              mentions=self._entry.mentions())
                    self._base = (self._given, derivations)
                else:
                    interpretation = self._given or evaluate(self.program)
                    derivations = Derivations(self.model, interpretation, self.program.rules)
                    self._base = (interpretation, derivations)
                    if self._cache_key is not None:
                        self._unsaved = True
            base = self._base
        if self.__dict__.pop("_unsaved", False):  # outside the lock: writing asks questions of self
            write_cache(self, base[0], derivations=base[1])
        return base

    @property
    def interpretation(self) -> Interpretation:
        """Every fact true in the knowledge base (pyDatalog's evaluation)."""
        return self._evaluated()[0]

    @property
    def derivations(self) -> Derivations:
        return self._evaluated()[1]

    def with_inputs(self, facts: Iterable[tuple[str, tuple[Value, ...]]], rules=()) -> Derivations:
        """Evaluate with extra facts (a patient's) and rules (a raw query) for one question."""
        facts = tuple(facts)
        rules = tuple(rules)
        if not facts and not rules:
            return self.derivations
        program = self.program.with_facts(facts)
        if rules:
            program = program.with_rules(rules, [(r.head.predicate, len(r.head.args)) for r in rules])
        changed = {name for name, _ in facts} | {r.head.predicate for r in rules}
        if not rules:
            return self.with_inputs_many([facts])[0]
        if rules:  # a user's rules: stopped at the question's deadline, even inside pyDatalog
            from .engine.worker import evaluate_stoppable  # pickle and select: only for a question's own rules

            interpretation = evaluate_stoppable(program, self.interpretation, changed, rules)
        else:
            interpretation = evaluate(program, base=self.interpretation, changed=changed)
        return Derivations(self.model, interpretation, program.rules, inputs=facts,
                           parent=self.derivations, affected=downstream(program, changed))

    def with_inputs_many(self, worlds: Iterable[Iterable[tuple[str, tuple[Value, ...]]]]) -> list[Derivations]:
        """``with_inputs`` for many sets of facts at once: one evaluation answers them all
        (the what-if questions of one answer share everything but one patient factor). Sets
        whose evaluation the cache holds (each patient factor alone, and pairs) are not evaluated."""
        worlds = [tuple(w) for w in worlds]
        if not worlds:
            return []
        limits.check_budget()  # even when nothing is evaluated, a question past its deadline stops
        changed = {name for world in worlds for name, _ in world}
        affected = downstream(self.program, changed)
        found = {i: self._precomputed(world) for i, world in enumerate(worlds)}
        todo = [i for i, interpretation in found.items() if interpretation is None]
        if todo:
            evaluated = evaluate_worlds(self.program, self.interpretation, [worlds[i] for i in todo], changed)
            found.update(zip(todo, evaluated))
        return [Derivations(self.model, found[i], self.program.rules, inputs=world,
                            parent=self.derivations, affected=affected)
                for i, world in enumerate(worlds)]

    def _precomputed(self, world: tuple) -> Optional[Interpretation]:
        """The evaluation of ``world`` (a set of input facts) when the cache entry holds it, or
        when this process evaluated it for the cache (a first run then does not evaluate it twice)."""
        key = world_key(world)
        if key in self._worlds:
            return self._worlds[key]
        if self._entry is None:
            return None
        changed = self._entry.world(key)
        if changed is None:
            return None
        return Interpretation(Overlay(changed, self.interpretation.relations, dict(self.program.arities)))

    # ---- questions ----------------------------------------------------------------------
    def ask(self, question, *, depth: int = 8, full: bool = False, budget: Optional[float] = None):
        """Answer a question (text or :class:`~tadlog.query.Query`) with an :class:`Answer`.

        The question gets ``budget`` seconds of wall-clock time (default: limits.default_budget);
        past it, :class:`~tadlog.limits.BudgetExceeded` is raised. Loading and evaluating the
        knowledge base itself happens first and is not counted."""
        from .questions.forms import answer_query
        from .questions.query import Query
        from .questions.reader import parse_question

        if not 0 <= depth <= MAX_PROOF_DEPTH:
            raise limit_error("L005", f"a proof depth of {depth} is outside 0-{MAX_PROOF_DEPTH}",
                              suggestion=f"ask with a depth of at most {MAX_PROOF_DEPTH}")
        with collector.paused():  # what an answer makes lives as long as the answer: see collector
            self._evaluated()
            with limits.budget(budget):
                query = question if isinstance(question, Query) else parse_question(str(question), self.model)
                answer = answer_query(self, query, depth=depth, full=full)
            save_question_indexes(self)
        return answer

    def parse_question(self, text: str):
        from .questions.reader import parse_question

        return parse_question(text, self.model)

    # ---- provenance ---------------------------------------------------------------------
    @property
    def provenance(self):
        """The whole provenance graph (networkx DiGraph) of the base evaluation."""
        from .engine.provenance import build_graph

        return build_graph(self.model, self.derivations)

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]


def _parsed_facts_of(model: KnowledgeBaseModel):
    """A parsed model's facts of each predicate as the program gives them (in order, once each),
    kept per predicate: the model's own tuples of values (``fact_values``), not a second copy
    (at 100x the compiled facts were 11 MiB of tuples the model's readers held again)."""
    found: dict = {}

    def facts_of(name: str) -> tuple:
        facts = found.get(name)
        if facts is None:
            facts = found[name] = tuple(dict.fromkeys(model.fact_values(name)))
        return facts
    return facts_of


def load(path=None, **kwargs) -> KnowledgeBase:
    """Load a knowledge base: the bundled one by default, or a folder of ``.tad`` files."""
    return KnowledgeBase.load(path, **kwargs)


# ---- cache --------------------------------------------------------------------------------
@collector.paused()
def write_cache(kb: KnowledgeBase, interpretation: Optional[Interpretation] = None, *, evaluated: bool = True,
                derivations: Optional[Derivations] = None):
    """Store ``kb`` (with its evaluation and term index unless ``evaluated`` is False) under its key.

    With the cyclic collector paused, as loading and evaluating are (collector.py): encoding
    makes hundreds of thousands of short-lived lists, and each generation-2 pass they set off
    walks the whole model. Called on its own (an embedder; the benchmark's "cache write") the
    write at 100x took 12 s instead of the 6.6 s it takes inside an ask, which pauses it."""
    from .codec import encode, encode_model

    key = kb._cache_key or (cache.key_for(kb_files(kb.root)) if kb.root is not None else None)
    if key is None or not cache.folders():
        return None
    if evaluated and interpretation is None:
        interpretation, derivations = kb.interpretation, kb.derivations
    if evaluated and derivations is None:
        derivations = Derivations(kb.model, interpretation, kb.program.rules)
    try:
        model_sections = kb.__dict__.pop("_model_sections", None) or encode_model(kb.model, kb.diagnostics)
        if evaluated:
            model_sections = encode(kb.model, kb.diagnostics, interpretation, derivations.index_by_term,
                                    _what_if_worlds(kb, interpretation), model_sections=model_sections)
        written = cache.write(key, model_sections)  # encoded as it is written, never held whole
    except (TypeError, ValueError):  # a value the format cannot hold: this knowledge base is not cached
        return None
    del model_sections
    if not evaluated and written is not None:
        _keep_model_sections(kb, key, written)
    if evaluated and written is not None:
        _read_term_index_from(written, key, derivations)
        _save_keyed_indexes(kb, key)
    return written


def _read_term_index_from(written: Path, key: str, derivations: Derivations) -> None:
    """Once written, the term index is read from the entry term by term, as a cached knowledge
    base reads it, not held whole (at 100x, 25 MiB that the statement index is built beside)."""
    entry = cache.read_file(written, key)
    mentions = entry.mentions() if entry is not None else None
    if mentions is not None:
        derivations.use_mentions(mentions)


def _keep_model_sections(kb: KnowledgeBase, key: str, written: Path) -> None:
    """The model's sections of the entry just written, kept to be copied into the evaluated
    entry (the model is encoded once per process): spans of the file, read piece by piece when
    copied, not the encoding held in memory. Gone (evicted meanwhile), the model is encoded again."""
    entry = cache.read_file(written, key)
    if entry is not None:
        kb.__dict__["_model_sections"] = dict(entry.sections)


def world_key(world) -> str:
    """A set of input facts as the cache names its evaluation (order-free)."""
    import json

    return json.dumps(sorted([name, list(values)] for name, values in world))


MAX_PRECOMPUTED_ROWS = 5_000  # rows of what-if relations the cache keeps (pairs of factors only while small)


def _what_if_worlds(kb: KnowledgeBase, interpretation: Interpretation) -> Optional[dict]:
    """The evaluations a first question asks for most: each patient factor alone (the what-ifs of
    a question without a patient; a question naming one factor) and, while small, each pair
    (the what-ifs of a question naming one factor). Precomputed when the cache is written."""
    from itertools import combinations

    from .questions.forms.unknowns import patient_factor_candidates

    try:
        factors = patient_factor_candidates(kb)
        worlds = [(("patient", (f,)),) for f in factors]
        own_base = kb._base is not None and kb._base[0] is interpretation
        out: dict = {}
        rows = 0
        for batch in (worlds, [(("patient", (a,)), ("patient", (b,))) for a, b in combinations(factors, 2)]):
            if not batch or rows * len(batch) / max(1, len(worlds)) > MAX_PRECOMPUTED_ROWS:
                break
            for world, result in zip(batch, evaluate_worlds(kb.program, interpretation, batch, {"patient"})):
                own = result.relations.own()
                rows += sum(len(v) for v in own.values())
                key = world_key(world)
                out[key] = {name: [list(row) for row in v] for name, v in own.items()}
                if own_base:  # the questions of this process read them too
                    kb._worlds[key] = result
        return out
    except TadlogError:
        return None


def _name_index_class():
    from .questions.names import NameIndex
    return NameIndex


def _statement_index_class():
    from .questions.forms.statements import StatementIndex
    return StatementIndex


# The indexes the question reader and the evidence form build from a model and keep on it
# (model.__dict__[name]): cached beside the model, so a fresh knowledge-base object need not
# rebuild them for its first question. The classes are named here, never read from the file.
QUESTION_INDEXES = {"_name_index": _name_index_class, "_statement_index": _statement_index_class}


# Indexes stored as keyed sections (codec.encode_keyed) and read entry by entry: large enough at
# literature scale that a first question must not decode them whole. They are built when the
# evaluated entry is written (a question needs them first thing; at a hundred times the bundled
# size building one took longer than the whole answer should), the others when first built.
KEYED_INDEXES = ("_statement_index",)


def _index_key(key: str, name: str) -> str:
    return f"{key}-{name.strip('_')}"


def _stored_index(key: str, cls_of):
    """A keyed index from its cache entry, or None (absent or damaged: the question builds it)."""
    from .codec import decode_keyed

    entry = cache.read(key)
    if entry is None:
        return None
    cls = cls_of()
    try:
        return cls.from_maps(*decode_keyed(entry.sections, cls.CONVERTERS, getattr(cls, "KEEP", None)))
    except TadlogError:
        return None


def _save_keyed_indexes(kb: KnowledgeBase, key: str) -> None:
    """Store the keyed indexes of a model that was parsed (one read from the cache has them
    stored, or builds them for its first question and saves them then). One not built yet is
    made as it is written, and the model then reads the stored copy key by key, as a cached
    model does: at 100x the built statement index was 68 MiB, and building it held more."""
    for name in KEYED_INDEXES:
        if "#" + name in kb.model.__dict__ or name in kb._indexes_saved:
            continue
        built = kb.model.__dict__.get(name)
        if _write_index(kb, key, name, built) is not None and built is None:
            kb.model.__dict__["#" + name] = partial(_stored_index, _index_key(key, name), QUESTION_INDEXES[name])


_SAVING = threading.Lock()


def save_question_indexes(kb: KnowledgeBase) -> None:
    """Store each question index the questions built since the model was cached, in an entry
    of its own. The name index is saved when first built, not when the model is: a raw query or
    a check never needs it. (The statement index is written with the evaluation: KEYED_INDEXES.)"""
    key = kb._cache_key
    if key is None or len(kb._indexes_saved) == len(QUESTION_INDEXES):
        return
    with _SAVING:
        for name, cls_of in QUESTION_INDEXES.items():
            index = kb.model.__dict__.get(name)
            if name in kb._indexes_saved or not isinstance(index, cls_of()):
                continue  # not built here (absent, or still the cache's undecoded copy)
            if getattr(index, "from_cache", False):
                kb._indexes_saved.add(name)
                continue
            _write_index(kb, key, name, index)


def _write_index(kb: KnowledgeBase, key: str, name: str, index) -> Optional[Path]:
    """Store a question index (``index`` None: a keyed index not built, made from the model as it
    is written); the file written, or None."""
    from . import codec, index_codec

    try:  # (a keyed index is encoded as it is written)
        if name not in KEYED_INDEXES:
            sections = {"index": index_codec.encode_index(index, kb.model)}
        else:
            sections = codec.encode_keyed(*(index.stored_maps() if index is not None
                                            else QUESTION_INDEXES[name]().stored_maps_of(kb.model)))
        written = cache.write(_index_key(key, name), sections)
    except RuntimeError:  # another thread (the service) filled the index's memo meanwhile: next time
        return None
    except (TypeError, ValueError):  # an index holding what the format cannot: built per model instead
        written = None
    kb._indexes_saved.add(name)
    return written
