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

from ..errors import Diagnostic, Location, QueryError, did_you_mean
from ..language.model import KnowledgeBaseModel, Value
from .answer import Reading

MAX_QUESTION = 1000  # characters; longer input is refused with a clear error, never parsed

FORMS = ("why", "why_not", "sites", "risks", "indications", "contraindications", "is_contraindication",
         "anchorage", "compare", "what_is", "sources", "show", "help", "raw", "evidence")
STOPWORDS = {"the", "a", "an", "of", "in", "to", "on", "at", "is", "are", "was", "patient", "patients",
             "case", "cases", "sites", "site", "please", "me", "my", "our", "this", "that", "does", "do", "use",
             "using", "mini-implant", "mini-implants", "mini", "implant", "implants"}
# Words that separate the parts of a context ("for an adolescent with a high MMPA and BMI 17").
SEPARATORS = {",", "and", "with", "for", "in", "who", "which", "has", "have", "having", "plus", "also", "but",
              "whose", "she", "he", "they", "is", "are"}
STRENGTHS = {"absolute", "relative"}
AGE_WORDS = {"year", "years", "yr", "yrs", "y", "yo", "old", "years-old", "year-old", "y/o"}
AGE_TOKEN = re.compile(r"^(\d{1,3}(?:\.\d+)?)(?:-?(?:years?|yrs?|y|yo)(?:-?old)?)?$", re.IGNORECASE)
NUMBER = re.compile(r"^(?:=)?(\d{1,3}(?:\.\d+)?)$")
TOKEN_NAMES = {
    "WORD": "a name", "COMMA": "a comma", "$END": "the end of the question", "FOR": "'for'", "WITH": "'with'",
    "IN": "'in'", "AND": "'and'", "OF": "'of'", "IS": "'is'", "NOT": "'not'", "WHY": "'why'",
    "QMARK": "'?'",
}
FORM_EXAMPLES = {
    "why": "why midpalate for molar distalisation?", "why_not": "why not infrazygomatic?",
    "sites": "sites for molar intrusion for an adolescent?", "risks": "risks of mandibular buccal?",
    "indications": "indications in the transverse plane?", "is_contraindication": "is smoking a contraindication?",
    "compare": "compare midpalate and infrazygomatic crest?", "what_is": "what is indirect anchorage?",
    "sources": "sources of midpalate?", "show": "show hb_izc_success_78",
}


@dataclass(frozen=True)
class Mention:
    """A phrase of the question and the term it resolved to."""

    text: str
    term: str
    column: int
    width: int


@dataclass(frozen=True)
class PatientContext:
    """What the question says about the patient: facts for this question only."""

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
    """A question as read: its form, the things it names and the patient it describes."""

    form: str
    text: str
    subject: Optional[Mention] = None
    other: Optional[Mention] = None
    indication: Optional[Mention] = None
    patient: PatientContext = field(default_factory=PatientContext)
    raw_body: tuple = ()
    statement: Optional[str] = None
    qualifier: Optional[str] = None  # "absolute"/"relative" in "is X an absolute contraindication?"
    terms: tuple[str, ...] = ()  # every name found in the question (free readings: the evidence form)
    intent: Optional[str] = None  # reasons, choice, where, risks, quantity, howto, suitability, ...
    reading: Optional[Reading] = None  # how the question was read (shown first in the answer)


@lru_cache(maxsize=None)
def _question_parser():
    from ..resources import parser

    return parser("question")


def _error(text: str, column: int, width: int, message: str, suggestion: Optional[str] = None,
           code: str = "Q001") -> QueryError:
    return QueryError([Diagnostic(code, message, Location("<question>", 1, max(1, column), max(1, width), text),
                                  suggestion=suggestion)])


def expected_in_words(expected) -> str:
    """Lark's terminal names said in words (never the token names themselves)."""
    words = []
    expected = set(expected or ())
    if "WORD" in expected:
        expected.discard("COMMA")
    for name in sorted(expected):
        word = TOKEN_NAMES.get(name)
        if word is None:
            pattern = _keyword(name)
            word = f"'{pattern}'" if pattern else None
        if word and word not in words:
            words.append(word)
    if not words:
        return "something else"
    if len(words) > 6:
        words = words[:6] + ["..."]
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]


