"""Where the bundled grammars and knowledge base live.

In a wheel they are package data (``tadlog/grammar``, ``tadlog/kb``); in a checkout they are
the top-level ``grammar/`` and ``kb/`` folders beside ``engine/``.
"""
from __future__ import annotations

import os
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
    """A Lark parser for one of our grammars, cached on disk after the first build.

    Building an LALR table from the .lark text costs more than a whole cold answer; lark's
    cache stores the built parser keyed by the grammar text and options, so later processes
    load it instead. Where no cache folder is writable, the parser is simply built.
    """
    from lark import Lark

    text = grammar_path(grammar).read_text(encoding="utf-8")
    cache = _lark_cache_file(grammar + "." + "-".join(f"{k}={v}" for k, v in sorted(options.items())))
    try:
        return Lark(text, parser="lalr", cache=cache or False, **options)
    except Exception:  # an unreadable or foreign table: build the parser
        return Lark(text, parser="lalr", **options)


def _lark_cache_file(grammar: str):
    import hashlib
    from .version import __version__

    base = writable_cache_dir()
    if base is None:
        return None
    digest = hashlib.sha256((__version__ + str(PACKAGE_DIR)).encode()).hexdigest()[:12]
    return os.path.join(base, f"{grammar}.{digest}.lark-cache")


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

    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"tadlog-cache-{uid}"


def cache_dirs() -> list[Path]:
    """Where cached data may be read from: the cache folder, then the fallback (none when off)."""
    primary = cache_dir()
    return [] if primary is None else [primary, fallback_cache_dir()]


def usable_cache_dir(folder: Path, create: bool) -> bool:
    """Can tadlog use ``folder`` (write to it when ``create``)? The fallback, in a shared temporary
    directory, must be our own and closed to others, or another user could plant entries."""
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not folder.is_dir():
            return False
        if folder == fallback_cache_dir() and hasattr(os, "getuid"):
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
