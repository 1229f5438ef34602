"""Names first: every known term found anywhere in a question, by longest match.

A question is read the way a clinician writes it ("where would you put TADs to intrude the
upper molars of a teenager with an open bite?"), so names are looked for everywhere in the
sentence rather than in fixed slots. Terms, labels and aliases are indexed ONCE per model
(cached on the model object) under a normal form that folds case, plural and singular,
British and American spelling (-ise/-ize, -our/-or, ae/e, oe/e, centre/center), hyphens and
spaces, and drops filler words; matching is then a left-to-right scan that tries at most
``longest`` words at each position: linear in the length of the question.

Small typos are corrected only for words the exact pass left over, against the words the
names are made of (rapidfuzz, imported lazily, so a cold ``tadlog ask`` never pays for it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from ..language.model import KnowledgeBaseModel

# Words that never make a name, on either side (the index drops them from names too).
FILLER = frozenset("""
a an the of in on at to into onto for from by with within without about as and or nor but so
is are was were be been being am do does did done doing have has had having will would shall
should can could may might must i we you he she they it its it's this that these those there
here my our your his her their me us them who whom whose which what when where why how whats
what's shouldn't don't can't won't isn't please any some all each every very just really also only too more most much many
patient patients case cases someone somebody one ones person people use using used put
putting place placing placed get getting got go going want wanting need needed needs like
something thing things if then than such other another way ways best right ok okay safe
""".split())

# Question words → the word the knowledge base uses (after normal form), one word each.
WORD_SYNONYMS = {
    "teen": "teenager", "teens": "teenager", "kid": "young", "kids": "young", "child": "young",
    "children": "young", "youngster": "young", "midline": "centerline",
    "smoke": "smoker", "smokes": "smoker", "smoking": "smoker",
    "intrude": "intrusion", "intruding": "intrusion", "intruded": "intrusion",
    "distalize": "distalization", "distalizing": "distalization", "distalized": "distalization",
    "protract": "protraction", "protracting": "protraction",
    "retract": "retraction", "retracting": "retraction", "extrude": "extrusion",
    "fail": "failure", "fails": "failure", "failed": "failure", "failing": "failure",
    "remove": "removal", "removing": "removal", "removed": "removal",
}

TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?%?|[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)
_BRITISH_ENDINGS = (("isation", "ization"), ("isations", "izations"), ("ised", "ized"), ("ising", "izing"),
                    ("ises", "izes"), ("ise", "ize"), ("yse", "yze"), ("ysed", "yzed"))
_RE_WORDS = {"centre": "center", "centres": "centers", "metre": "meter", "litre": "liter", "fibre": "fiber",
             "millimetre": "millimeter", "centimetre": "centimeter", "centreline": "centerline",
             "centimetres": "centimeters", "millimetres": "millimeters", "calibre": "caliber"}


def normal_word(word: str) -> str:
    """One word's normal form: lower case, American spelling, singular."""
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = _RE_WORDS.get(w, w)
    if len(w) > 5:
        w = w.replace("ae", "e").replace("oe", "e")
        for british, american in _BRITISH_ENDINGS:
            if w.endswith(british):
                w = w[: -len(british)] + american
                break
        for ending in ("our", "ours", "oured", "ouring", "ourable", "ourite"):
            if w.endswith(ending):
                w = w[: -len(ending)] + "or" + ending[3:]
                break
    return _singular(WORD_SYNONYMS.get(w, w))


def _singular(w: str) -> str:
    if len(w) <= 3 or w[-1] != "s" or w.endswith(("ss", "us", "is")):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "xes", "sses")):
        return w[:-2]
    return w[:-1]


@dataclass(frozen=True)
class Word:
    """A word of the question: its text, where it is, and its normal form."""

    text: str
    start: int  # 0-based character offset in the question
    end: int
    norm: str


def words_of(text: str) -> list[Word]:
    """The question's words: hyphenated and slashed words split, each with its offsets."""
    out = []
    for m in TOKEN.finditer(text):
        out.append(Word(m.group(), m.start(), m.end(), normal_word(m.group())))
    return out


@dataclass(frozen=True)
class Name:
    """A known term found in the question."""

    term: str
    category: str
    said: str  # the words of the question, as typed
    start: int
    end: int
    corrected: tuple[tuple[str, str], ...] = ()  # (typed word, word it was read as) for typos

    @property
    def column(self) -> int:
        return self.start + 1


@dataclass(frozen=True)
class Partial:
    """A word that belongs to known names but made none on its own: reported with them."""

    said: str
    start: int
    end: int
    nearest: tuple[str, ...]  # term names


