"""Parse stage: ``kb/**/*.tad`` text → :class:`~tadlog.model.KnowledgeBaseModel`.

The grammar is ``grammar/kb.lark`` (LALR, contextual lexer), loaded once per process.
Attribute keys are checked here, where their locations are known, so a misspelt key gets a
caret and a suggestion. Syntax errors are collected: after one, parsing resumes at the next
declaration so a curator sees every broken declaration of a file in one run.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from .. import collector
from ..errors import ERROR, Diagnostic, KBSyntaxError, Location, did_you_mean
from .model import ATTRIBUTES, NUMBER, REPEATABLE, SYMBOL, TEXT, Atom, Comparison, Conflict, Const, Fact, KnowledgeBaseModel, Negation, Param, Predicate, Rule, Section, Source, Statement, TermDecl, Var
from ..limits import MAX_NUMBER_DIGITS
from .fastparse import NotFast, read, unquote
from .files import kb_files, read_kb_text, resolver, walk_kb  # noqa: F401  (kb_files is used by callers)
from ..resources import parser as named_parser


TOKEN_WORDS = {
    "NAME": "a name (lowercase, e.g. midpalate)", "VARIABLE": "a variable (e.g. Site)",
    "STRING": 'a quoted string ("...")', "SIGNED_NUMBER": "a number", "RANGE": "a line range (e.g. 12-18)",
    "DOT": "a full stop '.'", "COMMA": "a comma ','", "LPAR": "'('", "RPAR": "')'", "COLON": "':'",
    "IF": "':-'", "COMPARATOR": "a comparison (<, <=, >, >=, =, !=)", "STANCE": "for or against",
    "$END": "the end of the file",
}


@lru_cache(maxsize=None)
def _parser():
    return named_parser("knowledge base")


def expected_words(expected: Iterable[str]) -> str:
    """Lark's terminal names said in words a curator understands."""
    words = []
    for name in sorted(set(expected)):
        if name.startswith("__ANON") or name.startswith("_"):
            continue
        word = TOKEN_WORDS.get(name)
        if word is None:
            word = f"'{name.lower()}'" if name.isupper() else name
        if word not in words:
            words.append(word)
    if not words:
        return "something else"
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]


def parse_text(text: str, path: str = "<text>") -> tuple[list, list[Diagnostic]]:
    """Parse one file's text; return its declarations and the syntax diagnostics.

    After a syntax error, what parsed before it is kept and parsing resumes after the next
    full stop. Each stretch of text is parsed at most twice (once until the error, once up
    to the last good declaration), so recovery stays linear in the size of the file."""
    decls: list = []
    diagnostics: list[Diagnostic] = []
    try:  # well-formed, clean text: the fast reader's model (lark is not even imported)
        return read(text, path), diagnostics
    except (NotFast, RecursionError):
        pass
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

    offset = 0  # character offset where the current parse attempt starts
    while offset < len(text):
        chunk = text[offset:]
        try:
            tree = _parser().parse(chunk)
        except UnexpectedInput as err:
            line, column = _absolute(text, offset, err.line, err.column)
            if isinstance(err, UnexpectedToken):
                got = "the end of the file" if err.token.type == "$END" else repr(_short(str(err.token)))
                message = f"unexpected {got}; expected {expected_words(err.expected)}"
                width = max(1, len(str(err.token)))
            elif isinstance(err, UnexpectedCharacters):
                message = f"unexpected character {chunk[err.pos_in_stream]!r}"
                width = 1
            else:
                message = "unexpected end of file; a declaration is not finished (missing '.'?)"
                width = 1
            diagnostics.append(Diagnostic("E001", message, Location(path, line, column, width), ERROR))
            # Keep what parsed before the error, then resume after the next full stop.
            position = getattr(err, "pos_in_stream", None) or 0
            good_end, tree = _last_declaration_end(chunk, position)
            if tree is not None:
                decls.extend(_transform(tree, path, text, offset, diagnostics))
            resume = _next_declaration_start(chunk, position)
            if resume is None:
                break
            offset += resume
            continue
        decls.extend(_transform(tree, path, text, offset, diagnostics))
        break
    return decls, diagnostics


_DECL_END = re.compile(r'\.[ \t]*(#[^\n]*)?(\n|$)')
RECOVERY_TRIES = 8  # full stops tried, backwards from an error, for the end of the last good declaration