def _keyword(name: str) -> Optional[str]:
    """The keyword text of an anonymous terminal (``"sites"i`` → sites)."""
    for terminal in _question_parser().terminals:
        if terminal.name == name:
            value = getattr(terminal.pattern, "value", "")
            return value if value.isalpha() or value == "?" else None
    return None


def _parse(question: str):
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    hint = "the questions tadlog understands are listed by: help"
    try:
        return _question_parser().parse(question, start="start")
    except UnexpectedToken as err:
        at_end = err.token.type == "$END"
        got = "the question ended too early" if at_end else f"did not expect '{err.token}' here"
        column = len(question) + 1 if at_end else err.column
        width = 1 if at_end else len(str(err.token))
        raise _error(question, column, width, f"{got}; expected {expected_in_words(err.expected)}",
                     _form_hint(question) or hint) from None
    except UnexpectedCharacters as err:
        raise _error(question, err.column, 1, f"did not expect '{question[err.column - 1]}' here; expected "
                     f"{expected_in_words(err.allowed)}", _form_hint(question) or hint) from None
    except UnexpectedEOF as err:
        raise _error(question, len(question) + 1, 1,
                     f"the question ended too early; expected {expected_in_words(err.expected)}",
                     _form_hint(question) or hint) from None
    except LarkError:
        raise _error(question, 1, len(question), "did not understand the question", hint) from None


def _form_hint(question: str) -> Optional[str]:
    """An example of the form the question seems to start, to show what a complete one looks like."""
    first = question.split()[0].lower().rstrip("?") if question.split() else ""
    second = question.split()[1].lower() if len(question.split()) > 1 else ""
    key = {"why": "why_not" if second == "not" else "why", "sites": "sites", "site": "sites", "where": "sites",
           "risks": "risks", "risk": "risks", "indications": "indications", "is": "is_contraindication",
           "compare": "compare", "what": "what_is", "sources": "sources", "source": "sources",
           "show": "show"}.get(first)
    return f"for example: {FORM_EXAMPLES[key]}" if key else None


def _tokens(node) -> list:
    """The tokens under a tree node, in order."""
    from lark import Token

    if isinstance(node, Token):
        return [node]
    out = []
    for child in node.children:
        out += _tokens(child)
    return out


