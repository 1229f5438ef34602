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


def bundled_kb_dir() -> Path:
    return _data_dir("kb")


def sources_dir(explicit: str | os.PathLike | None = None) -> Path | None:
    """The folder of seed texts: the explicit option, else $TADLOG_SOURCES, else None."""
    value = explicit or os.environ.get(SOURCES_ENV)
    return Path(value) if value else None
