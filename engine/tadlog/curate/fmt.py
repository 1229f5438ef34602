"""``tadlog fmt``: one canonical layout for ``.tad`` files.

Why: curators diff knowledge-base files line by line, and a review should show changes of
meaning, not of taste. The layout is a function of the declarations alone (never of how they
were typed), so formatting twice gives the same text, and two curators' files read alike:

- a declaration starts at column 0; its continuation lines are indented four spaces;
- attributes come in a fixed order (the order of the language reference), related ones share
  a line (``from … section … lines …``, ``kind … evidence … n …``, ``lines … clinical …``);
  a term keeps ``category`` and ``label`` on its first line when it fits;
- a value list that passes :data:`WIDTH` columns wraps under its first value;
- a fact is one line; a rule is ``rule label:``, then head and body, ``cites``, ``because``;
- strings and numbers are kept exactly as written (a quote is never re-wrapped);
- comments stay where they were: a comment line before the declaration (or the line) it
  preceded, an end-of-line comment at the end of the line that now holds its code;
- at most one blank line between declarations, and where the author left one.

Only a file that parses is formatted: a syntax error is reported, never guessed around.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from ..errors import KBSyntaxError

WIDTH = 100
INDENT = "    "
# Attribute order, and the attributes that share one line (a group), per declaration.
ORDER = {
    "source": ("title", "authors", "year", "venue", "kind", "file"),
    "section": ("title", "lines", "clinical"),
    "statement": ("from", "section", "lines", "kind", "evidence", "n", "population", "ci", "quote"),
    "term": ("category", "label", "aliases"),
    "conflict": ("topic", "side", "note"),
}
GROUPS = {
    "section": (("lines", "clinical"),),
    "statement": (("from", "section", "lines"), ("kind", "evidence", "n")),
}
# Attributes that join a declaration's first line: the first always, the next while it fits.
HEADER = {"term": ("category", "label")}


@dataclass(frozen=True)
class Piece:
    """Output text with the source lines its tokens came from (for placing comments)."""

    text: str
    first: int
    last: int


@dataclass(frozen=True)
class Comment:
    line: int
    text: str
    alone: bool  # the only thing on its line (else it ends a line of code)


@dataclass(frozen=True)
class FormatResult:
    path: str
    changed: bool
    text: str


def format_text(text: str, path: str = "<text>") -> str:
    """The canonical layout of one file's text (raises KBSyntaxError when it does not parse)."""
    from ..language.parse import _parser, parse_text

    _, diagnostics = parse_text(text, path)
    if diagnostics:
        raise KBSyntaxError(diagnostics)
    tree = _parser().parse(text) if text.strip() else None
    comments = scan_comments(text)
    decls = [(_first_line(d), _end_line(text, d), _layout(d)) for d in (tree.children if tree else [])]
    return _assemble(text.splitlines(), decls, comments)


def format_files(paths: Iterable[Path]) -> list[FormatResult]:
    """Format each file (in memory); say which would change."""
    out = []
    for path in paths:
        before = Path(path).read_text(encoding="utf-8")
        after = format_text(before, str(path))
        out.append(FormatResult(str(path), after != before, after))
    return out


def tad_files(targets: Iterable[str]) -> list[Path]:
    """The .tad files named, or found below the folders named, in path order."""
    from ..language.parse import kb_files

    out: list[Path] = []
    for target in targets:
        p = Path(target)
        out += kb_files(p) if p.is_dir() else [p]
    return out


# ---- comments ---------------------------------------------------------------------------------
def scan_comments(text: str) -> list[Comment]:
    """Every ``#`` comment outside strings, with its line and whether it stands alone."""
    out, line, i, in_string, line_has_code = [], 1, 0, False, False
    while i < len(text):
        c = text[i]
        if in_string:
            if c == "\\":
                i += 1
            elif c == '"':
                in_string = False
            elif c == "\n":
                line += 1
        elif c == '"':
            in_string, line_has_code = True, True
        elif c == "#":
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            out.append(Comment(line, text[i:end].rstrip(), not line_has_code))
            i = end
            continue
        elif c == "\n":
            line, line_has_code = line + 1, False
        elif not c.isspace():
            line_has_code = True
        i += 1
    return out


