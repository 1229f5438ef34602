"""Phrases the explainer writes and the renderers recognise.

They live below both, so the renderers never import back into ``questions``.
"""
import re as _re

UNLESS_PREFIX = "if it were not established that"

_DOUBLE_ARTICLE = _re.compile(r"\b(the|a|an) (?=(?:the|a|an) )", _re.IGNORECASE)
_A_BEFORE_VOWEL = _re.compile(r"\b([Aa]) (?=(?!uni|use|usu|eu|one\b|once)[aeiou])")
_AN_BEFORE_CONSONANT = _re.compile(r"\b([Aa])n (?=(?!hour|honest)[b-df-hj-np-tv-z])")


def fix_articles(text: str) -> str:
    """Articles that agree with what follows, wherever a label meets a template: a template's
    article before a label that brings its own is dropped ("the an interproximal wire" → "an
    interproximal wire"), and a/an agree with the next word ("a interproximal" → "an ...").
    Capitalised words and abbreviations are left alone (an MMPA, a UK trial)."""
    out = _DOUBLE_ARTICLE.sub("", text)
    if out[:1].islower() and text[:1].isupper():
        out = out[:1].upper() + out[1:]
    out = _A_BEFORE_VOWEL.sub(lambda m: m.group(1) + "n ", out)
    return _AN_BEFORE_CONSONANT.sub(lambda m: m.group(1) + " ", out)
