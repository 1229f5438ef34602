"""Which knowledge base a command reads, the same way for every command.

Order: ``--kb DIR``, then ``$TADLOG_KB``, then the ``kb/`` of the tadlog checkout the command
runs in (the current folder or one above it), then the copy installed with the package.

Why the checkout's copy, rather than a warning about the installed one: a curator edits
``kb/`` and asks again; the answer must come from what was edited, as ``tadlog review``
and ``tadlog check`` already read the working tree. A warning would leave every command
answering from a stale copy until a reinstall. Outside a checkout nothing changes. Every
command names what it read under ``--verbose`` (on standard error) and in its JSON: the
path, where the choice came from, the number of files and a content hash, and whether the
installed copy differs.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import UsageError

KB_ENV = "TADLOG_KB"
ORIGINS = {"option": "--kb", "environment": f"${KB_ENV}", "checkout": "the checkout's kb/",
           "installed": "the installed copy"}


@dataclass(frozen=True)
class KbChoice:
    """Which knowledge-base folder a command reads, why that one, and its content hash (shown by --verbose)."""

    root: Path
    origin: str  # option | environment | checkout | installed
    files: int
    sha256: str
    installed_differs: Optional[bool] = None  # for the checkout's copy: does the installed one differ?

    def to_json(self) -> dict:
        return {"path": str(self.root), "origin": self.origin, "files": self.files, "sha256": self.sha256,
                "installed_differs": self.installed_differs}

    def describe(self) -> str:
        note = ""
        if self.installed_differs:
            note = "; the installed copy differs (this one is used)"
        return (f"knowledge base: {self.root} ({ORIGINS[self.origin]}; {self.files} files, "
                f"sha256 {self.sha256[:12]}{note})")


def find_checkout(start: Optional[Path] = None) -> Optional[Path]:
    """The tadlog checkout containing ``start``: a folder with kb/, grammar/kb.lark, engine/tadlog/."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "kb").is_dir() and (folder / "grammar" / "kb.lark").is_file() and \
                (folder / "engine" / "tadlog").is_dir():
            return folder
    return None


def choose_kb(explicit: Optional[str] = None, command: str = "tadlog") -> KbChoice:
    from ..language.identity import identify
    from ..resources import bundled_kb_dir

    installed = bundled_kb_dir()
    differs = None
    if explicit:
        root, origin = Path(explicit), "option"
    elif os.environ.get(KB_ENV):
        root, origin = Path(os.environ[KB_ENV]), "environment"
    else:
        checkout = find_checkout()
        root, origin = (checkout / "kb", "checkout") if checkout else (installed, "installed")
    if not root.is_dir():
        where = {"option": "--kb", "environment": f"${KB_ENV}"}.get(origin, "the knowledge base")
        raise UsageError(f"{command}: knowledge-base folder {root} ({where}) does not exist", code="U003")
    ident = identify(root)
    if origin == "checkout":
        differs = installed.resolve() != root.resolve() and identify(installed).sha256 != ident.sha256
    return KbChoice(root.resolve(), origin, ident.files, ident.sha256, differs)


def sources_for(explicit: Optional[str]) -> Optional[Path]:
    """The seed texts: --sources, else $TADLOG_SOURCES, else the checkout's ../shared/seeds."""
    from ..resources import sources_dir

    found = sources_dir(explicit)
    if found is not None:
        return found
    checkout = find_checkout()
    if checkout is not None and (checkout.parent / "shared" / "seeds").is_dir():
        return checkout.parent / "shared" / "seeds"
    return None


def announce(choice: KbChoice, args) -> None:
    """Under --verbose, say which knowledge base is read (standard error: output stays clean)."""
    if getattr(args, "verbose", False):
        print(choice.describe(), file=sys.stderr)


def with_kb(data, choice: KbChoice):
    """A JSON document with the knowledge base it came from."""
    if isinstance(data, dict):
        return {**data, "kb": choice.to_json()}
    return data