# ---- layout of one declaration -------------------------------------------------------------
def _tokens(node) -> list:
    return [t for t in node.scan_values(lambda v: hasattr(v, "line"))] if hasattr(node, "children") else [node]


def _piece(text: str, *nodes) -> Piece:
    toks = [t for n in nodes for t in _tokens(n)]
    first = min(t.line for t in toks)
    last = max(t.end_line for t in toks)
    return Piece(text, first, last)


def _first_line(decl) -> int:
    return min(t.line for t in _tokens(decl))


def _end_line(text: str, decl) -> int:
    """The line of the declaration's full stop (after its last token, comments skipped)."""
    last = max(_tokens(decl), key=lambda t: t.end_pos)
    pos, line = last.end_pos, last.end_line
    while pos < len(text) and text[pos] != ".":
        if text[pos] == "#":
            pos = text.find("\n", pos)
            if pos < 0:
                break
            continue
        line += text[pos] == "\n"
        pos += 1
    return line


def _layout(decl) -> list[list[Piece]]:
    """Output lines (each a list of pieces joined by spaces); the first line is unindented."""
    return {"predicate": _predicate, "fact": _fact, "rule": _rule}.get(decl.data, _keyword)(decl)


def _keyword(decl) -> list[list[Piece]]:
    kind = decl.data
    head = [c for c in decl.children if not hasattr(c, "data")]
    attrs = [c for c in decl.children if hasattr(c, "data")]
    header = [_piece(" ".join([kind] + [str(t) for t in head]), *head)]
    order = ORDER[kind]
    attrs.sort(key=lambda a: order.index(str(a.children[0])) if str(a.children[0]) in order else len(order))
    groups = {key: g for g in GROUPS.get(kind, ()) for key in g}
    joins = HEADER.get(kind, ())
    lines: list[list[Piece]] = [header]
    joined: dict[tuple, list[Piece]] = {}
    for attr in attrs:
        key = str(attr.children[0])
        text = _attribute_text(attr, len(INDENT))
        piece = _piece(text, *attr.children)
        if len(lines) == 1 and key in joins and "\n" not in text and (
                key == joins[0] or len(" ".join(p.text for p in header + [piece])) + 1 <= WIDTH):
            header.append(piece)
            continue
        group = groups.get(key)
        if group is not None and group in joined and "\n" not in text:
            joined[group].append(piece)
            continue
        lines.append([piece])
        if group is not None:
            joined[group] = lines[-1]
    return lines


def _attribute_text(attr, indent: int) -> str:
    key, *values = attr.children
    texts = [_value_text(v) for v in values]
    one = f"{key} " + ", ".join(texts)
    if indent + len(one) + 1 <= WIDTH or len(texts) < 2:
        return one
    hang = " " * (len(str(key)) + 1)  # the caller adds the indent
    rows, row = [], f"{key} {texts[0]}"
    for t in texts[1:]:
        if indent + len(row) + len(t) + 3 <= WIDTH:
            row += f", {t}"
        else:
            rows.append(row + ",")
            row = hang + t
    return "\n".join(rows + [row])


def _value_text(value) -> str:
    """A value's token as written; a string's line breaks (which read as one space) folded."""
    node = value
    while hasattr(node, "children"):
        node = node.children[0]
    if getattr(node, "type", None) == "STRING":
        return _one_line(str(node))
    return str(node)


def _one_line(token: str) -> str:
    return re.sub(r"(?<!\\)[ \t]*\n\s*", " ", token)


def _predicate(decl) -> list[list[Piece]]:
    name, *rest = decl.children
    params = [c for c in rest if hasattr(c, "data")]
    others = [c for c in rest if not hasattr(c, "data")]
    shown = ", ".join(str(p.children[0]) + (f": {p.children[1]}" if len(p.children) > 1 else "") for p in params)
    return [[_piece(f"predicate {name}({shown})", name, *params)],
            [_piece(" ".join(_value_text(t) for t in others), *others)]]


def _arg_text(node) -> str:
    return _value_text(node)