def _last_declaration_end(chunk: str, pos: int) -> tuple[int, object]:
    """End of the last complete declaration before ``pos`` and its parse (0, None when none).

    Candidates are tried from the error backwards, so the usual case (the declaration just
    before the error is whole) costs one parse of the prefix."""
    candidates = [m.end() for m in _DECL_END.finditer(chunk, 0, pos)]
    for candidate in reversed(candidates[-RECOVERY_TRIES:]):
        try:
            return candidate, _parser().parse(chunk[:candidate])
        except Exception:
            continue
    return 0, None


def _next_declaration_start(chunk: str, pos: int) -> Optional[int]:
    match = _DECL_END.search(chunk, pos)
    if match is None or match.end() >= len(chunk):
        return None
    return match.end()


def _absolute(text: str, offset: int, line: int, column: int) -> tuple[int, int]:
    base_line = text.count("\n", 0, offset)
    if line == 1:
        column += offset - (text.rfind("\n", 0, offset) + 1)
    return base_line + line, column


def _short(token: str, limit: int = 40) -> str:
    return token if len(token) <= limit else token[:limit - 3] + "..."


@collector.paused()  # hundreds of thousands of objects, all kept: see collector.py
def parse_kb(root: Path | str, strict: bool = True, *, parse=None, display=None,
             shown_root: Optional[str] = None) -> tuple[KnowledgeBaseModel, list[Diagnostic]]:
    """Parse every ``*.tad`` file below ``root`` (path order). Raises on syntax errors when strict.

    ``parse(display, text)`` and ``display(path)`` let the review share parses between the two
    sides of a change (a memo) and name files by side; by default each file is parsed here and
    located by its absolute path."""
    root = Path(root)
    parse = parse or (lambda shown, text: parse_text(text, shown))
    display = display or resolver()  # locations keep absolute paths; errors.display_path shortens them
    decls: list = []
    files, diagnostics = walk_kb(root)
    if not files and not diagnostics:
        diagnostics.append(Diagnostic("E002", f"no knowledge-base files (*.tad) in {shown_root or root}"))
    for path in files:
        shown = display(path)
        text, problems = read_kb_text(path, shown)
        diagnostics.extend(problems)
        if text is None:
            continue
        file_decls, file_diags = parse(shown, text)
        decls.extend(file_decls)
        diagnostics.extend(file_diags)
    model = build_model(decls, str(root))
    if strict and any(d.severity == ERROR for d in diagnostics):
        raise KBSyntaxError(diagnostics)
    return model, diagnostics


def build_model(decls: list, root: Optional[str] = None) -> KnowledgeBaseModel:
    groups: dict[type, list] = {cls: [] for cls in
                                (Source, Section, Statement, TermDecl, Conflict, Predicate, Fact, Rule)}
    for decl in decls:
        groups[type(decl)].append(decl)
    return KnowledgeBaseModel(
        sources=tuple(groups[Source]), sections=tuple(groups[Section]),
        statements=tuple(groups[Statement]), terms=tuple(groups[TermDecl]),
        conflicts=tuple(groups[Conflict]), predicates=tuple(groups[Predicate]),
        facts=tuple(groups[Fact]), rules=tuple(groups[Rule]), root=root)


def to_number(token: str):
    return float(token) if any(c in token for c in ".eE") else int(token)


def _transform(tree, path: str, text: str, offset: int, diagnostics: list[Diagnostic]) -> list:
    return _Builder(path, text, offset, diagnostics).build(tree)


