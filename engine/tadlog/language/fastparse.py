"""A fast reader of well-formed ``.tad`` text: the model lark and parse._Builder give, without a tree.

Profiling the load of the knowledge base showed lark's pure-Python lexer and LALR loop (with
the tree builder) taking 90% of parsing, which is most of an uncached load. The language is
small, so this module reads it by recursive descent over one regular-expression tokeniser.
A first version built lark's tree for the one model builder (parse._Builder) to walk; making
lark's Tokens and Trees and walking them again was then two thirds of parsing. So this reader
makes the model's declarations directly, as the builder makes them from the tree.

It reads what is well formed and clean only. At the first thing it does not expect (a syntax
error, or anything the builder reports: an unknown, repeated, missing or mistyped attribute,
a number over the limit, a conflict with one side) it gives up (:class:`NotFast`) and the
file is parsed by lark and built by parse._Builder, whose diagnostics are the ones a curator
sees: they are made in one place only. tests/test_fastparse.py checks the two ways give
identical models, locations included, on every file of the knowledge base and on generated
variations.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate, chain
from operator import itemgetter
from sys import intern

from ..errors import Location
from ..limits import MAX_NUMBER_DIGITS
from .model import ATTRIBUTES, NUMBER, REPEATABLE, SYMBOL, TEXT, Atom, Comparison, Conflict, Const, Fact, Negation, Param, Predicate, Rule, \
    Section, Source, Statement, TermDecl, Var

# Spaces and comments (the grammar's WS and COMMENT: other Unicode spaces are lark's to refuse),
# then one token: a string, a number, a name, a variable, ':-', a two-character comparison, or
# any other one character (punctuation, or what only lark can report), or the end. One findall
# reads a file: each token is its text, told apart by its first character, and its place is
# counted from the lengths, without a Python step per token. Written for the regular-expression
# engine's fast paths (single-character repeats): a repeated alternation per character, as
# (?:\s+|#...)* and the grammar's "(\\.|[^"\\])*" are, took twice as long on the long quotes.
_TOKEN = re.compile(r'''([ \t\f\r\n]*(?:\#[^\n]*[ \t\f\r\n]*)*)
    ("[^"\\]*(?:\\.[^"\\]*)*" | -?\d+(?:\.\d+)? | [a-z][a-z0-9_]* | [A-Z_][A-Za-z0-9_]*
     | :- | <= | >= | != | . | \Z)''', re.X | re.S)
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyz")
_VARIABLE_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NUMBER_START = frozenset("-0123456789")
_COMPARATORS = frozenset({"<=", ">=", "!=", "<", ">", "="})
_RANGE_TAIL = re.compile(r"\s*-\s*\d+")
_RANGE_SPLIT = re.compile(r"\s*-\s*")
_ESCAPE = re.compile(r"\\(.)")
_FOLD = re.compile(r"\s*\n\s*")
_ATTRIBUTE_DECLARATIONS = {"source", "section", "statement", "term", "conflict"}

class NotFast(Exception):
    """Something this reader does not handle: lark and the builder read the file instead."""


def read(text: str, path: str) -> list:
    """The declarations of ``text`` (located in ``path``), or :class:`NotFast`."""
    return _Reader(text, path).start()


def unquote(token: str) -> str:
    """A STRING token's value: escapes resolved, line breaks and indentation folded to spaces."""
    body = token[1:-1]
    if "\\" in body or "\x00" in body:
        body = _ESCAPE.sub(lambda m: "\x00" + m.group(1), body)
        if "\n" in body:
            body = _FOLD.sub(" ", body)
        return body.replace("\x00", "")
    if "\n" in body:
        return _FOLD.sub(" ", body)
    return body


def _number(token: str):
    if sum(c.isdigit() for c in token) > MAX_NUMBER_DIGITS:
        raise NotFast("a number over the limit")  # E011 is the builder's
    return float(token) if "." in token else int(token)