class _Resolver:
    """Turns the parse tree into a :class:`Query`, resolving every phrase to a term."""

    def __init__(self, text: str, model: KnowledgeBaseModel):
        self.text, self.model = text, model
        self.index = alias_index(model)

    def query(self, node) -> Query:
        form = str(node.data)
        phrases = [c for c in node.children if getattr(c, "data", None) == "phrase"]
        context = [c for c in node.children if getattr(c, "data", None) == "context"]
        extra: list = []  # words after a comma inside a name: "sites for molar intrusion, adolescent"
        names = []
        for phrase in phrases:
            tokens = _tokens(phrase)
            if any(t.type == "COMMA" for t in tokens) and not names:
                cut = next(i for i, t in enumerate(tokens) if t.type == "COMMA")
                names.append(tokens[:cut] or tokens)
                extra += tokens[cut:]
            else:
                names.append([t for t in tokens if t.type != "COMMA"])
        tail = extra + (_tokens(context[0])[1:] if context else [])
        if form == "help":
            return Query("help", self.text)
        if form == "show":
            word = node.children[0]
            sid = str(word)
            if sid not in self.model.statement_by_id:
                lowered = {s.lower(): s for s in self.model.statement_by_id}
                if sid.lower() in lowered:
                    return Query("show", self.text, statement=lowered[sid.lower()])
                raise _error(self.text, word.column, len(sid), f"no statement named '{sid}'",
                             did_you_mean(sid, self.model.statement_by_id), code="Q003")
            return Query("show", self.text, statement=sid)
        if form in ("contraindications", "anchorage"):
            indication, patient = self.context(tail, allow_indication=False)
            return Query(form, self.text, patient=patient)
        if form == "indications":
            plane = self.resolve(names[0], categories=("plane",)) if names else None
            return Query(form, self.text, subject=plane)
        if form == "compare":
            a, b = (self.resolve(words) for words in names[:2])
            indication, patient = self.context(tail)
            return Query(form, self.text, subject=a, other=b, indication=indication, patient=patient)
        if form == "sites":
            indication = self.resolve(names[0], categories=("indication",))
            _, patient = self.context(tail, allow_indication=False)
            return Query(form, self.text, subject=indication, indication=indication, patient=patient)
        if form in ("what_is", "sources"):
            return Query(form, self.text, subject=self.resolve(names[0]))
        qualifier = None
        words = names[0]
        if form == "is_contraindication":
            while words and words[-1].lower() in STRENGTHS | {"a", "an"}:
                if words[-1].lower() in STRENGTHS:
                    qualifier = words[-1].lower()
                words = words[:-1]
            words = words or names[0]
        subject = self.resolve(words, categories=("factor",) if form == "is_contraindication" else ())
        indication, patient = self.context(tail, allow_indication=form != "is_contraindication")
        return Query(form, self.text, subject=subject, indication=indication, patient=patient, qualifier=qualifier)

    # ---- names ----------------------------------------------------------------------------
    def resolve(self, tokens, categories: tuple[str, ...] = ()) -> Mention:
        """The term a list of word tokens names, or a QueryError with a caret and suggestions."""
        content = [t for t in tokens if t.lower() not in STOPWORDS] or list(tokens)
        if "plane" in categories and len(content) > 1 and content[-1].lower() == "plane":
            content = content[:-1]
        mention = self.lookup(content, categories)
        if mention:
            return mention
        raise self.unknown(content, categories)

    def unknown(self, content, categories) -> QueryError:
        start, end = content[0].column, content[-1].end_column
        said = self.text[start - 1:end - 1]
        pool = self.index_for(categories)
        close = _close(said.lower(), pool)  # a list, never prose split again: labels contain ' or '
        hint = None
        if close:
            hint = "did you mean " + " or ".join(dict.fromkeys(self.model.label(pool[n]) for n in close)) + "?"
        elif categories:
            shown = sorted({self.model.label(v) for v in pool.values()})
            hint = f"known {' or '.join(categories)} names include: " + ", ".join(shown[:5]) + (
                ", ..." if len(shown) > 5 else "")
        kind = " or ".join(c.replace("_", " ") for c in categories) if categories else "name"
        error = _error(self.text, start, end - start, f"unknown {kind} '{said}'", hint, code="Q002")
        error.suggestions = tuple(dict.fromkeys(self.model.label(pool[n]) for n in close))
        return error

    def lookup(self, tokens, categories) -> Optional[Mention]:
        if not tokens:
            return None
        start, end = tokens[0].column, tokens[-1].end_column
        phrase = " ".join(t.lower() for t in tokens)
        pool = self.index_for(categories)
        for candidate in (phrase, phrase.replace("-", " "), phrase.replace(" ", "_"), phrase.rstrip("s"),
                          phrase.replace("-", ""),
                          # the question's small words were dropped before the lookup: so are the
                          # names' ("a failed maxillary buccal mini-implant" is "failed maxillary buccal")
                          ):
            if candidate in pool:
                return Mention(self.text[start - 1:end - 1], pool[candidate], start, end - start)
        term = _stripped_index(self.model).get(phrase)
        if term is not None and term in set(pool.values()):
            return Mention(self.text[start - 1:end - 1], term, start, end - start)
        return None

    def index_for(self, categories) -> dict[str, str]:
        if not categories:
            return self.index
        key = "_alias_index:" + ",".join(categories)  # one filtered copy per model and categories
        cached = self.model.__dict__.get(key)
        if cached is None:
            cached = {k: v for k, v in self.index.items() if self.model.term_by_name[v].category in categories}
            self.model.__dict__[key] = cached
        return cached

    # ---- context: indication and patient ----------------------------------------------------
    def context(self, tokens, allow_indication: bool = True) -> tuple[Optional[Mention], PatientContext]:
        """Split the words after for/with/in into parts; each is an indication, an age, a BMI or a factor."""
        indication = None
        age = bmi = None
        factors: list[str] = []
        for chunk in _chunks(tokens):
            chunk, found_age = _take_age(chunk)
            age = found_age if found_age is not None else age
            chunk, found_bmi = _take_bmi(chunk)
            bmi = found_bmi if found_bmi is not None else bmi
            words = [t for t in chunk if t.lower() not in STOPWORDS]
            if not words:
                continue
            if allow_indication and indication is None:
                found = self.lookup(words, ("indication",))
                if found:
                    indication = found
                    continue
            for mention in self.segment(words, allow_indication):
                factors.append(mention.term)
        return indication, PatientContext(age, bmi, tuple(dict.fromkeys(factors)))


    def segment(self, words, allow_indication: bool) -> list[Mention]:
        """One or more factors named without separators ("diabetic smoker"), longest names first."""
        whole = self.lookup(words, ("factor",))
        if whole is not None:
            return [whole]
        out, rest = [], list(words)
        while rest:  # longest first, but never longer than a name can be: linear in the words
            for end in range(min(len(rest), LONGEST_NAME), 0, -1):
                found = self.lookup(rest[:end], ("factor",))
                if found is not None:
                    out.append(found)
                    rest = rest[end:]
                    break
            else:
                raise self.unknown(words if not out else rest,
                                   ("factor", "indication") if allow_indication else ("factor",))
        return out


