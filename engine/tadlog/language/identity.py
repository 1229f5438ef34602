"""Which knowledge base was read: its files and a hash of their content.

Why: a curator must be able to tell which copy answered (the working tree's, an installed
one, another folder), and two runs over the same text must say the same. The hash covers
every ``.tad`` file and the standard questions, by relative path and content hash, never by mtime.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

QUESTIONS_FILE = "questions.txt"


@dataclass(frozen=True)
class Identity:
    """How many files a knowledge base has and the hash of their content: which copy answered."""

    files: int  # .tad files
    sha256: str

    @property
    def short(self) -> str:
        return self.sha256[:12]


def identify(root: Path | str) -> Identity:
    from ..digests import file_digests
    from .files import kb_files

    root = Path(root)
    files = kb_files(root)
    digest = hashlib.sha256()
    extra = [root / QUESTIONS_FILE] if (root / QUESTIONS_FILE).is_file() else []
    paths = files + extra
    for path, content in zip(paths, file_digests(paths)):
        digest.update(f"{path.relative_to(root).as_posix()}\0{content}\0".encode())
    return Identity(len(files), digest.hexdigest())
