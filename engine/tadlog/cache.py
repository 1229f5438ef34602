"""The knowledge-base cache: parsed model, diagnostics and evaluated relations, as data.

Why data and not pickle: a pickle read from a shared or writable cache folder runs code. This
file is JSON in sections (a header line naming each section's byte range, then the sections),
so reading runs no code, and a section is decoded only when first used: a question that
touches a few relations decodes those, not the whole knowledge base.

The entry's name is a key over everything that shapes its content: the knowledge-base files
(paths and bytes), the grammar, and tadlog's own source (every ``.py`` of the package), so an
engine change can never be served a model the new code would reject. On read, the header's
type, format and key are checked; any doubt (missing, truncated, corrupted, other version,
wrong types) means "no entry" and the caller parses again.

Where: ``resources.cache_dir()`` (the platform's user cache folder, or ``TADLOG_CACHE_DIR``;
``TADLOG_NO_CACHE`` turns caching off). When that folder is not writable, a private folder
under the system's temporary directory is used instead. The folder is bounded
(``TADLOG_CACHE_MAX_MB``, default 512): after a write, the oldest entries go first.
"""
from __future__ import annotations

import hashlib
import json
import os
import zlib
from pathlib import Path
from typing import Iterable, Optional, Sequence

from . import codec
from .digests import MEMO_NAME as DIGESTS_MEMO, file_digests
from .language.files import entries_below, resolver
from .resources import (
    PACKAGE_DIR, cache_dir, cache_dirs, fallback_cache_dir as fallback_dir, grammar_path, is_fallback_dir,
    usable_cache_dir as _usable,
    writable_cache_dir,
)

TYPE = "tadlog-kb-cache"
FORMAT = 3
ENTRY_PREFIX, ENTRY_SUFFIX = "kb-", ".json"
DEFAULT_MAX_MB = 512
_engine_digest: Optional[str] = None


# ---- key ----------------------------------------------------------------------------------
def engine_digest() -> str:
    """A hash of tadlog's own source: every .py file of the installed package, by content."""
    global _engine_digest
    if _engine_digest is None:
        paths = sorted(e.path for e in entries_below(str(PACKAGE_DIR), ".py") if e.is_file())
        digest = hashlib.sha256()
        for path, content in zip(paths, file_digests(paths)):
            digest.update(f"{os.path.relpath(path, PACKAGE_DIR)}\0{content}\0".encode())
        _engine_digest = digest.hexdigest()
    return _engine_digest


def _engine_build() -> str:
    """Which pyDatalog evaluated the cached relations: its engine module's name and size."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("pyDatalog")
        folder = Path(spec.origin).parent
        return ";".join(f"{p.name}:{p.stat().st_size}" for p in sorted(folder.glob("pyEngine*")))
    except Exception:
        return "unknown"


def key_for(files: Iterable[Path]) -> str:
    """Content key: cache format, tadlog's source, pyDatalog's build, the grammar, and every
    knowledge-base file's path and content hash (never mtimes; digests.py reuses a hash only
    while the file's status is unchanged)."""
    digest = hashlib.sha256(f"{TYPE}:{FORMAT}:{engine_digest()}:{_engine_build()}".encode())
    digest.update(grammar_path("kb.lark").read_bytes())
    resolve = resolver()
    files = list(files)
    for path, content in zip(files, file_digests(files)):
        digest.update(f"{resolve(path)}\0{content}\0".encode())
    return digest.hexdigest()


# ---- folders ------------------------------------------------------------------------------
def folders() -> Sequence[Path]:
    return cache_dirs()


def writable_folder() -> Optional[Path]:
    return writable_cache_dir()


# ---- entries ------------------------------------------------------------------------------
def read(key: str) -> Optional["codec.Entry"]:
    """The entry for ``key``, or None on any doubt (the caller then parses again)."""
    for folder in folders():
        path = folder / f"{ENTRY_PREFIX}{key}{ENTRY_SUFFIX}"
        if is_fallback_dir(folder) and not _usable(folder, create=False):
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        entry = _decode(data, key)
        if entry is not None:
            return entry
    return None


