"""Text bound for a terminal, made inert: no escape sequence from a label or a question.

A label, a quote or a question can carry ESC sequences (an OSC one sets the window title,
others move the cursor or rewrite what was printed), C1 controls, or bidirectional overrides
that make a line read differently from what it says. They are removed once, where text
leaves for the terminal: the text renderer cleans the answer it is given, and the shells
clean every error and every echoed question. Newlines and tabs stay.
"""
from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

_SEQUENCES = (
    r"\x1b\[[0-?]*[ -/]*[@-~]?"            # CSI: colours, cursor movement, erasing
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC strings
    r"|\x9b[0-?]*[ -/]*[@-~]?"             # 8-bit CSI
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit string controls
    r"|\x1b[ -/]*[0-~]?"                   # any other escape
)
_CONTROLS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"


def clean(text: str) -> str:
    """``text`` without escape sequences, control characters or bidirectional overrides.

    Every character removed is one ``str.isprintable`` refuses (controls and format characters),
    and so is the first of every sequence: text that is printable but for its newlines and tabs,
    as answers are, is returned as it is, and the expressions are compiled only for text that
    may need them (compiling the controls' class took 1.2 ms, on every run's first output)."""
    if not isinstance(text, str):
        text = str(text)
    if text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable():
        return text
    sequences, controls = _expressions()
    if controls.search(text) is None:
        return text
    return controls.sub("", sequences.sub("", text))


@lru_cache(maxsize=None)
def _expressions() -> tuple[re.Pattern, re.Pattern]:
    return re.compile(_SEQUENCES), re.compile(_CONTROLS)


_PLAIN = frozenset({int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...]] = {}  # a dataclass's init fields, looked up once per class


def _init_fields(cls) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.init)
    return names


def clean_tree(value):
    """``value`` with every string inside it cleaned: frozen dataclasses, tuples, lists, dicts.

    Objects are rebuilt only where a string changed, so a clean answer costs one walk (an answer
    at a hundred times the bundled size has a hundred thousand nodes: numbers are passed by type
    first, and each class's fields are read once)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, tuple):
        items = tuple([clean_tree(v) for v in value])
        if all(new is old for new, old in zip(items, value)):
            return value
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, list):
        return [clean_tree(v) for v in value]
    if isinstance(value, dict):
        return {clean_tree(k): clean_tree(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in _init_fields(kind):
            old = getattr(value, name)
            new = clean_tree(old)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
