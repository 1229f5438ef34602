"""The two sides of a review: resolving BASE and HEAD (revisions or folders) and loading each once.
"""
from __future__ import annotations

import dataclasses

import io
import subprocess
import tarfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

from ...errors import ERROR, INFO, WARNING, Diagnostic, Location, TadlogError, UsageError
from ...language.model import KnowledgeBaseModel, Statement

SCHEMA = "tadlog.review/1"
QUESTIONS_FILE = "questions.txt"
KINDS = ("source", "section", "statement", "predicate", "term", "fact", "rule", "conflict")
PLURAL = {"source": "sources", "section": "sections", "statement": "statements", "predicate": "predicates",
          "term": "terms", "fact": "facts", "rule": "rules", "conflict": "conflicts"}
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
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
        from ...questions.explainer import Explainer

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


class ParseMemo:
    """Declarations per file text: a file unchanged between the sides is parsed once.

    The other side gets the same declarations with their locations moved to its own path,
    which costs a small fraction of parsing the file again."""

    def __init__(self):
        self._memo: dict[str, tuple[str, list, list[Diagnostic]]] = {}

    def parse(self, display: str, text: str):
        from ...language.parse import parse_text

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


class QuoteMemo:
    """Quote findings per statement meaning: a statement unchanged between sides is checked once."""

    def __init__(self, sources: Optional[Path]):
        self.sources = sources
        self._memo: dict[tuple[Statement, Optional[str]], tuple[Diagnostic, ...]] = {}

    def verify(self, model: KnowledgeBaseModel) -> list[Diagnostic]:
        from ...language.validate import verify_quotes

        from ...language.quotes import seed_path

        files = {s.id: s.file for s in model.sources}
        if self.sources is None or not Path(self.sources).is_dir() or any(
                f and not (seed_path(self.sources, f) or Path("/nonexistent/")).is_file() for f in files.values()):
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


def load_side(name: str, spec: str, root: Path, display: str, parse_memo: ParseMemo,
              quote_memo: Optional[QuoteMemo]) -> Side:
    """Parse, validate, evaluate and lint one side; problems become findings, never exceptions."""
    from ...kb import KnowledgeBase
    from ..lint import evaluable, lint
    from ...language.parse import parse_kb
    from ...language.validate import validate

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


def _refuse_links_out(tar, kb_path: str, revision: str) -> None:
    """A committed symbolic (or hard) link that leads outside the knowledge base is refused by
    name, before anything is extracted: its target is never read into the review."""
    import posixpath

    root = posixpath.normpath(kb_path)
    for member in tar.getmembers():
        if not (member.issym() or member.islnk()):
            continue
        where = posixpath.dirname(member.name) if member.issym() else ""
        target = posixpath.normpath(posixpath.join(where, member.linkname))
        if member.linkname.startswith("/") or not (target == root or target.startswith(root + "/")):
            raise TadlogError(f"tadlog review: {member.name} in revision {revision} is a symbolic link that "
                              f"leads outside {kb_path}/; links out of the knowledge base are refused",
                              code="E013")


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
        _refuse_links_out(tar, kb_path, revision)
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
        from ...resources import bundled_kb_dir

        return Resolved("working tree", bundled_kb_dir(), "kb")
    path = Path(spec)
    if path.is_dir():
        return Resolved(spec, path, path.resolve().name)
    if repo is None:
        raise UsageError(f"tadlog review: '{spec}' is not a folder, and there is no git repository here to "
                         "read a revision from (use --repo DIR)", code="U012")
    root = materialise(repo, spec, kb_path, scratch / name)
    return Resolved(spec, root, Path(kb_path).name)


