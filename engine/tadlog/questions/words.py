"""A question's words and their normal form: lower case, American spelling, singular.

Every index of names and quotes and every reading of a question compares words in this one
form, so "anaesthesia", "anesthesia" and "Anaesthesias" meet, and "distalisation" is
"distalization".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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
    "hit": "contact", "hitting": "contact", "touch": "contact", "touching": "contact", "touches": "contact",
    "infected": "infection", "maxilla": "maxillary", "mandible": "mandibular",
    "alveolar": "alveolus", "mobile": "mobility", "slightly": "slight", "hurt": "pain", "hurts": "pain",
    "painful": "pain", "sore": "pain", "break": "fracture", "breaks": "fracture", "broke": "fracture",
    "broken": "fracture", "snap": "fracture", "snapped": "fracture", "fractured": "fracture",
    "wobble": "mobility", "wobbles": "mobility", "wobbly": "mobility", "wobbling": "mobility",
    "sideways": "lateral", "thicker": "thickness", "thickest": "thickness",
    "comfortable": "discomfort", "uncomfortable": "discomfort", "comfort": "discomfort",
    "move": "movement", "moves": "movement", "moving": "movement", "moved": "movement",
    "plan": "planning", "plans": "planning", "planned": "planning",
    "mesialize": "protraction", "mesializing": "protraction", "mesialized": "protraction",
    "mesialization": "protraction", "accept": "acceptance", "accepts": "acceptance",
    "accepted": "acceptance", "quit": "cessation", "quitting": "cessation",
    "won't": "not", "wont": "not",
    # negations are kept (never filler): "without anaesthesia" is no anaesthesia, "without
    # extractions" non-extraction, and neither is the anaesthesia or the extractions themselves
    "without": "no", "non": "no", "upright": "uprighting", "uprighted": "uprighting",
}

TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?%?|[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)
_BRITISH_ENDINGS = (("isation", "ization"), ("isations", "izations"), ("ised", "ized"), ("ising", "izing"),
                    ("ises", "izes"), ("ise", "ize"), ("yse", "yze"), ("ysed", "yzed"))
_RE_WORDS = {"centre": "center", "centres": "centers", "metre": "meter", "litre": "liter", "fibre": "fiber",
             "millimetre": "millimeter", "centimetre": "centimeter", "centreline": "centerline",
             "centimetres": "centimeters", "millimetres": "millimeters", "calibre": "caliber"}


@lru_cache(maxsize=1 << 16)
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


def norms_of(text: str) -> list[str]:
    """The normal forms of ``text``'s words (words_of without offsets: for indexes of quotes and names).

    ``findall`` (TOKEN has no capturing group, so it gives each whole match as a string) makes no
    match objects: a third of building the statement index at 100x was this function."""
    return list(map(normal_word, TOKEN.findall(text)))
