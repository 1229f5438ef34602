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

from ..errors import Location
from ..limits import MAX_NUMBER_DIGITS
from .model import NUMBER, SYMBOL, TEXT, Atom, Comparison, Conflict, Const, Fact, Negation, Param, Predicate, Rule, \
    Section, Source, Statement, TermDecl, Var

# Spaces and comments (the grammar's WS and COMMENT: other Unicode spaces are lark's to refuse),
# then one token. Written for the regular-expression engine's fast paths (single-character
# repeats): a repeated alternation per character, as (?:\s+|#...)* and the grammar's
# "(\\.|[^"\\])*" are, took twice as long on the long quotes.
_TOKEN = re.compile(r'''[ \t\f\r\n]*(?:\#[^\n]*[ \t\f\r\n]*)*(?:
    (?P<STRING>"[^"\\]*(?:\\.[^"\\]*)*")
  | (?P<NUMBER>-?\d+(?:\.\d+)?)
  | (?P<NAME>[a-z][a-z0-9_]*)
  | (?P<VARIABLE>[A-Z_][A-Za-z0-9_]*)
  | (?P<IF>:-)
  | (?P<COMPARATOR><=|>=|!=|<|>|=)
  | (?P<DOT>\.) | (?P<COMMA>,) | (?P<LPAR>\() | (?P<RPAR>\)) | (?P<COLON>:)
  | (?P<other>.)
  | (?P<END>\Z))''', re.X | re.S)
_RANGE_TAIL = re.compile(r"\s*-\s*\d+")
_RANGE_SPLIT = re.compile(r"\s*-\s*")
_ESCAPE = re.compile(r"\\(.)")
_FOLD = re.compile(r"\s*\n\s*")
_ATTRIBUTE_DECLARATIONS = {"source", "section", "statement", "term", "conflict"}