def _chunks(tokens):
    chunk: list = []
    for token in tokens:
        if token.type == "COMMA" or token.lower() in SEPARATORS:
            if chunk:
                yield chunk
            chunk = []
        else:
            chunk.append(token)
    if chunk:
        yield chunk


def _take_age(chunk):
    """An age in a part of the context: "12 year old", "12-year-old", "aged 12", "age 12", "12 yo"."""
    words = [t.lower() for t in chunk]
    for i, word in enumerate(words):
        if (m := AGE_TOKEN.match(word)) is None:
            continue
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        unit_in_word = not NUMBER.match(word)
        if unit_in_word or before in ("aged", "age") or after in AGE_WORDS:
            end = i + 1
            while end < len(words) and words[end] in AGE_WORDS:
                end += 1
            begin = i - 1 if before in ("aged", "age") else i
            return chunk[:begin] + chunk[end:], float(m.group(1))
    return chunk, None


def _take_bmi(chunk):
    """A body mass index: "BMI 17", "BMI of 17", "BMI=17", "a BMI 32.5"."""
    words = [t.lower() for t in chunk]
    for i, word in enumerate(words):
        if word.startswith("bmi"):
            rest = word[3:].lstrip("=:")
            if rest and NUMBER.match(rest):
                return chunk[:i] + chunk[i + 1:], float(NUMBER.match(rest).group(1))
            j = i + 1
            while j < len(words) and words[j] in ("of", "=", "is", ":"):
                j += 1
            if j < len(words) and NUMBER.match(words[j]):
                return chunk[:i] + chunk[j + 1:], float(NUMBER.match(words[j]).group(1))
    return chunk, None


LONGEST_NAME = 8  # words


def _close(word: str, pool: dict[str, str], n: int = 3) -> list[str]:
    from ..similar import close_matches

    return close_matches(word, pool, n=n, cutoff=0.6)


def _stripped_index(model: KnowledgeBaseModel) -> dict[str, str]:
    """Every name with the question's small words dropped → its term (built once per model)."""
    cached = model.__dict__.get("_alias_stripped")
    if cached is None:
        cached = {}
        for name, term in alias_index(model).items():
            cached.setdefault(" ".join(w for w in name.split() if w not in STOPWORDS), term)
        model.__dict__["_alias_stripped"] = cached
    return cached


def alias_index(model: KnowledgeBaseModel) -> dict[str, str]:
    """Every way to name a term (lower case) → the term's name (built once per model, with the
    name index, and cached with it)."""
    from .names import name_index

    return name_index(model).aliases
