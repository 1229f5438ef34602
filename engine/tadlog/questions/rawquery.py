"""Raw Datalog questions (``? body.``): parsed with kb.lark's ``query`` rule, checked like a rule body.

An expert's escape hatch: the body runs as a temporary rule over the knowledge base, after the
same checks a curator's rule gets (declared predicates, arity, safety, types).
"""
from __future__ import annotations

from functools import lru_cache

from ..errors import Diagnostic, Location, QueryError
from ..language.model import Atom, KnowledgeBaseModel, Rule
from .query import Query, _error


# ---- raw Datalog queries --------------------------------------------------------------------
def raw_query(text: str, model: KnowledgeBaseModel) -> Query:
    """``? body.`` — parsed by kb.lark's query rule, then checked like a rule body."""
    from lark.exceptions import UnexpectedInput

    from ..language.parse import _Builder, expected_words
    from ..language.validate import _atom, _safety, _size, _types
    from ..language.model import Var

    body_text = text.strip()[1:]
    offset = len(text) - len(text.lstrip()) + 1
    try:
        tree = _raw_parser().parse(body_text)
    except UnexpectedInput as err:
        expected = expected_words(getattr(err, "expected", ()) or getattr(err, "allowed", ()) or ()).replace(
            "the end of the file", "the end of the query")
        raise _error(text, offset + (getattr(err, "column", 1) or 1), 1,
                     f"this raw query does not parse; expected {expected}",
                     "write it like a rule body: ? site_success_percent(Site, P), P >= 90.") from None
    diagnostics: list = []
    builder = _Builder("<question>", body_text, 0, diagnostics)
    body = tuple(builder.literal(l) for l in tree.children[0].children)
    variables = tuple(dict.fromkeys(v.name for l in body if isinstance(l, Atom) for v in l.variables
                                    if not v.anonymous))
    head = Atom("__query__", tuple(Var(v) for v in variables))
    rule = Rule("query", head, body, rationale="raw query")
    problems = list(diagnostics) + _size(rule)  # numbers over the limit, too many conditions
    for literal in body:
        atom = literal if isinstance(literal, Atom) else getattr(literal, "atom", None)
        if atom is not None:
            problems += _atom(model, atom)
    problems += [d for d in _safety(rule) if "head" not in d.message]
    problems += _types(model, rule)
    if problems:
        relocated = [Diagnostic(d.code, d.message, Location("<question>", 1,
                                                            (d.location.column + offset) if d.location else 1,
                                                            d.location.width if d.location else 1, text),
                                suggestion=d.suggestion) for d in problems]
        raise QueryError(relocated)
    return Query("raw", text, raw_body=body)


@lru_cache(maxsize=None)
def _raw_parser():
    from ..resources import parser

    return parser("raw query")
