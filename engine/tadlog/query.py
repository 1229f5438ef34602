"""Question stage: text → :class:`Query`, with names resolved against the knowledge base.

``grammar/query.lark`` fixes the forms; names are free phrases resolved here through the
terms' labels and aliases, so the grammar never changes when the vocabulary grows. A
question beginning with ``?`` is an expert's raw Datalog query, parsed with kb.lark's
``query`` rule and validated like a rule body. Every failure is a :class:`QueryError` with a
caret under the offending words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from .errors import Diagnostic, Location, QueryError, did_you_mean
from .model import NUMBER, Atom, KnowledgeBaseModel, Rule, Value
from .resources import grammar_path

FORMS = ("why", "why_not", "sites", "risks", "indications", "contraindications", "is_contraindication",
         "anchorage", "compare", "what_is", "sources", "show", "help", "raw")
STOPWORDS = {"the", "a", "an", "with", "of", "in", "to", "on", "at", "who", "is", "has", "having",
             "patient", "patients", "case", "cases", "sites", "site"}
PATIENT_SPLIT = {",", "with", "and", "who", "is", "has", "having", "plus"}
AGE = re.compile(r"^(?:aged?\s*)?(\d+(?:\.\d+)?)(?:\s*-?\s*(?:years?|yrs?|y)(?:\s*-?\s*old)?|\s*yo)?$")
BMI = re.compile(r"^bmi\s*(?:of\s*|=\s*)?(\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Mention:
    """A phrase of the question and the term it resolved to."""

    text: str
    term: str
    column: int
    width: int


@dataclass(frozen=True)
class PatientContext:
    age: Optional[float] = None
    bmi: Optional[float] = None
    factors: tuple[str, ...] = ()

    def facts(self) -> tuple[tuple[str, tuple[Value, ...]], ...]:
        out = [("patient", (f,)) for f in self.factors]
        if self.age is not None:
            out.append(("patient_age", (_num(self.age),)))
        if self.bmi is not None:
            out.append(("patient_bmi", (_num(self.bmi),)))
        return tuple(out)

    def __bool__(self) -> bool:
        return bool(self.factors) or self.age is not None or self.bmi is not None


def _num(value: float):
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True)
class Query:
    form: str
    text: str
    subject: Optional[Mention] = None
    other: Optional[Mention] = None
    indication: Optional[Mention] = None
    patient: PatientContext = field(default_factory=PatientContext)
    raw_body: tuple = ()
    statement: Optional[str] = None


@lru_cache(maxsize=None)
def _question_parser():
    from lark import Lark

    return Lark(grammar_path("query.lark").read_text(encoding="utf-8"), parser="lalr",
                propagate_positions=True)


FORM_WORDS = {
    "why": "why X", "why_not": "why not X", "sites": "sites for INDICATION",
    "risks": "risks of SITE", "indications": "indications [in the PLANE plane]",
}


def _error(text: str, column: int, width: int, message: str, suggestion: Optional[str] = None,
           code: str = "Q001") -> QueryError:
    return QueryError([Diagnostic(code, message, Location("<question>", 1, column, width, text),
                                  suggestion=suggestion)])


def parse_question(text: str, model: KnowledgeBaseModel) -> Query:
    """Parse and resolve one question. Raises QueryError, never anything else."""
    from lark.exceptions import LarkError, UnexpectedInput, UnexpectedToken

    question = text.strip()
    if not question:
        raise _error(text, 1, 1, "the question is empty", "try: help")
    if question.startswith("?"):
        return _raw_query(text, model)
    try:
        tree = _question_parser().parse(question)
    except UnexpectedToken as err:
        got = "the end of the question" if err.token.type == "$END" else f"'{err.token}'"
        raise _error(question, err.column if err.token.type != "$END" else len(question) + 1,
                     max(1, len(str(err.token))), f"did not understand the question at {got}",
                     "the questions tadlog understands are listed by: help") from None
    except UnexpectedInput as err:
        raise _error(question, getattr(err, "column", 1) or 1, 1, "did not understand the question",
                     "the questions tadlog understands are listed by: help") from None
    except LarkError:
        raise _error(question, 1, len(question), "did not understand the question", "try: help") from None
    node = tree.children[0]
    return _Resolver(question, model).query(node)


class _Resolver:
    def __init__(self, text: str, model: KnowledgeBaseModel):
        self.text, self.model = text, model
        self.index = alias_index(model)

    def query(self, node) -> Query:
        form = node.data
        phrases = [c for c in node.children if getattr(c, "data", None) == "phrase"]
        clauses = [c.children[0] for c in node.children if getattr(c, "data", None) == "for_clause"]
        if form == "help":
            return Query("help", self.text)
        if form == "show":
            sid = str(node.children[0])
            if sid not in self.model.statement_by_id:
                raise _error(self.text, node.children[0].column, len(sid), f"no statement named {sid}",
                             did_you_mean(sid, self.model.statement_by_id))
            return Query("show", self.text, statement=sid)
        if form == "contraindications":
            return Query(form, self.text, patient=self.patient(clauses))
        if form == "anchorage":
            return Query(form, self.text, patient=self.patient(clauses))
        if form == "indications":
            plane = self.resolve(phrases[0], categories=("plane",)) if phrases else None
            return Query(form, self.text, subject=plane)
        if form == "compare":
            a, b = (self.resolve(p) for p in phrases[:2])
            indication, patient = self.indication_and_patient(clauses)
            return Query(form, self.text, subject=a, other=b, indication=indication, patient=patient)
        if form == "sites":
            indication = self.resolve(phrases[0], categories=("indication",))
            _, patient = self.indication_and_patient(clauses, allow_indication=False)
            return Query(form, self.text, subject=indication, indication=indication, patient=patient)
        subject = self.resolve(phrases[0], drop_trailing=("contraindication",) if form == "is_contraindication" else ())
        indication, patient = self.indication_and_patient(clauses)
        return Query(form, self.text, subject=subject, indication=indication, patient=patient)

    # ---- names ----------------------------------------------------------------------------
    def words(self, phrase) -> list:
        return [t for t in phrase.children]

    def resolve(self, phrase, categories: tuple[str, ...] = (), drop_trailing=()) -> Mention:
        tokens = [t for t in phrase.children if t.type == "WORD"]
        content = [t for t in tokens if t.lower() not in STOPWORDS] or tokens
        while content and content[-1].lower() in drop_trailing:
            content = content[:-1]
        if categories == ("plane",) and len(content) > 1 and content[-1].lower() == "plane":
            content = content[:-1]
        mention = self.lookup(content, categories)
        if mention:
            return mention
        start = content[0].column if content else tokens[0].column
        end = (content[-1].end_column if content else tokens[-1].end_column)
        said = self.text[start - 1:end - 1]
        pool = self.index_for(categories)
        hint = did_you_mean(said.lower(), pool)
        if hint:
            names = [w.strip() for w in hint[len("did you mean "):-1].split(" or ")]
            labels = list(dict.fromkeys(self.model.label(pool[n]) for n in names))
            hint = "did you mean " + " or ".join(labels) + "?"
        kind = " or ".join(categories) if categories else "thing"
        raise _error(self.text, start, end - start, f"unknown {kind} '{said}'", hint, code="Q002")

    def lookup(self, tokens, categories) -> Optional[Mention]:
        if not tokens:
            return None
        start, end = tokens[0].column, tokens[-1].end_column
        phrase = " ".join(t.lower() for t in tokens)
        pool = self.index_for(categories)
        for candidate in (phrase, phrase.replace("-", " "), phrase.replace(" ", "_"), phrase.rstrip("s")):
            if candidate in pool:
                return Mention(self.text[start - 1:end - 1], pool[candidate], start, end - start)
        return None

    def index_for(self, categories) -> dict[str, str]:
        if not categories:
            return self.index
        return {k: v for k, v in self.index.items()
                if (self.model.term_by_name[v].category in categories)}

    # ---- patient context ------------------------------------------------------------------
    def indication_and_patient(self, clauses, allow_indication=True):
        indication = None
        rest = []
        for phrase in clauses:
            tokens = [t for t in phrase.children if t.type == "WORD"]
            content = [t for t in tokens if t.lower() not in STOPWORDS]
            found = self.lookup(content, ("indication",)) if allow_indication and indication is None else None
            if found:
                indication = found
            else:
                rest.append(phrase)
        return indication, self.patient(rest)

    def patient(self, phrases) -> PatientContext:
        age = bmi = None
        factors: list[str] = []
        for phrase in phrases:
            for chunk in _chunks(phrase.children):
                words = [t for t in chunk if t.lower() not in STOPWORDS]
                if not words:
                    continue
                said = " ".join(t.lower() for t in words)
                if (m := AGE.match(said)) and any(c.isdigit() for c in said):
                    age = float(m.group(1))
                    continue
                if m := BMI.match(said):
                    bmi = float(m.group(1))
                    continue
                mention = self.lookup(words, ("factor",))
                if mention is None:
                    mention = self.resolve_chunk(words)
                factors.append(mention.term)
        return PatientContext(age, bmi, tuple(dict.fromkeys(factors)))

    def resolve_chunk(self, words) -> Mention:
        class _Phrase:  # adapt a token list to resolve()'s phrase interface
            children = words
        return self.resolve(_Phrase, categories=("factor",))


def _chunks(tokens):
    chunk = []
    for token in tokens:
        if token.type == "COMMA" or token.lower() in PATIENT_SPLIT:
            if chunk:
                yield chunk
            chunk = []
        else:
            chunk.append(token)
    if chunk:
        yield chunk


def alias_index(model: KnowledgeBaseModel) -> dict[str, str]:
    """Every way to name a term (lower case) → the term's name."""
    index: dict[str, str] = {}
    for term in model.terms:
        words = [term.name, term.name.replace("_", " "), *(term.aliases)]
        if term.label:
            words.append(term.label)
        for word in words:
            index.setdefault(word.lower(), term.name)
    return index


# ---- raw Datalog queries --------------------------------------------------------------------
def _raw_query(text: str, model: KnowledgeBaseModel) -> Query:
    """``? body.`` — parsed by kb.lark's query rule, then checked like a rule body."""
    from lark import Lark
    from lark.exceptions import UnexpectedInput

    from .parse import _Builder, expected_words
    from .validate import _atom, _safety, _types
    from .model import Var

    body_text = text.strip()[1:]
    offset = len(text) - len(text.lstrip()) + 1
    try:
        tree = _raw_parser().parse(body_text)
    except UnexpectedInput as err:
        expected = expected_words(getattr(err, "expected", ()) or ())
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
    problems = []
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
    from lark import Lark

    return Lark(grammar_path("kb.lark").read_text(encoding="utf-8"), parser="lalr",
                propagate_positions=True, start="query")
