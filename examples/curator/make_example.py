"""The worked curator example: a real change to the knowledge base, and its review.

HEAD is a copy of the real knowledge base (kb/). BASE is that copy as it stood before a curator
added section 1.11 of the Cousley handbook ("Perforation of Nasal and Maxillary Sinus Floors"):
the section's statements, the facts and rules that cite them and any conflict naming them are
taken out, and one number elsewhere is mistyped with its digits swapped — the infrazygomatic
success rate of section 1.8 typed as 87% where the handbook says 78% (`tadlog check` flags it,
E150). The curator's change — BASE → HEAD — adds the section back and corrects the number.
Nothing is invented: every declaration of either side is text of the real knowledge base,
with the one deliberate typo that the change corrects.

    python examples/curator/make_example.py              # print the review (Markdown)
    python examples/curator/make_example.py --format text
    python examples/curator/make_example.py --write      # regenerate review.md and review.json

The golden files follow the knowledge base: when kb/ changes, regenerate them with --write
and read the diff (tests/test_review_example.py compares them).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ENGINE = ROOT / "engine"
KB = ROOT / "kb"
SEEDS = Path(os.environ.get("TADLOG_SOURCES") or ROOT.parent / "shared" / "seeds")

SOURCE, SECTION = "cousley_handbook", "1.11"
TYPO_FACT = re.compile(r"site_success_percent\(\s*infrazygomatic_crest\s*,\s*78\s*\)")
TYPO_FROM, TYPO_TO = "78", "87"

sys.path.insert(0, str(ENGINE))


def build(kb: Path, into: Path) -> tuple[Path, Path]:
    """Write ``into/base/kb`` and ``into/head/kb``; return their roots."""
    from tadlog.language.parse import kb_files, parse_kb

    head = into / "head" / "kb"
    base = into / "base" / "kb"
    shutil.copytree(kb, head)
    shutil.copytree(kb, base)
    model, _ = parse_kb(base, strict=False)
    removed = {s.id for s in model.statements if s.source == SOURCE and s.section == SECTION}
    if not removed:
        raise SystemExit(f"make_example: the knowledge base has no statement of {SOURCE} section {SECTION}")
    doomed = [s for s in model.statements if s.id in removed]
    doomed += [f for f in model.facts if set(f.cites) & removed]
    doomed += [r for r in model.rules if set(r.cites) & removed]
    doomed += [c for c in model.conflicts if set(c.statements) & removed]
    starts = _declaration_starts(model)
    by_file: dict[str, list] = {}
    for decl in doomed:
        by_file.setdefault(decl.location.path, []).append(decl)
    for path, decls in by_file.items():
        _remove(Path(path), decls, starts[path])
    _mistype(base, kb_files(base))
    return base, head


def _declaration_starts(model) -> dict[str, list[int]]:
    """First line of every declaration, per file (a labelled rule starts at its 'rule' line)."""
    starts: dict[str, set[int]] = {}
    for group in (model.sources, model.sections, model.statements, model.terms, model.conflicts,
                  model.predicates, model.facts, model.rules):
        for decl in group:
            starts.setdefault(decl.location.path, set()).add(_first_line(decl))
    return {path: sorted(lines) for path, lines in starts.items()}


def _first_line(decl) -> int:
    line = decl.location.line
    if getattr(decl, "explicit_label", False):
        lines = Path(decl.location.path).read_text(encoding="utf-8").splitlines()
        for n in range(line, 0, -1):
            if re.match(rf"\s*rule\s+{re.escape(decl.label)}\s*:", lines[n - 1]):
                return n
    return line


def _remove(path: Path, decls: list, starts: list[int]) -> None:
    """Delete each declaration's lines: from its first line to the line before the next one."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    drop: set[int] = set()
    for decl in decls:
        first = _first_line(decl)
        later = [s for s in starts if s > first]
        last = (later[0] - 1) if later else len(lines)
        while last > first and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
            last -= 1  # keep blank lines and comments that introduce what follows
        drop.update(range(first, last + 1))
    path.write_text("".join(l for n, l in enumerate(lines, 1) if n not in drop), encoding="utf-8")


def _mistype(base: Path, files: list[Path]) -> None:
    for path in files:
        text = path.read_text(encoding="utf-8")
        match = TYPO_FACT.search(text)
        if match:
            typo = match.group(0).replace(TYPO_FROM, TYPO_TO)
            path.write_text(text[:match.start()] + typo + text[match.end():], encoding="utf-8")
            return
    raise SystemExit("make_example: the fact site_success_percent(infrazygomatic_crest, 78) is not in kb/")


def review(workdir: Path, fmt: str) -> subprocess.CompletedProcess:
    """Run the real CLI from ``workdir`` so the report names the sides base/kb and head/kb."""
    env = dict(os.environ, PYTHONPATH=str(ENGINE), TADLOG_NO_CACHE="1")
    env.pop("TADLOG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "tadlog", "review", "base/kb", "head/kb", "--format", fmt,
                           "--sources", str(SEEDS)], cwd=workdir, capture_output=True, text=True, env=env,
                          timeout=600)


def generate(kb: Path = KB, formats=("markdown", "json", "text")) -> dict[str, tuple[str, int]]:
    """The review of the example in each format: {format: (output, exit status)}."""
    with tempfile.TemporaryDirectory(prefix="tadlog-example-") as tmp:
        tmp = Path(tmp)
        build(kb, tmp)
        out = {}
        for fmt in formats:
            result = review(tmp, fmt)
            if result.returncode not in (0, 1):
                raise SystemExit(f"make_example: tadlog review failed ({result.returncode}): {result.stderr}")
            out[fmt] = (result.stdout, result.returncode)
        return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="regenerate review.md and review.json")
    parser.add_argument("--format", choices=("markdown", "json", "text"), default="markdown")
    args = parser.parse_args(argv)
    outputs = generate(formats=("markdown", "json") if args.write else (args.format,))
    if args.write:
        (HERE / "review.md").write_text(outputs["markdown"][0], encoding="utf-8")
        (HERE / "review.json").write_text(outputs["json"][0], encoding="utf-8")
        print(f"wrote {HERE / 'review.md'} and {HERE / 'review.json'}")
        return 0
    print(outputs[args.format][0], end="")
    return outputs[args.format][1]


if __name__ == "__main__":
    sys.exit(main())
