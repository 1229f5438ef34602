"""Reading a question: the fixed forms first, then the clinician's own phrasing.

Every question is tried against the fixed forms of grammar/query.lark (``why not X``, ``sites
for I``, ...) exactly as before; a question they do not cover, or one whose subject is not the
kind of thing the form is about (``why immediate loading?`` names a technique, and the ``why``
form reasons about sites), is read from its frame and its names (``intents.py``). Either way
the Query carries a :class:`Reading`, shown as the answer's first line.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..errors import QueryError
from ..language.model import KnowledgeBaseModel
from .intents import read_question
from .reading import make_reading
from .query import MAX_QUESTION, Query, _error, _form_hint, _parse, _question_parser, _Resolver


def parse_question(text: str, model: KnowledgeBaseModel) -> Query:
    """Parse and resolve one question. Raises QueryError, never anything else."""
    if not isinstance(text, str):
        raise QueryError("a question must be text", code="Q000")
    question = " ".join(text.split())  # one line, single spaces: carets stay aligned
    if not question:
        raise _error(text, 1, 1, "the question is empty", "try: help")
    if len(question) > MAX_QUESTION:
        raise _error(question[:80], 1, 80, f"the question is {len(question)} characters long; at most "
                     f"{MAX_QUESTION} are read", "ask one question at a time", code="Q005")
    if question.startswith("?"):
        from .rawquery import raw_query

        query = raw_query(question, model)
        return replace(query, reading=make_reading(model, query))
    try:
        query = _Resolver(question, model).query(_parse(question).children[0])
    except QueryError as error:  # not one of the fixed forms: read it from its frame and names
        return _free_reading(question, model, error)
    if query.form in ("why", "why_not") and _category(model, query.subject.term) != "site":
        return read_question(question, model, *_frame(question))  # a site rule never reaches a technique
    if query.form == "what_is" and _asks_figure(question):  # "what is the failure rate ...?" wants figures
        return read_question(question, model, *_frame(question))
    return replace(query, reading=make_reading(model, query))


def _free_reading(question: str, model: KnowledgeBaseModel, error: QueryError) -> Query:
    """A question outside the fixed forms; when it names nothing known either, the fixed form's
    own error (with its caret) is kept if the question did start like one."""
    try:
        frame, clause = _frame(question)
        try:
            query = read_question(question, model, frame, clause)
        except QueryError:
            if _form_hint(question) and any(d.code in ("Q001", "Q002", "Q003") for d in error.diagnostics):
                raise error from None
            raise
        if frame == "f_compare" and query.other is None:  # "compare midpalate": a choice needs two names
            raise error from None
        if not query.terms and _form_hint(question):  # started like a form and named nothing: its error says more
            raise error from None
        return query
    finally:  # raised, ``error`` would hold its traceback, and so this frame: a cycle keeping the model
        error = None


# Clauses end at a full stop, a colon, a dash, or a comma before a question's opening ("I had a failed
# upper buccal implant in a 35 year old, should I go palatal?" asks where).
CLAUSE_END = re.compile(r"(?<=[.?!:;])\s+|\s+[-\u2013\u2014]+\s+|,\s+(?=(?:should|can|could|where|which|what|how|"
                        r"why|when|is|are|do|does)\b)", re.IGNORECASE)


def _frame(question: str) -> tuple[str, str]:
    """The opening the grammar recognises (f_why_not, f_quantity, ...; "" for a bare noun phrase)
    and the clause it opens: the last clause that opens like a question ("I have a long-face
    adult who smokes. Where should I place the TADs?" is a where question)."""
    from lark.exceptions import LarkError

    found = ("", question)
    for clause in [c for c in CLAUSE_END.split(question) if c.strip()]:
        try:
            tree = _question_parser().parse(clause.strip(), start="frame")
        except LarkError:
            continue
        first = tree.children[0] if tree.children else None
        frame = str(getattr(first, "data", "")) if first is not None and hasattr(first, "data") else ""
        if frame:
            found = (frame, clause.strip())
    return found


FIGURE_WORDS = frozenset({"rate", "rates", "percentage", "percent", "figure", "figures", "dose", "speed"})
# "the torque for the midpalate" asks a figure; "what is insertion torque?" asks a meaning.
FIGURE_OF = re.compile(r"\b(?:torque|forces?|length|diameter)\s+(?:for|of|at|in|on|with)\b", re.IGNORECASE)


def _asks_figure(question: str) -> bool:
    """Whether 'what is ...' asks for a number rather than a meaning (a rate, a torque for a site)."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
    return bool(FIGURE_WORDS & words) or FIGURE_OF.search(question) is not None


def _category(model: KnowledgeBaseModel, term: str) -> str:
    decl = model.term_by_name.get(term)
    return (decl.category or "") if decl else ""


