"""``tadlog repl``: ask questions interactively.

History is kept with readline (in ``$TADLOG_HISTORY`` or ``~/.tadlog_history``) and Tab
completes the names of the knowledge base (terms, labels and aliases) and the question
keywords. Errors are shown and the loop goes on. As in a shell: Ctrl-C cancels the line
being typed (or the answer being computed) and gives a fresh prompt; Ctrl-D on an empty
line, ``quit`` or ``exit`` leave, on a new line. ``:full`` switches the long view (every
reason, proof and condition) on and off. A follow-up ("and for an adult?", "why not?", "what
about the midpalate?") is read against the last question (questions/conversation.py); ``:new``
forgets it.
"""
from __future__ import annotations

import os
import sys

from .errors import TadlogError

COMMANDS = (":full", ":new", ":help", ":quit")
KEYWORDS = ("why", "why not", "sites for", "risks of", "indications", "contraindications", "is",
            "direct or indirect anchorage", "compare", "what is", "sources of", "show", "help", "for", "with")
PROMPT = "tadlog> "


def completions(kb) -> list[str]:
    """Every word a user may complete: question keywords, then the alias index, sorted."""
    from .questions.query import alias_index

    names = set(alias_index(kb.model)) | {s for s in kb.model.statement_by_id}
    return list(COMMANDS) + list(KEYWORDS) + sorted(n for n in names if n)


class Completer:
    def __init__(self, words: list[str]):
        self.words = words
        self.matches: list[str] = []

    def complete(self, text: str, state: int):
        if state == 0:
            try:
                import readline

                line = readline.get_line_buffer()[:readline.get_endidx()].lower()
            except Exception:
                line = text.lower()
            # Multi-word names: complete from the start of the longest matching tail of the line.
            tails = [line[i:] for i in range(len(line)) if i == 0 or line[i - 1] == " "]
            self.matches = []
            for tail in tails:
                hits = [w for w in self.words if w.lower().startswith(tail)]
                if hits:
                    cut = len(tail) - len(text)
                    self.matches = [w[cut:] for w in hits]
                    break
        return self.matches[state] if state < len(self.matches) else None


def _setup_readline(kb):
    try:
        import readline
    except ImportError:  # no readline (e.g. some Windows builds): plain input still works
        return None
    path = os.environ.get("TADLOG_HISTORY") or os.path.join(os.path.expanduser("~"), ".tadlog_history")
    try:
        readline.read_history_file(path)
    except OSError:
        pass
    readline.set_completer(Completer(completions(kb)).complete)
    readline.set_completer_delims(" \t\n?,")
    readline.parse_and_bind("tab: complete")
    return readline, path


def run(kb, format_answer, args) -> int:
    from .questions.conversation import Conversation

    talk = Conversation(kb, full=args.full, depth=max(args.depth, 0))
    interactive = sys.stdin.isatty()
    history = _setup_readline(kb) if interactive else None
    if interactive:
        print("tadlog: ask a question (help lists the forms; :full toggles the long view; "
              "Ctrl-C cancels a line; quit or Ctrl-D to stop)")
    try:
        while True:
            try:
                line = input(PROMPT if interactive else "")
            except EOFError:
                if interactive:
                    print()  # leave the shell's prompt on a line of its own
                break
            except KeyboardInterrupt:  # cancel the line, as a shell does
                print()
                continue
            question = line.strip()
            if not question or question.startswith("#"):
                continue
            if question.lower() in ("quit", "exit", "q", ":quit", ":q"):
                break
            if question.startswith(":"):
                print(_command(question, args, talk))
                continue
            try:
                talk.full = args.full
                answer = talk.ask(question)
                print(format_answer(answer))
            except TadlogError as error:
                print(error.render())
            except KeyboardInterrupt:
                print("\n(cancelled)")
    finally:
        if history is not None:
            readline, path = history
            try:
                readline.set_history_length(1000)
                readline.write_history_file(path)
            except OSError:
                pass
    return 0


def _command(text: str, args, talk=None) -> str:
    """A REPL command (``:full``, ``:new``, ``:help``); the reply to show."""
    word = text.split()[0].lower()
    if word == ":full":
        args.full = not args.full
        return f"long view {'on' if args.full else 'off'}"
    if word == ":new" and talk is not None:
        talk.forget()
        return "the next question starts afresh (no follow-up)"
    if word == ":help":
        return (":full  switch the long view on and off\n:new   forget the last question (no follow-up)\n"
                ":quit  leave (also quit, exit, Ctrl-D)\n"
                "help   the question forms")
    from .errors import did_you_mean

    hint = did_you_mean(word, COMMANDS)
    return f"unknown command {word}" + (f" ({hint})" if hint else "") + "; :help lists them"
