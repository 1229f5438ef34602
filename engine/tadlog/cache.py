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
import weakref
import zlib
from pathlib import Path
from typing import Iterable, Optional, Sequence

from . import codec
from .atomic import write_atomically
from .digests import MEMO_NAME as DIGESTS_MEMO, file_digests
from .language.files import entries_below, resolver
from .resources import (
    PACKAGE_DIR, cache_dir, cache_dirs, fallback_cache_dir as fallback_dir, grammar_path, is_fallback_dir,
    usable_cache_dir as _usable,
    writable_cache_dir,
)

TYPE = "tadlog-kb-cache"
FORMAT = 4
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
    """The entry for ``key``, or None on any doubt (the caller then parses again).

    Every section's checksum is verified here, reading the file in pieces; the sections are then
    read from the open file when used (a whole section, or one key's bytes of a keyed one), so
    the entry is never held in memory whole (at 100x, 98 MB and 57 MB for the statement index)."""
    for folder in folders():
        path = folder / f"{ENTRY_PREFIX}{key}{ENTRY_SUFFIX}"
        if is_fallback_dir(folder) and not _usable(folder, create=False):
            continue
        entry = read_file(path, key)
        if entry is not None:
            return entry
    return None


def read_file(path: Path, key: str) -> Optional["codec.Entry"]:
    """The entry for ``key`` in the file ``path``, or None on any doubt."""
    try:
        stored = _File(path)
    except OSError:
        return None
    return _decode(stored, key)


class _File:
    """An entry's file, open for reads at given offsets (``os.pread``: threads share it). The
    file descriptor is closed when the last section read from it goes. Where there is no
    ``pread`` the file's bytes are read whole and held instead."""

    def __init__(self, path: Path):
        if not hasattr(os, "pread"):
            self._data = path.read_bytes()
            self.size = len(self._data)
            return
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        weakref.finalize(self, os.close, fd)
        self._fd, self._data, self.size = fd, None, os.fstat(fd).st_size

    def pread(self, length: int, offset: int) -> bytes:
        if self._data is not None:
            return self._data[offset:offset + length]
        data = os.pread(self._fd, length, offset)
        if len(data) != length:  # the file was cut short after it was checked
            raise ValueError("a section past the end of the file")
        return data

    def header_line(self) -> tuple[bytes, int]:
        """The first line (the header) and where the body after it starts."""
        head = self.pread(min(self.size, HEAD_PIECE), 0)
        if b"\n" not in head:
            head = self.pread(min(self.size, MAX_HEADER), 0)
        newline = head.index(b"\n")  # none: not an entry
        return head[:newline], newline + 1

    def pieces(self, offset: int, length: int):
        """``length`` bytes from ``offset``, READ_PIECE at a time (checked or copied, never held whole)."""
        end = offset + length
        while offset < end:
            piece = self.pread(min(READ_PIECE, end - offset), offset)
            offset += len(piece)
            yield piece

    def crc32(self, offset: int, length: int) -> int:
        crc = 0
        for piece in self.pieces(offset, length):
            crc = zlib.crc32(piece, crc)
        return crc


HEAD_PIECE = 1 << 16  # bytes read first for the header line (an entry's is about 2 KB)
MAX_HEADER = 1 << 20  # bytes: a header line longer than this is not an entry
READ_PIECE = 1 << 20  # bytes read at a time to check a section's checksum or copy it


class Span:
    """One section of an entry: ``bytes(span)`` reads it whole, ``span[a:b]`` a part of it (the
    blob of one key of a keyed section), each from the file when asked."""

    __slots__ = ("_file", "_offset", "_length", "crc")

    def __init__(self, file: _File, offset: int, length: int, crc: int):
        self._file, self._offset, self._length, self.crc = file, offset, length, crc

    def __len__(self) -> int:
        return self._length

    def __bytes__(self) -> bytes:
        data = self._file.pread(self._length, self._offset)
        if zlib.crc32(data) != self.crc:  # checked when read, so never decoded from a changed file
            raise ValueError("a section that changed after it was checked")
        return data

    def __getitem__(self, part: slice) -> bytes:
        start, stop, step = part.indices(self._length)
        if step != 1:
            raise ValueError("a span is read in one piece")
        return self._file.pread(max(0, stop - start), self._offset + start)

    def chunks(self):
        """The section's bytes in pieces (copied into a new entry without being held whole)."""
        return self._file.pieces(self._offset, self._length)


def _decode(stored: _File, key: str) -> Optional["codec.Entry"]:
    try:
        line, body = stored.header_line()
        header = json.loads(line)
        if not (isinstance(header, dict) and header.get("type") == TYPE and header.get("format") == FORMAT
                and header.get("key") == key and isinstance(header.get("sections"), dict)):
            return None
        sections = {}
        for name, span in header["sections"].items():
            start, length, crc = span
            if not (isinstance(start, int) and isinstance(length, int) and 0 <= start and 0 <= length
                    and body + start + length <= stored.size):
                return None
            if stored.crc32(body + start, length) != crc:  # damaged on disk: never decode half a file
                return None
            sections[name] = Span(stored, body + start, length, crc)
        return codec.Entry(sections)
    except Exception:  # corrupted or foreign: never an error, parse again
        return None


def write(key: str, sections: dict) -> Optional[Path]:
    """Store an entry atomically (write a temporary file, then rename); then keep the folder bounded.

    A section is bytes, an iterable of byte strings (consumed once, in the order of ``sections``:
    a keyed section's blobs as they are encoded, so the entry is never held whole) or a
    :class:`Span` of an entry already written (copied piece by piece). The header goes first
    in a slot sized for it, filled in once every section's length and checksum is known. An
    exception while a section is produced (a value the format cannot hold) is raised on, with
    nothing left behind."""
    folder = writable_folder()
    if folder is None:
        return None
    target = folder / f"{ENTRY_PREFIX}{key}{ENTRY_SUFFIX}"

    def fill(handle) -> None:
        slot = _header_slot(key, sections)
        handle.write(b" " * slot + b"\n")
        spans = _write_sections(handle, sections)
        header = json.dumps({"type": TYPE, "format": FORMAT, "key": key, "sections": spans}).encode()
        handle.seek(0)
        handle.write(header.ljust(slot))  # JSON ends at the header's last brace: the spaces are allowed
    if not write_atomically(target, fill):
        return None
    evict(folder, keep=key.split("-")[0])  # an entry and the question indexes stored beside it
    return target


def _header_slot(key: str, sections: dict) -> int:
    """Room enough for the header whatever the sections' sizes: each span is three integers of at
    most 20 digits."""
    return 120 + len(key) + sum(len(json.dumps(name)) + 70 for name in sections)


def _write_sections(handle, sections: dict) -> dict:
    spans, offset = {}, 0
    for name, blob in sections.items():
        length, crc = 0, 0
        for chunk in _chunks(blob):
            handle.write(chunk)
            length += len(chunk)
            crc = zlib.crc32(chunk, crc)
        if isinstance(blob, Span) and (length, crc) != (len(blob), blob.crc):
            raise ValueError(f"section {name} changed on disk while it was copied")
        spans[name] = [offset, length, crc]
        offset += length
    return spans


def _chunks(blob):
    if isinstance(blob, (bytes, bytearray, memoryview)):
        return (blob,)
    return blob.chunks() if isinstance(blob, Span) else blob


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
