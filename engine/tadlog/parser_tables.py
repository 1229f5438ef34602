"""A built Lark parser stored as JSON, laid out to be read back quickly, and read back.

Not lark's own cache, which is a pickle: anyone who can write the cache folder (a CI cache
shared between builds) could run code in the next process. This is lark's serialised parser
(``memo_serialize``: plain dicts and lists) as JSON, reading it runs no code.

Its LALR table is stored in a layout of our own. lark serialises the table as dictionaries
keyed by integers (state -> token -> action), which JSON turns into strings, and each reduce
action as a reference object to its rule: the question grammar's table is 285 states and
12,600 actions. Turning every string key back into an integer (a JSON object hook over 13,000
objects) and resolving every reference through lark's generic ``deserialize`` took 55 of the
cached cold ask's 214 ms (benchmarks/bench.py, issue 10). Here each state is one flat row of
integers (token, action, argument, token, ...) and the memo a list, so the JSON needs no hook,
and the table is rebuilt by lark's own classes through its ``LALR_Parser`` plugin hook, which
lark allows when loading: the same table, rules and callbacks lark's own loading gives.

The rows are stored as one array of unsigned integers in base64 (and where each row ends), not
as JSON numbers, and a state's actions become a dictionary only when the parser first enters
it: a question visits a few dozen of the 285 states. Decoding 38,000 numbers and building every
state's dictionary were 6 of the 11 ms of reading the question parser (warm, measured).
"""
from __future__ import annotations

import json
import sys
from array import array
from binascii import a2b_base64, b2a_base64
from functools import lru_cache
from typing import Optional

KIND = "tadlog-lark-tables"
FORMAT = 3  # the layout below; a stored file of any other layout is rebuilt


def write(parser, path: str, key: str) -> None:
    """Store ``parser`` at ``path`` (atomically: a reader never sees half a file); on failure, nothing."""
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    from .atomic import write_atomically

    try:
        data, memo = parser.memo_serialize([TerminalDef, Rule])
        frontend = dict(data["parser"], parser=_flat_table(data["parser"]["parser"]))
        blob = json.dumps({"type": KIND, "format": FORMAT, "key": key, "data": dict(data, parser=frontend),
                           "memo": [memo[i] for i in range(len(memo))]})
        write_atomically(path, lambda handle: handle.write(blob.encode()))
    except (OSError, TypeError, ValueError, KeyError):
        pass


def read(path, key: str) -> Optional[object]:
    """The parser stored at ``path`` for ``key``, or None (missing, damaged, another key or layout)."""
    from lark import Lark

    try:
        with open(path, encoding="utf-8") as handle:
            stored = json.load(handle)
        if stored.get("type") != KIND or stored.get("format") != FORMAT or stored.get("key") != key:
            return None
        return Lark._load_from_dict(stored["data"], dict(enumerate(stored["memo"])),
                                    _plugins={"LALR_Parser": _flat_table_parser()})
    except Exception:  # missing, damaged or from another lark: the caller builds it
        return None


def _flat_table(table: dict) -> dict:
    """lark's serialised table (``IntParseTable.serialize``) with its states as flat rows of
    integers (token, action, argument, ...), all in one array, and where each row ends."""
    states = table["states"]
    values: list = []
    ends = []
    for index in range(len(states)):
        for token, (action, argument) in states[index].items():
            values += (token, action, argument["@"] if action == 1 else argument)
        ends.append(len(values))
    tokens = table["tokens"]
    return {"tokens": [tokens[i] for i in range(len(tokens))], "rows": _pack(values), "ends": _pack(ends),
            "start_states": table["start_states"], "end_states": table["end_states"]}


def _pack(values: list) -> list:
    """Integers as [array typecode, byte order, base64 of the array's bytes]."""
    typecode = "H" if max(values, default=0) < 1 << 16 else "L"
    return [typecode, sys.byteorder, b2a_base64(array(typecode, values).tobytes(), newline=False).decode("ascii")]


def _unpack(packed: list) -> array:
    typecode, order, text = packed
    values = array(typecode, a2b_base64(text))
    if order != sys.byteorder:
        values.byteswap()
    return values


class _States(dict):
    """An LALR table's states, each state's actions made a dictionary when the parser first
    enters it (``__missing__``); a filled state is a plain dictionary entry."""

    def __init__(self, rows: array, ends: array, build):
        super().__init__()
        self._rows, self._ends, self._build = rows, ends, build

    def __missing__(self, state):
        if not isinstance(state, int) or not 0 <= state < len(self._ends):
            raise KeyError(state)
        start = self._ends[state - 1] if state else 0
        actions = self[state] = self._build(self._rows[start:self._ends[state]])
        return actions


@lru_cache(maxsize=None)
def _flat_table_parser():
    """lark's LALR parser, deserialised from the flat table (a class made once, on first use:
    importing lark's parser modules is part of what a cached ask pays only when it parses)."""
    from lark.parsers.lalr_analysis import IntParseTable, Reduce, Shift
    from lark.parsers.lalr_parser import LALR_Parser, _Parser

    class FlatTableParser(LALR_Parser):
        """The parser proper reads a table whose states fill on first entry (``_States``); the
        table lark's contextual lexer reads when it is built (``_parse_table``) holds each
        state's accepted token names, all that lexer asks of it. A loaded parser is never saved
        again (the tables are written from a parser built from the grammar), so nothing reads
        that second table's actions."""

        @classmethod
        def deserialize(cls, data, memo, callbacks, debug=False):
            tokens = data["tokens"]
            rows, ends = _unpack(data["rows"]), _unpack(data["ends"])

            def build(row):
                steps = iter(row)
                return {tokens[token]: (Reduce, memo[argument]) if action == 1 else (Shift, argument)
                        for token, action, argument in zip(steps, steps, steps)}
            names, start = {}, 0
            for index, end in enumerate(ends):
                names[index] = dict.fromkeys([tokens[token] for token in rows[start:end:3]])
                start = end
            inst = cls.__new__(cls)
            inst._parse_table = IntParseTable(names, data["start_states"], data["end_states"])
            inst.parser = _Parser(IntParseTable(_States(rows, ends, build), data["start_states"], data["end_states"]),
                                  callbacks, debug)
            return inst

    return FlatTableParser
