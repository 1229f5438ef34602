"""Writing a file whole or not at all: cache entries, parser tables and the files' remembered
hashes are all written so, into folders other processes read at the same time."""
from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Callable


def write_atomically(path: Path, fill: Callable[[BinaryIO], None]) -> bool:
    """Write ``path`` through a temporary file beside it (``fill`` writes into it), then rename
    it into place: a reader never sees half a file, and two writers leave one whole. False when
    the folder cannot be written; an exception ``fill`` raises is raised on. Either way nothing
    is left behind."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            fill(handle)
        os.replace(tmp, path)
        return True
    except BaseException as error:
        try:
            tmp.unlink()
        except OSError:
            pass
        if isinstance(error, OSError):
            return False
        raise