def _atom_text(node) -> str:
    name, *args = node.children
    return f"{name}({', '.join(_arg_text(a) for a in args)})"


def _literal_text(node) -> str:
    if node.data == "atom":
        return _atom_text(node)
    if node.data == "negation":
        return "not " + _atom_text(node.children[0])
    left, op, right = node.children
    return f"{_arg_text(left)} {op} {_arg_text(right)}"


def _citation(node) -> list[Piece]:
    out = []
    for child in node.children:
        if child.data == "cites":
            out.append(_piece("cites " + ", ".join(str(t) for t in child.children), child))
        else:
            out.append(_piece(f"because {_one_line(str(child.children[0]))}", child))
    return out


def _fact(decl) -> list[list[Piece]]:
    atom, citation = decl.children
    parts = _citation(citation)
    cites = [p for p in parts if p.text.startswith("cites ")]
    rest = [[p] for p in parts if not p.text.startswith("cites ")]
    return [[_piece(_atom_text(atom), atom)] + cites] + rest


def _rule(decl) -> list[list[Piece]]:
    children = list(decl.children)
    label = children.pop(0) if not hasattr(children[0], "data") else None
    head, body, citation = children
    text = f"{_atom_text(head)} :- {', '.join(_literal_text(l) for l in body.children)}"
    lines = [[_piece(f"rule {label}:", label)]] if label is not None else []
    lines.append([_piece(text, head, body)])
    return lines + [[p] for p in _citation(citation)]


# ---- the file -----------------------------------------------------------------------------------
def _render_decl(lines: list[list[Piece]], comments: list[Comment], start: int, end: int) -> list[str]:
    """The declaration's lines, with the comments inside its span placed where they belong.

    A comment line goes before the first output line whose code came after it; an end-of-line
    comment goes at the end of the output line that now holds the code of its line."""
    firsts = [min(p.first for p in pieces) for pieces in lines]
    lasts = [max(p.last for p in pieces) for pieces in lines]
    before: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}
    for c in (c for c in comments if start <= c.line <= end):
        if c.alone:
            at = next((n for n in range(1, len(lines)) if firsts[n] > c.line), None)
            (before.setdefault(at, []) if at is not None else after.setdefault(len(lines) - 1, [])).append(c.text)
        else:
            at = next((n for n in range(len(lines)) if firsts[n] <= c.line <= lasts[n]), None)
            if at is None:
                at = max((n for n in range(len(lines)) if firsts[n] <= c.line), default=len(lines) - 1)
            after.setdefault(-at - 1, []).append(c.text)
    out: list[str] = []
    for number, pieces in enumerate(lines):
        indent = "" if number == 0 else INDENT
        out += [INDENT + text for text in before.get(number, [])]
        text = indent + " ".join(p.text for p in pieces).replace("\n", "\n" + indent)
        if number == len(lines) - 1:
            text += "."
        if -number - 1 in after:
            text += "  " + "  ".join(after[-number - 1])
        out.append(text)
    return out + [INDENT + text for text in after.get(len(lines) - 1, [])]


def _assemble(source_lines: list[str], decls: list, comments: list[Comment]) -> str:
    """Declarations and the comment lines between them, one blank line where the author left any."""
    items: list[tuple[int, int, list[str]]] = []  # (first source line, last source line, output lines)
    spans = [(s, e) for s, e, _ in decls]
    for c in comments:
        if c.alone and not any(s <= c.line <= e for s, e in spans):
            items.append((c.line, c.line, [c.text]))
    for start, end, lines in decls:
        items.append((start, end, _render_decl(lines, comments, start, end)))
    items.sort(key=lambda item: item[0])
    out: list[str] = []
    previous_end: Optional[int] = None
    for start, end, lines in items:
        if previous_end is not None and _blank_between(source_lines, previous_end, start):
            out.append("")
        out += lines
        previous_end = end
    return "\n".join(out) + "\n" if out else ""


def _blank_between(lines: list[str], after: int, before: int) -> bool:
    return any(not lines[i - 1].strip() for i in range(after + 1, before) if 0 < i <= len(lines))