# Which attributes each declaration takes and which it needs (parse.ATTRIBUTES, as sets), and
# the type each single-valued one wants (values of another type are the builder's to report).
_KEYS = {
    "source": ({"title", "authors", "year", "venue", "kind", "file"},
               {"title", "authors", "year", "venue", "kind", "file"}),
    "section": ({"title", "lines", "clinical"}, {"title"}),
    "statement": ({"from", "section", "lines", "kind", "evidence", "n", "population", "ci", "quote"},
                  {"from", "section", "lines", "kind", "quote"}),
    "term": ({"category", "label", "aliases", "patients"}, {"category", "label"}),
    "conflict": ({"topic", "side", "note"}, {"topic", "side"}),
}


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
        tokens = []  # (kind, value, start); locations are made for the tokens that need one
        append = tokens.append
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind == "END":
                break
            if kind == "other":
                raise NotFast(match.group(kind))
            append((kind, match.group(kind), match.start(kind)))
        append(("$END", "", len(text)))
        self.tokens = tokens
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.i = 0
        self.unlabelled = 0

    # ---- tokens -------------------------------------------------------------------------
    def take(self, kind: str):
        tok = self.tokens[self.i]
        if tok[0] != kind:
            raise NotFast(f"expected {kind} at offset {tok[2]}")
        self.i += 1
        return tok

    def loc(self, tok) -> Location:
        start = tok[2]
        line = bisect_right(self.line_starts, start)
        return Location(self.path, line, start - self.line_starts[line - 1] + 1, len(tok[1]))

    # ---- declarations -------------------------------------------------------------------
    def start(self) -> list:
        out = []
        tokens = self.tokens
        while True:
            kind, value, _ = tokens[self.i]
            if kind != "NAME":
                if kind == "$END":
                    return out
                raise NotFast("a declaration")
            if value in _ATTRIBUTE_DECLARATIONS:
                self.i += 1
                out.append(self.attributed(value))
            elif value == "predicate":
                self.i += 1
                out.append(self.predicate())
            elif value == "rule":
                self.i += 1
                label = self.take("NAME")[1]
                self.take("COLON")
                out.append(self.clause(label))
            else:
                out.append(self.clause(None))

    def attributed(self, kind: str):
        tokens = self.tokens
        name = self.take("NAME")
        number = self.take("STRING")[1] if kind == "section" else None
        allowed, required = _KEYS[kind]
        found: dict = {}
        sides = []
        while tokens[self.i][0] == "NAME":
            key = tokens[self.i][1]
            self.i += 1
            values = [self.value()]
            while tokens[self.i][0] == "COMMA":
                self.i += 1
                values.append(self.value())
            if key not in allowed:
                raise NotFast("an unknown attribute")
            if key == "side":
                sides.append(values)
                found[key] = values
            elif key in found:
                raise NotFast("an attribute given twice")
            else:
                found[key] = values
        self.take("DOT")
        if not required <= found.keys():
            raise NotFast("a missing attribute")
        get = found.get
        if kind == "statement":
            section = get("section")
            if section is not None:
                section = _single(section, (TEXT, SYMBOL))
            return Statement(name[1], _single(found["from"], (SYMBOL,)) or "",
                             str(section) if section is not None else "",
                             _single(found["lines"], ("range",)) or (0, 0),
                             _single(found["kind"], (SYMBOL,)) or "",
                             _single(found["quote"], (TEXT,)) or "",
                             _optional(get("evidence"), (SYMBOL,)),
                             _optional(get("n"), (NUMBER,)),
                             _optional(get("population"), (TEXT,)),
                             _optional(get("ci"), (TEXT,)), self.loc(name))
        if kind == "section":
            clinical = _optional(get("clinical"), (SYMBOL,), default="yes")
            if clinical not in ("yes", "no"):
                raise NotFast("a clinical value other than yes or no")
            return Section(name[1], unquote(number), _single(found["title"], (TEXT,)),
                           _optional(get("lines"), ("range",)), clinical != "no", self.loc(name))
        if kind == "term":
            aliases = get("aliases")
            return TermDecl(name[1], _single(found["category"], (SYMBOL,)), _single(found["label"], (TEXT,)),
                            tuple(v for t, v in aliases if t == TEXT) if aliases else (), self.loc(name),
                            _optional(get("patients"), (TEXT,)))
        if kind == "source":
            authors = found["authors"]
            authors = (None if len(authors) == 1 and authors[0] == (SYMBOL, "unknown")
                       else tuple(v for t, v in authors if t == TEXT))
            return Source(name[1], _single(found["title"], (TEXT,), True), authors,
                          _single(found["year"], (NUMBER,), True), _single(found["venue"], (TEXT,), True),
                          _single(found["kind"], (SYMBOL,), True), _single(found["file"], (TEXT,)),
                          self.loc(name))
        if len(sides) < 2 or any(t != SYMBOL for side in sides for t, _ in side):
            raise NotFast("a conflict with one side, or a side that is not statement names")
        return Conflict(name[1], _single(found["topic"], (TEXT,)),
                        tuple(tuple(v for _, v in side) for side in sides),
                        _optional(get("note"), (TEXT,)), self.loc(name))

    def value(self) -> tuple:
        """An attribute value as (type, value); a line range is one token, as lark's lexer makes it."""
        kind, value, start = self.tokens[self.i]
        self.i += 1
        if kind == "STRING":
            return (TEXT, unquote(value))
        if kind == "NAME":
            return (SYMBOL, value)
        if kind == "NUMBER":
            tail = _RANGE_TAIL.match(self.text, start + len(value)) if value[0] != "-" else None
            if tail is None:
                return (NUMBER, _number(value))
            if "." in value:
                raise NotFast("a range with a fraction")
            end = tail.end()
            tokens = self.tokens
            while tokens[self.i][2] < end:
                self.i += 1
            after = tokens[self.i - 1]
            if tokens[self.i][2] != end and after[2] + len(after[1]) != end:
                raise NotFast("a range that ends inside a token")
            sides = _RANGE_SPLIT.split(self.text[start:end])
            if any(len(side) > MAX_NUMBER_DIGITS for side in sides):
                raise NotFast("a line number over the limit")  # E011 is the builder's
            return ("range", (int(sides[0]), int(sides[1])))
        raise NotFast("a value")

    def predicate(self):
        tokens = self.tokens
        name = self.take("NAME")
        self.take("LPAR")
        params = [self.param()]
        while tokens[self.i][0] == "COMMA":
            self.i += 1
            params.append(self.param())
        self.take("RPAR")
        template = unquote(self.take("STRING")[1])
        stance = None
        if tokens[self.i][0] == "NAME" and tokens[self.i][1] in ("for", "against"):
            stance = tokens[self.i][1]
            self.i += 1
        self.take("DOT")
        return Predicate(name[1], tuple(params), template, stance, self.loc(name))

    def param(self) -> Param:
        name = self.take("NAME")[1]
        if self.tokens[self.i][0] != "COLON":
            return Param(name, SYMBOL, None)
        self.i += 1
        kind = self.take("NAME")[1]
        if kind in (SYMBOL, NUMBER):
            return Param(name, kind, None)
        return Param(name, SYMBOL, kind)  # a term category (site: site), checked by validation

    # ---- facts and rules ----------------------------------------------------------------
    def clause(self, label):
        tokens = self.tokens
        head = self.atom()
        if tokens[self.i][0] == "IF":
            self.i += 1
            body = [self.literal()]
            while tokens[self.i][0] == "COMMA":
                self.i += 1
                body.append(self.literal())
            cites, rationale = self.citation()
            self.take("DOT")
            if label is None:
                return Rule(f"{head.predicate}@{self.path}:{head.location.line}", head, tuple(body), cites,
                            rationale, False, head.location)
            return Rule(label, head, tuple(body), cites, rationale, True, head.location)
        if label is not None:
            raise NotFast("a labelled rule without ':-'")
        cites, rationale = self.citation()
        self.take("DOT")
        return Fact(head, cites, head.location, rationale)

    def citation(self) -> tuple:
        tokens = self.tokens
        cites, rationale = (), None
        kind, value, _ = tokens[self.i]
        if kind == "NAME" and value == "cites":
            self.i += 1
            names = [self.take("NAME")[1]]
            while tokens[self.i][0] == "COMMA":
                self.i += 1
                names.append(self.take("NAME")[1])
            cites = tuple(names)
            kind, value, _ = tokens[self.i]
        if kind == "NAME" and value == "because":
            self.i += 1
            rationale = unquote(self.take("STRING")[1])
        return cites, rationale

    def atom(self) -> Atom:
        tokens = self.tokens
        name = self.take("NAME")
        self.take("LPAR")
        args = [self.arg()]
        while tokens[self.i][0] == "COMMA":
            self.i += 1
            args.append(self.arg())
        self.take("RPAR")
        return Atom(name[1], tuple(args), self.loc(name))

    def literal(self):
        tokens = self.tokens
        kind, value, _ = tokens[self.i]
        if kind == "NAME":
            if value == "not":
                self.i += 1
                return Negation(self.atom())
            if tokens[self.i + 1][0] == "LPAR":
                return self.atom()
        left = self.arg()
        op = self.take("COMPARATOR")
        return Comparison(left, op[1], self.arg(), self.loc(op))

    def arg(self):
        tok = self.tokens[self.i]
        kind = tok[0]
        self.i += 1
        if kind == "VARIABLE":
            return Var(tok[1])
        if kind == "NAME":
            return Const(tok[1], SYMBOL, self.loc(tok))
        if kind == "STRING":
            return Const(unquote(tok[1]), TEXT, self.loc(tok))
        if kind == "NUMBER":
            return Const(_number(tok[1]), NUMBER, self.loc(tok))
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
