"""Verbatim-quote matching against the seed texts.

Seed texts come from PDF extraction: words hyphenated across line breaks, Unicode hyphens
(U+2010) inside words, curly quotes, and columns interleaved with captions. A curator writes
the quote as it reads; both sides are normalised the same way before comparing. A quote that
skips interleaved text marks each gap with an ellipsis, and its fragments must then be found
in order within the cited lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Optional

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad"), "-")
_QUOTES = {ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"',
           ord("\u2032"): "'", ord("\u00b4"): "'"}
_TRANSLATION = {**_DASHES, **_QUOTES, ord("\u00a0"): " ", ord("\u2009"): " ", ord("\u202f"): " "}
_GAP = re.compile(r"\s*(?:\u2026|\.\.\.)\s*")


HYPHENATED = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w)")  # end-of-line hyphenation


def fold(text: str) -> str:
    """Dash variants, curly quotes, odd spaces and ligatures folded; case and breaks kept."""
    return text.translate(_TRANSLATION).replace("\ufb01", "fi").replace("\ufb02", "fl")


def normalise(text: str) -> str:
    """Fold the differences PDF extraction introduces; keep words, numbers and punctuation."""
    text = fold(text)
    # end-of-line hyphenation: "pene-\ntrated" → "penetrated"
    text = HYPHENATED.sub(r"\1\2", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip().lower()


def fragments(quote: str) -> list[str]:
    return [f for f in (normalise(part) for part in _GAP.split(quote)) if f]


@dataclass(frozen=True)
class QuoteCheck:
    found: bool
    message: str = ""
    missing_fragment: Optional[str] = None


@lru_cache(maxsize=64)
def _lines(path: str) -> tuple[str, ...]:
    return tuple(Path(path).read_bytes().decode("utf-8").splitlines())


def seed_path(sources: Path, name: str) -> Optional[Path]:
    """The seed text ``name`` inside ``sources``, or None when the name would lead outside it.

    A source's ``file`` is a name relative to the sources folder: an absolute path, a ``..``
    step, a home-folder or drive prefix, or a symbolic link whose target lies outside the
    folder is refused, so no file elsewhere on the machine is ever read (or matched against
    a quote, which would tell its contents line by line)."""
    if not name or "\x00" in name or "\\" in name or name.startswith("~") or ":" in name:
        return None
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        return None
    path = Path(sources) / pure
    try:
        inside = path.resolve().is_relative_to(Path(sources).resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return None
    return path if inside else None


def seed_problem(path: Path) -> Optional[str]:
    """Why the seed text at ``path`` cannot be read as text (too large, not UTF-8), or None."""
    from ..limits import MAX_SOURCE_FILE_BYTES
    from .files import text_problem

    size = path.stat().st_size
    if size > MAX_SOURCE_FILE_BYTES:
        return f"it is {size:,} bytes, over the limit of {MAX_SOURCE_FILE_BYTES:,}"
    if str(path) in _checked:
        return None
    problem = text_problem(path.read_bytes())
    if problem is None:
        _checked.add(str(path))
    return problem


_checked: set[str] = set()


def check_quote(seed: Path, lines: tuple[int, int], quote: str) -> QuoteCheck:
    """Is ``quote`` within ``lines`` of ``seed``? Fragments must appear in order."""
    all_lines = _lines(str(seed))
    first, last = lines
    if first < 1 or last > len(all_lines) or first > last:
        return QuoteCheck(False, f"lines {first}-{last} are outside {seed.name} (1-{len(all_lines)})")
    # Compare with hyphens folded away too, so "mini-implant" written whole or split matches.
    window = _dehyphenate(normalise("\n".join(all_lines[first - 1:last])))
    position = 0
    for fragment in fragments(quote):
        at = window.find(_dehyphenate(fragment), position)
        if at < 0:
            return QuoteCheck(False, _explain_miss(all_lines, lines, fragment), fragment)
        position = at + len(_dehyphenate(fragment))
    return QuoteCheck(True)


def dehyphenate(text: str) -> str:
    """Hyphens folded away, so "mini-implant" written whole or split compares equal."""
    return _dehyphenate(text)


def _dehyphenate(text: str) -> str:
    return re.sub(r"(\w)- (\w)", r"\1\2", text).replace("-", "")


def _explain_miss(all_lines, lines, fragment: str) -> str:
    """Say whether the text is elsewhere in the file (wrong line range) or nowhere."""
    whole = normalise("\n".join(all_lines))
    at = whole.find(fragment)
    short = fragment if len(fragment) <= 60 else fragment[:57] + "..."
    if at >= 0:
        line = _line_of(all_lines, fragment)
        where = f" (it is at line {line})" if line else ""
        return f'quote fragment "{short}" is not within lines {lines[0]}-{lines[1]}{where}'
    return f'quote fragment "{short}" is not in the source text'


def _line_of(all_lines, fragment: str) -> Optional[int]:
    head = fragment[:40]
    for number in range(len(all_lines)):
        if not all_lines[number].strip():
            continue  # a blank line normalises away: the text starts on a later line
        window = normalise("\n".join(all_lines[number:number + 12]))
        if window.startswith(head) or head in window and head not in normalise("\n".join(all_lines[number + 1:number + 12])):
            return number + 1
    return None


def number_in_quote(number, quote: str) -> bool:
    """Does the number a fact states occur in the quote it cites (78 in "78%", 0.5 in "0.5 mm")?"""
    text = _number_text(quote)
    candidates = {str(number)}
    if isinstance(number, float) and number.is_integer():
        candidates.add(str(int(number)))
    for candidate in candidates:
        if _number_pattern(candidate).search(text):
            return True
    return False


@lru_cache(maxsize=4096)
def _number_text(quote: str) -> str:
    """A quote normalised for finding numbers in it ("5,000" states 5000); kept, as a quote is
    cited by several facts (and, in a grown knowledge base, the same quotes recur)."""
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", normalise(quote))


@lru_cache(maxsize=1024)
def _number_pattern(candidate: str):
    return re.compile(rf"(?<![\d.]){re.escape(candidate)}(?![\d]|\.\d)")


def numbers_in(quote: str) -> list[str]:
    """The numbers a quote gives, as written ("78", "0.5", "5000" for "5,000"), in order."""
    return list(dict.fromkeys(re.findall(r"(?<![\w.])\d+(?:\.\d+)?", _number_text(quote))))
