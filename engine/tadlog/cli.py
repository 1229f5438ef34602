"""The ``tadlog`` command: a thin layer over the library.

Exit codes: 0 success, 1 a tadlog error (bad question, invalid knowledge base), 2 a usage
error. No traceback ever reaches the user: unexpected exceptions are reported as a bug
in one line (set TADLOG_DEBUG=1 to see the traceback).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Optional, Sequence

from .errors import ERROR, TadlogError, UsageError
from .terminal import clean


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 by itself; keep the wording ours
        raise UsageError(f"{self.prog}: {message}", code="U001")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tadlog", description="Ask the cited clinical evidence on orthodontic mini-implants.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    ask = sub.add_parser("ask", help="answer a question, e.g. tadlog ask \"why not infrazygomatic?\"")
    ask.add_argument("question", nargs="*", help="the question (omit with --file to read questions)")
    ask.add_argument("--kb", help="knowledge-base folder (default: the bundled one)")
    out = ask.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the answer as JSON")
    out.add_argument("--markdown", action="store_true", help="print the answer as Markdown")
    out.add_argument("--dot", action="store_true", help="print the answer's provenance graph as DOT")
    out.add_argument("--graphml", action="store_true", help="print the answer's provenance graph as GraphML")
    out.add_argument("--html", action="store_true", help="print the answer as a standalone HTML page (works offline)")
    ask.add_argument("--full", action="store_true", help="show every reason, proof and condition")
    ask.add_argument("--depth", type=int, default=3, help="proof depth shown (default 3)")
    ask.add_argument("--file", help="answer each line of FILE ('-' for standard input)")
    ask.add_argument("--colour", "--color", choices=("auto", "always", "never"), default="auto")

    check = sub.add_parser("check", help="validate a knowledge base (quotes against the seed texts)")
    check.add_argument("kb_dir", nargs="?", help="knowledge-base folder (default: the bundled one)")
    check.add_argument("--sources", help="folder of seed texts (default: $TADLOG_SOURCES)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--no-quotes", action="store_true", help="skip verifying quotes against the seed texts")

    cov = sub.add_parser("coverage", help="statements per document and section; sections not yet covered")
    cov.add_argument("kb_dir", nargs="?", help="knowledge-base folder (default: the bundled one)")
    cov.add_argument("--json", action="store_true", help="print the coverage as JSON")

    review = sub.add_parser("review", help="what a change does to the knowledge base and its conclusions")
    review.add_argument("base", help="BASE: a git revision of the checkout, or a knowledge-base folder")
    review.add_argument("head", nargs="?", help="HEAD: a revision or folder (default: the working tree)")
    review.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    review.add_argument("--repo", help="git checkout to read revisions from (default: the current folder's)")
    review.add_argument("--kb-path", default="kb", help="the knowledge-base folder inside the checkout (default kb)")
    review.add_argument("--sources", help="folder of seed texts (default: $TADLOG_SOURCES)")
    review.add_argument("--no-quotes", action="store_true", help="skip verifying quotes against the seed texts")

    repl = sub.add_parser("repl", help="ask questions interactively (history, name completion with Tab)")
    repl.add_argument("--kb", help="knowledge-base folder (default: the bundled one)")
    repl.add_argument("--full", action="store_true", help="show every reason, proof and condition")
    repl.add_argument("--depth", type=int, default=3, help="proof depth shown (default 3)")
    repl.add_argument("--colour", "--color", choices=("auto", "always", "never"), default="auto")

    fmt = sub.add_parser("fmt", help="give .tad files the one canonical layout (in place)")
    fmt.add_argument("paths", nargs="*", help="files or folders (default: the knowledge base)")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not formatted")
    fmt.add_argument("--diff", action="store_true", help="change nothing; print what would change")

    _add_serve_parser(sub)

    graph = sub.add_parser("graph", help="export the knowledge base's provenance graph")
    graph.add_argument("--kb", help="knowledge-base folder (default: the bundled one)")
    graph.add_argument("--format", choices=("dot", "graphml", "json"), default="dot")
    add_cache_command(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.version:
            from . import __version__

            print(f"tadlog {__version__}")
            return 0
        if args.command is None:
            build_parser().print_help()
            return 2
        handler = {"ask": cmd_ask, "check": cmd_check, "graph": cmd_graph, "review": cmd_review, "coverage": cmd_coverage,
                   "repl": cmd_repl, "fmt": cmd_fmt, "cache": cmd_cache, "serve": cmd_serve}[args.command]
        return handler(args)
    except TadlogError as error:
        print(clean(error.render()), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # never a traceback for a user
        if os.environ.get("TADLOG_DEBUG"):
            raise
        print(f"tadlog: internal error ({type(error).__name__}: {clean(str(error))[:500]}); this is a bug, please report it "
              "(TADLOG_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 3


def _load(path):
    from .kb import load

    return load(path)


def cmd_ask(args) -> int:
    if args.html and args.file:
        raise UsageError("tadlog ask: --html writes one answer's page; ask one question", code="U012")
    kb = _load(args.kb)
    if args.file:
        return _batch(kb, args)
    question = " ".join(args.question).strip()
    if not question:
        raise UsageError("tadlog ask: give a question, e.g. tadlog ask \"why not infrazygomatic?\"", code="U002")
    answer = kb.ask(question, depth=max(args.depth, 0), full=args.full)
    print(_standalone_html(kb, answer) if args.html else _format(answer, args), end="")
    return 0


def _format(answer, args) -> str:
    if args.json:
        return json.dumps(answer.to_json(), indent=2, ensure_ascii=False) + "\n"
    if args.markdown:
        return clean(answer.to_markdown())
    if args.dot or args.graphml:
        from .engine.provenance import to_dot, to_graphml

        return clean(to_dot(answer.provenance) if args.dot else to_graphml(answer.provenance))
    colour = args.colour == "always" or (args.colour == "auto" and sys.stdout.isatty()
                                         and not os.environ.get("NO_COLOR"))
    return answer.to_text(colour=colour, full=args.full, depth=args.depth)


def _batch(kb, args) -> int:
    """Answer each line on its own: a line that fails (bad question, bad bytes, even a bug)
    is reported where it stands and the batch goes on."""
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    except OSError as error:
        raise UsageError(f"tadlog ask: cannot read {args.file}: {error.strerror}", code="U004") from None
    failures = bugs = 0
    answers = []
    with stream:
        for number, data in enumerate(stream, 1):
            try:
                question = data.decode("utf-8").strip()
            except UnicodeDecodeError:
                question, error = f"<line {number}>", TadlogError(f"line {number} is not UTF-8 text", code="E012")
            else:
                if not question or question.startswith("#"):
                    continue
                error = None
            try:
                if error is not None:
                    raise error
                answer = kb.ask(question, depth=max(args.depth, 0), full=args.full)
                shown = answer.to_json() if args.json else _format(answer, args)
            except TadlogError as error:
                failures += 1
                if args.json:
                    answers.append({"question": question, "error": [d.to_json() for d in error.diagnostics]})
                else:
                    print(f"Q: {clean(question)}\n{clean(error.render())}\n")
                continue
            except Exception as error:  # a bug on one line: reported, and the other lines still answered
                if os.environ.get("TADLOG_DEBUG"):
                    raise
                bugs += 1
                message = f"internal error ({type(error).__name__}); this is a bug, please report it"
                if args.json:
                    answers.append({"question": question, "error": [{"code": "E999", "message": message}]})
                else:
                    print(f"Q: {clean(question)}\ntadlog: {message}\n")
                continue
            if args.json:
                answers.append(shown)
            else:
                print(f"Q: {clean(question)}\n{shown}")
    if args.json:
        print(json.dumps(answers, indent=2, ensure_ascii=False))
    return 3 if bugs else 1 if failures else 0


def cmd_repl(args) -> int:
    """Interactive questions; the loop lives in repl.py (readline history and completion)."""
    from .repl import run

    args.json = args.markdown = args.dot = args.graphml = args.html = False

    def show(answer, full: bool = args.full) -> str:  # the REPL's :full switches the view
        args.full = full
        return _format(answer, args)

    return run(_load(args.kb), show, args)


def cmd_check(args) -> int:
    from .curate.lint import check_kb
    from .resources import bundled_kb_dir, sources_dir

    root = args.kb_dir or bundled_kb_dir()
    if not os.path.isdir(root):
        raise UsageError(f"tadlog check: knowledge-base folder {root} does not exist", code="U003")
    result = check_kb(root, sources=sources_dir(args.sources), check_quotes=not args.no_quotes)
    model, diagnostics = result.model, list(result.diagnostics)
    errors = [d for d in diagnostics if d.severity == ERROR]
    if args.format == "json":
        print(json.dumps({"schema": "tadlog.check/1", "errors": len(errors),
                          "warnings": sum(d.severity == "warning" for d in diagnostics),
                          "infos": sum(d.severity == "info" for d in diagnostics),
                          "statements": len(model.statements), "facts": len(model.facts), "rules": len(model.rules),
                          "findings": [d.to_json() for d in sorted(diagnostics, key=lambda d: d.sort_key())]},
                         indent=2, ensure_ascii=False))
    else:
        for d in sorted(diagnostics, key=lambda d: d.sort_key()):
            if d.severity != "info":
                print(d.render())
        print(f"{len(model.statements)} statements, {len(model.facts)} facts, {len(model.rules)} rules: "
              f"{len(errors)} errors, {sum(d.severity == 'warning' for d in diagnostics)} warnings, "
              f"{sum(d.severity == 'info' for d in diagnostics)} notes")
    return 1 if errors else 0


def cmd_coverage(args) -> int:
    from .curate.coverage import coverage
    from .language.parse import parse_kb
    from .resources import bundled_kb_dir

    model, _ = parse_kb(args.kb_dir or bundled_kb_dir())
    report = coverage(model)
    print(json.dumps(report.to_json(), indent=2, ensure_ascii=False) if args.json else report.to_text(), end="\n" if args.json else "")
    return 0


def cmd_graph(args) -> int:
    from .engine.provenance import to_dot, to_graphml, to_node_link

    graph = _load(args.kb).provenance
    print({"dot": to_dot, "graphml": to_graphml, "json": to_node_link}[args.format](graph), end="")
    return 0


def cmd_review(args) -> int:
    from pathlib import Path

    from .resources import sources_dir
    from .curate.review.report import review

    result = review(args.base, args.head, repo=Path(args.repo) if args.repo else None, kb_path=args.kb_path,
                    sources=sources_dir(args.sources), check_quotes=not args.no_quotes)
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        print(result.to_markdown() if args.format == "markdown" else result.to_text(), end="")
    return result.exit_code


def cmd_fmt(args) -> int:
    import difflib

    from .curate.fmt import format_files, tad_files
    from .resources import bundled_kb_dir

    targets = args.paths or [str(bundled_kb_dir())]
    for target in targets:
        if not os.path.exists(target):
            raise UsageError(f"tadlog fmt: {target} does not exist", code="U004")
    results = format_files(tad_files(targets))
    changed = [r for r in results if r.changed]
    for r in changed:
        if args.diff:
            before = open(r.path, encoding="utf-8").read().splitlines(keepends=True)
            sys.stdout.writelines(difflib.unified_diff(before, r.text.splitlines(keepends=True), r.path, r.path))
        elif args.check:
            print(f"{r.path}: not formatted (run tadlog fmt {r.path})")
        else:
            with open(r.path, "w", encoding="utf-8") as handle:
                handle.write(r.text)
    verb = "would change" if args.check or args.diff else "formatted"
    print(f"{len(results)} files: {len(changed)} {verb}", file=sys.stderr)
    return 1 if changed and (args.check or args.diff) else 0


# ---- the service and the page (tadlog.serve) ------------------------------------------------------
def _add_serve_parser(sub) -> None:
    serve = sub.add_parser("serve", help="the explanation page, the JSON API and CDS Hooks services over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="processes, each with its own loaded knowledge base")
    serve.add_argument("--threads", type=int, default=4, help="library threads per process (default 4)")
    serve.add_argument("--time-limit", type=float, default=10.0, help="seconds per question (default 10)")
    serve.add_argument("--cors-origin", action="append", default=[], help="allow this origin (CORS); repeatable")
    serve.add_argument("--kb", help="knowledge-base folder (default: the bundled one)")
    serve.add_argument("--sources", help="seed texts for source passages (default: $TADLOG_SOURCES)")


def cmd_serve(args) -> int:
    from .serve.run import Settings, run

    if args.workers < 1 or args.threads < 1 or args.time_limit <= 0 or not 0 < args.port < 65536:
        raise UsageError("tadlog serve: --workers, --threads, --time-limit and --port must be positive", code="U010")
    settings = Settings(kb=args.kb, sources=args.sources, threads=args.threads, time_limit=args.time_limit,
                        cors_origins=tuple(args.cors_origin))
    return run(settings, host=args.host, port=args.port, workers=args.workers)


def _standalone_html(kb, answer) -> str:
    """The page of one answer with the source passages of every cited statement inside it."""
    from .serve.run import standalone_page

    return standalone_page(kb, answer)


# ---- tadlog cache (the speed work's; kept apart to ease merging) ---------------------------
def add_cache_command(sub) -> None:
    cache = sub.add_parser("cache", help="the cache of parsed knowledge bases: where it is, what it holds; clear it",
                           description="Parsed and evaluated knowledge bases are cached as data (never code) in the "
                           "platform's user cache folder, keyed by the content of the knowledge base, the grammar and "
                           "tadlog's own source. TADLOG_CACHE_DIR names another folder, TADLOG_NO_CACHE=1 turns the "
                           "cache off, TADLOG_CACHE_MAX_MB bounds its size (default 512; oldest entries go first).")
    action = cache.add_subparsers(dest="cache_action", parser_class=_Parser)
    for name, text in (("info", "print the cache folder, its entries and its size bound"),
                       ("clear", "delete every cached entry")):
        action.add_parser(name, help=text).add_argument("--json", action="store_true", help="print as JSON")


def cmd_cache(args) -> int:
    from . import cache

    if args.cache_action == "clear":
        count, freed = cache.clear()
        print(json.dumps({"removed": count, "bytes": freed}) if args.json else
              f"removed {count} cached file{'s' if count != 1 else ''} ({freed / 1024:.0f} KiB)")
        return 0
    if args.cache_action != "info":
        raise UsageError("tadlog cache: say info or clear, e.g. tadlog cache clear", code="U009")
    report = cache.info()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    if not report["enabled"]:
        print("the cache is off (TADLOG_NO_CACHE is set)")
        return 0
    print(f"cache folder: {report['folder']} (bound {report['max_bytes'] / 2**20:.0f} MiB)")
    for folder in report["folders"]:
        state = "missing" if not folder["exists"] else "writable" if folder["writable"] else "read-only"
        print(f"  {folder['folder']}: {folder['entries']} files, {folder['bytes'] / 1024:.0f} KiB ({state})")
    return 0
