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

import contextlib
import os
import signal
import sys

from .errors import TadlogError

COMMANDS = (":full", ":new", ":help", ":quit")
KEYWORDS = ("why", "why not", "sites for", "risks of", "indications", "contraindications", "is",
            "direct or indirect anchorage", "compare", "what is", "sources of", "show", "help", "for", "with")
PROMPT = "tadlog> "
# What readline puts in the line for a Ctrl-C typed while the line is read (shown as ^C).
CANCEL = "\x03"
# Private key sequences no terminal sends, bound to the readline functions the Ctrl-C macro
# runs: the user's ~/.inputrc may rebind C-e, C-q or Return, never these.
_CTRL_C_BINDINGS = (
    r'"\e[9170~": end-of-line',
    r'"\e[9171~": quoted-insert',
    r'"\e[9172~": accept-line',
    r'"\C-c": "\e[9170~\e[9171~\C-c\e[9172~"',
)


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
    in_band = "libedit" not in (readline.__doc__ or "")  # the bindings below are GNU readline's
    if in_band:
        for binding in _CTRL_C_BINDINGS:
            readline.parse_and_bind(binding)
        readline.set_auto_history(False)  # a cancelled line is not kept; run() adds the others
    return readline, path, in_band


@contextlib.contextmanager
def _ctrl_c_as_a_key(fd: int):
    """While readline reads a line, Ctrl-C is a key it reads in turn, not a signal.

    CPython's readline notices a SIGINT only when it interrupts CPython's own wait for a key.
    When the Ctrl-C lands just after that wait saw the typed text (a Ctrl-C typed ahead), the
    terminal flushes the text, readline goes on to read the key it was promised and waits
    inside libreadline, where a SIGINT is retried and dropped (CPython turns readline's own
    signal handling off): the Ctrl-C is lost, and so is every further one, until a key comes.
    So the terminal's interrupt character is switched off for as long as a line is read, and
    Ctrl-C is bound in readline to end the line with a CANCEL mark: it then arrives in order
    with the keys typed before it, however loaded the machine. Ctrl-Z and Ctrl-backslash keep their
    signals. Around the answer the interrupt character is back, so Ctrl-C still stops a long
    answer. Yields whether the switch was made (not on a terminal without termios)."""
    try:
        import termios

        attrs = termios.tcgetattr(fd)
        disabled = bytes([os.fpathconf(fd, "PC_VDISABLE") & 0xFF])
    except (ImportError, OSError, ValueError, termios.error):
        yield False
        return
    interrupt = attrs[6][termios.VINTR]
    off = attrs[:6] + [list(attrs[6])]
    off[6][termios.VINTR] = disabled

    def restore():
        now = termios.tcgetattr(fd)  # readline has put back its own settings by now
        now[6][termios.VINTR] = interrupt
        termios.tcsetattr(fd, termios.TCSANOW, now)

    # A Ctrl-C pressed before the switch is held while it is made, then raised by the unblock,
    # here, as a KeyboardInterrupt: never left pending while readline waits.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        termios.tcsetattr(fd, termios.TCSANOW, off)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        restore()
        raise
    try:
        yield True
    finally:
        restore()


def _remember(readline, line: str) -> None:
    """Keep ``line`` in the history, as readline's own auto-history would (no repeat in a row)."""
    length = readline.get_current_history_length()
    if not length or readline.get_history_item(length) != line:
        readline.add_history(line)


def _read_line(prompt: str, in_band: bool) -> str | None:
    """One line from the terminal, or None when Ctrl-C cancelled it in band (readline has then
    shown the ^C and ended the line). EOFError on Ctrl-D; KeyboardInterrupt for a Ctrl-C that
    came as a signal (before the switch, or without it)."""
    if not in_band:
        return input(prompt)
    with _ctrl_c_as_a_key(sys.stdin.fileno()) as switched:
        line = input(prompt)
    return None if switched and CANCEL in line else line


def run(kb, format_answer, args) -> int:
    from .questions.conversation import Conversation

    talk = Conversation(kb, full=args.full, depth=max(args.depth, 0))
    interactive = sys.stdin.isatty()
    history = _setup_readline(kb) if interactive else None
    in_band = history is not None and history[2]
    if interactive:
        print("tadlog: ask a question (help lists the forms; :full toggles the long view; "
              "Ctrl-C cancels a line; quit or Ctrl-D to stop)")
    try:
        while True:
            try:
                line = _read_line(PROMPT if interactive else "", in_band)
            except EOFError:
                if interactive:
                    print()  # leave the shell's prompt on a line of its own
                break
            except KeyboardInterrupt:  # cancel the line, as a shell does
                print()
                continue
            if line is None:  # cancelled in band: readline has ended the line after its ^C
                continue
            if in_band and line.strip():
                _remember(history[0], line)
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
            readline, path, _ = history
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
