"""A built Lark parser stored as JSON, laid out to be read back quickly, and read back.

Not lark's own cache, which is a pickle: anyone who can write the cache folder (a CI cache
shared between builds) could run code in the next process. This is lark's serialised parser
(``memo_serialize``: plain dicts and lists) as JSON, reading it runs no code.

Its LALR table is stored in a layout of our own. lark serialises the table as dictionaries
keyed by integers (state -> token -> action), which JSON turns into strings, and each reduce
action as a reference object to its rule: the question grammar's table is 285 states and
12,600 actions. Turning every string key back into an integer (a JSON object hook over 13,000
objects) and resolving every reference through lark's generic ``deserialize`` took 55 of the
cached cold ask's 214 ms (benchmarks/bench.py, issue 10). Here each state is one flat list of
integers (token, action, argument, token, ...) and the memo a list, so the JSON needs no hook,
and the table is rebuilt by lark's own classes through its ``LALR_Parser`` plugin hook, which
lark allows when loading: the same table, rules and callbacks lark's own loading gives.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Optional

KIND = "tadlog-lark-tables"
FORMAT = 2  # the layout below; a stored file of any other layout is rebuilt


def write(parser, path: str, key: str) -> None:
    """Store ``parser`` at ``path`` (atomically: a reader never sees half a file); on failure, nothing."""
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    try:
        data, memo = parser.memo_serialize([TerminalDef, Rule])
        frontend = dict(data["parser"], parser=_flat_table(data["parser"]["parser"]))
        blob = json.dumps({"type": KIND, "format": FORMAT, "key": key, "data": dict(data, parser=frontend),
                           "memo": [memo[i] for i in range(len(memo))]})
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(blob)
        os.replace(tmp, path)
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
    """lark's serialised table (``IntParseTable.serialize``) with each state as one flat list."""
    states = table["states"]
    flat = []
    for index in range(len(states)):
        row: list = []
        for token, (action, argument) in states[index].items():
            row += (token, action, argument["@"] if action == 1 else argument)
        flat.append(row)
    tokens = table["tokens"]
    return {"tokens": [tokens[i] for i in range(len(tokens))], "states": flat,
            "start_states": table["start_states"], "end_states": table["end_states"]}


@lru_cache(maxsize=None)
def _flat_table_parser():
    """lark's LALR parser, deserialised from the flat table (a class made once, on first use:
    importing lark's parser modules is part of what a cached ask pays only when it parses)."""
    from lark.parsers.lalr_analysis import IntParseTable, Reduce, Shift
    from lark.parsers.lalr_parser import LALR_Parser, _Parser

    class FlatTableParser(LALR_Parser):
        @classmethod
        def deserialize(cls, data, memo, callbacks, debug=False):
            tokens = data["tokens"]
            states = {}
            for index, row in enumerate(data["states"]):
                steps = iter(row)
                states[index] = {tokens[token]: (Reduce, memo[argument]) if action == 1 else (Shift, argument)
                                 for token, action, argument in zip(steps, steps, steps)}
            inst = cls.__new__(cls)
            inst._parse_table = IntParseTable(states, data["start_states"], data["end_states"])
            inst.parser = _Parser(inst._parse_table, callbacks, debug)
            return inst

    return FlatTableParser