class _Reader:
    def __init__(self, text: str, path: str):
        self.text, self.path = text, path
        pairs = _TOKEN.findall(text)  # (spaces and comments before, token); the end is ""
        self.toks = toks = list(map(itemgetter(1), pairs))
        if '"' in toks or "-" in toks:  # a string not closed, a minus without digits
            raise NotFast("a lone '\"' or '-'")
        self.starts = list(accumulate(map(len, chain.from_iterable(pairs)), initial=0))[1::2]
        self.line_starts = list(accumulate(map((1).__add__, map(len, text.split("\n"))), initial=0))
        # one int per line for every location on it (past 256 each number is an object: at 100x
        # the parsed model held one for most of its 394,000 locations)
        self.line_numbers = list(range(len(self.line_starts) + 1))
        self.i = 0

    # ---- tokens -------------------------------------------------------------------------
    def loc(self, i: int) -> Location:
        """The location of token ``i``, as lark gives its token (line, column, width)."""
        start = self.starts[i]
        line = bisect_right(self.line_starts, start)
        return Location(self.path, self.line_numbers[line], start - self.line_starts[line - 1] + 1, len(self.toks[i]))

    def name(self) -> str:
        """A name, interned: a term, predicate or statement is named in many places (at 100x the
        parsed model held 700,000 name strings: one string each took resident memory after parsing
        from 233 to 202 MiB)."""
        name = self.toks[self.i]
        if name[:1] not in _NAME_START:
            raise NotFast("expected a name")
        self.i += 1
        return intern(name)

    def string(self) -> str:
        token = self.toks[self.i]
        if token[:1] != '"':
            raise NotFast("expected a string")
        self.i += 1
        return token

    def expect(self, text: str) -> None:
        if self.toks[self.i] != text:
            raise NotFast(f"expected {text!r}")
        self.i += 1

    # ---- declarations -------------------------------------------------------------------
    def start(self) -> list:
        out = []
        append = out.append
        toks = self.toks
        while True:
            word = toks[self.i]
            if word[:1] not in _NAME_START:
                if word == "":
                    return out
                raise NotFast("a declaration")
            if word in _ATTRIBUTE_DECLARATIONS:
                self.i += 1
                append(self.attributed(word))
            elif word == "predicate":
                self.i += 1
                append(self.predicate())
            elif word == "rule":
                self.i += 1
                label = self.name()
                self.expect(":")
                append(self.clause(label))
            else:
                append(self.clause(None))

    def attributed(self, kind: str):
        toks = self.toks
        at = self.i
        name = self.name()
        number = self.string() if kind == "section" else None
        allowed, required = ATTRIBUTES[kind]
        found: dict = {}
        while toks[self.i][:1] in _NAME_START:
            key = toks[self.i]
            self.i += 1
            values = [self.value()]
            while toks[self.i] == ",":
                self.i += 1
                values.append(self.value())
            if key not in allowed:
                raise NotFast("an unknown attribute")
            if (kind, key) in REPEATABLE:  # a conflict's sides: each a list of values
                found.setdefault(key, []).append(values)
            elif key in found:
                raise NotFast("an attribute given twice")
            else:
                found[key] = values
        self.expect(".")
        if not required <= found.keys():
            raise NotFast("a missing attribute")
        get = found.get
        if kind == "statement":
            section = _single(found["section"], (TEXT, SYMBOL))
            return Statement(name, _single(found["from"], (SYMBOL,)) or "", str(section),
                             _single(found["lines"], ("range",)) or (0, 0),
                             _single(found["kind"], (SYMBOL,)) or "",
                             _single(found["quote"], (TEXT,)) or "",
                             _optional(get("evidence"), (SYMBOL,)),
                             _optional(get("n"), (NUMBER,)),
                             _optional(get("population"), (TEXT,)),
                             _optional(get("ci"), (TEXT,)), self.loc(at))
        if kind == "section":
            clinical = _optional(get("clinical"), (SYMBOL,), default="yes")
            if clinical not in ("yes", "no"):
                raise NotFast("a clinical value other than yes or no")
            return Section(name, unquote(number), _single(found["title"], (TEXT,)),
                           _optional(get("lines"), ("range",)), clinical != "no", self.loc(at))
        if kind == "term":
            aliases = get("aliases")
            return TermDecl(name, _single(found["category"], (SYMBOL,)), _single(found["label"], (TEXT,)),
                            tuple(v for t, v in aliases if t == TEXT) if aliases else (), self.loc(at),
                            _optional(get("patients"), (TEXT,)))
        if kind == "source":
            authors = found["authors"]
            authors = (None if len(authors) == 1 and authors[0] == (SYMBOL, "unknown")
                       else tuple(v for t, v in authors if t == TEXT))
            return Source(name, _single(found["title"], (TEXT,), True), authors,
                          _single(found["year"], (NUMBER,), True), _single(found["venue"], (TEXT,), True),
                          _single(found["kind"], (SYMBOL,), True), _single(found["file"], (TEXT,)),
                          self.loc(at))
        sides = found["side"]
        if len(sides) < 2 or any(t != SYMBOL for side in sides for t, _ in side):
            raise NotFast("a conflict with one side, or a side that is not statement names")
        return Conflict(name, _single(found["topic"], (TEXT,)),
                        tuple(tuple(v for _, v in side) for side in sides),
                        _optional(get("note"), (TEXT,)), self.loc(at))

    def value(self) -> tuple:
        """An attribute value as (type, value); a line range is one token, as lark's lexer makes it."""
        i = self.i
        token = self.toks[i]
        self.i = i + 1
        first = token[:1]
        if first == '"':
            return (TEXT, unquote(token))
        if first in _NAME_START:
            return (SYMBOL, token)
        if first not in _NUMBER_START:
            raise NotFast("a value")
        starts = self.starts
        tail = _RANGE_TAIL.match(self.text, starts[i] + len(token)) if first != "-" else None
        if tail is None:
            return (NUMBER, _number(token))
        if "." in token:
            raise NotFast("a range with a fraction")
        end = tail.end()
        while starts[self.i] < end:
            self.i += 1
        if starts[self.i] != end and starts[self.i - 1] + len(self.toks[self.i - 1]) != end:
            raise NotFast("a range that ends inside a token")
        sides = _RANGE_SPLIT.split(self.text[starts[i]:end])
        if any(len(side) > MAX_NUMBER_DIGITS for side in sides):
            raise NotFast("a line number over the limit")  # E011 is the builder's
        return ("range", (int(sides[0]), int(sides[1])))

    def predicate(self):
        toks = self.toks
        at = self.i
        name = self.name()
        self.expect("(")
        params = [self.param()]
        while toks[self.i] == ",":
            self.i += 1
            params.append(self.param())
        self.expect(")")
        template = unquote(self.string())
        stance = None
        if toks[self.i] in ("for", "against"):
            stance = toks[self.i]
            self.i += 1
        self.expect(".")
        return Predicate(name, tuple(params), template, stance, self.loc(at))

    def param(self) -> Param:
        name = self.name()
        if self.toks[self.i] != ":":
            return Param(name, SYMBOL, None)
        self.i += 1
        kind = self.name()
        if kind in (SYMBOL, NUMBER):
            return Param(name, kind, None)
        return Param(name, SYMBOL, kind)  # a term category (site: site), checked by validation

    # ---- facts and rules ----------------------------------------------------------------
    def clause(self, label):
        toks = self.toks
        head = self.atom()
        if toks[self.i] == ":-":
            self.i += 1
            body = [self.literal()]
            while toks[self.i] == ",":
                self.i += 1
                body.append(self.literal())
            cites, rationale = self.citation()
            self.expect(".")
            if label is None:
                return Rule(f"{head.predicate}@{self.path}:{head.location.line}", head, tuple(body), cites,
                            rationale, False, head.location)
            return Rule(label, head, tuple(body), cites, rationale, True, head.location)
        if label is not None:
            raise NotFast("a labelled rule without ':-'")
        cites, rationale = self.citation()
        self.expect(".")
        return Fact(head, cites, head.location, rationale)

    def citation(self) -> tuple:
        toks = self.toks
        cites, rationale = (), None
        word = toks[self.i]
        if word == "cites":
            self.i += 1
            names = [self.name()]
            while toks[self.i] == ",":
                self.i += 1
                names.append(self.name())
            cites = tuple(names)
            word = toks[self.i]
        if word == "because":
            self.i += 1
            rationale = unquote(self.string())
        return cites, rationale

    def atom(self) -> Atom:
        toks = self.toks
        at = self.i
        name = toks[at]
        if name[:1] not in _NAME_START or toks[at + 1] != "(":
            raise NotFast("an atom")
        self.i = at + 2
        args = [self.arg()]
        while toks[self.i] == ",":
            self.i += 1
            args.append(self.arg())
        self.expect(")")
        return Atom(intern(name), tuple(args), self.loc(at))

    def literal(self):
        toks = self.toks
        word = toks[self.i]
        if word[:1] in _NAME_START:
            if word == "not":
                self.i += 1
                return Negation(self.atom())
            if toks[self.i + 1] == "(":
                return self.atom()
        left = self.arg()
        at = self.i
        if toks[at] not in _COMPARATORS:
            raise NotFast("a comparison")
        self.i += 1
        return Comparison(left, toks[at], self.arg(), self.loc(at))

    def arg(self):
        i = self.i
        token = self.toks[i]
        self.i = i + 1
        first = token[:1]
        if first in _VARIABLE_START:
            return Var(token)
        if first in _NAME_START:
            return Const(intern(token), SYMBOL, self.loc(i))
        if first == '"':
            return Const(unquote(token), TEXT, self.loc(i))
        if first in _NUMBER_START:
            return Const(_number(token), NUMBER, self.loc(i))
        raise NotFast("an argument")


def _single(values: list, types: tuple, unknown_ok: bool = False):
    """The one value of a single-valued attribute (parse._Builder.single, on clean text)."""
    if len(values) != 1:
        raise NotFast("several values")
    vtype, value = values[0]
    if unknown_ok and vtype == SYMBOL and value == "unknown":
        return None
    if vtype not in types:
        raise NotFast("a value of the wrong type")
    return value


def _optional(values, types: tuple, default=None):
    return default if values is None else _single(values, types)
