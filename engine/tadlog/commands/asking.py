"""Asking: ``tadlog ask``, ``tadlog repl`` and ``tadlog graph``."""
from __future__ import annotations

import json
import sys

from ..errors import TadlogError, UsageError
from ..terminal import clean
from .knowledge import announce, choose_kb, with_kb
from .screen import use_colour, width


def load_chosen(args, command: str):
    """The knowledge base the arguments choose (see knowledge.py), announced under --verbose."""
    from ..kb import load

    choice = choose_kb(getattr(args, "kb", None), command)
    announce(choice, args)
    return load(choice.root), choice


def cmd_ask(args) -> int:
    if args.html and args.file:
        raise UsageError("tadlog ask: --html writes one answer's page; ask one question", code="U012")
    if args.file and args.file != "-":
        _readable(args.file)
    kb, choice = load_chosen(args, "tadlog ask")
    if args.file:
        return _batch(kb, choice, args)
    question = " ".join(args.question).strip()
    if not question:
        raise UsageError("tadlog ask: give a question, e.g. tadlog ask \"why not infrazygomatic?\"", code="U002")
    answer = kb.ask(question, depth=max(args.depth, 0), full=args.full)
    if args.html:
        from ..serve.run import standalone_page  # the page of one answer, its source passages inside

        print(standalone_page(kb, answer), end="")
        return 0
    print(format_answer(answer, args, choice), end="")
    return 0


def _readable(path: str) -> None:
    import os

    if not os.path.isfile(path):
        what = "is a folder" if os.path.isdir(path) else "does not exist"
        raise UsageError(f"tadlog ask: --file {path} {what} (give a file of questions, or '-' for standard input)",
                         code="U005")


def format_answer(answer, args, choice=None) -> str:
    if getattr(args, "json", False):
        data = answer.to_json()
        return json.dumps(with_kb(data, choice) if choice else data, indent=2, ensure_ascii=False) + "\n"
    if getattr(args, "markdown", False):
        return clean(answer.to_markdown())
    if getattr(args, "dot", False) or getattr(args, "graphml", False):
        from ..engine.provenance import to_dot, to_graphml

        return clean(to_dot(answer.provenance) if args.dot else to_graphml(answer.provenance))
    return answer.to_text(colour=use_colour(args.colour), full=args.full, depth=args.depth, width=width())


def _batch(kb, choice, args) -> int:
    """Answer each line on its own: a line that fails (bad question, bad bytes, even a bug)
    is reported where it stands and the batch goes on."""
    import os

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
                shown = with_kb(answer.to_json(), choice) if args.json else format_answer(answer, args)
            except TadlogError as error:
                failures += 1
                if args.json:
                    answers.append({"question": question, "error": [d.to_json() for d in error.diagnostics],
                                    "kb": choice.to_json()})
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
    from ..repl import run

    args.json = args.markdown = args.dot = args.graphml = args.html = False
    kb, _ = load_chosen(args, "tadlog repl")
    return run(kb, lambda answer: format_answer(answer, args), args)


def cmd_graph(args) -> int:
    from ..engine.provenance import to_dot, to_graphml, to_node_link

    kb, choice = load_chosen(args, "tadlog graph")
    text = {"dot": to_dot, "graphml": to_graphml, "json": to_node_link}[args.format](kb.provenance)
    if args.format == "json":
        text = json.dumps(with_kb(json.loads(text), choice), indent=2, sort_keys=True) + "\n"
    print(text, end="")
    return 0