class _Builder:
    """Walks a parse tree into model objects, checking attribute keys on the way."""

    def __init__(self, path: str, text: str, offset: int, diagnostics: list[Diagnostic]):
        self.path, self.text, self.offset, self.diagnostics = path, text, offset, diagnostics
        self._rule_counter: dict[str, int] = {}
        # where the parsed chunk starts, computed once (per location it made recovery quadratic)
        self._base_line = text.count("\n", 0, offset)
        self._base_column = offset - (text.rfind("\n", 0, offset) + 1)

    def loc(self, node, width: Optional[int] = None) -> Location:
        meta_line = getattr(node, "line", None) or getattr(getattr(node, "meta", None), "line", 1) or 1
        meta_col = getattr(node, "column", None) or getattr(getattr(node, "meta", None), "column", 1) or 1
        line = self._base_line + meta_line
        column = meta_col + (self._base_column if meta_line == 1 else 0)
        if width is None:
            width = len(str(node)) if not hasattr(node, "children") else 1
        return Location(self.path, line, column, width)

    def error(self, code: str, message: str, node, suggestion: Optional[str] = None, width=None):
        self.diagnostics.append(Diagnostic(code, message, self.loc(node, width), ERROR, suggestion))

    def build(self, tree) -> list:
        out = []
        for decl in tree.children:
            method = getattr(self, "_" + decl.data)
            result = method(decl)
            if result is not None:
                out.append(result)
        return out

    # ---- attributes -------------------------------------------------------------------
    def attributes(self, kind: str, decl, nodes) -> dict:
        allowed, required = ATTRIBUTES[kind]
        found: dict = {}
        for node in nodes:
            key_token, *values = node.children
            key = str(key_token)
            if key not in allowed:
                self.error("E003", f"unknown attribute '{key}' in {kind}", key_token,
                           did_you_mean(key, allowed))
                continue
            parsed = [self.value(v) for v in values]
            if (kind, key) in REPEATABLE:
                found.setdefault(key, []).append((parsed, key_token))
            elif key in found:
                self.error("E004", f"attribute '{key}' given twice", key_token)
            else:
                found[key] = (parsed, key_token)
        for key in sorted(required - set(found)):
            self.error("E005", f"{kind} {decl.children[0]} has no '{key}'", decl.children[0])
        return found

    def value(self, node):
        kind = node.data
        token = node.children[0]
        if kind == "string":
            return (TEXT, unquote(str(token)), token)
        if kind == "number":
            return (NUMBER, self.number(token.children[0] if hasattr(token, "children") else token), token)
        if kind == "range":
            sides = re.split(r"\s*-\s*", str(token))
            if any(len(side) > MAX_NUMBER_DIGITS for side in sides):
                self.error("E011", f"a line number is over the limit of {MAX_NUMBER_DIGITS} digits", token)
                return ("range", (0, 0), token)
            low, high = (int(x) for x in sides)
            return ("range", (low, high), token)
        return (SYMBOL, str(token), token)

    def single(self, found: dict, key: str, types: tuple[str, ...], *, unknown_ok=False, default=None):
        if key not in found:
            return default
        values, key_token = found[key]
        if len(values) != 1:
            self.error("E006", f"'{key}' takes one value", key_token)
            return default
        vtype, value, token = values[0]
        if unknown_ok and vtype == SYMBOL and value == "unknown":
            return None
        if vtype not in types:
            wanted = " or ".join({"text": "a quoted string", "symbol": "a name", "number": "a number",
                                  "range": "a line range like 12-18"}[t] for t in types)
            extra = " or unknown" if unknown_ok else ""
            self.error("E007", f"'{key}' needs {wanted}{extra}", token)
            return default
        return value

    def names(self, values, key_token, key) -> tuple[str, ...]:
        out = []
        for vtype, value, token in values:
            if vtype != SYMBOL:
                self.error("E007", f"'{key}' needs statement names", token)
            else:
                out.append(value)
        return tuple(out)

    # ---- declarations -------------------------------------------------------------------
    def _source(self, decl):
        name, *attrs = decl.children
        found = self.attributes("source", decl, attrs)
        authors = None
        if "authors" in found:
            values, key_token = found["authors"]
            if not (len(values) == 1 and values[0][:2] == (SYMBOL, "unknown")):
                authors = tuple(v for t, v, _ in values if t == TEXT)
        return Source(str(name), self.single(found, "title", (TEXT,), unknown_ok=True), authors,
                      self.single(found, "year", (NUMBER,), unknown_ok=True),
                      self.single(found, "venue", (TEXT,), unknown_ok=True),
                      self.single(found, "kind", (SYMBOL,), unknown_ok=True),
                      self.single(found, "file", (TEXT,)), self.loc(name))

    def _section(self, decl):
        source, number, *attrs = decl.children
        found = self.attributes("section", decl, attrs)
        clinical = self.single(found, "clinical", (SYMBOL,), default="yes")
        if clinical not in ("yes", "no"):
            self.error("E007", "'clinical' takes yes or no", found["clinical"][1])
        return Section(str(source), unquote(str(number)), self.single(found, "title", (TEXT,)),
                       self.single(found, "lines", ("range",)), clinical != "no", self.loc(source))

    def _statement(self, decl):
        name, *attrs = decl.children
        found = self.attributes("statement", decl, attrs)
        section = self.single(found, "section", (TEXT, SYMBOL))
        return Statement(str(name), self.single(found, "from", (SYMBOL,)) or "",
                         str(section) if section is not None else "",
                         self.single(found, "lines", ("range",)) or (0, 0),
                         self.single(found, "kind", (SYMBOL,)) or "",
                         self.single(found, "quote", (TEXT,)) or "",
                         self.single(found, "evidence", (SYMBOL,)),
                         self.single(found, "n", (NUMBER,)),
                         self.single(found, "population", (TEXT,)),
                         self.single(found, "ci", (TEXT,)), self.loc(name))

    def _term(self, decl):
        name, *attrs = decl.children
        found = self.attributes("term", decl, attrs)
        aliases = ()
        if "aliases" in found:
            values, _ = found["aliases"]
            aliases = tuple(v for t, v, tok in values if t == TEXT)
        return TermDecl(str(name), self.single(found, "category", (SYMBOL,)),
                        self.single(found, "label", (TEXT,)), aliases, self.loc(name),
                        self.single(found, "patients", (TEXT,)))

    def _conflict(self, decl):
        name, *attrs = decl.children
        found = self.attributes("conflict", decl, attrs)
        sides = tuple(self.names(values, tok, "side") for values, tok in found.get("side", []))
        if 0 < len(sides) < 2:
            self.error("E008", f"conflict {name} needs at least two sides", name)
        return Conflict(str(name), self.single(found, "topic", (TEXT,)), sides,
                        self.single(found, "note", (TEXT,)), self.loc(name))

    def _predicate(self, decl):
        name, *rest = decl.children
        params, template, stance = [], "", None
        for child in rest:
            if hasattr(child, "data"):
                pname = str(child.children[0])
                ptype = str(child.children[1]) if len(child.children) > 1 else SYMBOL
                # a type other than symbol/number is a term category (site: site); validation
                # checks it names a category in use, once every term is known
                category = None if ptype in (SYMBOL, NUMBER) else ptype
                params.append(Param(pname, SYMBOL if category else ptype, category))
            elif child.type == "STRING":
                template = unquote(str(child))
            elif child.type == "STANCE":
                stance = str(child)
        return Predicate(str(name), tuple(params), template, stance, self.loc(name))

    def _fact(self, decl):
        atom_node, citation = decl.children
        atom = self.atom(atom_node)
        cites, rationale = self.citation(citation)
        return Fact(atom, cites, atom.location, rationale)

    def _rule(self, decl):
        children = list(decl.children)
        label = None
        if not hasattr(children[0], "data"):
            label = str(children.pop(0))
        head_node, body_node, citation = children
        head = self.atom(head_node)
        body = tuple(self.literal(l) for l in body_node.children)
        cites, rationale = self.citation(citation)
        explicit = label is not None
        if label is None:
            count = self._rule_counter.get(head.predicate, 0) + 1
            self._rule_counter[head.predicate] = count
            label = f"{head.predicate}@{self.path}:{head.location.line}"
        return Rule(label, head, body, cites, rationale, explicit, head.location)

    def citation(self, node) -> tuple[tuple[str, ...], Optional[str]]:
        cites, rationale = (), None
        for child in node.children:
            if child.data == "cites":
                cites = tuple(str(t) for t in child.children)
            else:
                rationale = unquote(str(child.children[0]))
        return cites, rationale

    def atom(self, node) -> Atom:
        name, *args = node.children
        return Atom(str(name), tuple(self.arg(a) for a in args), self.loc(name))

    def literal(self, node):
        if node.data == "atom":
            return self.atom(node)
        if node.data == "negation":
            return Negation(self.atom(node.children[0]))
        left, op, right = node.children
        return Comparison(self.arg(left), str(op), self.arg(right), self.loc(op))

    def arg(self, node):
        kind = node.data
        token = node.children[0]
        if kind == "variable":
            return Var(str(token))
        if kind == "symbol":
            return Const(str(token), SYMBOL, self.loc(token))
        if kind == "text":
            return Const(unquote(str(token)), TEXT, self.loc(token))
        return Const(self.number(token), NUMBER, self.loc(token))

    def number(self, token):
        """A number token's value, refused beyond MAX_NUMBER_DIGITS (no float could hold it)."""
        digits = sum(c.isdigit() for c in str(token))
        if digits > MAX_NUMBER_DIGITS:
            self.error("E011", f"a number of {digits} digits is over the limit of {MAX_NUMBER_DIGITS}",
                       token, "numbers in the knowledge base and in queries have at most "
                       f"{MAX_NUMBER_DIGITS} digits", width=min(len(str(token)), 80))
            return 0
        return to_number(str(token))
