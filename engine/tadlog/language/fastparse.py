"""A fast reader of well-formed ``.tad`` text: the same parse tree as the LALR parser, 3-4x sooner.

Profiling the load of the knowledge base showed lark's pure-Python lexer and LALR loop (with
the tree builder) taking 90% of parsing, which is most of an uncached load. The language is
small, so this module reads it by recursive descent over one regular-expression tokeniser and
builds the very tree ``grammar/kb.lark`` gives (same rule names, same tokens with their
lines and columns), which the one model builder (parse._Builder) then walks: the checks and
the model are shared, only the reading differs.

It handles well-formed text only. At the first thing it does not expect it gives up
(:class:`NotFast`) and the file is parsed by lark, whose diagnostics are the ones a curator
sees. tests/test_fastparse.py checks the two readers give identical models, locations
included, on every file of the knowledge base and on generated variations.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from lark import Token, Tree

_TOKEN = re.compile(r'''(?:\s+|\#[^\n]*)*(?:
    (?P<STRING>"(?:\\.|[^"\\])*")
  | (?P<NUMBER>-?\d+(?:\.\d+)?)
  | (?P<NAME>[a-z][a-z0-9_]*)
  | (?P<VARIABLE>[A-Z_][A-Za-z0-9_]*)
  | (?P<IF>:-)
  | (?P<COMPARATOR><=|>=|!=|<|>|=)
  | (?P<punct>[.,():])
  | (?P<other>.)
  | (?P<END>\Z))''', re.X | re.S)
_RANGE_TAIL = re.compile(r"\s*-\s*\d+")
_DECLARATIONS = {"source", "section", "statement", "term", "conflict"}


class NotFast(Exception):
    """Something this reader does not handle: the LALR parser reads the file instead."""


def parse_tree(text: str) -> Tree:
    """The lark parse tree of ``text`` (rule ``start``), or :class:`NotFast`."""
    return _Reader(text).start()


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.tokens = []  # (kind, value, start); lines and columns are found when a Token is made
        append = self.tokens.append
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind == "other":
                raise NotFast(match.group(kind))
            if kind == "END":
                append(("$END", "", len(text)))
                break
            append((kind, match.group(kind), match.start(kind)))
        else:
            append(("$END", "", len(text)))
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.i = 0

    # ---- tokens -------------------------------------------------------------------------
    def peek(self):
        return self.tokens[self.i]

    def take(self, kind: str, value: str | None = None):
        tok = self.tokens[self.i]
        if tok[0] != kind or (value is not None and tok[1] != value):
            raise NotFast(f"expected {value or kind} at offset {tok[2]}")
        self.i += 1
        return tok

    def is_(self, kind: str, value: str | None = None) -> bool:
        tok = self.tokens[self.i]
        return tok[0] == kind and (value is None or tok[1] == value)

    def token(self, tok, kind: str | None = None) -> Token:
        start = tok[2]
        line = bisect_right(self.line_starts, start)
        return Token(kind or tok[0], tok[1], start, line, start - self.line_starts[line - 1] + 1)

    # ---- declarations -------------------------------------------------------------------
    def start(self) -> Tree:
        decls = []
        while not self.is_("$END"):
            decls.append(self.declaration())
        return Tree("start", decls)

    def declaration(self) -> Tree:
        kind, value = self.peek()[:2]
        if kind == "NAME" and value in _DECLARATIONS:
            self.i += 1
            children = [self.token(self.take("NAME"))]
            if value == "section":
                children.append(self.token(self.take("STRING")))
            while self.is_("NAME"):
                children.append(self.attribute())
            self.take("punct", ".")
            return Tree(value, children)
        if kind == "NAME" and value == "predicate":
            self.i += 1
            return self.predicate()
        if kind == "NAME" and value == "rule":
            self.i += 1
            label = self.token(self.take("NAME"))
            self.take("punct", ":")
            return self.clause([label])
        if kind == "NAME":
            return self.clause([])
        raise NotFast("a declaration")

    def attribute(self) -> Tree:
        children = [self.token(self.take("NAME")), self.value()]
        while self.is_("punct", ","):
            self.i += 1
            children.append(self.value())
        return Tree("attribute", children)

    def value(self) -> Tree:
        tok = self.peek()
        kind = tok[0]
        self.i += 1
        if kind == "STRING":
            return Tree("string", [self.token(tok)])
        if kind == "NAME":
            return Tree("name", [self.token(tok)])
        if kind == "NUMBER":
            tail = _RANGE_TAIL.match(self.text, tok[2] + len(tok[1])) if tok[1][0] != "-" else None
            if tail is not None:  # a line range: one RANGE token, as the lexer's priority gives
                if "." in tok[1]:
                    raise NotFast("a range with a fraction")
                end = tail.end()
                while self.peek()[2] < end:
                    self.i += 1
                if self.peek()[2] != end and self.tokens[self.i - 1][2] + len(self.tokens[self.i - 1][1]) != end:
                    raise NotFast("a range that ends inside a token")
                return Tree("range", [self.token(("RANGE", self.text[tok[2]:end], tok[2]))])
            return Tree("number", [self.token(tok, "SIGNED_NUMBER")])
        raise NotFast("a value")

    def predicate(self) -> Tree:
        children = [self.token(self.take("NAME"))]
        self.take("punct", "(")
        children.append(self.param())
        while self.is_("punct", ","):
            self.i += 1
            children.append(self.param())
        self.take("punct", ")")
        children.append(self.token(self.take("STRING")))
        if self.is_("NAME", "for") or self.is_("NAME", "against"):
            children.append(self.token(self.take("NAME"), "STANCE"))
        self.take("punct", ".")
        return Tree("predicate", children)

    def param(self) -> Tree:
        children = [self.token(self.take("NAME"))]
        if self.is_("punct", ":"):
            self.i += 1
            children.append(self.token(self.take("NAME")))
        return Tree("param", children)

    # ---- facts and rules ----------------------------------------------------------------
    def clause(self, children: list) -> Tree:
        head = self.atom()
        if self.is_("IF"):
            self.i += 1
            literals = [self.literal()]
            while self.is_("punct", ","):
                self.i += 1
                literals.append(self.literal())
            tree = Tree("rule", children + [head, Tree("body", literals), self.citation()])
        elif children:
            raise NotFast("a labelled rule without ':-'")
        else:
            tree = Tree("fact", [head, self.citation()])
        self.take("punct", ".")
        return tree

    def citation(self) -> Tree:
        children = []
        if self.is_("NAME", "cites"):
            self.i += 1
            names = [self.token(self.take("NAME"))]
            while self.is_("punct", ","):
                self.i += 1
                names.append(self.token(self.take("NAME")))
            children.append(Tree("cites", names))
        if self.is_("NAME", "because"):
            self.i += 1
            children.append(Tree("because", [self.token(self.take("STRING"))]))
        return Tree("citation", children)

    def atom(self) -> Tree:
        children = [self.token(self.take("NAME"))]
        self.take("punct", "(")
        children.append(self.arg())
        while self.is_("punct", ","):
            self.i += 1
            children.append(self.arg())
        self.take("punct", ")")
        return Tree("atom", children)

    def literal(self) -> Tree:
        if self.is_("NAME", "not"):
            self.i += 1
            return Tree("negation", [self.atom()])
        kind = self.peek()[0]
        if kind == "NAME" and self.tokens[self.i + 1][1] == "(":
            return self.atom()
        left = self.arg()
        op = self.token(self.take("COMPARATOR"))
        return Tree("comparison", [left, op, self.arg()])

    def arg(self) -> Tree:
        tok = self.peek()
        kind = tok[0]
        self.i += 1
        if kind == "VARIABLE":
            return Tree("variable", [self.token(tok)])
        if kind == "NAME":
            return Tree("symbol", [self.token(tok)])
        if kind == "STRING":
            return Tree("text", [self.token(tok)])
        if kind == "NUMBER":
            return Tree("number", [self.token(tok, "SIGNED_NUMBER")])
        raise NotFast("an argument")
