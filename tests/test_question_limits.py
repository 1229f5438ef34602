"""The question reader's reliability (issue 9): structured suggestions, linear work, bounded length.

Work is counted, never timed: the number of name lookups for a context twice as long is at most
about twice as many, so splitting a context and finding names stay linear.
"""
from __future__ import annotations

import pytest

from questions_support import qkb  # noqa: F401  (fixture)
from tadlog import QueryError, TadlogError
from tadlog.questions import names as names_module
from tadlog.questions import query as query_module


def test_labels_with_or_in_them_never_break_a_suggestion(qkb):
    """'buccal or palatal' is an alias: a hint built from it was split on ' or ' (KeyError 'buccal')."""
    for question in ("why buccal palatal", "why not buccal or palatl", "risks of buccal or palatal sitez"):
        try:
            qkb.ask(question)
        except QueryError as error:
            assert isinstance(error.suggestions, tuple)
            assert all(isinstance(s, str) and s for s in error.suggestions)
            assert "did you mean" in error.render() or error.suggestions == ()


def test_an_unknown_name_carries_its_suggestions_as_a_list(qkb):
    with pytest.raises(QueryError) as caught:
        qkb.ask("why not infrazygo?")
    assert caught.value.suggestions == ("infrazygomatic crest",)


def _lookups(monkeypatch, qkb, question: str) -> int:
    calls = []
    resolve, find = query_module._Resolver.lookup, names_module.NameIndex._scan

    def counting_lookup(self, tokens, categories):
        calls.append(len(tokens))
        return resolve(self, tokens, categories)

    def counting_scan(self, text, words, fixed):
        calls.append(len(words))
        return find(self, text, words, fixed)

    monkeypatch.setattr(query_module._Resolver, "lookup", counting_lookup)
    monkeypatch.setattr(names_module.NameIndex, "_scan", counting_scan)
    try:
        qkb.ask(question)
    except TadlogError:
        pass
    return sum(calls) + len(calls)


def test_context_splitting_is_linear_in_the_question(monkeypatch, qkb):
    short = _lookups(monkeypatch, qkb, "contraindications for " + "smoker " * 60)
    long = _lookups(monkeypatch, qkb, "contraindications for " + "smoker " * 120)
    assert long <= 2.3 * short, (short, long)


def test_a_long_question_is_refused_with_a_clear_error(qkb):
    with pytest.raises(QueryError) as caught:
        qkb.ask("why not " + "midpalate " * 1100)  # about 11 KB
    assert caught.value.diagnostics[0].code == "Q005"
    assert "at most 1000" in caught.value.render()


def test_the_longest_allowed_question_is_answered(qkb):
    question = "contraindications for " + "smoker " * 139  # 995 characters
    answer = qkb.ask(question)
    assert answer.form == "contraindications" and ("patient", "smoking") in answer.patient
