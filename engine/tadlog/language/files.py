"""Reading the knowledge base's files: which files, and their text, within bounds.

Only files inside the knowledge-base folder are read (symbolic links are checked), each
under a size limit, and bytes that are not UTF-8 text become a finding naming the file and
the place of the first bad byte, never a UnicodeDecodeError.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional

from ..errors import ERROR, Diagnostic, display_path
from ..limits import MAX_KB_FILE_BYTES, MAX_KB_FILES


def kb_files(root: Path) -> list[Path]:
    """Every ``*.tad`` file below ``root`` that stays inside it, in path order."""
    return walk_kb(Path(root))[0]


def resolver() -> Callable[[Path], str]:
    """A function giving a file's absolute path with symbolic links resolved (``Path.resolve``),
    each folder resolved once: resolving every file, component by component, was a tenth of
    reading the files and a sixth of a cached load at 100x. The parser's locations and the
    cache's key both read the knowledge base's paths through one."""
    folders: dict[str, str] = {}

    def resolve(path: Path) -> str:
        name = os.fspath(path)
        if os.path.islink(name):
            return os.path.realpath(name)
        folder, base = os.path.split(name)
        real = folders.get(folder)
        if real is None:
            real = folders[folder] = os.path.realpath(folder)
        return os.path.join(real, base)
    return resolve


def walk_kb(root: Path) -> tuple[list[Path], list[Diagnostic]]:
    """The knowledge base's files, and a finding for each symbolic link refused.

    A ``.tad`` symlink is followed only when its target is a file inside the knowledge-base
    folder; one pointing elsewhere is refused unread (its target's text must never reach a
    diagnostic or a review). Symlinked folders are not descended into."""
    base = root.resolve()
    files: list[Path] = []
    refused: list[Diagnostic] = []
    for entry in entries_below(os.fspath(root), ".tad"):
        path = Path(entry.path)
        if entry.is_symlink():
            target = path.resolve()
            if not (target.is_relative_to(base) and target.is_file()):
                shown = path.relative_to(root).as_posix()
                refused.append(Diagnostic("E013", f"{shown} is a symbolic link to a file outside the "
                                          "knowledge base; it is not read", None, ERROR,
                                          "copy the file into the knowledge-base folder instead"))
                continue
        elif not entry.is_file(follow_symlinks=False):
            continue
        files.append(path)
    if len(files) > MAX_KB_FILES:
        refused.append(Diagnostic("E015", f"the knowledge base has {len(files)} files, over the limit of "
                                  f"{MAX_KB_FILES}", None, ERROR))
        files = files[:MAX_KB_FILES]
    return sorted(files), refused


def entries_below(folder: str, suffix: str):
    """Every entry below ``folder`` whose name ends with ``suffix`` (``os.DirEntry``; the folder's
    own first), symlinked folders not entered, unreadable ones skipped.

    ``os.scandir`` entries know from the directory listing whether they are files or links:
    checking each path with ``is_symlink`` and ``is_file`` (two system calls a file, through
    pathlib) was most of listing the knowledge base, which every run does twice (its identity and
    its cache key), and ``Path.rglob`` of tadlog's own source took 2.5 ms against 0.2."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        if entry.name.endswith(suffix):
            yield entry
    for entry in sorted(entries, key=lambda e: e.name):
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if is_folder:
            yield from entries_below(entry.path, suffix)


def read_kb_text(path: Path, shown: str) -> tuple[Optional[str], list[Diagnostic]]:
    """A ``.tad`` file's text, or a finding naming the file when it is too large or not text."""
    size = path.stat().st_size
    if size > MAX_KB_FILE_BYTES:
        return None, [Diagnostic("E014", f"{display_path(shown)} is {size:,} bytes, over the limit of "
                                 f"{MAX_KB_FILE_BYTES:,} bytes for one knowledge-base file", None, ERROR,
                                 "split it into several .tad files")]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        return None, [Diagnostic("E012", f"{display_path(shown)} is not a text file: {text_problem(data)}", None,
                                 ERROR, "knowledge-base files are UTF-8 text")]
    return text, []


def text_problem(data: bytes) -> Optional[str]:
    """Why ``data`` is not UTF-8 text (with the line and column of the first bad byte), or None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return f"byte 0x{data[err.start]:02x} at line {line}, column {column} is not UTF-8"
    if "\x00" in text:
        at = text.index("\x00")
        return f"it contains a NUL byte at line {text.count(chr(10), 0, at) + 1} (a binary file?)"
    return None
