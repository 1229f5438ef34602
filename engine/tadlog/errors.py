"""One root exception for every stage, and the diagnostics it carries.

Every problem a user can cause is reported as a :class:`Diagnostic` with a location, so the
CLI can print ``file:line:col: message`` with the offending line and a caret, and never a
traceback. Stages raise subclasses of :class:`TadlogError` so embedders can catch by stage.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

ERROR, WARNING, INFO = "error", "warning", "info"
_SEVERITY_RANK = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a knowledge-base file or in a question (path ``<question>``)."""

    path: str
    line: int
    column: int
    width: int = 1
    text: Optional[str] = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.column}"

    def source_line(self) -> Optional[str]:
        """The line the location points into, read from the file when not carried.

        Only knowledge-base files are read (a location never points elsewhere), each once
        however many diagnostics point into it."""
        if self.text is not None:
            lines = self.text.splitlines() or [""]
        else:
            lines = _kb_file_lines(self.path)
        return lines[self.line - 1] if 0 < self.line <= len(lines) else None


def _kb_file_lines(path: str) -> tuple[str, ...]:
    """The lines of a ``.tad`` file, cached by path, modification time and size."""
    if not path.endswith(".tad"):
        return ()
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return ()
    return _read_lines(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _read_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_bytes().decode("utf-8", errors="replace").splitlines())
    except OSError:
        return ()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: a stable code, a severity, a message, where, and what to do."""

    code: str
    message: str
    location: Optional[Location] = None
    severity: str = ERROR
    suggestion: Optional[str] = None

    def render(self) -> str:
        where = f"{self.location}: " if self.location else ""
        head = f"{where}{self.severity}[{self.code}]: {self.message}"
        parts = [head]
        line = self.location.source_line() if self.location else None
        if line is not None:
            col = max(self.location.column, 1)
            expanded = line.expandtabs(1)
            parts.append("    " + expanded)
            parts.append("    " + " " * (col - 1) + "^" * max(1, min(self.location.width, len(expanded) - col + 1)))
        if self.suggestion:
            parts.append(f"    {self.suggestion}")
        return "\n".join(parts)

    def to_json(self) -> dict:
        loc = self.location
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": display_path(loc.path) if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "suggestion": self.suggestion,
        }

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path if loc else "", loc.line if loc else 0, loc.column if loc else 0,
                _SEVERITY_RANK.get(self.severity, 3), self.code, self.message)


def display_path(path: str) -> str:
    """A path as the user should read it: relative to the working folder when inside it."""
    if path.startswith("<") or not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


class TadlogError(Exception):
    """Root of every error tadlog raises on purpose. Carries one or more diagnostics."""

    exit_code = 1

    def __init__(self, diagnostics: Iterable[Diagnostic] | str, *, code: str = "E000"):
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic(code, diagnostics)]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        super().__init__(self.render())

    def render(self) -> str:
        errors = [d for d in self.diagnostics if d.severity == ERROR] or list(self.diagnostics)
        text = "\n".join(d.render() for d in errors)
        if len(errors) > 1:
            text += f"\n{len(errors)} errors"
        return text


class KBSyntaxError(TadlogError):
    """A knowledge-base file does not follow grammar/kb.lark."""


class ValidationError(TadlogError):
    """The knowledge base parses but breaks a rule of the language (arity, safety, quotes...)."""


class SourceTextError(TadlogError):
    """The seed texts needed to verify quotes are missing."""


class QueryError(TadlogError):
    """A question cannot be understood or names something the knowledge base does not know."""


class EngineError(TadlogError):
    """pyDatalog failed on a program that passed validation: a bug, reported plainly."""


class UsageError(TadlogError):
    """The command line was used wrongly."""

    exit_code = 2


def did_you_mean(word: str, candidates: Iterable[str], n: int = 3) -> Optional[str]:
    """A 'did you mean' hint, or None when nothing is close enough to help."""
    from .similar import close_matches

    pool = sorted(set(candidates))
    close = close_matches(word, pool, n=n, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        close = [lowered[c] for c in close_matches(word.lower(), list(lowered), n=n, cutoff=0.6)]
    if not close:
        return None
    return "did you mean " + " or ".join(close) + "?"
