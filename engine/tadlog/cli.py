"""The ``tadlog`` command: a thin layer over the library (the subcommands live in commands/).

Exit codes: 0 success, 1 a tadlog error or findings (bad question, invalid knowledge base,
a file not formatted), 2 a usage error (always: a mistyped flag, a missing file), 130
interrupted. No traceback ever reaches the user: unexpected exceptions are reported as a bug
in one line (set TADLOG_DEBUG=1 to see the traceback).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Optional, Sequence

from .errors import TadlogError, UsageError, did_you_mean
from .terminal import clean

EXIT_CODES = """exit codes:
  0  success
  1  a tadlog error or findings (see the message)
  2  a usage error (a mistyped command or flag, a missing file)"""
ENVIRONMENT = """environment:
  TADLOG_KB            knowledge-base folder when --kb is not given
  TADLOG_SOURCES       folder of the seed texts (default: the checkout's ../shared/seeds)
  TADLOG_HISTORY       the REPL's history file (default ~/.tadlog_history)
  TADLOG_CACHE_DIR     the cache folder (default: the platform's; tadlog cache info)
  TADLOG_NO_CACHE      set to 1: no cache (every run parses the knowledge base)
  TADLOG_CACHE_MAX_MB  the cache's size bound in MB (default 512; oldest entries go first)
  NO_COLOR             set to anything: no colour (so does TERM=dumb)
  COLUMNS              the width to fill (default: the terminal's, 40 to 120; 80 when not one)
  TADLOG_DEBUG         set to 1: show the traceback of an internal error"""

COMMANDS = {
    "ask": ("answer a question from the cited evidence",
            "Answer a question: a verdict, the reasons for and against with their quotes.",
            ['tadlog ask "why not infrazygomatic?"', 'tadlog ask "sites for molar intrusion for an adolescent?"',
             'tadlog ask "why midpalate?" --full', 'tadlog ask --file questions.txt --json', "tadlog ask help"]),
    "repl": ("ask questions interactively",
             "Ask questions one after another: history, Tab completes names; :full switches the long view "
             "on and off, Ctrl-C cancels the line, Ctrl-D or quit leaves.",
             ["tadlog repl", "tadlog repl --kb kb"]),
    "check": ("validate a knowledge base (quotes against the seed texts)",
              "Every validation and lint finding with its code, location and fix (docs/check-codes.md).",
              ["tadlog check", "tadlog check kb --sources ../shared/seeds", "tadlog check --format github",
               "tadlog check --verbose            # also the notes"]),
    "locate": ("find a sentence in the seed texts; print a statement for it",
               "Find where a sentence is in the seed texts (source, section, lines), tolerant of line breaks, "
               "hyphenation and dashes, and print a ready statement with the verified quote.",
               ['tadlog locate "78% penetrated the maxillary sinus"', 'tadlog locate "..." --json']),
    "fmt": ("give .tad files the one canonical layout",
            "Rewrite .tad files in the canonical layout (idempotent; comments kept; meaning unchanged).",
            ["tadlog fmt", "tadlog fmt --check kb", "tadlog fmt --diff kb/sites"]),
    "review": ("what a change does to the knowledge base and its conclusions",
               "Compare two knowledge bases (git revisions or folders): declarations by meaning, derived facts "
               "gained and lost, standard answers whose verdict, items, reasons or figures change, findings.",
               ["tadlog review main", "tadlog review main --format markdown > review.md",
                "tadlog review main --format github", "tadlog review old/kb new/kb --format json"]),
    "coverage": ("statements per document and section; sections not yet covered",
                 "Statements per document and section, and the clinical sections no statement cites yet.",
                 ["tadlog coverage", "tadlog coverage --json"]),
    "graph": ("export the knowledge base's provenance graph",
              "The whole provenance graph: statements, facts, rule applications and conclusions.",
              ["tadlog graph > kb.dot", "tadlog graph --format graphml"]),
    "completion": ("print a shell completion script (bash, zsh, tcsh)",
                   "Print a completion script: eval \"$(tadlog completion bash)\" in ~/.bashrc.",
                   ['eval "$(tadlog completion bash)"', "tadlog completion zsh > ~/.zfunc/_tadlog"]),
    "serve": ("the explanation page, the JSON API and CDS Hooks services over HTTP",
              "Serve the explanation page (/), the JSON API (/v1/ask, /v1/terms, /v1/statements/ID, /v1/graph), "
              "CDS Hooks services (/cds-services) and the OpenAPI document (/openapi.json), on 127.0.0.1:8000 "
              "unless told otherwise. The knowledge base is loaded once and shared read-only; no CORS unless "
              "--cors-origin is given. Needs the serve extra: pip install \"tadlog[serve]\".",
              ["tadlog serve", "tadlog serve --port 8080 --workers 4", "tadlog serve --kb kb -v",
               "tadlog serve --host 0.0.0.0 --cors-origin https://planner.example"],
              "  1  the service could not start (the knowledge base is invalid, the port is taken)"),
    "cache": ("the cache of parsed knowledge bases: where it is, what it holds; clear it",
              "Parsed and evaluated knowledge bases are cached as data (never code) in the platform's user cache "
              "folder, keyed by the content of the knowledge base, the grammar and tadlog's own source. "
              "TADLOG_CACHE_DIR names another folder, TADLOG_NO_CACHE=1 turns the cache off, TADLOG_CACHE_MAX_MB "
              "bounds its size (default 512; oldest entries go first).",
              ["tadlog cache info", "tadlog cache info --json", "tadlog cache clear"]),
    "cache info": ("print the cache folder, its entries and its size bound",
                   "Print the cache folder, the folders read, their entries and size, and the size bound.",
                   ["tadlog cache info", "tadlog cache info --json"]),
    "cache clear": ("delete every cached entry",
                    "Delete every cached entry (the next command parses the knowledge base again and caches it).",
                    ["tadlog cache clear", "tadlog cache clear --json"]),
}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help at the terminal's width (argparse reads COLUMNS and the terminal): a one-paragraph
    description is filled to it; text laid out in lines (the examples, the exit codes) is kept."""

    def _fill_text(self, text, width, indent):
        if "\n" not in text:
            return argparse.HelpFormatter._fill_text(self, text, width, indent)
        import re
        import textwrap

        lines = []
        for line in text.splitlines():
            if len(indent + line) <= width:
                lines.append(indent + line)
                continue
            # a row too long for the screen is wrapped under its own text column ("  NAME  text")
            column = re.match(r"\s*\S+(?: \S+)*?\s{2,}", line)
            hang = " " * (len(column.group(0)) if column else len(line) - len(line.lstrip()) + 4)
            lines += textwrap.wrap(line, width, initial_indent=indent, subsequent_indent=indent + hang,
                                   break_on_hyphens=False, break_long_words=False) or [indent]
        return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 by itself; keep the wording ours, add a suggestion
        raise UsageError(f"{self.prog}: {message}{_suggestion(self, message)}", code="U001")


def _suggestion(parser: argparse.ArgumentParser, message: str) -> str:
    import re

    words: list[str] = []
    pool: list[str] = []
    choice = re.search(r"invalid choice: '([^']*)'", message)
    if choice:
        words = [choice.group(1)]
        pool = [c for a in parser._actions if a.choices for c in a.choices]
    unknown = re.search(r"unrecognized arguments: (.*)", message)
    if unknown:
        words = [w.split("=")[0] for w in unknown.group(1).split() if w.startswith("-")]
        pool = [o for p in _parsers_of(parser) for a in p._actions for o in a.option_strings]
    hints = [h for h in (did_you_mean(w, pool) for w in words) if h]
    return f" ({'; '.join(hints)})" if hints else ""


def _parsers_of(parser: argparse.ArgumentParser) -> list:
    """The parser and the subcommand parser named on the command line (for flag suggestions)."""
    out = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            named = [a for a in (_ARGV or []) if a in action.choices]
            out += _parsers_of(action.choices[named[0]]) if named else []  # nested too: tadlog cache clear
    return out


_ARGV: Optional[list[str]] = None


def _common(reads_kb: bool = True) -> argparse.ArgumentParser:
    """--kb and --verbose, for every command that reads a knowledge base."""
    common = argparse.ArgumentParser(add_help=False)
    if reads_kb:
        common.add_argument("--kb", metavar="DIR", help="knowledge-base folder (default: $TADLOG_KB, else the "
                                                        "checkout's kb/, else the installed copy)")
        common.add_argument("-v", "--verbose", action="store_true",
                            help="say which knowledge base is read (path, files, hash) and more")
    return common


def _add(sub, name: str, parents=None, **kwargs) -> argparse.ArgumentParser:
    """A subcommand with its description, examples and exit codes (COMMANDS; a fourth entry
    adds exit codes of its own)."""
    short, description, examples, *own = COMMANDS[name]
    codes = "\n".join(own[0] if own and line.startswith("  1  ") else line for line in EXIT_CODES.splitlines())
    epilog = "examples:\n" + "\n".join(f"  {e}" for e in examples) + "\n\n" + codes
    return sub.add_parser(name.split()[-1], help=short, description=description, epilog=epilog,
                          formatter_class=_Formatter, parents=parents if parents is not None else [_common()],
                          **kwargs)


def _colour(parser) -> None:
    parser.add_argument("--colour", "--color", choices=("auto", "always", "never"), default="auto", metavar="WHEN",
                        help="auto (the default: on a terminal, unless NO_COLOR or TERM=dumb), always or never")


def build_parser(only: Optional[str] = None) -> argparse.ArgumentParser:
    """The command line. With ``only`` (the command being run), every other command is named
    with its one-line help but not built: building every command's options took 6-10 ms of a
    cached ``tadlog ask`` of about 165 ms (issue 10). ``tadlog --help``, the tests and
    ``tadlog completion`` (cmd_completion builds its own) build them all."""
    parser = _Parser(prog="tadlog", formatter_class=_Formatter,
                     description="Ask the cited clinical evidence on orthodontic mini-implants; curate it.",
                     epilog="examples:\n  tadlog ask \"why not infrazygomatic?\"\n  tadlog locate \"...\"\n"
                            "  tadlog check && tadlog review main\n\n" + EXIT_CODES + "\n\n" + ENVIRONMENT)
    parser.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    for name, build in SUBCOMMANDS.items():
        if only is None or name == only:
            build(sub)
        else:
            sub.add_parser(name, help=COMMANDS[name][0], add_help=False)  # never parses: not the command run
    return parser


def _ask_parser(sub) -> None:
    ask = _add(sub, "ask")
    ask.add_argument("question", nargs="*", help="the question (omit with --file to read questions)")
    out = ask.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the answer as JSON")
    out.add_argument("--markdown", action="store_true", help="print the answer as Markdown")
    out.add_argument("--dot", action="store_true", help="print the answer's provenance graph as DOT")
    out.add_argument("--graphml", action="store_true", help="print the answer's provenance graph as GraphML")
    out.add_argument("--html", action="store_true", help="print the answer as a standalone HTML page (works offline)")
    ask.add_argument("--full", action="store_true", help="show every reason, proof and condition")
    ask.add_argument("--depth", type=int, default=3, help="proof depth shown (default 3)")
    ask.add_argument("--file", metavar="FILE", help="answer each line of FILE ('-' for standard input)")
    _colour(ask)


def _repl_parser(sub) -> None:
    repl = _add(sub, "repl")
    repl.add_argument("--full", action="store_true", help="start in the long view (:full toggles it)")
    repl.add_argument("--depth", type=int, default=3, help="proof depth shown (default 3)")
    _colour(repl)


def _check_parser(sub) -> None:
    check = _add(sub, "check")
    check.add_argument("kb_dir", nargs="?", metavar="KB", help="knowledge-base folder (same as --kb)")
    check.add_argument("--sources", metavar="DIR", help="folder of seed texts (default: $TADLOG_SOURCES)")
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="text, json, or github (workflow annotations)")
    check.add_argument("--no-quotes", action="store_true", help="skip verifying quotes against the seed texts")


def _locate_parser(sub) -> None:
    locate = _add(sub, "locate")
    locate.add_argument("text", nargs="+", help="the sentence (or part of it) to find")
    locate.add_argument("--sources", metavar="DIR", help="folder of seed texts (default: $TADLOG_SOURCES)")
    locate.add_argument("--json", action="store_true", help="print the places found as JSON")
    locate.add_argument("--all", action="store_true", help="show every place found, not only the best")


def _fmt_parser(sub) -> None:
    fmt = _add(sub, "fmt")
    fmt.add_argument("paths", nargs="*", help="files or folders (default: the knowledge base)")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not formatted")
    fmt.add_argument("--diff", action="store_true", help="change nothing; print what would change")


def _review_parser(sub) -> None:
    review = _add(sub, "review")
    review.add_argument("base", help="BASE: a git revision of the checkout, or a knowledge-base folder")
    review.add_argument("head", nargs="?", help="HEAD: a revision or folder (default: the working tree)")
    review.add_argument("--format", choices=("text", "markdown", "json", "github"), default="text")
    review.add_argument("--full-report", metavar="URL", help="where the full report is (named when the "
                                                             "Markdown is cut to fit a comment)")
    review.add_argument("--repo", help="git checkout to read revisions from (default: the current folder's)")
    review.add_argument("--kb-path", default="kb", help="the knowledge-base folder inside the checkout (default kb)")
    review.add_argument("--sources", metavar="DIR", help="folder of seed texts (default: $TADLOG_SOURCES)")
    review.add_argument("--no-quotes", action="store_true", help="skip verifying quotes against the seed texts")


def _coverage_parser(sub) -> None:
    cov = _add(sub, "coverage")
    cov.add_argument("kb_dir", nargs="?", metavar="KB", help="knowledge-base folder (same as --kb)")
    cov.add_argument("--json", action="store_true", help="print the coverage as JSON")


def _graph_parser(sub) -> None:
    _add(sub, "graph").add_argument("--format", choices=("dot", "graphml", "json"), default="dot")


def _completion_parser(sub) -> None:
    _add(sub, "completion", parents=[_common(reads_kb=False)]).add_argument("shell", choices=("bash", "zsh", "tcsh"))


def main(argv: Optional[Sequence[str]] = None) -> int:
    global _ARGV
    _ARGV = list(argv) if argv is not None else sys.argv[1:]
    from . import collector

    collector.freeze_after_building()  # a command keeps its knowledge base until it exits
    try:
        parser = build_parser(_ARGV[0] if _ARGV and _ARGV[0] in SUBCOMMANDS else None)
        args = parser.parse_args(_ARGV)
        if args.version:
            from . import __version__

            print(f"tadlog {__version__}")
            return 0
        if args.command is None:
            parser.print_help()
            return 2
        return _handler(args.command)(args)
    except TadlogError as error:
        print(clean(error.render()), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except Exception as error:  # never a traceback for a user
        if os.environ.get("TADLOG_DEBUG"):
            raise
        print(f"tadlog: internal error ({type(error).__name__}: {clean(str(error))[:500]}); this is a bug, please report it "
              "(TADLOG_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 3


def _handler(command: str):
    """The function running ``command``, its module imported only for it (a cold ask imports
    no curating command)."""
    if command == "completion":
        return cmd_completion
    if command == "cache":
        return cmd_cache
    if command == "serve":
        return cmd_serve
    if command == "locate":
        from .commands.locating import cmd_locate

        return cmd_locate
    if command in ("ask", "repl", "graph"):
        from .commands import asking

        return {"ask": asking.cmd_ask, "repl": asking.cmd_repl, "graph": asking.cmd_graph}[command]
    from .commands import curating

    return {"check": curating.cmd_check, "coverage": curating.cmd_coverage, "review": curating.cmd_review,
            "fmt": curating.cmd_fmt}[command]


def cmd_completion(args) -> int:
    """A completion script for the shell, generated from this very parser (shtab)."""
    try:
        import shtab
    except ImportError:
        raise TadlogError("tadlog completion needs shtab (pip install shtab)", code="E003") from None
    print(shtab.complete(build_parser(), shell=args.shell))
    return 0


def _quiet_stdout() -> None:
    """After a closed pipe (tadlog ... | head), let Python's exit flush go nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# ---- the service and the page (tadlog.serve) ------------------------------------------------------
def _add_serve_parser(sub) -> None:
    serve = _add(sub, "serve")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="processes, each with its own loaded knowledge base")
    serve.add_argument("--threads", type=int, default=4, help="library threads per process (default 4)")
    serve.add_argument("--time-limit", type=float, default=10.0, help="seconds per question (default 10)")
    serve.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                       help="allow this origin (CORS); repeatable")
    serve.add_argument("--sources", metavar="DIR", help="seed texts for source passages (default: $TADLOG_SOURCES)")


def cmd_serve(args) -> int:
    from .serve.run import Settings, run

    if args.workers < 1 or args.threads < 1 or args.time_limit <= 0 or not 0 < args.port < 65536:
        raise UsageError("tadlog serve: --workers, --threads, --time-limit and --port must be positive", code="U010")
    from .commands.knowledge import announce, choose_kb, sources_for

    # the knowledge base every other command would read here (--kb, $TADLOG_KB, the checkout's, the installed)
    choice = choose_kb(args.kb, "tadlog serve")
    announce(choice, args)
    sources = sources_for(args.sources)
    settings = Settings(kb=str(choice.root), sources=str(sources) if sources else None, threads=args.threads,
                        time_limit=args.time_limit, cors_origins=tuple(args.cors_origin))
    return run(settings, host=args.host, port=args.port, workers=args.workers)


# ---- tadlog cache (the speed work's; kept apart to ease merging) ---------------------------
def add_cache_command(sub) -> None:
    cache = _add(sub, "cache", parents=[_common(reads_kb=False)])
    action = cache.add_subparsers(dest="cache_action", parser_class=_Parser, metavar="ACTION")
    for name in ("cache info", "cache clear"):
        _add(action, name, parents=[_common(reads_kb=False)]).add_argument("--json", action="store_true",
                                                                           help="print as JSON")


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


SUBCOMMANDS = {  # in the order --help lists them
    "ask": _ask_parser, "repl": _repl_parser, "check": _check_parser, "locate": _locate_parser, "fmt": _fmt_parser,
    "serve": _add_serve_parser, "review": _review_parser, "coverage": _coverage_parser, "graph": _graph_parser,
    "completion": _completion_parser, "cache": add_cache_command,
}
