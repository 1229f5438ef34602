"""What the terminal wants: colour or not, how wide.

Colour follows the conventions: ``--colour always|never`` decides; under ``auto`` colour is
used only on a terminal, never when ``NO_COLOR`` is set (https://no-color.org) or
``TERM=dumb``. Width is the terminal's (``COLUMNS`` overrides), kept between 40 and 120
columns so prose stays readable; output that is not a terminal keeps 80 columns so files and
pipes are stable.
"""
from __future__ import annotations

import os
import shutil
import sys

MIN_WIDTH, MAX_WIDTH, PIPE_WIDTH = 40, 120, 80


def plain_terminal() -> bool:
    """NO_COLOR set (to anything non-empty) or a dumb terminal: no colour, no escapes."""
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


def use_colour(choice: str = "auto", stream=None) -> bool:
    stream = stream or sys.stdout
    if choice == "always":
        return True
    if choice == "never":
        return False
    return stream.isatty() and not plain_terminal()


def width(stream=None) -> int:
    stream = stream or sys.stdout
    if "COLUMNS" not in os.environ and not stream.isatty():
        return PIPE_WIDTH
    columns = shutil.get_terminal_size((PIPE_WIDTH, 24)).columns
    return max(MIN_WIDTH, min(MAX_WIDTH, columns - 1))


class Progress:
    """Stage messages on standard error, shown only once a task has taken more than a second.

    A quick run prints nothing; a slow one says what it is doing (on a terminal the line is
    rewritten in place and cleared at the end; elsewhere, as a log, one line per stage)."""

    DELAY = 1.0

    def __init__(self, name: str, stream=None, delay: float = DELAY):
        import threading
        import time

        self.name, self.stream = name, stream or sys.stderr
        self.tty = self.stream.isatty() and not plain_terminal()
        self.started = time.monotonic()
        self.message = "starting"
        self.shown = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True
        self._timer.start()

    def _show(self) -> None:
        with self._lock:
            self.shown = True
            self._write(self.message)

    def _write(self, message: str) -> None:
        import time

        text = f"{self.name}: {message} ({time.monotonic() - self.started:.1f} s)"
        if self.tty:
            self.stream.write("\r\033[K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def __call__(self, message: str) -> None:
        with self._lock:
            self.message = message
            if message == "done":
                self._timer.cancel()
                if self.shown and self.tty:
                    self.stream.write("\r\033[K")
                    self.stream.flush()
                elif self.shown:
                    self._write(message)
            elif self.shown:
                self._write(message)
