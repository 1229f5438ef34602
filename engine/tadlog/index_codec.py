"""The question indexes' cache format: plain containers as JSON, their types kept.

The name index (and any index stored whole, not keyed: kb.QUESTION_INDEXES) is an object of
dictionaries, lists, tuples and sets of strings and numbers; each is written as JSON with a tag
for the types JSON lacks and read back on first use (LazyIndex), its class named by tadlog,
never by the file: reading runs no code. (The model, its relations and the keyed statement
index are codec.py's.)
"""
from __future__ import annotations

import json
import threading
import weakref
from operator import methodcaller
from typing import Callable

from .codec import _SCALARS, _dumps, _guarded


def encode_plain(value):
    """Containers of strings and numbers as JSON, their types kept: lists and string-keyed dicts
    as themselves; a tuple {"#T": [...]}, a set {"#S": [...]}, a frozenset {"#F": [...]}, any
    other dict {"#D": [[key, value], ...]}. Decoding is then one hook per JSON object."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    kind = type(value)
    if kind is dict:  # (the type checks run in C: issuperset over map(type, ...))
        if _STR.issuperset(map(type, value)) and not any(map(_TAGGED, value)):
            if _SCALARS.issuperset(map(type, value.values())):
                return value  # JSON as it stands (most of an index: word counts, lengths)
            return {k: encode_plain(v) for k, v in value.items()}
        return {"#D": [[encode_plain(k), encode_plain(v)] for k, v in value.items()]}
    tag = _TAGS.get(kind)
    if tag is None:
        raise TypeError(f"cannot cache a {kind.__name__}")
    items = list(value) if _SCALARS.issuperset(map(type, value)) else [encode_plain(v) for v in value]
    return items if kind is list else {tag: items}


_STR = frozenset({str})
_TAGGED = methodcaller("startswith", "#")
_TAGS = {list: "", tuple: "#T", set: "#S", frozenset: "#F"}
_PLAIN = {"#T": tuple, "#S": set, "#F": frozenset}


def _plain_hook(d: dict):
    if len(d) == 1:
        (key, value), = d.items()
        if key in _PLAIN:
            return _PLAIN[key](value)
        if key == "#D":
            return {k: v for k, v in value}
    return d


def decode_plain(text: bytes):
    return json.loads(text, object_hook=_plain_hook)


def encode_index(index, model) -> bytes:
    """An index object's fields (its references to the model, strong or weak, left out) as JSON."""
    strong = [k for k, v in vars(index).items() if v is model]
    weak = [k for k, v in vars(index).items() if type(v) is weakref.ref and v() is model]
    fields = {k: v for k, v in vars(index).items() if k not in strong and k not in weak}
    return _dumps({"fields": encode_plain(fields), "model": strong, "weak": weak})


_DECODING = threading.Lock()  # the service shares one model between threads: one decodes, the rest wait


class LazyIndex:
    """A question index read from the cache, decoded (and turned into its class) on first use."""

    def __init__(self, blob, cls_of: Callable, model):
        # the model weakly: it keeps this index (model.__dict__), so a strong reference back
        # would make every discarded model cyclic garbage, freed only by the cyclic collector
        self.__dict__["#lazy"] = (blob, cls_of, weakref.ref(model))

    def __getattr__(self, name):
        with _DECODING:
            lazy = self.__dict__.pop("#lazy", None)
            if lazy is None:  # another thread decoded it while this one waited
                if type(self) is LazyIndex:
                    raise AttributeError(name)
                return getattr(self, name)
            self._decode(lazy)
        return getattr(self, name)

    def _decode(self, lazy) -> None:
        blob, cls_of, model_ref = lazy
        model = model_ref()

        def fields_of() -> dict:
            stored = decode_plain(bytes(blob))
            return {**stored["fields"], **dict.fromkeys(stored["model"], model),
                    **dict.fromkeys(stored["weak"], model_ref)}
        self.__dict__.update(_guarded("an index", fields_of))
        self.__class__ = cls_of()
