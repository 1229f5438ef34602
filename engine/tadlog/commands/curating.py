"""Curating: ``tadlog check``, ``coverage``, ``review``, ``fmt`` and ``locate``."""
from __future__ import annotations

import json
import os
import sys

from ..errors import ERROR, INFO, WARNING, UsageError
from .knowledge import announce, choose_kb, sources_for, with_kb


def _chosen(args, command: str):
    choice = choose_kb(getattr(args, "kb_dir", None) or getattr(args, "kb", None), command)
    announce(choice, args)
    return choice


def cmd_check(args) -> int:
    from ..curate.lint import check_kb

    choice = _chosen(args, "tadlog check")
    sources = sources_for(args.sources)
    if args.verbose and not args.no_quotes:
        print(f"seed texts: {sources if sources is not None else 'none found'}", file=sys.stderr)
    result = check_kb(choice.root, sources=sources, check_quotes=not args.no_quotes)
    model, diagnostics = result.model, list(result.diagnostics)
    counts = {s: sum(d.severity == s for d in diagnostics) for s in (ERROR, WARNING, INFO)}
    if args.format == "json":
        print(json.dumps(with_kb({"schema": "tadlog.check/1", "errors": counts[ERROR], "warnings": counts[WARNING],
                                  "infos": counts[INFO], "statements": len(model.statements),
                                  "facts": len(model.facts), "rules": len(model.rules),
                                  "findings": [d.to_json() for d in sorted(diagnostics, key=lambda d: d.sort_key())]},
                                 choice), indent=2, ensure_ascii=False))
    elif args.format == "github":
        from ..curate.annotations import github_annotation

        for d in sorted(diagnostics, key=lambda d: d.sort_key()):
            if d.severity != INFO or args.verbose:
                print(github_annotation(d))
    else:
        for d in sorted(diagnostics, key=lambda d: d.sort_key()):
            if d.severity != INFO or args.verbose:
                print(d.render())
        hint = "" if args.verbose or not counts[INFO] else " (--verbose shows them)"
        print(f"{len(model.statements)} statements, {len(model.facts)} facts, {len(model.rules)} rules: "
              f"{counts[ERROR]} errors, {counts[WARNING]} warnings, {counts[INFO]} notes{hint}")
    return 1 if counts[ERROR] else 0


def cmd_coverage(args) -> int:
    from ..curate.coverage import coverage
    from ..language.parse import parse_kb

    choice = _chosen(args, "tadlog coverage")
    model, _ = parse_kb(choice.root)
    report = coverage(model)
    if args.json:
        print(json.dumps(with_kb(report.to_json(), choice), indent=2, ensure_ascii=False))
    else:
        print(report.to_text(), end="")
    return 0


def cmd_review(args) -> int:
    from pathlib import Path

    from ..curate.review.report import review

    head = args.head
    if head is None and (args.kb or os.environ.get("TADLOG_KB")):
        head = str(_chosen(args, "tadlog review").root)
    from .screen import Progress

    progress = Progress("tadlog review")
    result = review(args.base, head, repo=Path(args.repo) if args.repo else None, kb_path=args.kb_path,
                    sources=sources_for(args.sources), check_quotes=not args.no_quotes, progress=progress)
    if args.verbose:
        for side in ("base", "head"):
            info = result.sides[side]
            print(f"{side}: {info['spec']} ({info['files']} files, sha256 {info['sha256'][:12]})", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    elif args.format == "github":
        print(result.to_github(), end="")
    elif args.format == "markdown":
        print(result.to_markdown(args.full_report), end="")
    else:
        print(result.to_text(), end="")
    return result.exit_code


def cmd_fmt(args) -> int:
    import difflib

    from ..curate.fmt import format_files, tad_files

    targets = args.paths or [str(_chosen(args, "tadlog fmt").root)]
    for target in targets:
        if not os.path.exists(target):
            raise UsageError(f"tadlog fmt: {target} does not exist", code="U004")
    results = format_files(tad_files(targets))
    changed = [r for r in results if r.changed]
    for r in changed:
        if args.diff:
            with open(r.path, encoding="utf-8") as handle:
                before = handle.read().splitlines(keepends=True)
            sys.stdout.writelines(difflib.unified_diff(before, r.text.splitlines(keepends=True), r.path, r.path))
        elif args.check:
            print(f"{r.path}: not formatted (run tadlog fmt {r.path})")
        else:
            with open(r.path, "w", encoding="utf-8") as handle:
                handle.write(r.text)
    verb = "would change" if args.check or args.diff else "formatted"
    print(f"{len(results)} files: {len(changed)} {verb}", file=sys.stderr)
    return 1 if changed and (args.check or args.diff) else 0