def _decode(data: bytes, key: str) -> Optional["codec.Entry"]:
    try:
        newline = data.index(b"\n")
        header = json.loads(data[:newline])
        if not (isinstance(header, dict) and header.get("type") == TYPE and header.get("format") == FORMAT
                and header.get("key") == key and isinstance(header.get("sections"), dict)):
            return None
        sections = {}
        body = memoryview(data)[newline + 1:]
        for name, span in header["sections"].items():
            start, length, crc = span
            if not (isinstance(start, int) and isinstance(length, int) and 0 <= start
                    and start + length <= len(body)):
                return None
            sections[name] = body[start:start + length]
            if zlib.crc32(sections[name]) != crc:  # damaged on disk: never decode half a file
                return None
        return codec.Entry(sections)
    except Exception:  # corrupted or foreign: never an error, parse again
        return None


def write(key: str, sections: dict) -> Optional[Path]:
    """Store an entry atomically (write a temporary file, then rename); then keep the folder bounded.

    A section is bytes, or a tuple of byte strings written one after another (a keyed section's
    blobs: joined first, the largest section was held twice at the peak of a first write)."""
    folder = writable_folder()
    if folder is None:
        return None
    spans, offset = {}, 0
    for name, blob in sections.items():
        length, crc = 0, 0
        for chunk in _chunks(blob):
            length += len(chunk)
            crc = zlib.crc32(chunk, crc)
        spans[name] = [offset, length, crc]
        offset += length
    header = json.dumps({"type": TYPE, "format": FORMAT, "key": key, "sections": spans}).encode()
    target = folder / f"{ENTRY_PREFIX}{key}{ENTRY_SUFFIX}"
    tmp = folder / f".{key}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as handle:
            handle.write(header + b"\n")
            for blob in sections.values():
                handle.writelines(_chunks(blob))
        os.replace(tmp, target)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return None
    evict(folder, keep=key.split("-")[0])  # an entry and the question indexes stored beside it
    return target


def _chunks(blob) -> tuple:
    return blob if isinstance(blob, tuple) else (blob,)


def max_bytes() -> int:
    try:
        return int(float(os.environ.get("TADLOG_CACHE_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024)
    except ValueError:
        return DEFAULT_MAX_MB * 1024 * 1024


def entries(folder: Path) -> list[Path]:
    """Every file tadlog keeps in ``folder``: knowledge-base entries, lark parser tables and the
    files' remembered hashes (digests.py)."""
    try:
        return sorted(p for p in folder.iterdir() if p.is_file() and (
            (p.name.startswith(ENTRY_PREFIX) and p.name.endswith(ENTRY_SUFFIX)) or p.name.endswith(".lark.json")
            or p.name == DIGESTS_MEMO
            or p.name.endswith(".lark-cache")))  # lark pickles left by earlier builds: removed by clear
    except OSError:
        return []


def evict(folder: Path, keep: Optional[str] = None) -> int:
    """Delete the oldest entries until the folder is within its bound, never those of the key
    ``keep`` (the entry just written and its question indexes); return how many went."""
    files = []
    for path in entries(folder):
        try:
            info = path.stat()
        except OSError:
            continue
        files.append((info.st_mtime, info.st_size, path))
    total, removed = sum(size for _, size, _ in files), 0
    for _, size, path in sorted(files):
        if total <= max_bytes():
            break
        if keep is not None and path.name.startswith(f"{ENTRY_PREFIX}{keep}"):
            continue
        try:
            path.unlink()
            total -= size
            removed += 1
        except OSError:
            pass
    return removed


def clear() -> tuple[int, int]:
    """Empty every cache folder; (files removed, bytes freed)."""
    count = freed = 0
    for folder in folders():
        for path in entries(folder):
            try:
                size = path.stat().st_size
                path.unlink()
                count, freed = count + 1, freed + size
            except OSError:
                pass
    return count, freed


def info() -> dict:
    """Where the cache is, what it holds and its bound (for ``tadlog cache info``)."""
    out = {"enabled": cache_dir() is not None, "folder": str(cache_dir()) if cache_dir() else None,
           "fallback": str(fallback_dir()), "max_bytes": max_bytes(), "folders": []}
    for folder in folders():
        files = entries(folder)
        sizes = []
        for path in files:
            try:
                sizes.append(path.stat().st_size)
            except OSError:
                pass
        out["folders"].append({"folder": str(folder), "exists": folder.is_dir(), "entries": len(files),
                               "bytes": sum(sizes), "writable": _usable(folder, create=False) and
                               os.access(folder, os.W_OK)})
    return out
