"""Grow the bundled knowledge base as text, k copies whose joins grow with k.

Each copy is the kb/ text with its declared names renamed (``_c<k>``): sources, sections,
statements, conflicts, predicates and rule labels. What a literature-scale knowledge base
shares stays shared, so joins grow with the copies instead of staying k separate islands:

- **terms** are declared once (copy 0) and used by every copy: the facts about the
  midpalate grow k-fold, as they would with k times the papers;
- **patient inputs** (``patient``, ``patient_age``, ``patient_bmi``) are shared, so a
  question's patient facts reach every copy's patient rules;
- **rules join across copies**: in copy k, each rule's first renamable positive body literal
  reads copy k-1's predicate (same tuples, since the terms are shared), so bodies join
  relations of two copies and derivations chain through the copies;
- **statements and quotes**: every copy's sources point at their own copy of the seed texts
  (``c<k>_<file>`` in the generated sources folder), so quote checks read k times the text.

The text is tokenised (strings and comments kept verbatim), never evaluated.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

SHARED_PREDICATES = {"patient", "patient_age", "patient_bmi"}
_TOKEN = re.compile(r'''(?P<string>"(?:\\.|[^"\\])*")|(?P<comment>\#[^\n]*)|(?P<space>\s+)
    |(?P<number>-?\d+(?:\.\d+)?)|(?P<if>:-)|(?P<name>[a-z][a-z0-9_]*)|(?P<var>[A-Z_][A-Za-z0-9_]*)
    |(?P<punct>.)''', re.X | re.S)
_DECLARED = {"source": "source", "statement": "statement", "conflict": "conflict",
             "predicate": "predicate", "rule": "rule"}


def tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]


def declarations(text: str) -> list[list[tuple[str, str]]]:
    """The file's tokens split after every full stop (comments and spaces stay attached)."""
    out, current = [], []
    for kind, value in tokens(text):
        current.append((kind, value))
        if kind == "punct" and value == ".":
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _words(decl):
    """Indices of the declaration's significant tokens (no space, no comment)."""
    return [i for i, (kind, _) in enumerate(decl) if kind not in ("space", "comment")]


def _kind(decl) -> str:
    idx = _words(decl)
    if not idx:
        return "blank"
    first = decl[idx[0]][1]
    after = decl[idx[1]][1] if len(idx) > 1 else ""
    if first in ("source", "section", "statement", "term", "conflict", "predicate") and after != "(":
        return first
    return "rule" if any(v == ":-" for _, v in decl) else "fact"


def rename_declaration(decl, k: int, source_files: dict[str, str]) -> str:
    """One declaration of copy ``k`` as text (``k`` = 0 is the original)."""
    suffix = lambda name, copy: name if copy == 0 else f"{name}_c{copy}"
    kind = _kind(decl)
    idx = _words(decl)
    out = [value for _, value in decl]
    context = None  # 'cites' / 'side' lists of statements, 'from' a source
    in_body, first_join_done, negated = False, False, False
    for position, i in enumerate(idx):
        tkind, value = decl[i]
        nxt = decl[idx[position + 1]][1] if position + 1 < len(idx) else ""
        if tkind == "if":
            in_body = True
        if tkind == "name" and value in ("cites", "side"):
            context = "statement"
            continue
        if tkind == "name" and value == "from":
            context = "source"
            continue
        if tkind == "name" and nxt == "(" and value not in SHARED_PREDICATES and kind in ("rule", "fact", "predicate"):
            copy = k
            if kind == "rule" and in_body and not negated and not first_join_done and k > 0:
                copy, first_join_done = k - 1, True  # this literal joins the previous copy
            out[i] = suffix(value, copy)
        elif tkind == "name" and position == 1 and kind in _DECLARED and decl[idx[0]][1] == kind:
            out[i] = suffix(value, k)  # the declared name
        elif tkind == "name" and position == 1 and kind == "section":
            out[i] = suffix(value, k)  # the section's source
        elif tkind == "name" and context in ("statement", "source"):
            out[i] = suffix(value, k)
        elif tkind == "string" and kind == "source" and value.strip('"') in source_files:
            out[i] = '"' + source_files[value.strip('"')].replace("{k}", str(k)) + '"'
        if tkind == "name" and value == "not":
            negated = True
        elif tkind == "name" and nxt == "(":
            negated = False
        if tkind == "punct" and value != ",":
            context = None if value != "," else context
        elif tkind == "name" and value not in ("cites", "side", "from") and context is not None and nxt != ",":
            context = None
    return "".join(out)


def grow(kb_dir: Path, seeds: Path | None, out: Path, copies: int) -> tuple[Path, Path | None]:
    """Write ``copies`` copies of ``kb_dir`` under ``out/kb`` (and of the seeds under ``out/sources``)."""
    kb_dir, out = Path(kb_dir), Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "kb").mkdir(parents=True)
    files = sorted(p for p in kb_dir.rglob("*.tad"))
    texts = {p: declarations(p.read_text(encoding="utf-8")) for p in files}
    seed_names = sorted(p.name for p in seeds.iterdir()) if seeds else []
    source_files = {name: "c{k}_" + name for name in seed_names}
    sources_out = None
    if seeds:
        sources_out = out / "sources"
        sources_out.mkdir()
        for k in range(copies):
            for name in seed_names:
                _link_or_copy(seeds / name, sources_out / f"c{k}_{name}")
    # The engine refuses more than limits.MAX_KB_FILES files: beyond it, a copy's files are
    # joined per top-level folder, then into one file per copy (each under the size limit).
    per_copy = len(files) if copies * len(files) <= MAX_FILES else (
        len({p.relative_to(kb_dir).parts[0] for p in files}) if copies * 16 <= MAX_FILES else 1)
    for k in range(copies):
        folder = out / "kb" / f"c{k}"
        joined: dict[Path, list[str]] = {}
        for path, decls in texts.items():
            kept = []
            for decl in decls:
                kind = _kind(decl)
                if k > 0 and kind == "term":
                    continue  # terms are shared: declared once
                if k > 0 and kind == "predicate" and decl[_words(decl)[1]][1] in SHARED_PREDICATES:
                    continue
                kept.append(rename_declaration(decl, k, source_files))
            relative = path.relative_to(kb_dir)
            target = folder / (relative if per_copy == len(files) else
                               Path(relative.parts[0] + ".tad") if per_copy > 1 else Path("all.tad"))
            joined.setdefault(target, []).append("".join(kept) + "\n")
        for target, parts in joined.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("".join(parts), encoding="utf-8")
    return out / "kb", sources_out


MAX_FILES = 4000  # under the engine's limit on files in one knowledge base


def _link_or_copy(src: Path, dst: Path) -> None:
    """Each copy gets its own seed file name; the bytes are shared by a hard link where possible."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
