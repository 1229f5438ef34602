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

import hashlib
import os
import pickle
import threading
from functools import cached_property
from pathlib import Path
from typing import Iterable, Optional, Union

from .engine.compile import Program, compile_model
from .errors import ERROR, Diagnostic, TadlogError
from .engine.evaluate import Interpretation, downstream, evaluate
from .engine.explain import Derivations
from .language.model import KnowledgeBaseModel, Value
from .resources import bundled_kb_dir, cache_dir, grammar_path, sources_dir

CACHE_VERSION = "1"


class KnowledgeBase:
    def __init__(self, model: KnowledgeBaseModel, diagnostics: Iterable[Diagnostic] = (),
                 root: Optional[Path] = None):
        self.model = model
        self.diagnostics = tuple(diagnostics)
        self.root = root
        self._lock = threading.Lock()
        self._base: Optional[tuple[Interpretation, Derivations]] = None

    # ---- loading ------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Union[str, os.PathLike, None] = None, *, sources=None,
             verify_quotes: bool = False, use_cache: bool = True) -> "KnowledgeBase":
        """Parse and validate ``path`` (the bundled knowledge base by default).

        Raises :class:`~tadlog.errors.TadlogError` with every problem found. Quotes are
        verified against the seed texts only when ``verify_quotes`` is set.
        """
        from .language.parse import kb_files, parse_kb
        from .language.validate import ensure_valid

        root = Path(path) if path is not None else bundled_kb_dir()
        if not root.is_dir():
            raise TadlogError(f"knowledge base folder {root} does not exist", code="E002")
        key = _cache_key(root, kb_files(root)) if use_cache and not verify_quotes else None
        cached = _cache_read(key)
        if cached is not None:
            model, diagnostics = cached
            return cls(model, diagnostics, root)
        model, parse_diagnostics = parse_kb(root)
        diagnostics = ensure_valid(model, sources=sources_dir(sources), check_quotes=verify_quotes)
        _cache_write(key, (model, list(parse_diagnostics) + list(diagnostics)))
        return cls(model, list(parse_diagnostics) + list(diagnostics), root)

    # ---- evaluation ---------------------------------------------------------------------
    @cached_property
    def program(self) -> Program:
        return compile_model(self.model)

    def _evaluated(self) -> tuple[Interpretation, Derivations]:
        with self._lock:
            if self._base is None:
                interpretation = evaluate(self.program)
                self._base = (interpretation, Derivations(self.model, interpretation, self.program.rules))
            return self._base

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
        interpretation = evaluate(program, base=self.interpretation, changed=changed)
        return Derivations(self.model, interpretation, program.rules, inputs=facts,
                           parent=self.derivations, affected=downstream(program, changed))

    # ---- questions ----------------------------------------------------------------------
    def ask(self, question, *, depth: int = 8, full: bool = False):
        """Answer a question (text or :class:`~tadlog.query.Query`) with an :class:`Answer`."""
        from .questions.forms import answer_query
        from .questions.query import Query
        from .questions.reader import parse_question

        query = question if isinstance(question, Query) else parse_question(str(question), self.model)
        return answer_query(self, query, depth=depth, full=full)

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


def load(path=None, **kwargs) -> KnowledgeBase:
    """Load a knowledge base: the bundled one by default, or a folder of ``.tad`` files."""
    return KnowledgeBase.load(path, **kwargs)


# ---- parse cache --------------------------------------------------------------------------
def _cache_key(root: Path, files: list[Path]) -> Optional[str]:
    """Content hash of every file and grammar that shapes the model (never mtimes)."""
    from .version import __version__

    digest = hashlib.sha256(f"{CACHE_VERSION}:{__version__}".encode())
    digest.update(grammar_path("kb.lark").read_bytes())
    for path in files:
        digest.update(str(path.resolve()).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _cache_read(key: Optional[str]):
    folder = cache_dir()
    if key is None or folder is None:
        return None
    try:
        with open(folder / f"{key}.pickle", "rb") as handle:
            return pickle.load(handle)
    except Exception:  # a missing or stale cache is never an error: parse again
        return None


def _cache_write(key: Optional[str], value) -> None:
    folder = cache_dir()
    if key is None or folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{key}.{os.getpid()}.tmp"
        with open(tmp, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{key}.pickle")
    except OSError:
        pass
