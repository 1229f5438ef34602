"""Where the bundled grammars and knowledge base live.

In a wheel they are package data (``tadlog/grammar``, ``tadlog/kb``); in a checkout they are
the top-level ``grammar/`` and ``kb/`` folders beside ``engine/``.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

PACKAGE_DIR = _PACKAGE = Path(__file__).resolve().parent
SOURCES_ENV = "TADLOG_SOURCES"


def _data_dir(name: str) -> Path:
    bundled = _PACKAGE / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent.parent / name


def grammar_path(name: str) -> Path:
    return _data_dir("grammar") / name


def schema_path(name: str) -> Path:
    """A published JSON Schema (docs/schemas/ in a checkout, tadlog/schemas in a wheel)."""
    bundled = _PACKAGE / "schemas"
    return (bundled if bundled.is_dir() else _PACKAGE.parent.parent / "docs" / "schemas") / f"{name}.json"


def bundled_kb_dir() -> Path:
    return _data_dir("kb")


def sources_dir(explicit: str | os.PathLike | None = None) -> Path | None:
    """The folder of seed texts: the explicit option, else $TADLOG_SOURCES, else None."""
    value = explicit or os.environ.get(SOURCES_ENV)
    return Path(value) if value else None


def lark_parser(grammar: str, **options):
    """A Lark parser for one of our grammars, its tables cached on disk after the first build.

    Building an LALR table from the .lark text costs more than a whole cold answer, so the
    built parser is kept, as JSON that reading runs no code (parser_tables.py), keyed by the
    grammar, the options and lark's version; on any doubt the parser is built.
    """
    from . import parser_tables

    text = grammar_path(grammar).read_text(encoding="utf-8")
    path, key = _lark_cache_file(grammar, text, options)
    for candidate in (path, shipped_tables_path(grammar, text, options)):
        if candidate is not None:
            found = parser_tables.read(candidate, key)
            if found is not None:
                return found
    from lark import Lark

    parser = Lark(text, parser="lalr", **options)
    if path is not None:
        parser_tables.write(parser, path, key)
    return parser


PARSERS = {  # every parser tadlog builds: (grammar, options); their tables ship with the package
    "question": ("query.lark", {"propagate_positions": True, "start": ["start", "frame"]}),
    "raw query": ("kb.lark", {"propagate_positions": True, "start": "query"}),
    "knowledge base": ("kb.lark", {"propagate_positions": True, "maybe_placeholders": False}),
}


def parser(name: str):
    """One of PARSERS, its tables read from the cache or the package when they can be."""
    grammar, options = PARSERS[name]
    return lark_parser(grammar, **options)


def shipped_tables_path(grammar: str, text: str, options: dict) -> Path:
    """Where the package keeps a parser's tables, built with the package (grammar/tables/): the
    first run after install then reads them instead of building them (a quarter of a first-ever
    ask). Named by the grammar's text and the options; used only when built by the same lark.
    tests/test_grammar_tables.py fails when a grammar changed and its tables were not rebuilt
    (``TADLOG_UPDATE_GOLDEN=1`` rebuilds them, as for the golden files)."""
    import hashlib

    source = hashlib.sha256("\0".join([grammar, text, repr(sorted(options.items()))]).encode()).hexdigest()[:16]
    return _data_dir("grammar") / "tables" / f"{grammar}.{source}.json"


def write_shipped_tables(grammar: str, options: dict) -> Path:
    """Build one parser and write its tables where the package keeps them."""
    from lark import Lark

    from . import parser_tables

    text = grammar_path(grammar).read_text(encoding="utf-8")
    target = shipped_tables_path(grammar, text, options)
    target.parent.mkdir(exist_ok=True)
    parser_tables.write(Lark(text, parser="lalr", **options), str(target), _tables_key(grammar, text, options))
    return target


def _tables_key(grammar: str, text: str, options: dict) -> str:
    """What a parser's stored tables must match: the grammar, its text, the options, lark's version
    and the stored layout (so a file of an earlier layout is never even read: another name)."""
    import hashlib

    import lark

    from .parser_tables import FORMAT

    return hashlib.sha256("\0".join([grammar, text, repr(sorted(options.items())), lark.__version__,
                                     f"layout {FORMAT}"]).encode()).hexdigest()[:24]


def _lark_cache_file(grammar: str, text: str, options: dict):
    key = _tables_key(grammar, text, options)
    base = writable_cache_dir()
    if base is None:
        return None, key
    return os.path.join(base, f"{grammar}.{key}.lark.json"), key


def cache_dir() -> Path | None:
    """The folder of tadlog's caches (parsed models, parser tables); None when caching is off.

    ``TADLOG_NO_CACHE`` (any value) turns caching off; ``TADLOG_CACHE_DIR`` names the folder;
    otherwise it is the platform's user cache folder (platformdirs: ~/.cache/tadlog on Linux,
    ~/Library/Caches/tadlog on macOS, %LOCALAPPDATA%\\tadlog\\Cache on Windows)."""
    if os.environ.get("TADLOG_NO_CACHE"):
        return None
    explicit = os.environ.get("TADLOG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    try:
        from platformdirs import user_cache_dir
    except ImportError:  # platformdirs is a dependency; a stripped install still gets XDG's folder
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tadlog"
    return Path(user_cache_dir("tadlog", appauthor=False))


def fallback_cache_dir() -> Path:
    """A private per-user folder in the system temporary directory, for read-only cache folders."""
    import tempfile

    return Path(tempfile.gettempdir()) / _fallback_name()


def _fallback_name() -> str:
    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return f"tadlog-cache-{uid}"


def is_fallback_dir(folder: Path) -> bool:
    """Is ``folder`` the fallback? Told by its name first: finding the system's temporary folder
    (``tempfile.gettempdir`` probes candidates by writing a file in each) was about 5 ms of a cold
    ask, which reads its entry from the cache folder and never needs the fallback."""
    return folder.name == _fallback_name() and folder == fallback_cache_dir()


class CacheDirs(Sequence):
    """Where cached data may be read from: the cache folder, then the fallback (none when
    caching is off). The fallback is found only when a caller reaches it (is_fallback_dir)."""

    def __init__(self, primary: Path | None):
        self._primary = primary

    def __len__(self) -> int:
        return 0 if self._primary is None else 2

    def __getitem__(self, index: int) -> Path:
        if self._primary is None or index not in (0, 1, -1, -2):
            raise IndexError(index)
        return self._primary if index in (0, -2) else fallback_cache_dir()


def cache_dirs() -> CacheDirs:
    return CacheDirs(cache_dir())


def usable_cache_dir(folder: Path, create: bool) -> bool:
    """Can tadlog use ``folder`` (write to it when ``create``)? The fallback, in a shared temporary
    directory, must be our own and closed to others, or another user could plant entries."""
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not folder.is_dir():
            return False
        if is_fallback_dir(folder) and hasattr(os, "getuid"):
            info = folder.stat()
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                return False
        wanted = os.W_OK | os.X_OK if create else os.R_OK | os.X_OK
        return os.access(folder, wanted)
    except OSError:
        return False


def writable_cache_dir() -> Path | None:
    for folder in cache_dirs():
        if usable_cache_dir(folder, create=True):
            return folder
    return None
