"""The content hash of each file, remembered between runs by the file's status, as git's index does.

Why: every run must know that the knowledge base and tadlog's own source are the ones its cache
entry was built from, by content, never by modification time alone. Reading and hashing the
~150 files of a cold `tadlog ask` every time was 8 of its ~170 ms (and at 100x, 5,000 files).
A file's remembered hash is used only when its size, inode, modification and change times are
all what they were when it was hashed, and its change time was then older than the hashing by a
margin: a file rewritten within the clock's granularity after it was hashed keeps its times and
size, so such a "racily clean" file is hashed again (git's rule). The change time cannot be set
back by a user (``touch -d`` sets it to now). The memo is data in the cache folder, read on no
trust beyond that: missing, damaged or of another shape, it is ignored and rebuilt.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Optional, Sequence

MEMO_NAME = "file-digests.json"
KIND = "tadlog-file-digests"
RACY_MARGIN_NS = 2_000_000_000  # file-system clocks are coarse (ext4: a jiffy) and may be remote
MAX_ENTRIES = 20_000  # a knowledge base grown to 1000x has 14,000 files; older entries are dropped


def file_digests(paths: Sequence[os.PathLike | str]) -> list[str]:
    """The SHA-256 (hex) of each file's bytes, in order; unchanged files are not read again."""
    memo_path = _memo_path()
    memo = _memo(memo_path)
    out, changed = [], False
    for path in paths:
        name = os.path.abspath(path)
        status = os.stat(name)
        signature = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]
        known = memo.get(name)
        if known is not None and known[:4] == signature and signature[2] < known[5] - RACY_MARGIN_NS:
            out.append(known[4])
            continue
        hashed_at = time.time_ns()
        digest = hashlib.sha256(Path(name).read_bytes()).hexdigest()
        memo[name] = [*signature, digest, hashed_at]
        out.append(digest)
        changed = True
    if changed and memo_path is not None:
        _write(memo_path, memo)
    return out


def _memo_path() -> Optional[Path]:
    from .resources import writable_cache_dir

    folder = writable_cache_dir()
    return folder / MEMO_NAME if folder is not None else None


_LOADED: dict[Optional[Path], dict] = {}  # memo file -> its entries, read once a process


def _memo(path: Optional[Path]) -> dict:
    if path not in _LOADED:
        _LOADED[path] = _read(path) if path is not None else {}
    return _LOADED[path]


def _read(path: Path) -> dict:
    try:
        stored = json.loads(path.read_bytes())
        entries = stored["entries"] if stored.get("type") == KIND else {}
        return {name: entry for name, entry in entries.items() if _well_formed(entry)}
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return {}


def _well_formed(entry) -> bool:
    return (isinstance(entry, list) and len(entry) == 6 and isinstance(entry[4], str)
            and all(type(value) is int for value in entry[:4] + entry[5:]))


def _write(path: Path, memo: dict) -> None:
    """Atomically (a reader never sees half a file), without the files that are gone (the
    knowledge bases of finished tests, deleted copies: every run reads the memo whole), and
    at most MAX_ENTRIES, the most recently hashed."""
    memo = {name: entry for name, entry in memo.items() if os.path.exists(name)}
    if len(memo) > MAX_ENTRIES:
        memo = dict(sorted(memo.items(), key=lambda item: item[1][5])[-MAX_ENTRIES:])
    from .atomic import write_atomically

    blob = json.dumps({"type": KIND, "entries": memo}).encode()
    write_atomically(path, lambda handle: handle.write(blob))
