"""Where the bundled grammars and knowledge base live.

In a wheel they are package data (``tadlog/grammar``, ``tadlog/kb``); in a checkout they are
the top-level ``grammar/`` and ``kb/`` folders beside ``engine/``.
"""
from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
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
    except OSError:
        return Lark(text, parser="lalr", **options)


def _lark_cache_file(grammar: str):
    import hashlib
    from .version import __version__

    base = cache_dir()
    if base is None:
        return None
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        return None
    digest = hashlib.sha256((__version__ + str(_PACKAGE)).encode()).hexdigest()[:12]
    return os.path.join(base, f"{grammar}.{digest}.lark-cache")


def cache_dir() -> Path | None:
    """The folder of tadlog's caches (parsed models, parser tables); None when caching is off."""
    if os.environ.get("TADLOG_NO_CACHE"):
        return None
    return Path(os.environ.get("TADLOG_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "tadlog"))