class NameIndex:
    """Every way to name a term, in normal form, built once per model."""

    def __init__(self, model: KnowledgeBaseModel):
        self.model = model
        self.keys: dict[tuple[str, ...], str] = {}
        self.by_word: dict[str, list[str]] = {}
        # Names and labels win over other terms' aliases, and every whole name over one that only
        # matches once its small words are dropped ("one mini-implant" is not "mini-implant").
        for whole in (True, False):
            for primary in (True, False):
                for term in model.terms:
                    forms = [term.name.replace("_", " "), term.label or ""] if primary else list(term.aliases)
                    for form in forms:
                        for key in _keys(form, whole):
                            self.keys.setdefault(key, term.name)
                            for word in key:
                                terms = self.by_word.setdefault(word, [])
                                if term.name not in terms:
                                    terms.append(term.name)
        self.longest = min(8, max((len(k) for k in self.keys), default=1))
        self.vocabulary = frozenset(self.by_word)

    def category(self, term: str) -> str:
        decl = self.model.term_by_name.get(term)
        return (decl.category or "term") if decl else "term"

    def find(self, text: str) -> tuple[list[Name], list[Partial]]:
        """Every name in ``text`` (longest match, left to right) and the words left in part."""
        words = [w for w in words_of(text) if w.norm not in FILLER]
        names, left = self._scan(text, words, {})
        corrections = self._corrections([words[i] for i in left])
        if corrections:
            names, left = self._scan(text, words, corrections)
        partial = []
        for i in left:
            word = words[i]
            if word.norm in self.by_word and not word.norm.isdigit():
                nearest = tuple(self.by_word[word.norm][:4])
                partial.append(Partial(word.text, word.start, word.end, nearest))
        return names, partial

    def _scan(self, text: str, words: list[Word], fixed: dict[int, str]):
        norms = [fixed.get(id(w), w.norm) for w in words]
        names: list[Name] = []
        left: list[int] = []
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                term = self.keys.get(tuple(norms[i:i + size]))
                if term is not None:
                    span = words[i:i + size]
                    corrected = tuple((w.text, fixed[id(w)]) for w in span if id(w) in fixed)
                    names.append(Name(term, self.category(term), text[span[0].start:span[-1].end],
                                      span[0].start, span[-1].end, corrected))
                    i += size
                    break
            else:
                left.append(i)
                i += 1
        return names, left

    def _corrections(self, words: list[Word]) -> dict[int, str]:
        """Typos: a left-over word of 5+ letters that is one edit (two from 8 letters) from a name's word."""
        wanted = [w for w in words if w.norm.isalpha() and len(w.norm) >= 5 and w.norm not in self.vocabulary]
        if not wanted:
            return {}
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        out = {}
        for word in wanted:
            limit = 1 if len(word.norm) < 8 else 2
            close = process.extract(word.norm, self.vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=6)
            fits = [c for c, _, _ in sorted(close, key=lambda c: (c[1], c[0])) if _typo(word.norm, c)]
            if fits:
                out[id(word)] = fits[0]
        return out

    def nearest(self, text: str, n: int = 3) -> list[str]:
        """Terms whose names are closest to ``text`` (for suggestions; structured, never prose)."""
        import difflib

        key = " ".join(w.norm for w in words_of(text) if w.norm not in FILLER)
        joined = {" ".join(k): t for k, t in self.keys.items()}
        close = difflib.get_close_matches(key, list(joined), n=n * 3, cutoff=0.75)
        return list(dict.fromkeys(joined[c] for c in close))[:n]


def _typo(typed: str, known: str) -> bool:
    """Whether ``typed`` is a plausible slip for ``known``: a letter left out, added or swapped
    with its neighbour; a wrong letter only in long words ("typical" is not "topical")."""
    if len(known) < 5:
        return False
    if len(typed) != len(known):
        return True
    if sorted(typed) == sorted(known):
        return True
    return len(known) >= 8


def _keys(form: str, whole: bool) -> list[tuple[str, ...]]:
    """The normal-form keys of one name, split at hyphens and with hyphens joined: its words
    without filler when ``whole`` and it has none, or with the filler dropped otherwise."""
    if not form:
        return []
    out = []
    for variant in (form, re.sub(r"(?<=\w)-(?=\w)", "", form)):
        words = [w.norm for w in words_of(variant)]
        key = tuple(w for w in words if w not in FILLER)
        if key and key not in out and (len(key) == len(words)) == whole:
            out.append(key)
    return out


def name_index(model: KnowledgeBaseModel) -> NameIndex:
    """The model's name index, built on first use and kept on the (frozen) model."""
    cached = model.__dict__.get("_name_index")
    if cached is None:
        cached = NameIndex(model)
        model.__dict__["_name_index"] = cached
    return cached


def labels(model: KnowledgeBaseModel, terms: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(model.label(t) for t in terms))


def first_of(names: list[Name], categories: tuple[str, ...]) -> Optional[Name]:
    return next((n for n in names if n.category in categories), None)
